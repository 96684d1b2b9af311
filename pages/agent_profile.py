"""Agent profile: one agent's trends against their team, score spread, timing, reviews, coaching and practice."""

import streamlit as st

from store.permissions import scope_for
from ui import charts, loaders
from ui.auth import require_page
from ui.controls import pick_period
from ui.literal import literal

user = require_page("agent_profile")

scope = scope_for(user)
st.title("Agent profile")

if user.role == "agent":
    employee_id = user.employee_id
    if employee_id is None:
        st.info("Your account is not linked to an agent, so there is no profile to show.")
        st.stop()
else:
    agents = loaders.agents_in_scope(scope)
    if agents.empty:
        st.info("No agents in your scope.")
        st.stop()
    names = {row.id: f"{row.name} ({row.team})" if row.team else row.name for row in agents.itertuples()}
    # A link (interaction view, team trends) names the agent in the address; applied once, then the picker rules.
    raw = st.query_params.get("agent")
    if raw is not None:
        del st.query_params["agent"]
        if raw.isdigit() and int(raw) in names:
            st.session_state["agent_profile_agent"] = int(raw)
    employee_id = st.selectbox("Agent", list(names), format_func=names.get, key="agent_profile_agent")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions in your scope yet.")
    st.stop()
period = pick_period("agent_profile_period", available, days=91)

summary = loaders.agent_summary(scope, employee_id, period)
if summary is None:
    st.error("Agent not found or not in your scope.")
    st.stop()

st.subheader(literal(summary.name))
about = [literal(summary.team) if summary.team else "no team"]
if summary.hire_date is not None:
    about.append(f"hired {summary.hire_date:%d %b %Y}")
if summary.is_new_hire:
    about.append("new hire")
st.caption(" · ".join(about))
cols = st.columns(4)
cols[0].metric("Interactions", f"{summary.interactions:,}")
cols[1].metric("Average quality", "—" if summary.average_overall is None else f"{summary.average_overall:.1f}")
cols[2].metric("Critical fails", "—" if summary.auto_fail_rate is None else f"{summary.auto_fail_rate:.0%}")
cols[3].metric("Reviewed by a trainer", f"{summary.reviewed:,}")

if not summary.interactions:
    st.info("No scored interactions in this period.")
else:
    st.altair_chart(charts.criteria_trend_against_team(
        loaders.weekly_criteria_against_team(scope, employee_id, period),
        title=f"Weekly score per criterion: {summary.name} against the {summary.team or 'team'} average"))
    against = loaders.criteria_against_team(scope, employee_id, period)
    left, right = st.columns(2)
    with left:
        st.altair_chart(charts.difference_bars(against, title="Strengths and weaknesses against the team"),
                        width="stretch")
        compared = against.dropna(subset=["difference"])
        if len(compared):
            strongest, weakest = compared.iloc[0], compared.iloc[-1]
            st.caption(f"Best against the team: {strongest['label']} ({strongest['difference']:+.1f} points). "
                       f"Most room to grow: {weakest['label']} ({weakest['difference']:+.1f} points).")
    with right:
        st.altair_chart(charts.score_histogram(loaders.score_distribution(scope, employee_id, period),
                                               title="Spread of overall scores"), width="stretch")
    compliance = loaders.response_compliance(scope, period, employee_id)
    st.altair_chart(charts.response_compliance(compliance, title="First reply within the channel's target"),
                    width="stretch")

st.subheader("Recent interactions")
recent = loaders.recent_interactions(scope, employee_id)
if recent.empty:
    st.caption("None yet.")
else:
    event = st.dataframe(
        recent, key="agent_profile_recent", on_select="rerun", selection_mode="single-row", hide_index=True,
        width="stretch", placeholder="—",
        column_order=["started_at", "channel", "overall", "auto_fail", "csat", "reviewed", "interaction"],
        column_config={
            "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="D MMM YYYY, HH:mm"),
            "channel": "Channel",
            "overall": st.column_config.ProgressColumn("Overall", min_value=0, max_value=100, format="%.0f"),
            "auto_fail": st.column_config.CheckboxColumn("Auto-fail"),
            "csat": st.column_config.NumberColumn("CSAT", format="%d"),
            "reviewed": st.column_config.CheckboxColumn("Reviewed"),
            "interaction": "Interaction",
        },
    )
    if event.selection.rows:
        picked = recent.iloc[event.selection.rows[0]]
        st.switch_page("pages/interaction.py", query_params={"id": str(int(picked["id"]))})

st.subheader("Reviews")
reviews = loaders.agent_reviews(scope, employee_id)
if reviews.empty:
    st.caption("No trainer has reviewed these interactions yet.")
else:
    st.dataframe(
        reviews.assign(criterion=reviews["criterion"].replace({"*": "all (scores confirmed)"})),
        key="agent_profile_reviews",
        hide_index=True, width="stretch", placeholder="—",
        column_order=["at", "interaction", "criterion", "automatic_score", "human_score", "comment", "reviewer"],
        column_config={
            "at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
            "interaction": "Interaction", "criterion": "Criterion",
            "automatic_score": st.column_config.NumberColumn("Machine", format="%.0f"),
            "human_score": st.column_config.NumberColumn("Human", format="%.0f",
                                                         help="Empty on an override: judged not applicable."),
            "comment": "Comment", "reviewer": "Reviewer",
        },
    )

notes_col, practice_col = st.columns(2)
with notes_col:
    st.subheader("Coaching notes")
    notes = loaders.coaching_notes(scope, employee_id)
    if notes.empty:
        st.caption("No coaching notes yet.")
    else:
        st.dataframe(notes, key="agent_profile_notes", hide_index=True, width="stretch", placeholder="—",
                     column_order=["at", "author", "text", "interaction"],
                     column_config={"at": st.column_config.DatetimeColumn("When", format="D MMM YYYY"),
                                    "author": "From", "text": st.column_config.TextColumn("Note", width="large"),
                                    "interaction": "About"})
with practice_col:
    st.subheader("Practice")
    assignments = loaders.practice_assignments(scope, employee_id)
    sessions = loaders.practice_sessions(scope, employee_id)
    if assignments.empty and sessions.empty:
        st.caption("No practice assigned or done yet.")
    if not assignments.empty:
        st.dataframe(assignments, key="agent_profile_assignments", hide_index=True, width="stretch", placeholder="—",
                     column_order=["scenario", "due", "completed", "assigned_by"],
                     column_config={"scenario": "Assigned scenario",
                                    "due": st.column_config.DateColumn("Due", format="D MMM YYYY"),
                                    "completed": st.column_config.CheckboxColumn("Done"),
                                    "assigned_by": "By"})
    if not sessions.empty:
        st.dataframe(sessions, key="agent_profile_sessions", hide_index=True, width="stretch", placeholder="—",
                     column_config={"scenario": "Scenario practised",
                                    "started_at": st.column_config.DatetimeColumn("Started",
                                                                                  format="D MMM YYYY, HH:mm"),
                                    "ended_at": st.column_config.DatetimeColumn("Ended", format="D MMM YYYY, HH:mm"),
                                    "outcome": "Outcome",
                                    "overall": st.column_config.NumberColumn("Score", format="%.0f"),
                                    "auto_fail": st.column_config.CheckboxColumn("Auto-fail")})
