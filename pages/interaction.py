"""One interaction: the conversation with its evidence, the scorecard, timing, and the trainer's review."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from practice.scenarios import ScenarioError
from scoring.result import CRITERIA
from store import review
from store.permissions import scope_for
from store.queries import CRITERION_LABELS
from ui import data, loaders
from ui.auth import require_page
from ui.literal import literal
from ui.formatting import duration
from ui.registry import PAGES_BY_KEY
from ui.transcript import points, render_transcript

user = require_page("interaction")

scope = scope_for(user)
st.title("Interaction")

raw_id = st.query_params.get("id", "")
if not raw_id:
    st.info("Open an interaction from the review queue, an agent profile or a customer history.")
    st.stop()
detail = loaders.interaction_detail(scope, int(raw_id)) if raw_id.isdigit() else None
if detail is None:
    st.error("Interaction not found or not in your scope.")
    st.stop()

ALL, CRITICAL = "all", "critical"
NOTICE_KEY = "interaction_notice"


def may_open(page_key: str) -> bool:
    return user.role in PAGES_BY_KEY[page_key].roles


def label(criterion: str) -> str:
    return CRITERION_LABELS.get(criterion, criterion)


# -- header ---------------------------------------------------------------------------------------------

facts = [detail.external_id, detail.channel, detail.agent or "no agent", detail.team or "no team",
         f"customer {detail.customer_name or detail.customer_key or 'unknown'}"]
if detail.started_at is not None:
    facts.append(f"{detail.started_at:%d %b %Y %H:%M} UTC")
st.caption(" · ".join(literal(fact) for fact in facts))
links = st.columns(4)
if detail.employee_id is not None:
    links[0].page_link("pages/agent_profile.py", label=f"Profile of {literal(detail.agent)}", icon=":material/person:",
                       query_params={"agent": str(detail.employee_id)})
if detail.customer_id is not None and may_open("customer_history"):
    links[1].page_link("pages/customer_history.py", label="Customer history", icon=":material/history:",
                       query_params={"customer": str(detail.customer_id)})
if may_open("review_queue"):
    links[2].page_link("pages/review_queue.py", label="Back to the review queue", icon=":material/checklist:")

notice = st.session_state.pop(NOTICE_KEY, None)
if notice is not None:
    kind, message = notice
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](message)

if detail.reviewed:
    last = detail.reviews[0] if detail.reviews else None
    st.caption(f"Reviewed{f' by {literal(last.reviewer)} on {last.at:%d %b %Y}' if last else ''}.")
else:
    st.caption("Not yet reviewed.")

first_wait = detail.waits[0] if detail.waits else None
cols = st.columns([1, 1, 1.6, 1.4])
cols[0].metric("Overall", "—" if detail.overall is None else f"{detail.overall:.0f}",
               help=f"Automatic score under rubric {detail.rubric_version}, 0-100.")
cols[1].metric("Auto-fail", "Yes" if detail.auto_fail else "No", help="A critical behaviour fails the interaction.")
if detail.sentiment_start is None or detail.sentiment_end is None:
    cols[2].metric("Customer sentiment", "—")
else:
    cols[2].metric("Customer sentiment", f"{detail.sentiment_start:+.2f} → {detail.sentiment_end:+.2f}",
                   delta=f"{detail.sentiment_end - detail.sentiment_start:+.2f} from start to end",
                   help="From the customer's words: -1 angry, 0 neutral, +1 happy.")
if first_wait is None:
    cols[3].metric("First reply", "—", help="No timestamps, so response times cannot be measured.")
else:
    target = duration(first_wait.target_seconds)
    cols[3].metric("First reply", duration(first_wait.seconds), delta_arrow="off",
                   delta=f"on target ({target})" if first_wait.on_time else f"late (target {target})",
                   delta_color="normal" if first_wait.on_time else "inverse",
                   help=f"The {detail.channel} target comes from the active rubric.")
outcome = [f"CSAT {detail.csat}" if detail.csat is not None else "no CSAT",
           {True: "resolved", False: "not resolved", None: "resolution unknown"}[detail.resolved],
           {True: "passed on", False: "not passed on", None: ""}[detail.transferred]]
st.caption("Outcome: " + ", ".join(part for part in outcome if part))

# -- conversation and scorecard ---------------------------------------------------------------------------

left, right = st.columns([4, 3], gap="large")
with left:
    st.subheader("Conversation")
    options = [ALL, *CRITERIA, *([CRITICAL] if detail.critical else [])]
    picked = st.pills(
        "Highlight the evidence of", options, default=ALL, key="interaction_selected_criterion", wrap=True,
        format_func=lambda o: {ALL: "All", CRITICAL: "Critical"}.get(o, label(o)),
    ) or ALL
    if picked == ALL:
        evidence = [e for name in CRITERIA for e in detail.evidence[name]] + list(detail.critical)
    elif picked == CRITICAL:
        evidence = list(detail.critical)
    else:
        evidence = list(detail.evidence[picked])
    render_transcript(detail.turns, evidence, agent_label=detail.agent or "Agent",
                      customer_label=detail.customer_name or "Customer")

with right:
    st.subheader("Scorecard")
    overrides = detail.overrides
    scorecard = pd.DataFrame([{
        "Criterion": label(name),
        "Machine": "n/a" if detail.scores[name] is None else f"{detail.scores[name]:.0f}",
        "Human": "" if name not in overrides else (
            "n/a" if overrides[name].human_score is None else f"{overrides[name].human_score:.0f}"),
        "Gained": sum(e.effect for e in detail.evidence[name] if e.effect > 0),
        "Lost": sum(e.effect for e in detail.evidence[name] if e.effect < 0),
    } for name in CRITERIA])
    st.dataframe(scorecard, hide_index=True, width="stretch", placeholder="—", key="interaction_scorecard",
                 column_config={"Gained": st.column_config.NumberColumn(format="+%.0f"),
                                "Lost": st.column_config.NumberColumn(format="%.0f")})
    st.caption("n/a: not applicable to this interaction. Human: a trainer's override; the machine's score stays.")
    with st.expander("Evidence list"):
        st.dataframe(pd.DataFrame([{
            "Criterion": label(name), "Turn": e.turn + 1, "Points": points(e.effect), "Why": e.reason,
            "Words": detail.turns[e.turn].text[e.start:e.end] if e.turn < len(detail.turns) else "",
        } for name in CRITERIA for e in detail.evidence[name]], columns=["Criterion", "Turn", "Points", "Why",
                                                                         "Words"]),
            hide_index=True, width="stretch", placeholder="—", key="interaction_evidence")
    if detail.critical:
        st.warning("Critical behaviour — the interaction fails automatically:\n\n"
                 + "\n".join(f"- {e.reason} (turn {e.turn + 1})" for e in detail.critical), icon=":material/block:")
    st.subheader("Response times")
    if detail.waits:
        st.dataframe(pd.DataFrame([{
            "Reply": "first" if n == 0 else f"turn {wait.turn + 1}",
            "Customer waited": duration(wait.seconds),
            "Target": duration(wait.target_seconds),
            "On target": wait.on_time,
        } for n, wait in enumerate(detail.waits)]), hide_index=True, width="stretch", placeholder="—",
            key="interaction_waits")
    else:
        st.caption("No timestamps, so response times cannot be measured.")

# -- reviews ----------------------------------------------------------------------------------------------

st.subheader("Reviews")
if detail.reviews:
    st.dataframe(pd.DataFrame([{
        "When": entry.at, "Reviewer": entry.reviewer,
        "Criterion": "all (scores confirmed)" if entry.criterion == review.CONFIRMED else label(entry.criterion),
        "Machine": entry.automatic_score,
        "Human": entry.human_score,
        "Comment": entry.comment,
    } for entry in detail.reviews]), hide_index=True, width="stretch", placeholder="—", key="interaction_reviews",
        column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
                       "Machine": st.column_config.NumberColumn(format="%.0f"),
                       "Human": st.column_config.NumberColumn(format="%.0f",
                                                             help="Empty on an override: judged not applicable.")})
else:
    st.caption("No human review yet.")

if user.role not in review.REVIEWER_ROLES:
    st.stop()


def write(action, success: str, **kwargs) -> bool:
    """Run one store write in its own transaction, leave the outcome for this run to show, say if it saved."""
    try:
        with data.session() as db:
            action(db, by=user, **kwargs)
    except review.ReviewConflict:
        st.session_state[NOTICE_KEY] = ("warning", "Someone else reviewed this interaction first, so nothing was "
                                                   "saved. Below is the current state; review again if needed.")
        return False
    except (ValueError, review.NotFound, PermissionError) as exc:
        st.session_state[NOTICE_KEY] = ("error", f"Not saved: {literal(str(exc))}")
        return False
    finally:
        loaders.forget_reviews()
    st.session_state[NOTICE_KEY] = ("success", success)
    return True


# Form callbacks run before the next run, with the review version the form was rendered with.
def save_override(interaction_id: int, seen_version: int) -> None:
    state = st.session_state
    not_applicable, score = state["interaction_override_not_applicable"], state["interaction_override_score"]
    if not not_applicable and score is None:
        state[NOTICE_KEY] = ("error", "Not saved: score: enter 0-100, or tick “Not applicable”.")
        return
    criterion = state["interaction_override_criterion"]
    shown = "not applicable" if not_applicable else f"{score:.0f}"
    if write(review.override_criterion, f"Saved: {label(criterion)} is now {shown}; the machine's score is kept "
             "beside it.", interaction_id=interaction_id, seen_version=seen_version, criterion=criterion,
             human_score=None if not_applicable else score, comment=state["interaction_override_comment"]):
        state["interaction_override_comment"] = ""
        state["interaction_override_score"] = None
        state["interaction_override_not_applicable"] = False


def save_confirmation(interaction_id: int, seen_version: int) -> None:
    if write(review.confirm_review, "Marked reviewed: the machine's scores stand.", interaction_id=interaction_id,
             seen_version=seen_version, comment=st.session_state["interaction_confirm_comment"]):
        st.session_state["interaction_confirm_comment"] = ""


def save_note(employee_id: int, interaction_id: int) -> None:
    if write(review.add_coaching_note, "Coaching note saved; the agent sees it on their profile.",
             employee_id=employee_id, interaction_id=interaction_id, text=st.session_state["interaction_note_text"]):
        st.session_state["interaction_note_text"] = ""


def save_assignment(employee_id: int, interaction_id: int) -> None:
    scenario = st.session_state["interaction_assign_scenario"] or ""
    if write(review.assign_practice, f"Assigned the practice scenario “{literal(scenario)}”.", employee_id=employee_id,
             interaction_id=interaction_id, scenario_key=scenario, due_date=st.session_state["interaction_assign_due"]):
        loaders.forget_practice()


st.subheader("Your review")
override_tab, confirm_tab, note_tab, practice_tab = st.tabs(
    ["Override a criterion", "Mark reviewed", "Coaching note", "Assign practice"])
with override_tab:
    with st.form("interaction_override"):
        st.selectbox("Criterion", CRITERIA, format_func=label, key="interaction_override_criterion")
        score_col, na_col = st.columns([2, 1], vertical_alignment="bottom")
        score_col.number_input("Your score (0-100)", min_value=0.0, max_value=100.0, value=None, step=5.0,
                               key="interaction_override_score")
        na_col.checkbox("Not applicable", key="interaction_override_not_applicable")
        st.text_area("Why the machine is wrong (required)", key="interaction_override_comment")
        st.form_submit_button("Save override", type="primary", on_click=save_override,
                              args=(detail.id, detail.review_version))
with confirm_tab:
    with st.form("interaction_confirm"):
        st.text_input("Comment (optional)", key="interaction_confirm_comment")
        st.form_submit_button("Mark reviewed", on_click=save_confirmation, args=(detail.id, detail.review_version),
                              help="The machine's scores are right; record that you checked.")
if detail.employee_id is None:
    note_tab.caption("This interaction has no agent to coach.")
    practice_tab.caption("This interaction has no agent to coach.")
    st.stop()
with note_tab:
    with st.form("interaction_note"):
        st.text_area(f"Note for {literal(detail.agent)}", key="interaction_note_text",
                     placeholder="What went well, and one thing to do differently next time.")
        st.form_submit_button("Save note", on_click=save_note, args=(detail.employee_id, detail.id))
with practice_tab:
    try:
        scenarios = loaders.practice_scenarios()
    except ScenarioError as exc:  # one broken scenario must not take the rest of the review with it
        st.warning(f"Practice scenarios could not be loaded: {literal(str(exc))}")
        scenarios = {}
    with st.form("interaction_assign"):
        if scenarios:
            st.selectbox("Scenario", list(scenarios), key="interaction_assign_scenario",
                         format_func=lambda key: f"{scenarios[key].title} (practises "
                         f"{', '.join(label(c) for c in scenarios[key].practises) or 'everything'})")
        else:
            st.text_input("Scenario key", key="interaction_assign_scenario",
                          help="No practice scenarios are installed yet; type the key of the one to assign.")
        st.date_input("Due", value=date.today() + timedelta(days=7), min_value=date.today(),
                      key="interaction_assign_due")
        st.form_submit_button("Assign", on_click=save_assignment, args=(detail.employee_id, detail.id))
