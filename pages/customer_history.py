"""Customer history: every interaction one customer had, across agents and channels, in time order."""

import streamlit as st

from store.permissions import scope_for
from ui import loaders
from ui.auth import require_page
from ui.literal import literal

user = require_page("customer_history")

scope = scope_for(user)
st.title("Customer history")

search = st.text_input("Find a customer by name or customer id", key="customer_history_search")
if search.strip():
    found = loaders.find_customers(scope, search)
    if found.empty:
        st.info("No customer in your scope matches.")
    else:
        event = st.dataframe(
            found, key="customer_history_found", on_select="rerun", selection_mode="single-row", hide_index=True,
            width="stretch", placeholder="—", column_order=["name", "customer", "interactions", "last_contact"],
            column_config={"name": "Name", "customer": "Customer id", "interactions": "Interactions",
                           "last_contact": st.column_config.DatetimeColumn("Last contact", format="D MMM YYYY")},
        )
        if event.selection.rows:
            st.query_params["customer"] = str(int(found.iloc[event.selection.rows[0]]["id"]))

raw = st.query_params.get("customer", "")
if not raw:
    st.caption("Search above, or open the customer history from an interaction.")
    st.stop()
history = loaders.customer_history(scope, int(raw)) if raw.isdigit() else None
if history is None:
    st.error("Customer not found or not in your scope.")
    st.stop()

frame = history.interactions
st.subheader(literal(history.name or history.external_id))
st.caption(f"Customer id {literal(history.external_id)}")
cols = st.columns(4)
cols[0].metric("Interactions", f"{len(frame):,}")
channels = sorted(frame["channel"].unique())
cols[1].metric("Channels", f"{len(channels)}", help=", ".join(channels))
cols[2].metric("Agents", f"{frame['agent'].nunique():,}")
cols[3].metric("Average quality", "—" if frame["overall"].isna().all() else f"{frame['overall'].mean():.1f}")
event = st.dataframe(
    frame, key="customer_history_table", on_select="rerun", selection_mode="single-row", hide_index=True,
    width="stretch", placeholder="—",
    column_order=["started_at", "channel", "agent", "team", "overall", "auto_fail", "csat", "resolved", "passed_on",
                  "reviewed", "interaction"],
    column_config={
        "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="D MMM YYYY, HH:mm"),
        "channel": st.column_config.TextColumn("Channel", width="small"), "agent": "Agent", "team": "Team",
        "overall": st.column_config.ProgressColumn("Overall", min_value=0, max_value=100, format="%.0f",
                                                   width="small"),
        "auto_fail": st.column_config.CheckboxColumn("Auto-fail", width="small"),
        "csat": st.column_config.NumberColumn("CSAT", format="%d", width="small"),
        "resolved": st.column_config.CheckboxColumn("Resolved", width="small"),
        "passed_on": st.column_config.CheckboxColumn("Passed on", width="small"),
        "reviewed": st.column_config.CheckboxColumn("Reviewed", width="small"),
        "interaction": st.column_config.TextColumn("Interaction", width="small"),
    },
)
st.caption("Click a row to open the interaction.")
if event.selection.rows:
    st.switch_page("pages/interaction.py", query_params={"id": str(int(frame.iloc[event.selection.rows[0]]["id"]))})
