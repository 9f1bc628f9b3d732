"""The questionnaires' columns of the readiness grid and of «Список участников» (the
`studies.extensions` provider listed in `STUDIES_READINESS_COLUMNS`): one column per
questionnaire of the study, each cell «заполнено из выдано» for one organization of the page.
Two queries for any page: the study's questionnaires and the grouped counts.

With `summary_of` (the readiness grid's row «Выполнено / просрочено») the grouped counts are
read once for every organization shown (`summary_of.shown`, one parameter) instead of the
page — still two queries — and each column counts the organizations shown that have completed
every issued code, and those that have not once the questionnaire has closed (an organization
that issued no codes has completed nothing, as the reminders count it)."""

from django.urls import reverse
from django.utils import timezone

from studies.extensions import ColumnGroup, ShareCell, ShareColumn, ShareSummary, SummaryScope

from .selectors import completion_cells, study_questionnaires

REMIND_HELP = (
    "Доля = заполнено / выдано кодов; организация, не выдавшая кодов, считается заполнившей 0 %."
)


def column_key(questionnaire) -> str:
    return f"survey-{questionnaire.pk}"


def _summary(questionnaire, cells: dict[int, ShareCell], shown: set[int], now) -> ShareSummary:
    done = sum(1 for pk, cell in cells.items() if pk in shown and cell.css == "done")
    closed = questionnaire.closes_at <= now
    return ShareSummary(done=done, behind=len(shown) - done if closed else 0)


def completion_columns(
    study, organization_ids, *, summary_of: SummaryScope | None = None
) -> ColumnGroup | None:
    questionnaires = study_questionnaires(study)
    if not questionnaires:
        return None
    page = set(organization_ids)
    shown = set(summary_of.shown) if summary_of is not None else set()
    # The organizations shown (every page; the page's are among them) as one parameter, not
    # the scope's subquery.
    counts = completion_cells(questionnaires, page if summary_of is None else shown)
    now = timezone.now()
    columns = []
    for questionnaire in questionnaires:
        cells = {
            organization_id: ShareCell(done, total)
            for (questionnaire_id, organization_id), (done, total) in counts.items()
            if questionnaire_id == questionnaire.pk
        }
        column = ShareColumn(
            column_key(questionnaire),
            questionnaire.title,
            {pk: cell for pk, cell in cells.items() if pk in page},
        )
        if summary_of is not None:
            column.summary = _summary(questionnaire, cells, shown, now)
        columns.append(column)
    return ColumnGroup(
        title="Анкеты: заполнено из выданных кодов",
        columns=columns,
        empty_label="коды не выданы",
        remind_url=reverse("surveys:study_remind", kwargs={"study_pk": study.pk}),
        remind_help=REMIND_HELP,
    )
