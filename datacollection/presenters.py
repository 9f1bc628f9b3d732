"""Words, labels and dates the «Сбор данных» pages show, computed in one place (selectors read,
services write, this module only turns what they return into text)."""

from core.text import msk_time

from .models import Report


def report_state(report: Report) -> dict:
    """The report's state as the table page shows it live after each save (JSON)."""
    return {
        "status": report.status,
        "status_label": Report.Status(report.status).label,
        "has_unsubmitted_changes": report.has_unsubmitted_changes,
        "last_saved_at": msk_time(report.last_saved_at) if report.last_saved_at else "",
    }
