"""Business impact: what service quality is worth in word of mouth, with every assumption shown and editable."""

import streamlit as st

from store.organisation import ASSUMPTION_FIELDS, impact_figures, save_impact_assumptions
from store.permissions import scope_for
from ui import data, loaders
from ui.auth import require_page
from ui.controls import pick_period

user = require_page("impact")

scope = scope_for(user)
st.title("Business impact")
st.caption("Estimates, not measurements: the interactions counted here multiplied by published survey figures. "
           "Every assumption is shown below and can be changed; changes are kept in the audit log.")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions yet.")
    st.stop()
period = pick_period("impact_period", available)

saved = st.session_state.pop("impact_saved", None)
if saved:
    st.success(saved)

assumptions = loaders.impact_assumptions()
counts = loaders.impact_counts(scope, period, assumptions)
figures = impact_figures(counts, assumptions)
groups = (("When service goes wrong", figures[:2]), ("When social replies are fast", figures[2:]))
for heading, group in groups:
    st.subheader(heading)
    for col, figure in zip(st.columns(3), group):
        with col.container(border=True):
            st.metric(figure.title, f"{figure.value:,.0f} {figure.unit}")
            st.caption(figure.formula)

st.subheader("Assumptions")
with st.form("impact_assumptions"):
    edited = {}
    cols = st.columns(2)
    for index, spec in enumerate(ASSUMPTION_FIELDS):
        meta, current = spec.metadata, getattr(assumptions, spec.name)
        with cols[index % 2]:
            if meta["unit"] == "share":  # edited in percent, stored as a share
                edited[spec.name] = st.number_input(f"{meta['label']} (%)", min_value=0.0, max_value=100.0,
                                                    value=round(current * 100, 2), step=1.0, format="%.1f",
                                                    key=f"impact_{spec.name}") / 100
            else:
                edited[spec.name] = st.number_input(f"{meta['label']} ({meta['unit']})", min_value=float(meta["low"]),
                                                    max_value=float(meta["high"]), value=float(current), step=1.0,
                                                    format="%.0f" if meta["whole"] else "%.1f",
                                                    key=f"impact_{spec.name}")
            st.caption(meta["source"])
    submitted = st.form_submit_button("Save assumptions", type="primary")
if submitted:
    try:
        with data.session() as db:
            stored = save_impact_assumptions(db, by=user, values=edited)
    except ValueError as error:
        st.error(f"Not saved: {error}")
    else:
        loaders.forget_impact_assumptions()
        st.session_state["impact_saved"] = ("Assumptions saved; the figures above use them." if stored != assumptions
                                            else "Nothing changed.")
        st.rerun()
