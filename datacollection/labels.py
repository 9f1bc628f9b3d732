"""Words and dates the «Сбор данных» block shows, computed in one place."""

from datetime import timedelta

from core.text import plural


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
