"""Altair chart builders shared by pages."""

from __future__ import annotations

import altair as alt
import pandas as pd

from store.queries import Period


PARTIAL_WEEKS = "Hollow points: weeks only partly inside the period"


def weekly_trend(frame: pd.DataFrame, *, value: str, series: str, title: str, period: Period,
                 value_title: str = "Score (0-100)", value_format: str | None = None) -> alt.LayerChart:
    """Return a line per series over the period's weeks, with a tooltip for each point; `value_format` e.g.
    ".0%" for shares.

    A period rarely starts on a Monday, so its first and last weeks often hold a few of its days and few
    interactions: their points are hollow, the subtitle says so (PARTIAL_WEEKS), and the tooltip gives the days.
    """
    frame = frame.assign(days=[period.days_of_week(week.date()) for week in pd.to_datetime(frame["week"])])
    base = alt.Chart(frame).encode(
        x=alt.X("week:T", title="Week"),
        y=alt.Y(f"{value}:Q", title=value_title, scale=alt.Scale(zero=False),
                axis=alt.Axis(format=value_format) if value_format else alt.Axis()),
        color=alt.Color(f"{series}:N", title=series.title()),
    )
    points = base.mark_point(filled=True, size=45, strokeWidth=1.5).encode(
        stroke=alt.Stroke(f"{series}:N", title=series.title()),  # a hollow point keeps its ring (one legend)
        fillOpacity=alt.when(alt.datum.days < 7).then(alt.value(0.0)).otherwise(alt.value(1.0)),
        tooltip=[alt.Tooltip("week:T", title="Week of"), alt.Tooltip(f"{series}:N"),
                 alt.Tooltip(f"{value}:Q", format=value_format or ".1f"),
                 alt.Tooltip("days:Q", title="Days in period")],
    )
    heading = alt.Title(title, subtitle=PARTIAL_WEEKS) if (frame["days"] < 7).any() else title
    return alt.layer(base.mark_line(), points, title=heading).properties(height=320)


HEATMAP_SELECTION = "cell"  # the heatmap's point selection: one agent and criterion
_SCORE_SCALE = alt.Scale(domain=[0, 100], scheme="redyellowgreen")


def criterion_heatmap(frame: pd.DataFrame, *, title: str) -> alt.Chart:
    """Return agents x criteria coloured by mean score; clicking a cell selects its employee_id and criterion."""
    cell = alt.selection_point(name=HEATMAP_SELECTION, fields=["employee_id", "criterion"], on="click",
                               clear="dblclick")
    base = alt.Chart(frame, title=title).encode(
        x=alt.X("label:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("agent:N", title=None, sort=alt.SortField("agent")),
    )
    rects = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("score:Q", title="Score", scale=_SCORE_SCALE),
        opacity=alt.when(cell).then(alt.value(1.0)).otherwise(alt.value(0.55)),
        tooltip=[alt.Tooltip("agent:N"), alt.Tooltip("team:N"), alt.Tooltip("label:N", title="Criterion"),
                 alt.Tooltip("score:Q", format=".1f"), alt.Tooltip("interactions:Q")],
    ).add_params(cell)
    labels = base.mark_text(fontSize=11).encode(text=alt.Text("score:Q", format=".0f"))
    return (rects + labels).properties(height=alt.Step(22))


def criteria_trend_against_team(frame: pd.DataFrame, *, title: str) -> alt.FacetChart:
    """Return one small chart per criterion: the agent's weekly mean against the team average."""
    return (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=16))
        .encode(
            x=alt.X("week:T", title=None),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("series:N", legend=None),
            tooltip=[alt.Tooltip("week:T", title="Week of"), alt.Tooltip("series:N"), alt.Tooltip("label:N"),
                     alt.Tooltip("score:Q", format=".1f")],
        )
        .properties(width=260, height=150)
        .facet(facet=alt.Facet("label:N", title=None, sort=None), columns=3, title=title)
    )


def difference_bars(frame: pd.DataFrame, *, title: str) -> alt.Chart:
    """Return a bar per criterion of the agent's score minus the team's: strengths right, weaknesses left."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("difference:Q", title="Points above (+) or below (−) the team"),
            y=alt.Y("label:N", title=None, sort="-x"),
            color=alt.when(alt.datum.difference >= 0).then(alt.value("#21a354")).otherwise(alt.value("#e0454b")),
            tooltip=[alt.Tooltip("label:N", title="Criterion"), alt.Tooltip("agent:Q", format=".1f"),
                     alt.Tooltip("team:Q", format=".1f"), alt.Tooltip("difference:Q", format="+.1f")],
        )
        .properties(height=alt.Step(28))
    )


def score_histogram(frame: pd.DataFrame, *, title: str) -> alt.Chart:
    """Return how many interactions fell in each band of overall score."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title="Overall score", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("interactions:Q", title="Interactions"),
            color=alt.Color("bucket:Q", scale=alt.Scale(domain=[0, 90], scheme="redyellowgreen"), legend=None),
            tooltip=[alt.Tooltip("label:N", title="Score"), alt.Tooltip("interactions:Q")],
        )
        .properties(height=220)
    )


