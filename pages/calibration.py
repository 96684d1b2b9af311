"""Calibration: how trainers' judgements agree with the machine's, and blind rounds among trainers."""

import pandas as pd
import streamlit as st

from scoring.agreement import BAND_LABELS
from scoring.result import CRITERIA
from store import calibration
from store.permissions import scope_for
from store.queries import CRITERION_LABELS
from ui import data, loaders
from ui.auth import require_page
from ui.registry import PAGES_BY_KEY
from ui.transcript import render_transcript

user = require_page("calibration")

scope = scope_for(user)
st.title("Calibration")

ROUND_KEY, GOTO_KEY, NOTICE_KEY = "calibration_round", "calibration_goto", "calibration_notice"
LINKED = "interaction" in PAGES_BY_KEY
AGREEMENT_HELP = (f"Kappa is quadratic-weighted Cohen's kappa on five bands of the 0-100 score "
                  f"({', '.join(BAND_LABELS)}): 1 is perfect agreement, 0 is what chance would give, below 0 worse "
                  "than chance. Same band is the share of pairs in the same band.")
KAPPA = st.column_config.NumberColumn("Kappa", format="%.2f")
SAME_BAND = st.column_config.NumberColumn("Same band", format="%.0f%%")


def labelled(frame: pd.DataFrame, column: str = "criterion") -> pd.DataFrame:
    return frame.assign(**{column: frame[column].map(CRITERION_LABELS)})


