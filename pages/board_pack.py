"""Board pack: the executive view on one printable page, and the same as an Excel workbook."""

import pandas as pd
import streamlit as st

from scoring.model import CHANNELS
from store.board_pack import file_name
from store.leaderboard import method_sentence
from store.permissions import scope_for
from ui import charts, loaders
from ui.auth import require_page
from ui.controls import pick_period, recent
from ui.formatting import metric_delta, share
from ui.executive import XLSX, board_pack_export, print_styles

user = require_page("board_pack")

scope = scope_for(user)
st.title("Board pack")

available = loaders.data_range(scope)
if available is None:
    st.info("No scored interactions yet.")
    st.stop()

with st.container(key="board_pack_controls"):
    print_layout = st.toggle("Print layout", key="board_pack_print",
                             help="Hide the controls and the sidebar and lay the page out for paper, "
                                  "then print from the browser.")
    # The period survives the picker being hidden in the print layout.
    chosen = st.session_state.get("board_pack_chosen") or recent(available, 180)
    period = chosen if print_layout else pick_period("board_pack_period", available, default=chosen)
    st.session_state["board_pack_chosen"] = period
    pack = loaders.board_pack(scope, period)
    st.download_button("Download the board pack (Excel)", data=board_pack_export(pack, user),
                       file_name=file_name(pack), mime=XLSX, on_click="ignore", icon=":material/download:")
print_styles(print_layout=print_layout)

previous = period.previous()
st.caption(f"{period.start:%d %b %Y} – {period.end:%d %b %Y}, compared with {previous.start:%d %b %Y} – "
           f"{previous.end:%d %b %Y}. Generated {pack.generated_at:%d %b %Y %H:%M} UTC.")


cols = st.columns(4)
cols[0].metric("Interactions", f"{pack.now.interactions:,}")
cols[1].metric("Average quality", "—" if pack.now.average_overall is None else f"{pack.now.average_overall:.1f}",
               delta=metric_delta(pack.now.average_overall, pack.before.average_overall))
cols[2].metric("First-contact resolution", share(pack.now.first_contact_resolution),
               delta=metric_delta(pack.now.first_contact_resolution, pack.before.first_contact_resolution, 100))
cols[3].metric("CSAT", "—" if pack.now.csat is None else f"{pack.now.csat:.2f}",
               delta=metric_delta(pack.now.csat, pack.before.csat))

st.subheader("Customer advocates")
board = pack.leaderboard
st.table(board.ranked[["rank", "rank_change", "agent", "team", "interactions", "shrunk", "badges"]]
         .rename(columns={"rank": "Rank", "rank_change": "Change", "agent": "Agent", "team": "Team",
                          "interactions": "Interactions", "shrunk": "Score", "badges": "Badges"})
         .style.format({"Change": "{:+d}", "Score": "{:.1f}"}, na_rep=""), hide_index=True)
st.caption(method_sentence(board))
if not board.most_improved.empty:
    st.markdown("**Most improved** (score against the previous period)")
    st.table(board.most_improved[["agent", "team", "shrunk_before", "shrunk", "change"]]
             .rename(columns={"agent": "Agent", "team": "Team", "shrunk_before": "Before", "shrunk": "Now",
                              "change": "Change"})
             .style.format({"Before": "{:.1f}", "Now": "{:.1f}", "Change": "{:+.1f}"}), hide_index=True)

st.subheader("Trends")
st.altair_chart(charts.weekly_trend(pack.weekly.assign(measure="Average quality"), value="overall", series="measure",
                                    title="Average quality by week", period=pack.period), width="stretch")
shares = pack.weekly.rename(columns={"first_contact_resolution": "First-contact resolution",
                                     **{f"compliance_{c}": f"{c.title()} within target" for c in CHANNELS}})
shares = shares.melt(id_vars="week", value_vars=[c for c in shares.columns if c.endswith(("resolution", "target"))],
                     var_name="measure", value_name="share").dropna(subset=["share"])
st.altair_chart(charts.weekly_trend(shares, value="share", series="measure", title="Resolution and response times",
                                    value_title="Share", value_format=".0%", period=pack.period), width="stretch")

st.subheader("Response times against target")
st.table(pack.compliance[["channel", "target", "replies", "within_target", "compliance"]]
         .rename(columns={"channel": "Channel", "target": "Target", "replies": "Timed replies",
                          "within_target": "Within target", "compliance": "Share within target"})
         .style.format({"Timed replies": "{:,}", "Within target": "{:,}", "Share within target": "{:.0%}"},
                       na_rep="—"), hide_index=True)

st.subheader("Teams")
st.table(pack.teams[["team", "interactions", "overall", "first_contact_resolution", "compliance", "csat"]]
         .rename(columns={"team": "Team", "interactions": "Interactions", "overall": "Average quality",
                          "first_contact_resolution": "First-contact resolution", "compliance": "Within target",
                          "csat": "CSAT"})
         .style.format({"Interactions": "{:,}", "Average quality": "{:.1f}", "First-contact resolution": "{:.0%}",
                        "Within target": "{:.0%}", "CSAT": "{:.2f}"}, na_rep="—"), hide_index=True)

st.subheader("Business impact")
st.table(pd.DataFrame([(f.title, f"{f.value:,.0f} {f.unit}", f.formula) for f in pack.impact],
                      columns=["Estimate", "Value", "How it is calculated"]), hide_index=True)
st.caption("Estimates from published survey figures; the assumptions are on the Business impact page.")
