"""Answers of a questionnaire as an .xlsx: one row per sent response, one column per question
(a matrix: one per statement). No code, no dates and a random row order, so a row cannot be
traced back to the slip a person was handed. Texts typed by respondents go through the formula
guard (`core.files.safe_text`)."""

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts import scoping
from accounts.models import User
from core.files import discard_workbook, safe_text

from .models import AccessCode, Answer, Question, Questionnaire

BASE_HEADERS = ["№", "Регион", "Муниципалитет", "Логин ОО"]
CHUNK = 500


def _columns(questionnaire: Questionnaire) -> list[tuple[Question, str | None, str]]:
    columns = []
    for question in Question.objects.filter(section__questionnaire=questionnaire).select_related(
        "section"
    ):
        if question.kind == Question.Kind.MATRIX:
            for number, statement in enumerate(question.statement_list, start=1):
                columns.append((question, str(number), f"{question.key}.{number}: {statement}"))
        else:
            columns.append((question, None, f"{question.key}: {question.text}"))
    return columns


def _cell_value(question: Question, part: str | None, value):
    if value is None:
        return None
    if part is not None:
        value = (value or {}).get(part)
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str):
        return safe_text(value)
    return value


def answers_workbook(
    *, questionnaire: Questionnaire, user: User, beat: Callable[[], None] = lambda: None
) -> tuple[bytes, int]:
    """The file's bytes and its number of rows; `beat` is called for every row written (the
    job's heartbeat)."""
    codes = AccessCode.objects.filter(
        questionnaire=questionnaire,
        submitted_at__isnull=False,
        organization__in=scoping.organizations_visible_to(user),
    )
    columns = _columns(questionnaire)
    pupils = questionnaire.is_for_pupils
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ответы")
    headers = BASE_HEADERS + (["Класс"] if pupils else []) + [label for _, _, label in columns]
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    rows = 0
    try:
        ids = list(codes.order_by("?").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            info = {
                row["pk"]: row
                for row in AccessCode.objects.filter(pk__in=chunk).values(
                    "pk",
                    "grade",
                    "organization__login",
                    "organization__region__name",
                    "organization__municipality__name",
                )
            }
            values: dict[int, dict[int, object]] = {pk: {} for pk in chunk}
            for code_id, question_id, value in Answer.objects.filter(
                access_code_id__in=chunk
            ).values_list("access_code_id", "question_id", "value"):
                values[code_id][question_id] = value
            for pk in chunk:
                rows += 1
                row = info[pk]
                line = [
                    rows,
                    row["organization__region__name"],
                    row["organization__municipality__name"],
                    row["organization__login"],
                ]
                if pupils:
                    line.append(row["grade"])
                line += [
                    _cell_value(question, part, values[pk].get(question.pk))
                    for question, part, _ in columns
                ]
                sheet.append(line)
                beat()
    except BaseException:  # an error, or the run stopped: no temporary sheet left over
        discard_workbook(workbook)
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows
