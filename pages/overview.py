"""Overview: headline figures and quality trends by team and by criterion."""

import streamlit as st

from store.permissions import scope_for
from ui import charts, loaders
from ui.auth import require_page
from ui.controls import pick_period
from ui.formatting import metric_delta, share

user = require_page("overview")

scope = scope_for(user)
st.title("Overview")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions in your scope yet. A trainer or admin can import interactions.")
    st.stop()

period = pick_period("overview_period", available)

now, before = loaders.headline(scope, period), loaders.headline(scope, period.previous())


cols = st.columns(5)
cols[0].metric("Interactions", f"{now.interactions:,}", delta=f"{now.interactions - before.interactions:+,}"
               if before.interactions else None)
cols[1].metric("Average quality", "—" if now.average_overall is None else f"{now.average_overall:.1f}",
               delta=metric_delta(now.average_overall, before.average_overall), help="Mean overall rubric score, 0-100.")
cols[2].metric("First-contact resolution", share(now.first_contact_resolution),
               delta=metric_delta(now.first_contact_resolution, before.first_contact_resolution, 100),
               help="Resolved without passing the customer on. Delta in percentage points.")
cols[3].metric("Passed on", share(now.transfer_rate), delta=metric_delta(now.transfer_rate, before.transfer_rate, 100),
               delta_color="inverse", help="Share of interactions where the customer was passed on.")
cols[4].metric("Critical fails", share(now.auto_fail_rate), delta=metric_delta(now.auto_fail_rate, before.auto_fail_rate, 100),
               delta_color="inverse", help="Share auto-failed for a critical behaviour (e.g. 'calm down').")
st.caption(f"Compared with the previous period of the same length ({period.previous().start:%d %b %Y} – "
           f"{period.previous().end:%d %b %Y}).")

by_team = loaders.weekly_quality_by_team(scope, period)
by_criterion = loaders.weekly_quality_by_criterion(scope, period)
left, right = st.columns(2)
with left:
    # An agent's scope is their own work, so their line is theirs, not their team's.
    team_title = "Your quality" if scope.employee_id is not None else "Quality by team"
    st.altair_chart(charts.weekly_trend(by_team, value="overall", series="team", title=team_title,
                                        period=period),
                    width="stretch")
with right:
    st.altair_chart(charts.weekly_trend(by_criterion, value="score", series="criterion",
                                        title="Quality by criterion", period=period), width="stretch")
