"""Leaderboard: customer advocates ranked by a volume-shrunk rubric score, rank change, most improved, badges."""

import streamlit as st

from scoring.model import CHANNELS
from store.leaderboard import BADGES, method_sentence
from store.permissions import scope_for
from ui import loaders
from ui.auth import require_page
from ui.controls import pick_period
from ui.executive import drill_path

user = require_page("leaderboard")

scope = scope_for(user)
st.title("Leaderboard")
st.caption("Who our customer advocates are: agents ranked by the service rubric, fairly.")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions in your scope yet.")
    st.stop()

teams = loaders.teams_in_scope(scope)
team_names = dict(zip(teams["id"].tolist(), teams["name"].tolist()))
filters = st.columns([2, 1, 1])
with filters[0]:
    period = pick_period("leaderboard_period", available)
channel = filters[1].selectbox("Channel", [None, *CHANNELS], key="leaderboard_channel",
                               format_func=lambda c: "All channels" if c is None else c.title())
team_id = filters[2].selectbox("Team", [None, *team_names], key="leaderboard_team",
                               format_func=lambda t: "All teams" if t is None else team_names[t])

board = loaders.leaderboard(scope, period, channel, team_id)
profile_path = drill_path("agent_profile", user.role)

st.subheader("Customer advocates")
if board.ranked.empty:
    st.info(f"No agent has {board.min_interactions} or more interactions in this selection yet.")
else:
    picked = st.dataframe(
        board.ranked, hide_index=True, key="leaderboard_board", height=min(len(board.ranked) + 1, 21) * 35 + 3,
        placeholder="new",  # only a rank change can be missing: the agent was not ranked in the previous period
        column_order=["rank", "rank_change", "agent", "team", "interactions", "shrunk", "mean", "badges"],
        column_config={
            "rank": st.column_config.NumberColumn("Rank", width="small"),
            "rank_change": st.column_config.NumberColumn(
                "Change", format="%+d", width="small",
                help=f"Places gained since {board.previous.start:%d %b} – {board.previous.end:%d %b %Y}; "
                     "\"new\" when not ranked then."),
            "agent": "Agent", "team": "Team",
            "interactions": st.column_config.NumberColumn("Interactions", format="%d"),
            "shrunk": st.column_config.ProgressColumn(
                "Score", format="%.1f", min_value=0, max_value=100,
                help="Mean overall rubric score shrunk toward the team mean by volume: what the board ranks."),
            "mean": st.column_config.NumberColumn("Raw mean", format="%.1f",
                                                  help="Plain mean overall score, for reference only."),
            "badges": st.column_config.TextColumn("Badges", width="large"),
        },
        on_select="rerun" if profile_path else "ignore", selection_mode="single-row",
    )
    if profile_path is not None and picked.selection.rows:
        chosen = board.ranked.iloc[picked.selection.rows[0]]
        st.switch_page(profile_path, query_params={"agent": str(int(chosen["employee_id"]))})
st.caption(method_sentence(board) + (" Click an agent to open their profile." if profile_path else ""))

if not board.too_few.empty:
    with st.expander(f"Not enough interactions yet ({len(board.too_few)})"):
        st.dataframe(board.too_few, hide_index=True, column_order=["agent", "team", "interactions"],
                     column_config={"agent": "Agent", "team": "Team", "interactions": "Interactions"})

improved, badges = st.columns(2)
with improved:
    st.subheader("Most improved")
    if board.most_improved.empty:
        st.caption("Nobody ranked in both periods improved their score.")
    else:
        st.dataframe(board.most_improved, hide_index=True,
                     column_order=["agent", "team", "shrunk_before", "shrunk", "change"],
                     column_config={"agent": "Agent", "team": "Team",
                                    "shrunk_before": st.column_config.NumberColumn("Before", format="%.1f"),
                                    "shrunk": st.column_config.NumberColumn("Now", format="%.1f"),
                                    "change": st.column_config.NumberColumn("Change", format="%+.1f")})
    st.caption("Change in score against the previous period of the same length, for agents ranked in both.")
with badges:
    st.subheader("Badges")
    earned = board.ranked["badges"].str.split(" · ").explode()
    for badge in BADGES:
        holders = int((earned == badge.name).sum())
        st.markdown(f"**{badge.name}** · {holders} agent{'s' if holders != 1 else ''}  \n{badge.rule}")
