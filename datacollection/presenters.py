"""Words, labels and dates the «Сбор данных» pages show, computed in one place (selectors read,
services write, this module only turns what they return into text)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse

from accounts.models import Organization
from core.text import msk, msk_time, plural

from .models import Collection, Report
from .status import ParticipantStatus, participant_status


def report_state(report: Report) -> dict:
    """The report's state as the table page shows it live after each save (JSON)."""
    return {
        "status": report.status,
        "status_label": Report.Status(report.status).label,
        "has_unsubmitted_changes": report.has_unsubmitted_changes,
        "last_saved_at": msk_time(report.last_saved_at) if report.last_saved_at else "",
    }


def duration_words(delta: timedelta) -> str:
    """«2 дня», «5 часов», «1 минуту» — the largest whole unit, at least one minute."""
    seconds = max(int(delta.total_seconds()), 60)
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days >= 1:
        return f"{days} {plural(days, 'день', 'дня', 'дней')}"
    if hours >= 1:
        return f"{hours} {plural(hours, 'час', 'часа', 'часов')}"
    return f"{minutes} {plural(minutes, 'минуту', 'минуты', 'минут')}"


def column_hint(column) -> str:
    """Under a column header: its limits and allowed codes, e.g. «0–2; X, отсутствовал»."""
    parts = []
    if column.is_computed:
        parts.append("вычисляется")
    elif column.min_value is not None and column.max_value is not None:
        parts.append(f"{column.min_value.normalize():f}–{column.max_value.normalize():f}")
    elif column.min_value is not None:
        parts.append(f"от {column.min_value.normalize():f}")
    elif column.max_value is not None:
        parts.append(f"до {column.max_value.normalize():f}")
    if column.type == "date":
        parts.append("дд.мм.гггг")
    if column.type == "yesno":
        parts.append("да/нет")
    if column.max_length:
        parts.append(f"до {column.max_length} симв.")
    if column.special_code_list:
        parts.append(", ".join(column.special_code_list))
    return "; ".join(parts)


@dataclass
class CollectionCard:
    collection: Collection
    report: Report | None
    is_open: bool
    deadline: datetime
    status_label: str
    interval_label: str
    time_label: str
    participant: ParticipantStatus
    last_action: str
    has_unsubmitted_changes: bool
    button_label: str
    url: str


def report_last_action(report: Report | None) -> str:
    """«Данные сохранены 21.11.2026 13:50 (МСК), отчет не сдан» / «Отчет сдан … (МСК)»."""
    if report is None or report.status == Report.Status.NOT_STARTED:
        return "Данные не вводились"
    if report.status == Report.Status.SUBMITTED:
        return f"Отчет сдан {msk(report.submitted_at)}"
    if report.returned_at:
        return f"Отчет возвращен на доработку {msk(report.returned_at)}"
    return f"Данные сохранены {msk(report.last_saved_at)}, отчет не сдан"


def collection_card(
    collection: Collection, organization: Organization, report: Report | None, *, at: datetime
) -> CollectionCard:
    """The card of one collection: its window, the time left, the participant's status (the
    one rule of `status`, as monitoring shows it) and the last action."""
    is_open = collection.is_open_for(organization, at=at)
    deadline = collection.deadline_for(organization)
    started = report is not None and report.status != Report.Status.NOT_STARTED
    if is_open:
        time_label = f"Закроется через {duration_words(deadline - at)}"
        button_label = "Редактировать" if started else "Заполнить"
    elif not collection.has_opened(at=at) and not collection.closed_manually:
        time_label = f"Откроется через {duration_words(collection.opens_at - at)}"
        button_label = ""
    else:
        time_label = f"Закрыт {msk(min(deadline, at))}" if not collection.closed_manually else ""
        button_label = "Просмотреть" if started else ""
    return CollectionCard(
        collection=collection,
        report=report,
        is_open=is_open,
        deadline=deadline,
        status_label="Открыт" if is_open else "Закрыт",
        interval_label=f"{msk(collection.opens_at)} — {msk(deadline)}",
        time_label=time_label,
        participant=participant_status(report, collection),
        last_action=report_last_action(report),
        has_unsubmitted_changes=bool(report and report.has_unsubmitted_changes),
        button_label=button_label,
        url=reverse("datacollection:collection_fill", kwargs={"collection_pk": collection.pk}),
    )
