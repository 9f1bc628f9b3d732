"""Writes of the questionnaires: entering a code, saving answers, sending, issuing codes,
reminders, exports and definition imports. Each checks access itself, runs in one transaction
and records an audit row where a person acts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage

from accounts import audit, permissions
from accounts.models import Organization, User
from core.errors import AccessDenied, ServiceError
from core.text import msk
from datacollection.models import Study

from . import answers as answer_rules
from .models import (
    AccessCode,
    Answer,
    Question,
    Questionnaire,
    Section,
    SurveyExport,
    normalize_code,
)

CODE_EMPTY = "Введите код доступа с листка, который выдала школа."
CODE_WRONG = (
    "Код не найден. Проверьте, что он введен без ошибок: латинские буквы и цифры, как на листке."
)
CODE_FOREIGN = "Этот код выдан для другой анкеты. Откройте анкету, указанную на листке с кодом."
CODE_USED = "По этому коду анкета уже отправлена {at}. Заполнить ее еще раз нельзя."
CODE_NOT_YET = "Анкета еще не открыта: заполнить ее можно с {at}."
CODE_EXPIRED = "Срок заполнения анкеты истек {at}: ответы больше не принимаются."
CODE_RATE_LIMITED = (
    "Слишком много неверных попыток ввода кода с этого адреса. "
    "Подождите 15 минут и попробуйте снова."
)
SUBMIT_INCOMPLETE = "Анкета не отправлена: ответьте на обязательные вопросы (отмечены ниже)."
ISSUE_COUNT = "Укажите, сколько кодов выдать: от 1 до {limit}."
ISSUE_GRADE = "Укажите класс обучающихся: от 1 до 11."
ISSUE_CLOSED = "Анкета закрыта: новые коды не выдаются."
REMIND_RATE = "Укажите долю заполнения в процентах: от 1 до 100."
ISSUE_LIMIT = 500


class SurveyError(ServiceError):
    pass


class CodeRefused(SurveyError):
    pass


class ResponseClosed(SurveyError):
    """The code was used («Отправить») or the questionnaire closed: nothing is saved."""


class ResponseIncomplete(SurveyError):
    def __init__(self, errors: dict[int, str], first_section: int):
        super().__init__(SUBMIT_INCOMPLETE)
        self.errors = errors
        self.first_section = first_section


# ------------------------------------------------------------------ respondents (no account)

# Failed attempts per address: a school's computer room shares one address, so the limit is
# generous for typos and hopeless for guessing (10 characters of 25 letters and digits).
CODE_ATTEMPTS_GROUP = "surveys.code"


def _attempts_limited(request: HttpRequest, *, increment: bool) -> bool:
    """With `increment`, count one failed attempt; either way, whether the address has used up
    its failed attempts (the next one is refused before the code is even looked up)."""
    usage = get_usage(
        request,
        group=CODE_ATTEMPTS_GROUP,
        key="ip",
        rate=settings.SURVEYS_CODE_ATTEMPTS,
        increment=increment,
    )
    return usage is not None and usage["count"] >= usage["limit"]


def _refuse_closed(access_code: AccessCode, at: datetime) -> None:
    questionnaire = access_code.questionnaire
    if access_code.submitted_at is not None:
        raise ResponseClosed(CODE_USED.format(at=msk(access_code.submitted_at)))
    if at < questionnaire.opens_at:
        raise ResponseClosed(CODE_NOT_YET.format(at=msk(questionnaire.opens_at)))
    if at >= questionnaire.closes_at:
        raise ResponseClosed(CODE_EXPIRED.format(at=msk(questionnaire.closes_at)))


def closed_reason(access_code: AccessCode, *, at: datetime | None = None) -> str:
    """Why the code no longer opens its questionnaire, or ''."""
    try:
        _refuse_closed(access_code, at or timezone.now())
    except ResponseClosed as refusal:
        return refusal.message
    return ""


def code_enter(
    *, text: str, request: HttpRequest, questionnaire: Questionnaire | None = None
) -> AccessCode:
    """The code a respondent typed, if it opens a questionnaire now. Wrong and foreign codes
    count against the address; while it is over the limit even a right code is refused, so
    the limit cannot be probed with one."""
    if _attempts_limited(request, increment=False):
        raise CodeRefused(CODE_RATE_LIMITED)
    code = normalize_code(text)
    if not code:
        raise CodeRefused(CODE_EMPTY)
    access_code = AccessCode.objects.select_related("questionnaire").filter(code=code).first()
    if access_code is None or (
        questionnaire is not None and access_code.questionnaire_id != questionnaire.pk
    ):
        _attempts_limited(request, increment=True)
        raise CodeRefused(CODE_WRONG if access_code is None else CODE_FOREIGN)
    _refuse_closed(access_code, timezone.now())
    return access_code


@dataclass
class Saved:
    errors: dict[int, str] = field(default_factory=dict)  # question id → message
    saved_at: datetime | None = None


def _questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        Question.objects.filter(section__questionnaire=questionnaire).select_related("section")
    )


def _values(access_code: AccessCode) -> dict[int, object]:
    return dict(access_code.answers.values_list("question_id", "value"))


def answers_save(
    *,
    access_code: AccessCode,
    section: Section,
    data,
    check_required: bool = False,
    at: datetime | None = None,
) -> Saved:
    """Store what one screen (or one autosaved field of it) carried. Every valid answer is kept
    even when another on the screen is refused; a cleared field removes its answer; answers of
    questions that the new answers hide are dropped. With `check_required` (moving on with
    «Далее»), unanswered required questions of the screen are reported too."""
    at = at or timezone.now()
    with transaction.atomic():
        # The row lock orders two saves of one respondent (two tabs, a retry) one after another.
        access_code = (
            AccessCode.objects.select_for_update()
            .select_related("questionnaire")
            .get(pk=access_code.pk)
        )
        _refuse_closed(access_code, at)
        if section.questionnaire_id != access_code.questionnaire_id:
            raise AccessDenied(CODE_FOREIGN)
        questions = _questions(access_code.questionnaire)
        values = _values(access_code)
        errors: dict[int, str] = {}
        changed: dict[int, object] = {}
        for question in questions:
            if question.section_id != section.pk or not answer_rules.posted(question, data):
                continue
            cleaned = answer_rules.clean(question, data)
            if cleaned.error:
                errors[question.pk] = cleaned.error
                continue
            changed[question.pk] = cleaned.value
        values.update(changed)
        shown = answer_rules.visible_ids(questions, values)
        to_delete = [pk for pk, value in values.items() if value is None or pk not in shown]
        to_store = {pk: value for pk, value in changed.items() if pk in shown and value is not None}
        if to_delete:
            access_code.answers.filter(question_id__in=to_delete).delete()
        for question_id, value in to_store.items():
            Answer.objects.update_or_create(
                access_code=access_code,
                question_id=question_id,
                defaults={"value": value, "saved_at": at},
            )
        if check_required:
            for question in questions:
                if question.section_id == section.pk and question.pk in shown:
                    message = answer_rules.missing_error(question, values.get(question.pk))
                    if message and question.pk not in errors:
                        errors[question.pk] = message
        fields = ["last_saved_at"]
        access_code.last_saved_at = at
        if access_code.started_at is None:
            access_code.started_at = at
            fields.append("started_at")
        access_code.save(update_fields=fields)
    return Saved(errors=errors, saved_at=at)


def response_submit(*, access_code: AccessCode, at: datetime | None = None) -> AccessCode:
    """«Отправить»: every shown required question answered, answers of hidden ones dropped,
    then the code is closed for good."""
    at = at or timezone.now()
    with transaction.atomic():
        access_code = (
            AccessCode.objects.select_for_update()
            .select_related("questionnaire")
            .get(pk=access_code.pk)
        )
        _refuse_closed(access_code, at)
        questions = _questions(access_code.questionnaire)
        values = _values(access_code)
        shown = answer_rules.visible_ids(questions, values)
        errors = {}
        first_section = None
        sections = list(access_code.questionnaire.sections.values_list("pk", flat=True))
        for question in questions:
            if question.pk not in shown:
                continue
            message = answer_rules.missing_error(question, values.get(question.pk))
            if message:
                errors[question.pk] = message
                number = sections.index(question.section_id) + 1
                first_section = min(first_section or number, number)
        if errors:
            raise ResponseIncomplete(errors, first_section)
        access_code.answers.exclude(question_id__in=shown).delete()
        access_code.submitted_at = at
        if access_code.started_at is None:
            access_code.started_at = at
        access_code.save(update_fields=["submitted_at", "started_at"])
    return access_code


# ------------------------------------------------------------------ the school


def _require_school(actor: User, questionnaire: Questionnaire) -> Organization:
    organization = actor.organization if permissions.is_organization_user(actor) else None
    if organization is None or not questionnaire.organizations.filter(pk=organization.pk).exists():
        raise AccessDenied("Выдавать коды к анкете может только участвующая в ней организация.")
    return organization


def codes_issue(
    *,
    questionnaire: Questionnaire,
    actor: User,
    count: int | None,
    grade: int | None = None,
    request: HttpRequest | None = None,
) -> list[AccessCode]:
    """N new codes of the actor's organization (pupils' codes carry their class)."""
    organization = _require_school(actor, questionnaire)
    if count is None or not 1 <= count <= ISSUE_LIMIT:
        raise SurveyError(ISSUE_COUNT.format(limit=ISSUE_LIMIT))
    if questionnaire.is_for_pupils:
        if grade is None or not 1 <= grade <= 11:
            raise SurveyError(ISSUE_GRADE)
    else:
        grade = None
    if timezone.now() >= questionnaire.closes_at:
        raise SurveyError(ISSUE_CLOSED)
    with transaction.atomic():
        codes = []
        for _ in range(count):
            # A clash of random codes is astronomically rare; draw again rather than fail.
            for _attempt in range(5):
                try:
                    with transaction.atomic():
                        codes.append(
                            AccessCode.objects.create(
                                questionnaire=questionnaire, organization=organization, grade=grade
                            )
                        )
                    break
                except IntegrityError:
                    continue
        audit.record(
            actor=actor,
            action="surveys.codes_issue",
            organization=organization,
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
            count=count,
            grade=grade,
        )
    return codes


# ------------------------------------------------------------------ coordinators


def reminders_request(
    *,
    questionnaire: Questionnaire,
    actor: User,
    below_percent: int | None,
    request: HttpRequest | None = None,
) -> list[int]:
    """Queue an e-mail to each organization in the actor's scope whose completion is below
    the chosen share; returns the organizations' ids."""
    from . import selectors, tasks

    if not permissions.may_act_on_organizations(actor):
        raise AccessDenied("Напоминания отправляют региональный координатор и оператор.")
    if below_percent is None or not 1 <= below_percent <= 100:
        raise SurveyError(REMIND_RATE)
    rows = selectors.completion_by_organization(questionnaire=questionnaire, user=actor)
    ids = [row.pk for row in rows if row.completion_percent < below_percent and row.email]
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="surveys.remind",
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
            below_percent=below_percent,
            organizations=len(ids),
        )
        if ids:
            transaction.on_commit(lambda: tasks.send_reminders.enqueue(questionnaire.pk, ids))
    return ids


