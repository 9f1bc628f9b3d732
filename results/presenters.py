"""How a statistical report looks: chart geometry (server-rendered SVG, no JavaScript), labels
and file names. Reads a `selectors.ResultsReport`; decides nothing about the figures.

Charts are drawn in a fixed coordinate system (`viewBox`) and scale to the page width, so they
read the same on a phone, a monitor and paper. Colours are CSS classes (`static/css/results.css`):
the content security policy forbids inline styles, and print keeps SVG fills.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import MARKS, Aggregate
from .selectors import LevelFigures, ResultsReport, mark_percents

WIDTH = 480
LABEL_WIDTH = 64
VALUE_WIDTH = 44
MARK_LABEL_WIDTH = 118  # «Муниципалитет» at 12 px


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str = ""


@dataclass
class Text:
    x: float
    y: float
    text: str
    css: str = ""
    anchor: str = "start"


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "chart-grid"


@dataclass
class Chart:
    key: str
    title: str
    description: str
    width: float
    height: float
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polyline: str = ""
    polyline_css: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css, label)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def shapes(self) -> SafeString:
        """The SVG elements inside the chart, written here rather than by template loops: a
        chart has a few hundred shapes, and a `{% for %}` with `floatformat` per coordinate cost
        more than the rest of the page (issue 11). Every text passes through `escape`; the
        numbers are formatted floats."""
        parts = [
            f'<line class="{escape(ln.css)}" x1="{ln.x1:.1f}" y1="{ln.y1:.1f}" '
            f'x2="{ln.x2:.1f}" y2="{ln.y2:.1f}"/>'
            for ln in self.lines
        ]
        parts += [
            f'<rect class="{escape(r.css)}" x="{r.x:.2f}" y="{r.y:.2f}" width="{r.width:.2f}" '
            f'height="{r.height:.2f}">'
            + (f"<title>{escape(r.title)}</title>" if r.title else "")
            + "</rect>"
            for r in self.rects
        ]
        if self.polyline:
            parts.append(
                f'<polyline class="{escape(self.polyline_css)}" points="{escape(self.polyline)}"/>'
            )
        parts += [
            f'<text class="{escape(t.css)}" x="{t.x:.1f}" y="{t.y:.1f}" '
            f'text-anchor="{escape(t.anchor)}">{escape(t.text)}</text>'
            for t in self.texts
        ]
        return mark_safe("".join(parts))  # noqa: S308 — every text escaped above


def level_css(level: str) -> str:
    return f"level-{level}"


def level_caption(figures: LevelFigures) -> str:
    """«ОО edu470001», «Муниципалитет: Бокситогорский район», «Все участники»."""
    if figures.level == "all":
        return figures.label
    if figures.level == "organization":
        return f"ОО {figures.name}"
    return f"{figures.label}: {figures.name}"


def percent_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " %"


def average_text(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def count_cells(rows) -> list[tuple[int, list[str]]]:
    """A distribution's rows (`ResultsReport.score_rows` / `mark_rows`) as the page's text:
    (value, ["12 (5,3 %)" per level])."""
    return [
        (value, [f"{count} ({percent_text(percent)})" for count, percent in cells])
        for value, cells in rows
    ]


class AreaRow(NamedTuple):
    """A row of the table of municipalities or regions, every figure already text: a page has
    up to a few hundred of them, and a template filter, a `{% url %}` or a number's
    localization per cell cost more than the query. Tuples, so the template unpacks them
    instead of looking each field up."""

    url: str
    name: str
    organizations: str
    participants: str
    average: str
    marks: list[str]


class OrganizationRow(NamedTuple):
    url: str
    login: str
    name: str
    municipality: str
    participants: str
    average: str
    marks: list[str]


def _marks_text(aggregate: Aggregate) -> list[str]:
    return [percent_text(p) for p in mark_percents(aggregate)]


def _link(name: str, definition) -> Callable[[int], str]:
    """The report URL of a subject by its id, reversed once per table (`…/<id>/`)."""
    prefix = reverse(name, args=[definition.pk, 0]).removesuffix("0/")
    return lambda pk: f"{prefix}{pk}/"


def area_table(definition, areas: list[Aggregate]) -> list[AreaRow]:
    """The municipalities of a region or the regions of the country, each linking its report."""
    regions = _link("results:region", definition)
    municipalities = _link("results:municipality", definition)
    return [
        AreaRow(
            regions(row.region_id) if row.level == Aggregate.Level.REGION
            else municipalities(row.municipality_id),
            str(row.region) if row.level == Aggregate.Level.REGION else row.municipality.name,
            str(row.organizations),
            str(row.participants),
            average_text(row.average_score),
            _marks_text(row),
        )
        for row in areas
    ]  # fmt: skip


def organization_table(definition, page) -> list[OrganizationRow]:
    """One page of an area's organizations, each linking its report."""
    link = _link("results:organization", definition)
    return [
        OrganizationRow(
            link(row.organization_id),
            row.organization.login,
            row.organization.name,
            row.municipality.name,
            str(row.participants),
            average_text(row.average_score),
            _marks_text(row),
        )
        for row in page
    ]


