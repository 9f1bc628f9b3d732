"""Labels and chart geometry of the questionnaires' pages (no rules here)."""

from dataclasses import dataclass

from core.text import plural

from .selectors import OptionShare, SummaryGroup

BAR_WIDTH = 100  # viewBox units of a full bar (100 %); the cell's CSS width scales it


@dataclass
class Bar:
    label: str
    count: int
    percent: float
    width: float

    @property
    def percent_label(self) -> str:
        return f"{self.percent:.1f}".replace(".", ",") + " %"


@dataclass
class BarChart:
    bars: list[Bar]
    bar_width: int = BAR_WIDTH


def bar_chart(options: list[OptionShare]) -> BarChart:
    """One bar per option, as plain SVG rectangles in the rows of the option table."""
    return BarChart(
        bars=[
            Bar(
                label=option.label,
                count=option.count,
                percent=option.percent,
                width=round(BAR_WIDTH * option.percent / 100, 1),
            )
            for option in options
        ]
    )


def responses_label(count: int) -> str:
    return f"{count} {plural(count, 'ответ', 'ответа', 'ответов')}"


def codes_label(count: int) -> str:
    return f"{count} {plural(count, 'код', 'кода', 'кодов')}"


def grade_label(grade: int | None) -> str:
    return f"{grade} класс" if grade else "Все респонденты"


def export_file_name(questionnaire_code: str, export_id: int) -> str:
    return f"Ответы-{questionnaire_code}-{export_id}.xlsx"


def summary_rows(groups: list[SummaryGroup]) -> list[dict]:
    """Per question, one column per group the user may see, each with its bars (a matrix: a
    table per statement). Withheld groups have no column."""
    shown = [group for group in groups if group.questions is not None]
    if not shown:
        return []
    rows = []
    for index, item in enumerate(shown[0].questions):
        columns = []
        for group in shown:
            summary = group.questions[index]
            columns.append(
                {
                    "group": group,
                    "item": summary,
                    "chart": bar_chart(summary.options) if summary.options else None,
                    "rows": [
                        (statement, bar_chart(options)) for statement, options in summary.rows
                    ],
                }
            )
        rows.append({"question": item.question, "columns": columns})
    return rows
