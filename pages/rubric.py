"""Rubric: edit weights, targets, critical behaviours and cue phrases; preview, save, rescore, compare versions."""

import streamlit as st

from scoring.model import CHANNELS
from scoring.result import CRITERIA
from scoring.rubric import CUE_FAMILIES, RubricError
from store import rubric_editing
from store.permissions import scope_for
from store.queries import CRITERION_LABELS
from store.rubrics import active_rubric
from ui import charts, data, jobs, loaders
from ui.auth import require_page
from ui.registry import PAGES_BY_KEY

user = require_page("rubric")

scope = scope_for(user)
st.title("Rubric")

with data.session() as db:
    active = active_rubric(db)
    pending = rubric_editing.pending_version(db)
    versions = rubric_editing.versions(db)
st.caption(f"Active version **{active.version}** · {active.rubric.name}. Changes are saved as a new version, "
           "every interaction is rescored under it in the background, and it becomes active when that is done.")


@st.fragment(run_every=1.0)
def rescoring_progress(version_id: int) -> None:
    """Poll the database for the pending version's progress; rerun the page once it is active or stopped."""
    with data.session() as db:
        now = rubric_editing.pending_version(db)
    if now is None or now.id != version_id or not jobs.running(jobs.rescore_job_name(version_id)):
        st.cache_data.clear()
        st.rerun()
    st.progress(now.scored / max(now.total, 1),
                text=f"Rescoring every interaction under version {now.version}: {now.scored:,} of {now.total:,}. "
                     "It becomes active when all are scored.")


if pending is not None:
    job = jobs.rescore_job_name(pending.id)
    if jobs.running(job):
        rescoring_progress(pending.id)
    else:
        failed = jobs.failure(job)
        st.warning(f"Version {pending.version} is saved but not active yet: {pending.scored:,} of "
                   f"{pending.total:,} interactions are scored under it."
                   + (f" Rescoring stopped: {failed}" if failed else " Rescoring is not running."),
                   icon=":material/pending:")
        if st.button("Resume rescoring", icon=":material/play_arrow:", key="rubric_resume"):
            jobs.rescore_in_background(pending.id, user)
            st.rerun()

edit_tab, versions_tab = st.tabs(["Edit", "Versions"])