def _legend(report: ResultsReport) -> list[tuple[str, str]]:
    return [(level_css(lv.level), level_caption(lv)) for lv in report.levels]


def task_chart(report: ResultsReport) -> Chart:
    """Per task, one horizontal bar per level: the share of the maximum score achieved."""
    levels = len(report.levels)
    bar, gap, top = 9, 10, 22
    group = levels * bar + gap
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = report.task_rows
    height = top + group * len(rows) + 6
    chart = Chart(
        key="tasks",
        title="Выполнение заданий, % от максимального балла",
        description="Доля максимального балла по каждому заданию: "
        + ", ".join(level_caption(lv) for lv in report.levels)
        + ".",
        width=WIDTH,
        height=height,
        legend=_legend(report),
    )
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + plot * tick / 100
        chart.lines.append(Line(x, top - 4, x, height - 6))
        chart.texts.append(Text(x, top - 8, f"{tick}", "chart-axis", "middle"))
    for index, row in enumerate(rows):
        y0 = top + index * group
        css = "chart-label chart-below" if row.below_region else "chart-label"
        marker = " ▼" if row.below_region else ""
        chart.texts.append(
            Text(
                LABEL_WIDTH - 6,
                y0 + levels * bar / 2 + 4,
                f"№ {row.task.title}{marker}",
                css,
                "end",
            )
        )
        for j, (figures, value) in enumerate(zip(report.levels, row.percents, strict=True)):
            y = y0 + j * bar
            width = plot * (value or 0) / 100
            chart.rects.append(
                Rect(
                    LABEL_WIDTH,
                    y,
                    max(width, 0.5),
                    bar - 1,
                    level_css(figures.level),
                    f"{level_caption(figures)}: {percent_text(value)}",
                )
            )
            chart.texts.append(
                Text(LABEL_WIDTH + width + 3, y + bar - 2, percent_text(value), "chart-value")
            )
    return chart


def _nice_ceiling(value: float) -> int:
    if value <= 0:
        return 10
    step = 10 if value > 20 else 5
    return int(math.ceil(value / step) * step)


