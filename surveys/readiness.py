"""The questionnaires' columns of the readiness grid and of «Список участников» (the
`studies.extensions` provider listed in `STUDIES_READINESS_COLUMNS`): one column per
questionnaire of the study, each cell «заполнено из выдано» for one organization of the page.
Two queries for any page: the study's questionnaires and the grouped counts."""

from django.urls import reverse

from studies.extensions import ColumnGroup, ShareCell, ShareColumn

from .selectors import completion_cells, study_questionnaires

REMIND_HELP = (
    "Доля = заполнено / выдано кодов; организация, не выдавшая кодов, считается заполнившей 0 %."
)


def column_key(questionnaire) -> str:
    return f"survey-{questionnaire.pk}"


def completion_columns(study, organization_ids) -> ColumnGroup | None:
    questionnaires = study_questionnaires(study)
    if not questionnaires:
        return None
    counts = completion_cells(questionnaires, organization_ids)
    columns = []
    for questionnaire in questionnaires:
        cells = {
            organization_id: ShareCell(done, total)
            for (questionnaire_id, organization_id), (done, total) in counts.items()
            if questionnaire_id == questionnaire.pk
        }
        columns.append(ShareColumn(column_key(questionnaire), questionnaire.title, cells))
    return ColumnGroup(
        title="Анкеты: заполнено из выданных кодов",
        columns=columns,
        empty_label="коды не выданы",
        remind_url=reverse("surveys:study_remind", kwargs={"study_pk": study.pk}),
        remind_help=REMIND_HELP,
    )
