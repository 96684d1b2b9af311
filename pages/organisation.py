"""Organisation: quality over time, team comparison, response times against target, first-contact resolution,
CSAT against the rubric score."""

import streamlit as st

from store.permissions import scope_for
from ui import charts, loaders
from ui.auth import require_page
from ui.controls import pick_period
from ui.executive import drill_path
from ui.formatting import metric_delta, share

user = require_page("organisation")

scope = scope_for(user)
st.title("Organisation")
st.caption("Is service getting better? Every figure compares with the previous period of the same length.")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions yet.")
    st.stop()
period = pick_period("organisation_period", available)

now, before = loaders.headline(scope, period), loaders.headline(scope, period.previous())
compliance = loaders.channel_compliance(scope, period).set_index("channel")
compliance_before = loaders.channel_compliance(scope, period.previous()).set_index("channel")


cols = st.columns(5)
cols[0].metric("Average quality", "—" if now.average_overall is None else f"{now.average_overall:.1f}",
               delta=metric_delta(now.average_overall, before.average_overall), help="Mean overall rubric score, 0-100.")
cols[1].metric("First-contact resolution", share(now.first_contact_resolution),
               delta=metric_delta(now.first_contact_resolution, before.first_contact_resolution, 100),
               help="Resolved without passing the customer on. Delta in percentage points.")
cols[2].metric("CSAT", "—" if now.csat is None else f"{now.csat:.2f}", delta=metric_delta(now.csat, before.csat),
               help="Mean customer satisfaction (1-5) where the customer gave one.")
for col, channel in zip(cols[3:], ("social", "email")):
    col.metric(f"{channel.title()} within {compliance.at[channel, 'target']}",
               share(compliance.at[channel, "compliance"]),
               delta=metric_delta(compliance.at[channel, "compliance"], compliance_before.at[channel, "compliance"], 100),
               help="Share of first replies within the active rubric's target. Delta in percentage points.")

st.subheader("Quality over time")
st.altair_chart(charts.weekly_trend(loaders.weekly_quality(scope, period), value="score", series="measure",
                                    title="Overall and per-criterion score by week", period=period),
                width="stretch")

st.subheader("Teams")
teams = loaders.team_comparison(scope, period)
shares = ["first_contact_resolution", "compliance", "auto_fail_rate"]
team_path = drill_path("team_trends", user.role)
picked = st.dataframe(
    teams.assign(**{column: teams[column] * 100 for column in shares}),  # shown in percent
    hide_index=True, key="organisation_teams",
    column_order=["team", "interactions", "overall", "first_contact_resolution", "compliance", "csat",
                  "auto_fail_rate"],
    column_config={
        "team": "Team", "interactions": st.column_config.NumberColumn("Interactions", format="%d"),
        "overall": st.column_config.NumberColumn("Average quality", format="%.1f"),
        "first_contact_resolution": st.column_config.NumberColumn("First-contact resolution", format="%.0f%%"),
        "compliance": st.column_config.NumberColumn("Replies within target", format="%.0f%%"),
        "csat": st.column_config.NumberColumn("CSAT", format="%.2f"),
        "auto_fail_rate": st.column_config.NumberColumn("Critical fails", format="%.1f%%"),
    },
    on_select="rerun" if team_path else "ignore", selection_mode="single-row",
)
if team_path is not None:
    st.caption("Click a team to open its trends.")
    if picked.selection.rows:
        st.switch_page(team_path, query_params={"team": str(int(teams.iloc[picked.selection.rows[0]]["team_id"]))})
st.altair_chart(charts.weekly_trend(loaders.weekly_quality_by_team(scope, period), value="overall", series="team",
                                    title="Average quality by team and week", period=period), width="stretch")

st.subheader("Response times against target")
by_channel = loaders.weekly_by_channel(scope, period)
left, right = st.columns(2)
with left:
    bars = compliance.reset_index()
    bars["label"] = bars["channel"].str.title() + " (" + bars["target"] + ")"
    st.altair_chart(charts.category_bars(bars, category="label", value="compliance",
                                         title="First replies within target", value_title="Within target",
                                         category_title="Channel (target)",
                                         value_format=".0%", domain=(0, 1), detail="replies"), width="stretch")
with right:
    st.altair_chart(charts.weekly_trend(by_channel.dropna(subset=["compliance"]), value="compliance",
                                        series="channel", title="Within target by week",
                                        value_title="Within target", value_format=".0%", period=period),
                    width="stretch")
st.caption("Targets come from the active rubric: " + ", ".join(
    f"{channel} {row.target}" for channel, row in compliance.iterrows()) + ".")

st.subheader("First-contact resolution")
st.altair_chart(charts.weekly_trend(by_channel, value="first_contact_resolution", series="channel",
                                    title="Resolved without passing the customer on, by week",
                                    value_title="Resolved first time", value_format=".0%", period=period),
                width="stretch")

st.subheader("CSAT against the rubric score")
csat = loaders.csat_against_score(scope, period)
if csat.empty:
    st.caption("No interaction in this period has a CSAT.")
else:
    st.altair_chart(charts.category_bars(csat, category="csat", value="overall", value_title="Mean overall score",
                                         category_title="CSAT (1-5)", title="Mean rubric score by CSAT given",
                                         domain=(0, 100), detail="interactions"), width="stretch")
    st.caption(f"{int(csat['interactions'].sum()):,} of {now.interactions:,} interactions have a CSAT. "
               "If the rubric measures what customers feel, the bars rise from left to right.")
