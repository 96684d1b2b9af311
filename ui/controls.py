"""Controls shared by pages."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from store.queries import Period


def recent(available: Period, days: int) -> Period:
    """Return the last `days` days of the available data."""
    return Period(max(available.start, available.end - timedelta(days=days - 1)), available.end)


def pick_period(key: str, available: Period, *, days: int = 180, default: Period | None = None,
                container=st) -> Period:
    """Show a date-range picker (default: the last `days` days) and return the period.

    The page stops until both ends are picked.
    """
    default = default or recent(available, days)
    picked = container.date_input("Period", value=(default.start, default.end), min_value=available.start,
                                  max_value=available.end, key=key)
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.caption("Pick the last day of the period.")
        st.stop()
    return Period(*picked)
