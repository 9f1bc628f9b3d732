"""The questionnaires' columns of the readiness grid and of «Список участников» (the
`studies.extensions` provider listed in `STUDIES_READINESS_COLUMNS`): one column per
questionnaire of the study, each cell «заполнено из выдано» for one organization of the page.
Two queries for any page: the study's questionnaires and the grouped counts.

With `summary_of` (the readiness grid's row «Выполнено / просрочено») the codes are grouped
for every organization shown (`summary_of.shown`, one parameter) instead of the page — still
two queries, returning the page's groups and the completed ones only
(`completion_with_summary`) — and each column counts the organizations shown that have
completed every issued code (a cell `ShareCell.css` calls «done»), and those that have not
once the questionnaire has closed (an organization that issued no codes has completed
nothing, as the reminders count it)."""

from django.urls import reverse
from django.utils import timezone

from studies.extensions import ColumnGroup, ShareCell, ShareColumn, ShareSummary, SummaryScope

from .selectors import completion_cells, completion_with_summary, study_questionnaires

REMIND_HELP = (
    "Доля = заполнено / выдано кодов; организация, не выдавшая кодов, считается заполнившей 0 %."
)


def column_key(questionnaire) -> str:
    return f"survey-{questionnaire.pk}"


def _summary(questionnaire, completed: int, shown: set[int], now) -> ShareSummary:
    closed = questionnaire.closes_at <= now
    return ShareSummary(done=completed, behind=len(shown) - completed if closed else 0)


def completion_columns(
    study, organization_ids, *, summary_of: SummaryScope | None = None
) -> ColumnGroup | None:
    questionnaires = study_questionnaires(study)
    if not questionnaires:
        return None
    page = list(organization_ids)
    if summary_of is None:
        counts, completed_by = completion_cells(questionnaires, page), None
    else:
        # The organizations shown (every page; the page's are among them) as one parameter,
        # not the scope's subquery.
        shown = set(summary_of.shown)
        counts, completed_by = completion_with_summary(questionnaires, page, list(shown))
    cells: dict[int, dict[int, ShareCell]] = {q.pk: {} for q in questionnaires}
    for (questionnaire_id, organization_id), (done, total) in counts.items():
        cells[questionnaire_id][organization_id] = ShareCell(done, total)
    now = timezone.now()
    columns = []
    for questionnaire in questionnaires:
        column = ShareColumn(
            column_key(questionnaire), questionnaire.title, cells[questionnaire.pk]
        )
        if completed_by is not None:
            column.summary = _summary(questionnaire, completed_by[questionnaire.pk], shown, now)
        columns.append(column)
    return ColumnGroup(
        title="Анкеты: заполнено из выданных кодов",
        columns=columns,
        empty_label="коды не выданы",
        remind_url=reverse("surveys:study_remind", kwargs={"study_pk": study.pk}),
        remind_help=REMIND_HELP,
    )