with edit_tab:
    rubric = active.rubric
    key = f"rubric_{active.id}"  # a new active version starts a fresh form
    with st.form(f"{key}_form"):
        version = st.text_input("Version", value=rubric_editing.suggest_version(active.version, versions["version"]),
                                key=f"{key}_version", help="A new, unused version name.")
        st.subheader("Weights")
        st.caption("Each criterion's share in the overall score (a weighted mean of the applicable criteria).")
        columns = st.columns(len(CRITERIA))
        weights = {name: columns[i].number_input(f"Weight of {CRITERION_LABELS[name]}", min_value=0.0, step=0.25,
                                                 value=float(rubric.criteria[name].weight), key=f"{key}_weight_{name}")
                   for i, name in enumerate(CRITERIA)}
        st.subheader("Response-time targets")
        st.caption("Seconds before a reply counts as late, per channel.")
        columns = st.columns(len(CHANNELS))
        targets = {channel: columns[i].number_input(f"Response target for {channel}", min_value=0.0, step=60.0,
                                                    value=float(rubric.response_targets[channel]),
                                                    key=f"{key}_target_{channel}")
                   for i, channel in enumerate(CHANNELS)}
        st.subheader("Critical behaviours")
        st.caption("Any of these phrases in an agent's turn fails the interaction outright. One phrase per line.")
        columns = st.columns(len(rubric_editing.CRITICAL_FAMILIES))
        phrases = {family: columns[i].text_area(f"Cue phrases '{family}'", value="\n".join(rubric.cues[family]),
                                                height=200, key=f"{key}_cues_{family}",
                                                help=CUE_FAMILIES[family][1])
                   for i, family in enumerate(rubric_editing.CRITICAL_FAMILIES)}
        st.subheader("Cue phrases")
        st.caption("One phrase per line: case-insensitive whole words; * stands for any one word and ... for up to "
                   "three words.")
        families = [family for family in CUE_FAMILIES if family not in rubric_editing.CRITICAL_FAMILIES]
        with st.expander(f"All {len(families)} cue families"):
            columns = st.columns(3)
            for i, family in enumerate(families):
                speaker, meaning = CUE_FAMILIES[family]
                phrases[family] = columns[i % 3].text_area(
                    f"Cue phrases '{family}'", value="\n".join(rubric.cues[family]), height=150,
                    key=f"{key}_cues_{family}", help=f"Matched in {speaker} turns: {meaning}.")
        left, right = st.columns(2)
        preview_clicked = left.form_submit_button("Preview the effect", icon=":material/preview:")
        save_clicked = right.form_submit_button("Save as new version and rescore", type="primary",
                                                icon=":material/save:", disabled=pending is not None)

    preview_key = f"{key}_preview"
    if preview_clicked or save_clicked:
        st.session_state.pop(preview_key, None)
        try:
            edited = rubric_editing.edited_rubric(rubric, version=version, weights=weights, response_targets=targets,
                                                  phrases=phrases)
        except RubricError as error:
            st.error(rubric_editing.describe_error(error) + " Nothing was saved.", icon=":material/error:")
            st.stop()
        changes = rubric_editing.rubric_changes(rubric, edited)
        if not changes:
            st.info("Nothing changed yet: edit a weight, target or phrase first.")
            st.stop()
        if save_clicked:
            try:
                with data.session() as db:
                    saved = rubric_editing.save_version(db, rubric=edited, by=user)
            except RubricError as error:
                st.error(rubric_editing.describe_error(error) + " Nothing was saved.", icon=":material/error:")
                st.stop()
            except ValueError as error:
                st.error(str(error), icon=":material/error:")
                st.stop()
            jobs.rescore_in_background(saved.id, user)
            st.rerun()
        with st.spinner("Scoring a sample with both versions…"), data.session() as db:
            st.session_state[preview_key] = (changes, rubric_editing.preview_rubric(db, scope=scope, edited=edited))

    if preview_key in st.session_state:
        changes, preview = st.session_state[preview_key]
        st.markdown("**Changes**")
        st.text("\n".join(changes))
        if preview.sample == 0:
            st.info("No scored interactions in your scope to preview on.")
            st.stop()
        st.caption(f"The same {preview.sample} interactions in your scope, drawn at random, scored with the active "
                   f"version {rubric.version} and with the edit. Means over the interactions where a criterion "
                   "applies.")
        by_criterion = preview.by_criterion.assign(
            criterion=preview.by_criterion["criterion"].map({"overall": "Overall", **CRITERION_LABELS}))
        left, right = st.columns(2)
        left.dataframe(by_criterion, hide_index=True, width="stretch", column_config={
            "criterion": "Criterion", "before": st.column_config.NumberColumn(rubric.version, format="%.1f"),
            "after": st.column_config.NumberColumn("Edited", format="%.1f"),
            "change": st.column_config.NumberColumn("Change", format="%+.1f")})
        linked = "interaction" in PAGES_BY_KEY
        right.markdown("**Largest moves in overall score**" + (" · click a row to open it" if linked else ""))
        event = right.dataframe(
            preview.moves, key=f"{key}_moves", on_select="rerun" if linked else "ignore", selection_mode="single-row",
            hide_index=True, width="stretch", column_order=["interaction", "before", "after", "change"],
            column_config={"interaction": "Interaction",
                           "before": st.column_config.NumberColumn("Before", format="%.1f"),
                           "after": st.column_config.NumberColumn("After", format="%.1f"),
                           "change": st.column_config.NumberColumn("Change", format="%+.1f")})
        if linked and event.selection.rows:
            st.switch_page(PAGES_BY_KEY["interaction"].path,
                           query_params={"id": str(int(preview.moves.iloc[event.selection.rows[0]]["id"]))})

with versions_tab:
    st.dataframe(versions.fillna({"created_by": "—"}), hide_index=True, width="stretch",
                 column_order=["version", "active", "created_at", "created_by", "scored"],
                 column_config={"version": "Version", "active": st.column_config.CheckboxColumn("Active"),
                                "created_at": st.column_config.DatetimeColumn("Saved (UTC)",
                                                                              format="D MMM YYYY, HH:mm"),
                                "created_by": "Saved by",
                                "scored": st.column_config.NumberColumn("Interactions scored", format="%d")})
    trend = loaders.weekly_overall_by_version(scope)
    if trend["version"].nunique() < 2:
        st.caption("Once a second version has scores, its weekly trend appears here beside the first.")
    span = loaders.data_range(scope)
    if span is not None:
        st.altair_chart(charts.weekly_trend(trend, value="overall", series="version", period=span,
                                            title="Weekly mean overall score under each rubric version"),
                        width="stretch")
