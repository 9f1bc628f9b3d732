"""A statistical report as .xlsx: the page's tables, numbers typed (counts as integers, shares
as percentages with one decimal, averages with two), written in openpyxl's write-only mode.
Names come from the database (organizations' names were imported from files), so they pass the
formula guard."""

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.files import safe_text
from core.text import msk

from .models import MARKS, Aggregate
from .presenters import level_caption
from .selectors import ResultsReport, mark_percents

BOLD = Font(bold=True)


def _header(sheet, values):
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = BOLD
        row.append(cell)
    sheet.append(row)


def _number(sheet, value, number_format):
    cell = WriteOnlyCell(sheet, value=value)
    if value is not None:
        cell.number_format = number_format
    return cell


def _percent(sheet, value):
    return _number(sheet, value, "0.0")


def _mark_headers():
    return [f"«{mark}», %" for mark in MARKS]


def report_workbook(
    report: ResultsReport,
    *,
    organizations: Iterable[Aggregate] = (),
    areas: Iterable[Aggregate] = (),
    area_title: str = "",
) -> bytes:
    definition = report.definition
    book = Workbook(write_only=True)

    summary = book.create_sheet("Сводка")
    summary.append(["Исследование", definition.collection.study.title])
    summary.append(["Класс", definition.grade])
    summary.append(["Отчет", safe_text(report.subject_name)])
    summary.append(["Данные сформированы", msk(definition.built_at)])
    summary.append([])
    _header(
        summary,
        [
            "Уровень",
            "Участников",
            "Отсутствовали",
            "Средний первичный балл",
            *(_mark_headers() if report.with_marks else []),
        ],
    )
    for lv in report.levels:
        summary.append(
            [
                safe_text(level_caption(lv)),
                lv.participants,
                lv.absentees,
                _number(summary, float(lv.average) if lv.average is not None else None, "0.00"),
                *[_percent(summary, p) for p in lv.mark_percents],
            ]
        )

    tasks = book.create_sheet("Задания")
    _header(
        tasks,
        [
            "Задание",
            "Максимальный балл",
            *[f"{safe_text(level_caption(lv))}, %" for lv in report.levels],
            *(["Ниже региона"] if report.compares_with_region else []),
        ],
    )
    for row in report.task_rows:
        tasks.append(
            [
                row.task.title,
                row.task.max_score,
                *[_percent(tasks, p) for p in row.percents],
                *((["да" if row.below_region else "нет"]) if report.compares_with_region else []),
            ]
        )

    scores = book.create_sheet("Первичные баллы")
    heads = ["Первичный балл"]
    for lv in report.levels:
        caption = safe_text(level_caption(lv))
        heads += [f"{caption}: участников", f"{caption}, %"]
    _header(scores, heads)
    for score, cells in report.score_rows:
        values = [score]
        for count, percent in cells:
            values += [count, _percent(scores, percent)]
        scores.append(values)

    if report.with_marks:
        marks = book.create_sheet("Отметки")
        _header(marks, ["Отметка", *heads[1:]])
        for mark, cells in report.mark_rows:
            values = [mark]
            for count, percent in cells:
                values += [count, _percent(marks, percent)]
            marks.append(values)

    if area_title:
        sheet = book.create_sheet(area_title)
        _header(
            sheet,
            [
                "Наименование",
                "Организаций",
                "Участников",
                "Отсутствовали",
                "Средний первичный балл",
                *(_mark_headers() if report.with_marks else []),
            ],
        )
        for row in areas:
            subject = row.municipality if row.municipality_id else row.region
            sheet.append(
                [
                    safe_text(str(subject.name)),
                    row.organizations,
                    row.participants,
                    row.absentees,
                    _number(sheet, _float(row.average_score), "0.00"),
                    *[_percent(sheet, p) for p in mark_percents(row)],
                ]
            )

    sheet = None
    for row in organizations:
        if sheet is None:
            sheet = book.create_sheet("Организации")
            _header(
                sheet,
                [
                    "Логин",
                    "Наименование",
                    "Муниципалитет",
                    "Участников",
                    "Отсутствовали",
                    "Средний первичный балл",
                    *(_mark_headers() if report.with_marks else []),
                ],
            )
        sheet.append(
            [
                row.organization.login,
                safe_text(row.organization.name),
                safe_text(row.municipality.name),
                row.participants,
                row.absentees,
                _number(sheet, _float(row.average_score), "0.00"),
                *[_percent(sheet, p) for p in mark_percents(row)],
            ]
        )

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _float(value):
    return float(value) if value is not None else None
