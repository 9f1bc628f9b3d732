"""Labels and chart geometry of the questionnaires' pages (no rules here)."""

from dataclasses import dataclass

from django.utils.http import content_disposition_header

from core.text import plural

from .selectors import OptionShare

BAR_WIDTH = 240  # px of the longest possible bar (100 %)
BAR_HEIGHT = 18
BAR_GAP = 6


@dataclass
class Bar:
    label: str
    count: int
    percent: float
    y: int
    width: float
    text_y: int

    @property
    def percent_label(self) -> str:
        return f"{self.percent:.1f}".replace(".", ",") + " %"


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    bar_width: int = BAR_WIDTH


def bar_chart(options: list[OptionShare]) -> BarChart:
    """Horizontal bars, one per option, as plain SVG rectangles (rendered by the template)."""
    bars = []
    for index, option in enumerate(options):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            Bar(
                label=option.label,
                count=option.count,
                percent=option.percent,
                y=y,
                width=round(BAR_WIDTH * option.percent / 100, 1),
                text_y=y + BAR_HEIGHT - 5,
            )
        )
    height = max(len(options) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return BarChart(bars=bars, width=BAR_WIDTH + 70, height=height)


def responses_label(count: int) -> str:
    return f"{count} {plural(count, 'ответ', 'ответа', 'ответов')}"


def codes_label(count: int) -> str:
    return f"{count} {plural(count, 'код', 'кода', 'кодов')}"


def grade_label(grade: int | None) -> str:
    return f"{grade} класс" if grade else "Все респонденты"


def export_disposition(questionnaire_code: str, export_id: int) -> str:
    return content_disposition_header(True, f"Ответы-{questionnaire_code}-{export_id}.xlsx")