def score_chart(report: ResultsReport) -> Chart:
    """The subject's distribution of primary scores (bars, % of participants) with the widest
    comparison level (all participants, or the region on the national page) as a line."""
    subject = report.subject
    other = report.levels[-1] if len(report.levels) > 1 else None
    left, right, top, bottom = 34, 8, 14, 34
    plot_w, plot_h = WIDTH - left - right, 170
    height = top + plot_h + bottom
    scores = list(range(report.max_total + 1))
    values = [p or 0 for p in subject.score_percents]
    others = [p or 0 for p in other.score_percents] if other else []
    ceiling = _nice_ceiling(max([*values, *others, 0]))
    legend = [(level_css(subject.level), level_caption(subject))]
    if other:
        legend.append((f"line-{other.level}", level_caption(other)))
    chart = Chart(
        key="scores",
        title="Распределение первичных баллов, % участников",
        description=f"Доля участников с каждым первичным баллом от 0 до {report.max_total}.",
        width=WIDTH,
        height=height,
        legend=legend,
    )
    for tick in range(0, ceiling + 1, max(ceiling // 5, 1)):
        y = top + plot_h - plot_h * tick / ceiling
        chart.lines.append(Line(left, y, WIDTH - right, y))
        chart.texts.append(Text(left - 4, y + 4, f"{tick}", "chart-axis", "end"))
    step = plot_w / len(scores)
    label_every = 1 if len(scores) <= 25 else math.ceil(len(scores) / 25)
    points = []
    for score, value in zip(scores, values, strict=True):
        x = left + score * step
        bar_h = plot_h * value / ceiling
        chart.rects.append(
            Rect(
                x + step * 0.15,
                top + plot_h - bar_h,
                step * 0.7,
                bar_h,
                level_css(subject.level),
                f"{score} б.: {percent_text(subject.score_percents[score])} "
                f"({subject.score_counts[score]} уч.)",
            )
        )
        if score % label_every == 0:
            chart.texts.append(
                Text(x + step / 2, top + plot_h + 14, str(score), "chart-axis", "middle")
            )
        if other:
            points.append(
                f"{x + step / 2:.1f},{top + plot_h - plot_h * others[score] / ceiling:.1f}"
            )
    chart.texts.append(
        Text(left + plot_w / 2, height - 4, "первичный балл", "chart-axis", "middle")
    )
    if other:
        chart.polyline = " ".join(points)
        chart.polyline_css = f"line-{other.level}"
    return chart


def mark_chart(report: ResultsReport) -> Chart | None:
    """One 100 % bar per level, split into the shares of marks 2, 3, 4, 5."""
    if not report.with_marks:
        return None
    label_w, bar, gap, top = MARK_LABEL_WIDTH, 20, 8, 6
    plot = WIDTH - label_w - 4
    height = top + len(report.levels) * (bar + gap) + 4
    chart = Chart(
        key="marks",
        title="Статистика по отметкам, % участников",
        description="Доли отметок «2», «3», «4», «5» по уровням сравнения.",
        width=WIDTH,
        height=height,
        legend=[(f"mark-{mark}", f"«{mark}»") for mark in MARKS],
    )
    for index, figures in enumerate(report.levels):
        y = top + index * (bar + gap)
        chart.texts.append(Text(label_w - 6, y + bar / 2 + 4, figures.label, "chart-label", "end"))
        x = label_w
        for mark, value in zip(MARKS, figures.mark_percents, strict=True):
            width = plot * (value or 0) / 100
            if width <= 0:
                continue
            chart.rects.append(
                Rect(x, y, width, bar, f"mark-{mark}", f"«{mark}»: {percent_text(value)}")
            )
            if width >= 26:
                chart.texts.append(
                    Text(
                        x + width / 2, y + bar / 2 + 4, percent_text(value), "chart-inbar", "middle"
                    )
                )
            x += width
    return chart


def charts(report: ResultsReport) -> list[Chart]:
    if not report.has_participants:
        return []
    return [c for c in (task_chart(report), score_chart(report), mark_chart(report)) if c]


def mark_scale(report: ResultsReport) -> list[tuple[int, str]]:
    """[(2, "0–5"), (3, "6–10"), …] for the page's note on the scale."""
    definition = report.definition
    if not definition.has_mark_scale:
        return []
    lows = [0, definition.mark_3_from, definition.mark_4_from, definition.mark_5_from]
    highs = [low - 1 for low in lows[1:]] + [report.max_total]
    return [(mark, f"{low}–{high}") for mark, low, high in zip(MARKS, lows, highs, strict=True)]


def xlsx_filename(report: ResultsReport) -> str:
    definition = report.definition
    return f"Статистический отчет — {definition.grade} класс — {report.subject_name}.xlsx"[:150]


# The page of each level (`results/urls.py`): «all participants» is the national report.
PAGES = {
    "organization": "organization",
    "municipality": "municipality",
    "region": "region",
    "all": "national",
}


def level_url(report: ResultsReport, figures: LevelFigures, *, xlsx: bool = False) -> str:
    """The page (or the .xlsx) of one level of the report: its subject or a level above."""
    args = [report.definition.pk] + ([figures.pk] if figures.pk is not None else [])
    return reverse(f"results:{PAGES[figures.level]}{'_xlsx' if xlsx else ''}", args=args)
