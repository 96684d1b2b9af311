"""Review queue: from "who needs help this week?" to the interactions worth a trainer's time."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from scoring.model import CHANNELS
from scoring.result import CRITERIA
from store import review
from store.permissions import scope_for
from store.queries import CRITERION_LABELS, Period
from ui import loaders
from ui.auth import require_page

user = require_page("review_queue")

scope = scope_for(user)
st.title("Review queue")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions in your scope yet. Import interactions first.")
    st.stop()

teams = loaders.teams_in_scope(scope)
agents = loaders.agents_in_scope(scope)
team_names = dict(zip(teams["id"], teams["name"]))
agent_names = {row.id: f"{row.name} ({row.team})" if row.team else row.name for row in agents.itertuples()}
state = st.session_state


def linked_number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def linked_day(raw: str | None) -> date | None:
    try:
        return min(max(date.fromisoformat(raw), available.start), available.end) if raw is not None else None
    except ValueError:
        return None


# A link (e.g. a team-trends heatmap cell) presets filters through query params, applied once and then
# dropped from the address so that the trainer's own changes win; values that do not fit are ignored.
linked = {name: st.query_params.pop(name) for name in ("team", "agent", "criterion", "below", "start", "end")
          if name in st.query_params}
team_link, agent_link, below_link = (linked_number(linked.get(name)) for name in ("team", "agent", "below"))
if team_link in team_names:
    state["review_queue_team"] = int(team_link)
if agent_link in agent_names:
    state["review_queue_agent"] = int(agent_link)
if linked.get("criterion") in CRITERIA:
    state["review_queue_criterion"] = linked["criterion"]
if below_link is not None and 0 <= below_link <= 100:
    state["review_queue_below"] = below_link
start_link, end_link = linked_day(linked.get("start")), linked_day(linked.get("end"))
if start_link is not None and end_link is not None and start_link <= end_link:
    state["review_queue_period"] = (start_link, end_link)

with st.container(border=True):
    top = st.columns([2, 1.3, 1.6, 1])
    picked = top[0].date_input("Period", value=(max(available.start, available.end - timedelta(days=27)), available.end),
                               min_value=available.start, max_value=available.end, key="review_queue_period")
    team_id = top[1].selectbox("Team", [None, *team_names], format_func=lambda t: "All teams" if t is None
                               else team_names[t], key="review_queue_team")
    employee_id = top[2].selectbox("Agent", [None, *agent_names], format_func=lambda a: "All agents" if a is None
                                   else agent_names[a], key="review_queue_agent")
    channel = top[3].selectbox("Channel", [None, *CHANNELS], format_func=lambda c: "All channels" if c is None
                               else c, key="review_queue_channel")
    middle = st.columns([1.6, 1.2, 1, 1, 1.2], vertical_alignment="bottom")
    criterion = middle[0].selectbox("Criterion", [None, *CRITERIA], key="review_queue_criterion",
                                    format_func=lambda c: "Any criterion" if c is None else CRITERION_LABELS[c])
    below = middle[1].number_input("…scoring below", min_value=0.0, max_value=100.0, value=60.0, step=5.0,
                                   key="review_queue_below", disabled=criterion is None)
    auto_fail_only = middle[2].checkbox("Auto-fails only", key="review_queue_auto_fail")
    low_csat = middle[3].checkbox(f"Low CSAT (≤ {review.LOW_CSAT})", key="review_queue_low_csat")
    unreviewed_only = middle[4].checkbox("Not yet reviewed", key="review_queue_unreviewed")
    bottom = st.columns([3, 1, 1], vertical_alignment="bottom")
    mode = bottom[0].segmented_control("Sampling", list(review.SAMPLING_MODES), default="lowest", required=True,
                                       format_func=review.SAMPLING_MODES.get, key="review_queue_mode", wrap=True)
    per_agent_week = bottom[1].number_input("Per agent-week", min_value=1, max_value=20, value=2,
                                            key="review_queue_per_agent_week", disabled=mode != "fair",
                                            help="Each agent's week contributes at most this many interactions.")
    seed = bottom[2].number_input("Sample seed", min_value=0, max_value=1_000_000, value=1, key="review_queue_seed",
                                  disabled=mode != "fair", help="The same seed draws the same sample; change it "
                                                                "for another.")

if not isinstance(picked, tuple) or len(picked) != 2:
    st.caption("Pick the last day of the period.")
    st.stop()

filters = review.QueueFilters(period=Period(*picked), team_id=team_id, employee_id=employee_id, channel=channel,
                              criterion=criterion, below=below if criterion else None,
                              auto_fail_only=auto_fail_only, low_csat=low_csat, unreviewed_only=unreviewed_only)
sampling = review.Sampling(mode=mode or "lowest", per_agent_week=int(per_agent_week), seed=int(seed))
queue = loaders.review_queue(scope, filters, sampling)

if queue.empty:
    st.info("Nothing matches these filters.")
    st.stop()

reviewed = int(queue["reviewed"].sum())
capped = f" (the first {sampling.limit})" if len(queue) == sampling.limit else ""
st.caption(f"{len(queue)} interaction(s){capped}"
           f", {reviewed} reviewed. Click a row to open the interaction.")
shown = queue.assign(weakest=[None if pd.isna(name) else f"{CRITERION_LABELS[name]} ({score:.0f})"
                              for name, score in zip(queue["weakest"], queue["weakest_score"])])
event = st.dataframe(
    shown, key="review_queue_table", on_select="rerun", selection_mode="single-row", hide_index=True,
    width="stretch", placeholder="—",
    column_order=["started_at", "agent", "team", "channel", "overall", "weakest", "reviewed_by", "auto_fail", "csat",
                  "interaction"],
    column_config={
        "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="D MMM, HH:mm"),
        "agent": "Agent", "team": "Team",
        "channel": st.column_config.TextColumn("Channel", width="small"),
        "overall": st.column_config.ProgressColumn("Overall", min_value=0, max_value=100, format="%.0f",
                                                   width="small"),
        "weakest": "Weakest criterion",
        "auto_fail": st.column_config.CheckboxColumn("Auto-fail", width="small"),
        "csat": st.column_config.NumberColumn("CSAT", format="%d", width="small"),
        "reviewed_by": "Reviewed by",
        "interaction": st.column_config.TextColumn("Interaction", width="small"),
    },
)
rows = event.selection.rows
if rows:
    st.switch_page("pages/interaction.py", query_params={"id": str(int(queue.iloc[rows[0]]["id"]))})