def response_compliance(frame: pd.DataFrame, *, title: str) -> alt.LayerChart:
    """Return per channel the share of first replies within the channel's target, labelled "40% of 25"."""
    base = alt.Chart(frame, title=title).encode(y=alt.Y("channel:N", title=None))
    bars = (
        base.mark_bar()
        .encode(
            x=alt.X("within_target:Q", title="First reply within target", scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%")),
            color=alt.Color("within_target:Q", scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"), legend=None),
            tooltip=[alt.Tooltip("channel:N"), alt.Tooltip("within_target:Q", title="Within target", format=".0%"),
                     alt.Tooltip("target_seconds:Q", title="Target (s)", format=",.0f"),
                     alt.Tooltip("mean_first_response_seconds:Q", title="Mean first reply (s)", format=",.0f"),
                     alt.Tooltip("timed:Q", title="Timed interactions")],
        )
    )
    labels = (
        base.transform_calculate(label="format(datum.within_target, '.0%') + ' of ' + datum.timed")
        .mark_text(align="left", dx=4)
        .encode(x=alt.X("within_target:Q"), text="label:N")
    )
    return (bars + labels).properties(height=alt.Step(28))


def weekly_channel_mix(frame: pd.DataFrame, *, title: str) -> alt.Chart:
    """Return each week's interactions split by channel, as shares of the week."""
    return (
        alt.Chart(frame, title=title)
        .mark_area()
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("interactions:Q", stack="normalize", title="Share of interactions", axis=alt.Axis(format="%")),
            color=alt.Color("channel:N", title="Channel"),
            tooltip=[alt.Tooltip("week:T", title="Week of"), alt.Tooltip("channel:N"), alt.Tooltip("interactions:Q")],
        )
        .properties(height=280)
    )


def weekly_rate(frame: pd.DataFrame, *, value: str, series: str, title: str, value_title: str) -> alt.Chart:
    """Return a line per series of a weekly share (0-1), shown as percentages."""
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format="%")),
            color=alt.Color(f"{series}:N", title=series.title()),
            tooltip=[alt.Tooltip("week:T", title="Week of"), alt.Tooltip(f"{series}:N"),
                     alt.Tooltip(f"{value}:Q", format=".1%")],
        )
        .properties(height=280)
    )


def selected_cell(event) -> tuple[int, str] | None:
    """Return (employee_id, criterion) of the clicked heatmap cell in st.altair_chart's selection state."""
    points = (event or {}).get("selection", {}).get(HEATMAP_SELECTION) or []
    if not points or "employee_id" not in points[0] or "criterion" not in points[0]:
        return None
    return int(points[0]["employee_id"]), str(points[0]["criterion"])


def category_bars(frame: pd.DataFrame, *, category: str, value: str, title: str, value_title: str,
                  category_title: str, value_format: str = ".1f", domain: tuple[float, float] | None = None,
                  detail: str | None = None) -> alt.Chart:
    """Return one labelled bar per category in frame order; `detail` adds a column (e.g. volume) to the tooltip."""
    tooltip = [alt.Tooltip(f"{category}:N", title=category_title),
               alt.Tooltip(f"{value}:Q", title=value_title, format=value_format)]
    if detail is not None:
        tooltip.append(alt.Tooltip(f"{detail}:Q", format=","))
    scale = alt.Scale(domain=list(domain)) if domain is not None else alt.Scale(zero=True)
    base = alt.Chart(frame, title=title).encode(
        x=alt.X(f"{category}:N", title=category_title, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{value}:Q", title=value_title, scale=scale,
                # Shares need the percent axis; scores read better without decimals on the axis.
                axis=alt.Axis(format=value_format) if value_format.endswith("%") else alt.Axis()),
        tooltip=tooltip,
    )
    labels = base.mark_text(dy=-8, fontSize=12).encode(text=alt.Text(f"{value}:Q", format=value_format))
    return (base.mark_bar(color="#1f77b4") + labels).properties(height=260)


def practice_attempts(frame: pd.DataFrame, *, title: str, pass_mark: float) -> alt.LayerChart:
    """Return each attempt's overall score per scenario over time, with the pass mark as a rule."""
    lines = (
        alt.Chart(frame, title=title)
        .mark_line(point=alt.OverlayMarkDef(size=50))
        .encode(
            x=alt.X("ended_at:T", title="Attempt"),
            y=alt.Y("overall:Q", title="Overall (0-100)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("title:N", title="Scenario"),
            tooltip=[alt.Tooltip("title:N", title="Scenario"), alt.Tooltip("attempt:Q"),
                     alt.Tooltip("ended_at:T", title="Finished", format="%d %b %H:%M"),
                     alt.Tooltip("overall:Q", format=".1f"), alt.Tooltip("outcome:N")],
        )
    )
    rule = alt.Chart(pd.DataFrame({"pass_mark": [pass_mark]})).mark_rule(strokeDash=[4, 4], color="gray").encode(
        y="pass_mark:Q")
    return (lines + rule).properties(height=260)
