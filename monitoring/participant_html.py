"""The rows of «Список участников» written as HTML in Python (the page's template prints them
at once): the template loop over 50 rows, some 35 lookups and filters each, was a fifth of the
page's time (8–9 ms of ~45 at 45,000 organizations, bench/monitoring.py). The markup is the
one the template wrote; every text is escaped here."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .presenters import Moment, ParticipantRow

EYE_ICON = (
    '<svg aria-hidden="true" focusable="false" width="22" height="22" viewBox="0 0 24 24">'
    '<path d="M1.5 12S5.5 4.5 12 4.5 22.5 12 22.5 12 18.5 19.5 12 19.5 1.5 12 1.5 12z" '
    'fill="none" stroke="currentColor" stroke-width="2"/>'
    '<circle cx="12" cy="12" r="3.5" fill="currentColor"/></svg>'
)


def rows_html(rows: list[ParticipantRow], *, see_all_regions: bool, can_act: bool) -> SafeString:
    """The `<tr>`s of one page; `see_all_regions` adds the region's column, `can_act` the
    actions («Продлить», «Вернуть»)."""
    # Every value below is escaped (escape) or a constant of this module.
    return mark_safe("".join(_row(row, see_all_regions, can_act) for row in rows))  # noqa: S308


def _moment_cell(moment: Moment | None) -> str:
    if moment is None:
        return "—"
    return f'{escape(moment.date)} <span class="text-body-secondary">{escape(moment.time)}</span>'


def _row(row: ParticipantRow, see_all_regions: bool, can_act: bool) -> str:
    login, municipality = escape(row.login), escape(row.municipality)
    receipt = escape(row.receipt)
    phone_dates = ""
    if row.started:
        phone_dates += f"Начало ввода: {escape(row.started.date)} {escape(row.started.time)}"
    if row.submitted:
        phone_dates += f"<br>Передано: {escape(row.submitted.date)} {escape(row.submitted.time)}"
    if row.receipt:
        phone_dates += f"<br>Квитанция № {receipt}"
    badges = "".join(
        f' <span class="badge {escape(badge.css)}">{escape(badge.label)}</span>'
        for badge in row.badges
    )
    submitted = _moment_cell(row.submitted)
    if row.receipt:
        submitted += (
            '<div class="small text-body-secondary text-nowrap" '
            f'data-testid="receipt-number">квитанция № {receipt}</div>'
        )
    parts = [
        f'<tr data-testid="participant-row" data-login="{login}">',
        f'<td class="font-monospace d-none d-sm-table-cell">{login}</td>',
        f'<td class="participant-name"><span class="font-monospace small d-sm-none">{login}</span>'
        f" {escape(row.name)}",
        f'<div class="small text-body-secondary d-xxl-none">{municipality}</div>',
        f'<div class="small text-body-secondary d-md-none">{phone_dates}</div></td>',
    ]
    if see_all_regions:
        parts.append(f'<td class="d-none d-lg-table-cell">{escape(row.region)}</td>')
    parts += [
        f'<td class="d-none d-xxl-table-cell">{municipality}</td>',
        f"<td>{badges}</td>",
        f'<td class="d-none d-md-table-cell date-cell">{_moment_cell(row.started)}</td>',
        f'<td class="d-none d-md-table-cell date-cell">{submitted}</td>',
        f'<td class="d-none d-xl-table-cell date-cell">{_moment_cell(row.saved)}</td>',
    ]
    for column, cell in row.share:
        if cell.total:
            value = (
                f'{cell.done}/{cell.total} <span class="small text-body-secondary">'
                f"{cell.percent} %</span>"
            )
        else:
            value = (
                '<span class="text-body-secondary">—<span class="visually-hidden"> коды не '
                "выданы</span></span>"
            )
        parts.append(
            '<td class="text-end text-nowrap" data-testid="share-cell"><span class="d-sm-none '
            f'small text-body-secondary">{escape(column.title)}: </span>{value}</td>'
        )
    parts.append(
        f'<td class="text-center"><a class="view-link" href="{escape(row.data_url)}" '
        f'title="Открыть введенные данные">{EYE_ICON}'
        f'<span class="visually-hidden">Введенные данные {login}</span></a></td>'
    )
    if can_act:
        actions = (
            f'<a class="btn btn-sm btn-outline-secondary" href="{escape(row.extension_url)}">'
            f'Продлить<span class="visually-hidden"> срок для {login}</span></a>'
        )
        if row.return_url:
            actions += (
                f' <a class="btn btn-sm btn-outline-danger" href="{escape(row.return_url)}">'
                f'Вернуть<span class="visually-hidden"> на доработку отчет {login}</span></a>'
            )
        parts.append(
            f'<td class="text-nowrap"><div class="participant-actions">{actions}</div></td>'
        )
    parts.append("</tr>")
    return "".join(parts)