def reminders_deliver(*, questionnaire_id: int, organization_ids: list[int]) -> int:
    from django.core.mail import EmailMessage, get_connection
    from django.urls import reverse

    from core.text import absolute_url

    questionnaire = Questionnaire.objects.select_related("study").get(pk=questionnaire_id)
    url = absolute_url(reverse("surveys:school_detail", kwargs={"pk": questionnaire.pk}))
    messages = [
        EmailMessage(
            subject=f"НИКО: напоминание об анкетах «{questionnaire.title}»",
            body=(
                "Здравствуйте!\n\n"
                f"В образовательной организации {organization.name} (логин {organization.login}) "
                f"заполнена не вся анкета «{questionnaire.title}» ({questionnaire.study.title}).\n"
                f"Срок заполнения: до {msk(questionnaire.closes_at)}.\n\n"
                "Раздайте коды доступа респондентам и проследите, чтобы каждый нажал «Отправить»: "
                f"{url}\n\n"
                f"По вопросам работы ЛК ФИС ОКО: {settings.SUPPORT_EMAIL}.\n"
            ),
            to=[organization.email],
        )
        for organization in Organization.objects.filter(pk__in=organization_ids)
        .exclude(email="")
        .order_by("login")
    ]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def export_start(
    *, questionnaire: Questionnaire, actor: User, request: HttpRequest | None = None
) -> SurveyExport:
    from . import tasks

    if not permissions.may_monitor(actor):
        raise AccessDenied("Выгрузка ответов — для координаторов и оператора.")
    with transaction.atomic():
        job = SurveyExport.objects.create(requester=actor, questionnaire=questionnaire)
        audit.record(
            actor=actor,
            action="surveys.export",
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
        )
        transaction.on_commit(lambda: tasks.export_answers.enqueue(job.pk))
    return job


