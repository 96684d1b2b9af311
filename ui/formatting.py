"""Small text formats shared by pages."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """Format a length of time: '45 s', '3 min 5 s', '2 h', '2 h 10 min', '1 d 4 h'."""
    seconds = round(seconds)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min {secs} s" if minutes and secs else f"{minutes} min" if minutes else f"{secs} s"


def _missing(value: float | None) -> bool:
    return value is None or value != value  # NaN from pandas counts as missing


def share(value: float | None) -> str:
    """Format a share as a percentage; rare events such as critical fails keep a decimal."""
    if _missing(value):
        return "—"
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def metric_delta(current: float | None, previous: float | None, scale: float = 1.0) -> str | None:
    """Format the change for st.metric; None (no arrow) when either side is missing or it rounds to nothing."""
    if _missing(current) or _missing(previous):
        return None
    change = round((current - previous) * scale, 1)
    return None if change == 0 else f"{change:+.1f}"
