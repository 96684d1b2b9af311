"""Team trends: agent x criterion heatmap, criterion trends, channel mix, response-time compliance, transfers."""

import streamlit as st

from store.permissions import scope_for
from store.profiles import within_team
from ui import charts, loaders
from ui.auth import require_page
from ui.controls import pick_period
from ui.formatting import duration
from ui.registry import PAGES_BY_KEY

user = require_page("team_trends")

scope = scope_for(user)
st.title("Team trends")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions in your scope yet.")
    st.stop()

teams = loaders.teams_in_scope(scope)
team_names = dict(zip(teams["id"], teams["name"]))
# A link (organisation page) names the team in the address; applied once, then the picker rules.
raw_team = st.query_params.get("team")
if raw_team is not None:
    del st.query_params["team"]
    if raw_team.isdigit() and int(raw_team) in team_names:
        st.session_state["team_trends_team"] = int(raw_team)
controls = st.columns([2, 1.5, 1.2])
period = pick_period("team_trends_period", available, days=91, container=controls[0])
team_id = controls[1].selectbox("Team", [None, *team_names], key="team_trends_team",
                                format_func=lambda t: "All teams" if t is None else team_names[t])
can_review = user.role in PAGES_BY_KEY["review_queue"].roles
threshold = controls[2].number_input("Review below", min_value=0.0, max_value=100.0, value=70.0, step=5.0,
                                     key="team_trends_threshold", disabled=not can_review,
                                     help="Clicking a heatmap cell opens the review queue with that agent's "
                                          "interactions scoring below this on that criterion.")
view = scope if team_id is None else within_team(scope, team_id)

heat = loaders.criterion_heatmap(view, period)
if heat.empty:
    st.info("No scored interactions in this period.")
    st.stop()
heatmap = charts.criterion_heatmap(heat, title="Mean score per agent and criterion")
if can_review:
    st.caption("Click a cell to review that agent's weakest interactions on that criterion.")
    event = st.altair_chart(heatmap, key="team_trends_heatmap", on_select="rerun",
                            selection_mode=charts.HEATMAP_SELECTION, width="stretch")
    cell = charts.selected_cell(event)
    if cell is not None:
        employee_id, criterion = cell
        st.switch_page("pages/review_queue.py", query_params={
            "agent": str(employee_id), "criterion": criterion, "below": f"{threshold:g}",
            "start": period.start.isoformat(), "end": period.end.isoformat()})
else:
    st.altair_chart(heatmap, width="stretch")

st.altair_chart(charts.weekly_trend(loaders.weekly_quality_by_criterion(view, period), value="score",
                                    series="criterion", title="Quality by criterion", period=period),
                width="stretch")
left, right = st.columns(2)
with left:
    st.altair_chart(charts.weekly_channel_mix(loaders.weekly_channel_mix(view, period), title="Channel mix"),
                    width="stretch")
with right:
    st.altair_chart(charts.weekly_rate(loaders.weekly_transfer_rate(view, period), value="transfer_rate",
                                       series="team", title="Customers passed on", value_title="Passed on"),
                    width="stretch")
compliance = loaders.response_compliance(view, period)
st.altair_chart(charts.response_compliance(compliance, title="First reply within the channel's target"),
                width="stretch")
st.caption("First-reply targets come from the active rubric: " + ", ".join(
    f"{row.channel} {duration(row.target_seconds)}" for row in compliance.itertuples()) + ".")
