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
