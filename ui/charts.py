"""Altair chart builders shared by pages."""

from __future__ import annotations

import altair as alt
import pandas as pd


def weekly_trend(frame: pd.DataFrame, *, value: str, series: str, title: str,
                 value_title: str = "Score (0-100)") -> alt.Chart:
    """Return a line per series over weeks, with a tooltip for each point."""
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y(f"{value}:Q", title=value_title, scale=alt.Scale(zero=False)),
            color=alt.Color(f"{series}:N", title=series.title()),
            tooltip=[alt.Tooltip("week:T", title="Week of"), alt.Tooltip(f"{series}:N"),
                     alt.Tooltip(f"{value}:Q", format=".1f")],
        )
        .properties(height=320)
    )
