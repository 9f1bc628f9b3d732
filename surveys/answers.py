"""Answers as the server accepts them: one function reads a question's raw form input into the
stored value or a Russian error, another decides which questions are shown.

Stored values: a choice's text for «Один вариант» and «Шкала»; a list of texts for «Несколько
вариантов»; {"1": text, "2": text…} (statement number → scale point) for a matrix; an int for a
number; a string for texts. An empty answer is no row at all.

Show-if: a question with a condition is shown only when the earlier question it names is itself
shown and its answer is (or, for several choices, includes) one of the listed values. The answer
of a question that is not shown is dropped, never stored or exported.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import Question

Kind = Question.Kind

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 4000

REQUIRED = "Ответьте на этот вопрос: он обязательный."
MATRIX_REQUIRED = "Ответьте на каждое утверждение: вопрос обязательный."
NOT_A_CHOICE = "Выберите один из предложенных вариантов."
NOT_A_NUMBER = "Введите целое число, например 12."
NUMBER_TOO_SMALL = "Число должно быть не меньше {limit}."
NUMBER_TOO_LARGE = "Число должно быть не больше {limit}."
TEXT_TOO_LONG = "Ответ слишком длинный: не больше {limit} знаков (сейчас {length})."


@dataclass(frozen=True)
class Cleaned:
    value: object = None  # None: no answer
    error: str = ""


def _raw(question: Question, data: Mapping) -> object:
    name = question.field_name
    if question.kind == Kind.MULTIPLE:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
    if question.kind == Kind.MATRIX:
        return {
            str(number): data.get(f"{name}__{number}", "")
            for number in range(1, len(question.statement_list) + 1)
        }
    return data.get(name, "")


def posted(question: Question, data: Mapping) -> bool:
    """Whether the form carried this question at all (a screen posts only its own)."""
    name = question.field_name
    if question.kind == Kind.MATRIX:
        return any(key.startswith(f"{name}__") for key in data) or f"{name}__present" in data
    return name in data or f"{name}__present" in data


def clean(question: Question, data: Mapping) -> Cleaned:
    """The value to store for what the form carried, or the reason it cannot be stored."""
    raw = _raw(question, data)
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.SCALE):
        text = str(raw).strip()
        if not text:
            return Cleaned()
        return Cleaned(text) if text in question.choice_list else Cleaned(error=NOT_A_CHOICE)
    if kind == Kind.MULTIPLE:
        chosen = [str(item).strip() for item in raw if str(item).strip()]
        if any(item not in question.choice_list for item in chosen):
            return Cleaned(error=NOT_A_CHOICE)
        # Kept in the order of the options, each once.
        ordered = [option for option in question.choice_list if option in chosen]
        return Cleaned(ordered or None)
    if kind == Kind.MATRIX:
        rows = {number: str(text).strip() for number, text in raw.items() if str(text).strip()}
        if any(text not in question.choice_list for text in rows.values()):
            return Cleaned(error=NOT_A_CHOICE)
        return Cleaned(rows or None)
    if kind == Kind.NUMBER:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            return Cleaned()
        try:
            number = int(text)
        except ValueError:
            return Cleaned(error=NOT_A_NUMBER)
        if question.min_value is not None and number < question.min_value:
            return Cleaned(error=NUMBER_TOO_SMALL.format(limit=question.min_value))
        if question.max_value is not None and number > question.max_value:
            return Cleaned(error=NUMBER_TOO_LARGE.format(limit=question.max_value))
        return Cleaned(number)
    limit = SHORT_TEXT_MAX if kind == Kind.SHORT_TEXT else LONG_TEXT_MAX
    text = str(raw).replace("\r\n", "\n").strip()
    if kind == Kind.SHORT_TEXT:
        text = " ".join(text.split())
    if len(text) > limit:
        return Cleaned(error=TEXT_TOO_LONG.format(limit=limit, length=len(text)))
    return Cleaned(text or None)


def _matches(value: object, wanted: list[str]) -> bool:
    if value is None:
        return False
    if isinstance(value, list):
        return any(item in wanted for item in value)
    return str(value) in wanted


def visible_ids(questions: Iterable[Question], values: Mapping[int, object]) -> set[int]:
    """Ids of the questions shown, given the answers by question id. Questions come in their
    order, so a condition's question (always earlier) is decided first."""
    shown: set[int] = set()
    for question in questions:
        parent = question.show_if_question_id
        if parent is None or (
            parent in shown and _matches(values.get(parent), question.show_if_list)
        ):
            shown.add(question.pk)
    return shown


def missing_error(question: Question, value: object) -> str:
    """The refusal for a required question left (partly) unanswered, or ''."""
    if not question.required:
        return ""
    if question.kind == Kind.MATRIX:
        answered = value or {}
        if len(answered) < len(question.statement_list):
            return MATRIX_REQUIRED
        return ""
    return REQUIRED if value in (None, "", [], {}) else ""