def for_display(frame: pd.DataFrame, *, shares: tuple[str, ...] = (), points: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return shares (0-1) as percentages, and point differences rounded to 0.1 without a "-0.0"."""
    return frame.assign(**{column: frame[column] * 100 for column in shares},
                        **{column: frame[column].round(1) + 0.0 for column in points})


def open_interaction_on_select(frame: pd.DataFrame, event) -> None:
    if LINKED and event.selection.rows:
        st.switch_page(PAGES_BY_KEY["interaction"].path,
                       query_params={"id": str(int(frame.iloc[event.selection.rows[0]]["id"]))})


machine_tab, rounds_tab = st.tabs(["Machine vs trainers", "Blind rounds"])

with machine_tab:
    agreement = loaders.machine_agreement(scope)
    st.caption("For each interaction and criterion a trainer reviewed: the latest override against the machine's "
               "score, and a confirmation as agreement on every criterion it did not override. " + AGREEMENT_HELP)
    if agreement["pairs"].sum() == 0:
        st.info("No reviews in your scope yet. Overrides and confirmations from the review queue are compared here.")
    else:
        shown = for_display(labelled(agreement), shares=("exact",), points=("mean_difference",))
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            "criterion": "Criterion", "pairs": st.column_config.NumberColumn("Reviewed", format="%d"),
            "kappa": KAPPA,
            "exact": SAME_BAND,
            "mean_difference": st.column_config.NumberColumn("Trainer − machine", format="%+.1f",
                                                             help="Mean points the trainers gave above the machine")})
        disagreements = loaders.largest_disagreements(scope)
        if not disagreements.empty:
            st.subheader("Largest disagreements")
            st.caption("The latest overrides furthest from the machine's score." +
                       (" Click a row to open the interaction." if LINKED else ""))
            event = st.dataframe(
                labelled(disagreements), key="calibration_disagreements", hide_index=True, width="stretch",
                on_select="rerun" if LINKED else "ignore", selection_mode="single-row",
                column_order=["interaction", "agent", "criterion", "machine", "trainer", "difference", "reviewer",
                              "reviewed_at"],
                column_config={"interaction": "Interaction", "agent": "Agent", "criterion": "Criterion",
                               "machine": st.column_config.NumberColumn("Machine", format="%.0f"),
                               "trainer": st.column_config.NumberColumn("Trainer", format="%.0f"),
                               "difference": st.column_config.NumberColumn("Difference", format="%+.0f"),
                               "reviewer": "Reviewer",
                               "reviewed_at": st.column_config.DatetimeColumn("Reviewed (UTC)",
                                                                              format="D MMM YYYY, HH:mm")})
            open_interaction_on_select(disagreements, event)

with rounds_tab:
    st.caption("Trainers score the same interactions without seeing each other's scores or the machine's, then "
               "compare. " + AGREEMENT_HELP)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    with st.expander("New round", icon=":material/add:"):
        with st.form("calibration_new_round", clear_on_submit=True):
            name = st.text_input("Name", placeholder="e.g. March empathy check", key="calibration_new_name")
            size = st.number_input("Interactions", min_value=calibration.MIN_ROUND_SIZE,
                                   max_value=calibration.MAX_ROUND_SIZE, value=10, key="calibration_new_size",
                                   help="Drawn at random from your scope; the same name draws the same sample.")
            if st.form_submit_button("Create round", type="primary"):
                try:
                    with data.session() as db:
                        created = calibration.create_round(db, name=name, size=int(size), by=user)
                except ValueError as error:
                    st.error(str(error))
                else:
                    st.session_state[ROUND_KEY] = created.id
                    st.session_state[NOTICE_KEY] = f"Round {created.name!r} created with {created.items} interactions."
                    st.rerun()

    with data.session() as db:
        rounds = calibration.list_rounds(db, scope=scope)
    if not rounds:
        st.info("No calibration rounds yet. Create one above and ask the other trainers to rate it.")
        st.stop()
    by_id = {r.id: r for r in rounds}
    if st.session_state.get(ROUND_KEY) not in by_id:
        st.session_state[ROUND_KEY] = rounds[0].id
    round_id = st.selectbox(
        "Round", list(by_id), key=ROUND_KEY,
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].items} interactions · "
                              f"{'open' if by_id[i].is_open else 'closed'} · by {by_id[i].created_by}")
    with data.session() as db:
        view = calibration.rater_view(db, round_id=round_id, rater=user)
    done = sum(item.rated for item in view.items)
    finished = ", ".join(view.round.finished_raters) or "nobody yet"
    st.caption(f"{'Open' if view.round.is_open else 'Closed'} · you rated {done} of {len(view.items)} · "
               f"finished: {finished}")

    if view.round.is_open and not view.finished:
        item_key = f"calibration_item_{round_id}"
        if GOTO_KEY in st.session_state:
            st.session_state[item_key] = st.session_state.pop(GOTO_KEY)
        items = {item.interaction_id: (n, item) for n, item in enumerate(view.items, start=1)}
        if st.session_state.get(item_key) not in items:
            st.session_state[item_key] = next(item.interaction_id for item in view.items if not item.rated)
        chosen = st.selectbox("Interaction to rate", list(items), key=item_key,
                              format_func=lambda i: f"{items[i][0]} of {len(items)} · {items[i][1].channel}"
                                                    + (" · rated" if items[i][1].rated else ""))
        item = items[chosen][1]
        with data.session() as db:
            turns = calibration.item_turns(db, round_id=round_id, interaction_id=chosen, rater=user)
        left, right = st.columns([3, 2])
        with left:
            render_transcript(turns, [])
        with right, st.form(f"calibration_rate_{round_id}_{chosen}"):
            st.markdown("**Your scores** (0-100)")
            ratings: dict[str, float | None] = {}
            for criterion in CRITERIA:
                label = CRITERION_LABELS[criterion]
                mine = item.my_ratings.get(criterion)
                score_column, na_column = st.columns([3, 2], vertical_alignment="bottom")
                score = score_column.number_input(label, min_value=0.0, max_value=100.0, step=5.0, value=mine,
                                                  placeholder="0-100", key=f"{item_key}_{chosen}_{criterion}")
                not_applicable = na_column.checkbox("Not applicable", key=f"{item_key}_{chosen}_{criterion}_na",
                                                    value=criterion in item.my_ratings and mine is None)
                if not_applicable:
                    ratings[criterion] = None
                elif score is not None:
                    ratings[criterion] = score
            if st.form_submit_button("Save my scores", type="primary"):
                try:
                    with data.session() as db:
                        calibration.save_ratings(db, round_id=round_id, interaction_id=chosen, ratings=ratings,
                                                 by=user)
                except ValueError as error:
                    criterion, _, reason = str(error).partition(": ")
                    st.error(f"{CRITERION_LABELS.get(criterion, criterion)}: {reason}")
                else:
                    unrated = [i.interaction_id for i in view.items if not i.rated and i.interaction_id != chosen]
                    if unrated:
                        st.session_state[GOTO_KEY] = unrated[0]
                    st.session_state[NOTICE_KEY] = "Scores saved."
                    st.rerun()
    elif view.round.is_open:
        st.success("You have rated every interaction in this round.", icon=":material/task_alt:")

    if view.can_close and st.button("Close the round", key=f"calibration_close_{round_id}",
                                    help="Ratings become final, and every trainer who can see the round sees the "
                                         "results."):
        with data.session() as db:
            calibration.close_round(db, round_id=round_id, by=user)
        st.session_state[NOTICE_KEY] = f"Round {view.round.name!r} closed."
        st.rerun()

    if not view.results_visible:
        st.info("Results appear when the round is closed, or once you and at least one other trainer have rated "
                "every interaction.", icon=":material/visibility_off:")
        st.stop()
    with data.session() as db:
        results = calibration.round_results(db, round_id=round_id, viewer=user)
    st.subheader("Results")
    if len(results.raters) < 2:
        st.info("Fewer than two trainers rated this round, so there is nothing to compare between trainers.")
    st.dataframe(for_display(labelled(results.by_criterion), shares=("raters_exact", "machine_exact"),
                             points=("machine_mean_difference",)), hide_index=True, width="stretch", column_config={
        "criterion": "Criterion",
        "raters_kappa": st.column_config.NumberColumn("Kappa between trainers", format="%.2f",
                                                      help="Mean over every pair of trainers"),
        "raters_exact": st.column_config.NumberColumn("Same band (trainers)", format="%.0f%%"),
        "alpha": st.column_config.NumberColumn("Krippendorff's alpha", format="%.2f",
                                               help="All trainers at once, on the bands (interval metric)"),
        "machine_kappa": st.column_config.NumberColumn("Kappa with machine", format="%.2f",
                                                       help="Mean over trainers"),
        "machine_exact": st.column_config.NumberColumn("Same band (machine)", format="%.0f%%"),
        "machine_mean_difference": st.column_config.NumberColumn("Trainer − machine", format="%+.1f")})
    left, right = st.columns(2)
    left.markdown("**Each pair of trainers** · all criteria")
    left.dataframe(for_display(results.rater_pairs, shares=("exact",)), hide_index=True, width="stretch",
                   column_config={"rater_a": "Trainer", "rater_b": "Trainer", "pairs": "Scores compared",
                                  "kappa": KAPPA, "exact": SAME_BAND})
    right.markdown("**Each trainer against the machine** · all criteria")
    right.dataframe(for_display(results.vs_machine, shares=("exact",), points=("mean_difference",)),
                    hide_index=True, width="stretch",
                    column_config={"rater": "Trainer", "pairs": "Scores compared", "kappa": KAPPA, "exact": SAME_BAND,
                                   "mean_difference": st.column_config.NumberColumn("Trainer − machine",
                                                                                    format="%+.1f")})
    spread = results.spread[results.spread["bands_apart"] > 0]
    if not spread.empty:
        st.markdown("**Where the trainers disagree most**" + (" · click a row to open it" if LINKED else ""))
        event = st.dataframe(
            labelled(spread), key=f"calibration_spread_{round_id}", hide_index=True, width="stretch",
            on_select="rerun" if LINKED else "ignore", selection_mode="single-row",
            column_order=["interaction", "criterion", "lowest", "highest", "machine", "bands_apart"],
            column_config={"interaction": "Interaction", "criterion": "Criterion",
                           "lowest": st.column_config.NumberColumn("Lowest", format="%.0f"),
                           "highest": st.column_config.NumberColumn("Highest", format="%.0f"),
                           "machine": st.column_config.NumberColumn("Machine", format="%.0f"),
                           "bands_apart": st.column_config.NumberColumn("Bands apart", format="%d")})
        open_interaction_on_select(spread.reset_index(drop=True), event)