def export_run(*, export_id: int) -> SurveyExport:
    from django.core.files.base import ContentFile

    from .xlsx import answers_workbook

    job = SurveyExport.objects.select_related("questionnaire", "requester").get(pk=export_id)
    job.status = SurveyExport.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        content, rows = answers_workbook(questionnaire=job.questionnaire, user=job.requester)
    except Exception as error:  # the page shows the failure instead of waiting forever
        job.status = SurveyExport.Status.FAILED
        job.error = str(error)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.file.save(
        f"answers-{job.questionnaire.code}-{job.pk}.xlsx", ContentFile(content), save=False
    )
    job.rows = rows
    job.status = SurveyExport.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "rows", "status", "finished_at"])
    return job


def exports_cleanup(*, older_than: timedelta) -> int:
    removed = 0
    for job in SurveyExport.objects.filter(created_at__lt=timezone.now() - older_than):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed


# ------------------------------------------------------------------ the operator (admin)


class DefinitionInvalid(SurveyError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def questionnaire_import(
    *,
    definition: dict,
    study: Study,
    code: str,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    actor: User,
    request: HttpRequest | None = None,
) -> Questionnaire:
    """A questionnaire from a definition file, validated as the admin validates it."""
    if not permissions.may_administer(actor):
        raise AccessDenied("Импорт анкет — для оператора.")
    messages: list[str] = []
    try:
        with transaction.atomic():
            questionnaire = Questionnaire(
                study=study,
                code=code or definition.get("code", ""),
                title=title or definition.get("title", ""),
                respondent=definition.get("respondent", ""),
                intro=definition.get("intro", "") or "",
                opens_at=opens_at,
                closes_at=closes_at,
            )
            if not _full_clean(questionnaire, "Анкета", messages, exclude=["organizations"]):
                raise DefinitionInvalid(messages)
            questionnaire.save()
            by_key: dict[str, Question] = {}
            for section_number, item in enumerate(definition.get("sections") or [], start=1):
                section = Section(
                    questionnaire=questionnaire,
                    title=str(item.get("title", "")),
                    order=int(item.get("order") or section_number),
                    description=str(item.get("description", "") or ""),
                )
                _full_clean(
                    section, f"Раздел {section_number}", messages, exclude=["questionnaire"]
                )
                section.save()
                for spec in item.get("questions") or []:
                    show_if = spec.get("show_if") or None
                    parent = by_key.get(show_if["question"]) if show_if else None
                    if show_if and parent is None:
                        messages.append(
                            f"Вопрос «{spec.get('key')}»: условие на неизвестный или более поздний "
                            f"вопрос «{show_if.get('question')}»."
                        )
                        continue
                    question = Question(
                        section=section,
                        key=str(spec.get("key", "")),
                        order=int(spec.get("order") or 0),
                        text=str(spec.get("text", "")),
                        help_text=str(spec.get("help_text", "") or ""),
                        kind=str(spec.get("kind", "")),
                        required=bool(spec.get("required")),
                        choices="\n".join(spec.get("choices") or []),
                        statements="\n".join(spec.get("statements") or []),
                        min_value=spec.get("min_value"),
                        max_value=spec.get("max_value"),
                        show_if_question=parent,
                        show_if_values="\n".join(show_if["values"]) if show_if else "",
                    )
                    if question.key in by_key:
                        messages.append(f"Ключ вопроса «{question.key}» повторяется.")
                        continue
                    if _full_clean(
                        question, f"Вопрос «{question.key}»", messages, exclude=["section"]
                    ):
                        question.save()
                        by_key[question.key] = question
            if messages:
                raise DefinitionInvalid(messages)
            audit.record(
                actor=actor,
                action="surveys.questionnaire_import",
                target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
                request=request,
            )
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        raise DefinitionInvalid([f"Файл определения поврежден: {error}."]) from None
    return questionnaire


def _full_clean(obj, where: str, messages: list[str], exclude=None) -> bool:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            label = "" if name == "__all__" else f" ({name})"
            messages.extend(f"{where}{label}: {text}" for text in errors)
        return False
    return True
