"""Reads of the questionnaires, each through the user's scope (`accounts.scoping`).

Counts of a questionnaire are per access code: «выдано» = codes issued, «начато» = a code with
at least one save, «заполнено» = a code whose respondent pressed «Отправить». Only sent answers
are summarised and exported.

The summary of one questionnaire is the same three figures per answer option for three groups
of respondents: the school's own, its region and all; a school sees its own column only when at
least `SURVEYS_MIN_RESPONSES` of its respondents sent the questionnaire, so a single teacher's
answers cannot be picked out.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from accounts import permissions, scoping
from accounts.models import Organization, User
from datacollection.models import Collection
from studies.selectors import participating_organizations

from .models import AccessCode, Answer, Question, Questionnaire, Respondent, Section

STARTED = Q(codes__started_at__isnull=False)
SUBMITTED = Q(codes__submitted_at__isnull=False)


def questionnaires_visible_to(user: User) -> QuerySet[Questionnaire]:
    """An organization sees the questionnaires it takes part in; coordinators and the operator
    see every questionnaire (the figures inside are scoped)."""
    if permissions.is_organization_user(user):
        return Questionnaire.objects.filter(
            Exists(
                Collection.organizations.through.objects.filter(
                    collection__study=OuterRef("study"), organization=user.organization_id
                )
            )
        )
    if permissions.may_monitor(user):
        return Questionnaire.objects.all()
    return Questionnaire.objects.none()


def questionnaire_for_user_or_404(user: User, pk: int) -> Questionnaire:
    try:
        return questionnaires_visible_to(user).select_related("study").get(pk=pk)
    except (Questionnaire.DoesNotExist, ValueError, TypeError):
        raise Http404("Анкета не найдена") from None


def questionnaire_list(user: User) -> list[Questionnaire]:
    """With the user's own counts for an organization."""
    queryset = (
        questionnaires_visible_to(user)
        .select_related("study")
        .order_by("-opens_at", "respondent", "pk")
    )
    if permissions.is_organization_user(user):
        mine = Q(codes__organization=user.organization_id)
        queryset = queryset.annotate(
            issued=Count("codes", filter=mine),
            started=Count("codes", filter=mine & STARTED),
            completed=Count("codes", filter=mine & SUBMITTED),
        )
    return list(queryset)


@dataclass
class GradeCounts:
    grade: int | None
    letter: str | None
    issued: int
    started: int
    completed: int

    @property
    def label(self) -> str:
        return f"{self.grade} {self.letter or ''}".strip() if self.grade else ""


def school_counts(*, questionnaire: Questionnaire, organization: Organization) -> list[GradeCounts]:
    """Issued / started / completed by class (8 «А»; one row without a class for adults)."""
    rows = (
        AccessCode.objects.filter(questionnaire=questionnaire, organization=organization)
        .values("grade", letter=models.F("participant__school_class__letter"))
        .annotate(
            issued=Count("pk"),
            started=Count("pk", filter=Q(started_at__isnull=False)),
            completed=Count("pk", filter=Q(submitted_at__isnull=False)),
        )
        .order_by("grade", "letter")
    )
    return [GradeCounts(**row) for row in rows]


def school_codes(
    *, questionnaire: Questionnaire, organization: Organization
) -> QuerySet[AccessCode]:
    return (
        AccessCode.objects.filter(questionnaire=questionnaire, organization=organization)
        .select_related("participant")
        .order_by("grade", "participant__number", "issued_at", "pk")
    )


def _with_counts(organizations: QuerySet[Organization], questionnaire: Questionnaire) -> QuerySet:
    mine = Q(survey_codes__questionnaire=questionnaire)
    return organizations.annotate(
        issued=Count("survey_codes", filter=mine),
        started=Count("survey_codes", filter=mine & Q(survey_codes__started_at__isnull=False)),
        completed=Count("survey_codes", filter=mine & Q(survey_codes__submitted_at__isnull=False)),
    )


