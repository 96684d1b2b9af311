"""Exports: an Excel workbook per agent or team, and a CSV with one row per interaction, within your scope."""

import streamlit as st

from store import exports
from store.permissions import scope_for
from ui import data, loaders
from ui.auth import require_page
from ui.controls import pick_period

user = require_page("exports")

scope = scope_for(user)
st.title("Exports")
st.caption("Scores under the active rubric, for what you can see. Text from the data that a spreadsheet could run as a "
           "formula (starting with =, +, - or @) is written with a leading ' so it stays text. Every export is "
           "recorded in the audit log.")

WORKBOOK_KEY, CSV_KEY = "exports_workbook", "exports_csv"

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions in your scope yet.")
    st.stop()
period = pick_period("exports_period", available, days=182)


def offer(key: str, wanted: tuple, label: str) -> None:
    """Show the download of the export built for `wanted`, if that is what was built last."""
    built = st.session_state.get(key)
    if built is not None and built[0] == wanted:
        export = built[1]
        st.download_button(f"{label} {export.filename}", export.data, file_name=export.filename, mime=export.mime,
                           icon=":material/download:", type="primary", key=f"{key}_download")


workbook_tab, csv_tab = st.tabs(["Excel workbook", "CSV of interactions"])

with workbook_tab:
    st.caption("A summary against the comparison group with a bar chart, weekly means per criterion with a line chart, "
               "and every interaction, as formatted Excel tables.")
    kind = st.radio("Report for", ["agent", "team"], horizontal=True, key="exports_kind",
                    format_func={"agent": "An agent (against their team)",
                                 "team": "A team (against all your teams)"}.get)
    subjects = loaders.agents_in_scope(scope) if kind == "agent" else loaders.teams_in_scope(scope)
    if subjects.empty:
        st.info(f"No {kind}s in your scope.")
    else:
        names = dict(zip(subjects["id"], subjects["name"]))
        teams_of = dict(zip(subjects["id"], subjects["team"])) if kind == "agent" else {}
        subject_id = st.selectbox(kind.title(), list(names), key=f"exports_{kind}",
                                  format_func=lambda i: f"{names[i]} · {teams_of[i]}" if teams_of.get(i) else names[i])
        wanted = (kind, int(subject_id), period)
        if st.button("Build the workbook", icon=":material/table_view:", key="exports_build_workbook"):
            with st.spinner("Building the workbook…"), data.session() as db:
                st.session_state[WORKBOOK_KEY] = (wanted, exports.export_workbook(
                    db, by=user, kind=kind, subject_id=int(subject_id), period=period))
        offer(WORKBOOK_KEY, wanted, "Download")

with csv_tab:
    st.caption("One row per interaction: id, agent, team, channel, start (UTC), first-response seconds, transferred, "
               "resolved, CSAT, every criterion and the overall score.")
    team_rows = loaders.teams_in_scope(scope)
    team_names = dict(zip(team_rows["id"], team_rows["name"]))
    team_id = st.selectbox("Team", [None, *team_names], key="exports_csv_team",
                           format_func=lambda i: "All teams you can see" if i is None else team_names[i])
    wanted = (None if team_id is None else int(team_id), period)
    if st.button("Build the CSV", icon=":material/csv:", key="exports_build_csv"):
        with st.spinner("Writing the CSV…"), data.session() as db:
            st.session_state[CSV_KEY] = (wanted, exports.export_interactions_csv(
                db, by=user, period=period, team_id=wanted[0]))
    offer(CSV_KEY, wanted, "Download")
