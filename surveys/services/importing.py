"""A questionnaire from a definition file (the operator, in the admin)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts import audit, permissions
from accounts.models import User
from datacollection.models import Study

from ..models import Question, Questionnaire, Section
from .errors import AccessDenied, DefinitionInvalid

# ------------------------------------------------------------------ the operator (admin)


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
