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

from collections import Counter
from functools import lru_cache

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.sql import InIds, Slot, Statement
from studies.extensions import ColumnGroup, ShareCell, ShareColumn, ShareSummary, SummaryScope

from .models import AccessCode, Questionnaire
from .selectors import study_questionnaires

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


def completion_cells(
    questionnaires: list[Questionnaire], organization_ids
) -> dict[tuple[int, int], tuple[int, int]]:
    """{(questionnaire id, organization id): (completed, issued)} for a page of organizations
    or a whole scope (ids, sent as one parameter however many; or a queryset of ids, read as a
    subquery): one query grouped in the database, whatever the number of organizations or
    codes."""
    if not questionnaires:
        return {}
    in_scope = (
        Q(organization_id__in=organization_ids)
        if isinstance(organization_ids, QuerySet)
        else InIds("organization_id", organization_ids)
    )
    return {
        (questionnaire_id, organization_id): (completed, issued)
        for questionnaire_id, organization_id, completed, issued in _completion(
            questionnaires, in_scope
        )
    }


def completion_with_summary(
    questionnaires: list[Questionnaire], page: list[int], shown
) -> tuple[dict[tuple[int, int], tuple[int, int]], Counter]:
    """`completion_cells` of the organizations of `page`, and {questionnaire id: how many of
    `shown` (ids, any number) have completed every code they issued} — one query that groups
    the codes of everyone shown but returns only the page's groups and the completed ones
    (the counts of thousands of organizations were read to Python to be counted there)."""
    if not questionnaires:
        return {}, Counter()
    statement = _completion_statement(AccessCode.objects.db, tuple(q.pk for q in questionnaires))
    rows = statement.rows(shown=shown, page=page)
    cells, completed_by = {}, Counter()
    page_ids = set(page)
    for questionnaire_id, organization_id, completed, issued in rows:
        if organization_id in page_ids:
            cells[(questionnaire_id, organization_id)] = (completed, issued)
        if completed == issued:
            completed_by[questionnaire_id] += 1
    return cells, completed_by


@lru_cache(maxsize=64)
def _completion_statement(db: str, questionnaire_pks: tuple[int, ...]) -> Statement:
    """`completion_with_summary`'s query with the organizations left open, compiled once per
    process for each set of questionnaires (building and compiling it was ~1 ms of a grid
    page); its counts are read as the database gives them (integers)."""
    completed_or_on_page = Q(InIds("organization_id", Slot.ids("page"))) | Q(completed=F("issued"))
    return Statement(
        _completion(questionnaire_pks, InIds("organization_id", Slot.ids("shown")))
        .filter(completed_or_on_page)
        .using(db),
        converted=(),
    )


def _completion(questionnaires, in_scope) -> QuerySet:
    """(questionnaire, organization, completed, issued) of the codes `in_scope`."""
    return (
        AccessCode.objects.filter(in_scope, questionnaire__in=questionnaires)
        .values("questionnaire_id", "organization_id")
        .annotate(issued=Count("pk"), completed=Count("pk", filter=Q(submitted_at__isnull=False)))
        .values_list("questionnaire_id", "organization_id", "completed", "issued")
        .order_by()
    )