def completion_organizations(
    *,
    questionnaire: Questionnaire,
    user: User,
    region_id: int | None = None,
    municipality_id: int | None = None,
    below_percent: int | None = None,
) -> QuerySet[Organization]:
    """Participating organizations in the user's scope (narrowed to a region or municipality)
    with their counts, by login. `below_percent` keeps those whose completion
    (`completed / issued`) is below that share; an organization that issued no codes is at 0 %.
    One query however it is read."""
    organizations = scoping.organizations_visible_to(user).filter(
        pk__in=participating_organizations(questionnaire.study).values("pk")
    )
    if region_id:
        organizations = organizations.filter(region_id=region_id)
    if municipality_id:
        organizations = organizations.filter(municipality_id=municipality_id)
    organizations = _with_counts(organizations, questionnaire)
    if below_percent is not None:
        # completed / issued < below / 100, in integers; nothing issued counts as nothing done.
        organizations = organizations.alias(scaled=F("completed") * 100).filter(
            Q(issued=0) | Q(scaled__lt=F("issued") * below_percent)
        )
    return organizations.order_by("login")


def completion_percent(organization: Organization) -> float:
    return 100 * organization.completed / organization.issued if organization.issued else 0.0


def study_questionnaire(study, pk) -> Questionnaire | None:
    try:
        return Questionnaire.objects.select_related("study").filter(study=study, pk=pk).first()
    except (ValueError, TypeError):
        return None


def study_questionnaires(study) -> list[Questionnaire]:
    """The study's questionnaires in the order of respondents: pupils, teachers, leadership."""
    order = {value: number for number, value in enumerate(Respondent.values)}
    return sorted(
        Questionnaire.objects.filter(study=study).only(
            "pk", "title", "respondent", "study_id", "closes_at"
        ),
        key=lambda q: (order.get(q.respondent, 99), q.title, q.pk),
    )


def questionnaire_sections(questionnaire: Questionnaire) -> list[Section]:
    return list(questionnaire.sections.prefetch_related("questions"))


def answer_values(access_code: AccessCode) -> dict[int, object]:
    return dict(access_code.answers.values_list("question_id", "value"))


# ------------------------------------------------------------------ summary


@dataclass
class OptionShare:
    label: str
    count: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.count / self.total if self.total else 0.0


@dataclass
class QuestionSummary:
    question: Question
    answered: int  # responses that answered it
    options: list[OptionShare]  # choice kinds; per statement for a matrix (see rows)
    rows: list[tuple[str, list[OptionShare]]]  # matrix: statement → options
    numbers: dict | None  # number: min / max / mean


def _submitted_codes(questionnaire: Questionnaire) -> QuerySet[AccessCode]:
    return AccessCode.objects.filter(questionnaire=questionnaire, submitted_at__isnull=False)


