"""Cohort: new hires in the trainer's teams by practice scenario, assignments with due dates, scenario editing."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from practice.certification import PASS_MARK, RULE
from practice.scenarios import ScenarioError
from store import practice as practice_store
from store.permissions import scope_for
from store.review import NotFound
from ui import data, loaders
from ui.auth import require_page

user = require_page("cohort")

scope = scope_for(user)
NEW = "(new scenario)"
PASSED, TRIED, ASSIGNED = "#c8ecd3", "#fde9c4", "#dbe9fb"

st.title("Cohort")
scenarios = loaders.practice_scenarios()
grid = loaders.cohort_grid(scope)
core = [key for key, scenario in scenarios.items() if scenario.core]


def cell(row) -> str:
    """Render one trainee x scenario cell: passed with the best score, tried, or assigned with its due date."""
    if row.passed:
        return f"✓ {row.best:.0f}"
    if row.attempts:
        best = "—" if pd.isna(row.best) else f"{row.best:.0f}"
        return f"{best} ({row.attempts} tries)" if row.attempts > 1 else f"{best} (1 try)"
    if pd.notna(row.due):
        return f"due {row.due:%d %b}"
    return "assigned"


def shade(value: str) -> str:
    if not value:
        return ""
    colour = PASSED if value.startswith("✓") else ASSIGNED if value.startswith(("due", "assigned")) else TRIED
    return f"background-color: {colour}; color: #222"


if grid.empty:
    st.info("No new hires in your teams yet.")
else:
    st.subheader("Who passed what")
    tried = grid.dropna(subset=["scenario"])
    keys = core + sorted({key for key in tried["scenario"] if key not in core})
    titles = {key: scenarios[key].title if key in scenarios else key for key in keys}
    people = grid[["employee_id", "agent", "team"]].drop_duplicates().sort_values(["team", "agent"])
    cells = {(row.employee_id, row.scenario): cell(row) for row in tried.itertuples()}
    table = pd.DataFrame([
        {"Agent": person.agent, "Team": person.team,
         "Core passed": f"{sum(cells.get((person.employee_id, key), '').startswith('✓') for key in core)}"
                        f"/{len(core)}",
         **{titles[key] + (" ★" if key in core else ""): cells.get((person.employee_id, key), "") for key in keys}}
        for person in people.itertuples()])
    scenario_columns = [column for column in table.columns if column not in ("Agent", "Team", "Core passed")]
    st.dataframe(table.style.map(shade, subset=scenario_columns), hide_index=True)
    st.caption(f"★ core scenario. ✓ passed with the best clean score; otherwise the best score and tries, or the "
               f"due date of an assignment. {RULE}")

    st.subheader("Assign a scenario")
    ids = {str(agent): int(employee_id) for employee_id, agent in zip(people["employee_id"], people["agent"])}
    with st.form("cohort_assign", border=True):
        picked = st.multiselect("New hires", list(ids), key="cohort_assign_people")
        scenario_key = st.selectbox("Scenario", list(scenarios), format_func=lambda key: scenarios[key].title,
                                    key="cohort_assign_scenario")
        due = st.date_input("Due", value=date.today() + timedelta(days=7), min_value=date.today(),
                            key="cohort_assign_due")
        if st.form_submit_button("Assign", type="primary"):
            try:
                with data.session() as db:
                    count = practice_store.assign(db, by=user, employee_ids=[ids[name] for name in picked], scenario_key=scenario_key,
                                                  due_date=due, known_keys=list(scenarios))
            except (ValueError, PermissionError, NotFound) as exc:
                st.error(str(exc))
            else:
                loaders.forget_practice()
                loaders.forget_reviews()
                st.success(f"Assigned “{scenarios[scenario_key].title}” to {count} new hire(s), due {due:%d %b %Y}.")

st.subheader("Scenarios")
st.caption(f"Each scenario is TOML, checked before it is saved; a saved scenario overrides the shipped one with the "
           f"same key, and a new one starts as a copy of the first. An attempt passes at {PASS_MARK:.0f} or more "
           f"with no critical fail.")
texts = loaders.scenario_texts()
chosen = st.selectbox("Scenario to edit", [NEW, *texts], key="cohort_edit_choice",
                      format_func=lambda key: key if key == NEW else f"{scenarios[key].title} ({key})"
                      if key in scenarios else key)
key = st.text_input("Key", value="" if chosen == NEW else chosen, disabled=chosen != NEW, key=f"cohort_edit_key_{chosen}",
                    help="Lowercase letters, digits and _; the scenario's name in assignments and history.")
content = st.text_area("Scenario (TOML)", value=texts.get(chosen, texts[next(iter(texts))]) if texts else "",
                       height=420, key=f"cohort_edit_text_{chosen}")
if st.button("Save scenario", type="primary", icon=":material/save:"):
    try:
        with data.session() as db:
            saved = practice_store.save_scenario(db, by=user, key=key, content=content)
    except (ScenarioError, PermissionError) as exc:
        st.error(str(exc))
    else:
        loaders.forget_practice()
        st.success(f"Saved “{saved.title}” ({saved.key}).")