def summary(
    *, questionnaire: Questionnaire, codes: QuerySet[AccessCode]
) -> tuple[int, list[QuestionSummary]]:
    """Counts and shares per question for the sent responses among `codes`. The database groups
    equal answers ((question, value) → count), so the cost follows the number of distinct
    answers, not of respondents; texts are not summarised (only how many answered)."""
    responses = codes.count()
    grouped = (
        Answer.objects.filter(access_code__in=codes)
        .values("question_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    answered: Counter = Counter()
    matrix: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    numbers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    questions = {
        q.pk: q
        for q in Question.objects.filter(section__questionnaire=questionnaire).select_related(
            "section"
        )
    }
    for row in grouped:
        question = questions.get(row["question_id"])
        if question is None:
            continue
        value, n = row["value"], row["n"]
        answered[question.pk] += n
        if question.kind == Question.Kind.MULTIPLE:
            for item in value:
                counts[question.pk][item] += n
        elif question.kind == Question.Kind.MATRIX:
            for number, item in value.items():
                matrix[question.pk][number][item] += n
        elif question.kind == Question.Kind.NUMBER:
            numbers[question.pk].append((int(value), n))
        elif question.kind in (Question.Kind.SINGLE, Question.Kind.SCALE):
            counts[question.pk][value] += n
    result = []
    for question in sorted(
        questions.values(), key=lambda q: (q.section.order, q.section_id, q.order, q.pk)
    ):
        total = answered[question.pk]
        options = (
            [
                OptionShare(label, counts[question.pk][label], total)
                for label in question.choice_list
            ]
            if question.kind in Question.CONDITION_KINDS
            else []
        )
        rows = []
        if question.kind == Question.Kind.MATRIX:
            for number, statement in enumerate(question.statement_list, start=1):
                per = matrix[question.pk][str(number)]
                row_total = sum(per.values())
                rows.append(
                    (
                        statement,
                        [
                            OptionShare(label, per[label], row_total)
                            for label in question.choice_list
                        ],
                    )
                )
        stats = None
        if question.kind == Question.Kind.NUMBER and numbers[question.pk]:
            pairs = numbers[question.pk]
            count = sum(n for _, n in pairs)
            stats = {
                "min": min(v for v, _ in pairs),
                "max": max(v for v, _ in pairs),
                "mean": sum(v * n for v, n in pairs) / count,
            }
        result.append(QuestionSummary(question, total, options, rows, stats))
    return responses, result


@dataclass
class SummaryGroup:
    label: str
    responses: int
    questions: list[QuestionSummary] | None  # None: withheld (too few responses)


def school_may_see(*, total: int, own: int, minimum: int) -> bool:
    """Whether a school may see figures over `total` sent responses, `own` of them its own.
    Its own respondents count only from `minimum` on; others' responses count only when there
    are at least `minimum` of them — otherwise a region of this school and one other would
    show that other school's few respondents (or, without others, the school's own)."""
    others = total - own
    return own >= minimum if others == 0 else others >= minimum


def coordinator_may_see(*, total: int, minimum: int) -> bool:
    """A coordinator has no respondents of its own: an area's figures are shown from `minimum`
    sent responses (the rule of `school_may_see` with `own` = 0)."""
    return school_may_see(total=total, own=0, minimum=minimum)


def summary_groups(*, questionnaire: Questionnaire, user: User) -> list[SummaryGroup]:
    """The columns the user may see: an organization — its own, its region and all, each only
    where `school_may_see`; a coordinator — its scope and all, each only where
    `coordinator_may_see`; the operator — all."""
    sent = _submitted_codes(questionnaire)
    candidates: list[tuple[str, QuerySet[AccessCode]]] = []
    if permissions.is_organization_user(user):
        candidates = [
            ("Ваша организация", sent.filter(organization=user.organization_id)),
            ("Ваш регион", sent.filter(organization__region_id=user.organization.region_id)),
            ("Все участники", sent),
        ]
        own = candidates[0][1].count()
        minimum = settings.SURVEYS_MIN_RESPONSES
        groups = []
        for label, codes in candidates:
            total = codes.count()
            if school_may_see(total=total, own=own, minimum=minimum):
                groups.append(
                    SummaryGroup(label, *summary(questionnaire=questionnaire, codes=codes))
                )
            else:
                groups.append(SummaryGroup(label, total, None))
        return groups
    if not permissions.may_monitor(user):
        return []
    if permissions.may_see_all_regions(user):  # the operator, who also holds the raw export
        return [SummaryGroup("Все участники", *summary(questionnaire=questionnaire, codes=sent))]
    candidates = [
        (user.scope_label, sent.filter(organization__in=scoping.organizations_visible_to(user))),
        ("Все участники", sent),
    ]
    groups = []
    for label, codes in candidates:
        # A coordinator's area may hold one school (a municipality of one) or a few
        # respondents: its figures are that school's, so they wait for the same minimum.
        total = codes.count()
        if coordinator_may_see(total=total, minimum=settings.SURVEYS_MIN_RESPONSES):
            groups.append(SummaryGroup(label, *summary(questionnaire=questionnaire, codes=codes)))
        else:
            groups.append(SummaryGroup(label, total, None))
    return groups


def exports_visible_to(user: User):
    """Answers exports a user may open: their requester's own, every one for operators."""
    from .models import SurveyExport

    queryset = SurveyExport.objects.select_related("questionnaire")
    if permissions.may_see_all_regions(user):
        return queryset
    return queryset.filter(requester=user) if permissions.may_monitor(user) else queryset.none()


def export_for_user_or_404(user: User, pk: int):
    """An answers export: its requester and operators only."""
    from .models import SurveyExport

    try:
        return exports_visible_to(user).get(pk=pk)
    except (SurveyExport.DoesNotExist, ValueError, TypeError):
        raise Http404("Выгрузка не найдена") from None
