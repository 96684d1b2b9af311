"""Practice: pick a scenario, handle a simulated customer in a chat, and get a debrief on the rubric.

Named role_play.py, not practice.py: a page run directly has pages/ on sys.path, where practice.py would
shadow the practice package.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from practice.certification import PASS_MARK, RULE, passes, progress
from practice.coaching import ADVICE, CRITERION_LABELS, model_examples, recommend, weak_criteria
from practice.engine import LEFT, OUTCOME_LABELS, RESOLVED, CustomerReply, RolePlay
from practice.scenarios import Scenario
from scoring.result import ScoreResult
from store import practice as practice_store
from store.permissions import scope_for
from store.rubrics import scorer_for
from ui import charts, data, loaders
from ui.auth import require_page
from ui.transcript import render_transcript

user = require_page("practice")

scope = scope_for(user)
# Users without an employee record (trainers, admins trying a scenario) practise as themselves.
trainee = (user.employee_id, None if user.employee_id is not None else user.id)
PLAY, STARTED, LAST, RESULT = "practice_play", "practice_started", "practice_last", "practice_result"
MOOD_ICONS = ((-0.5, ":material/sentiment_very_dissatisfied:"), (0.0, ":material/sentiment_dissatisfied:"),
              (0.5, ":material/sentiment_neutral:"), (2.0, ":material/sentiment_satisfied:"))
MOOD_WORDS = ((-0.5, "angry"), (0.0, "upset"), (0.5, "calmer"), (2.0, "pleased"))

st.title("Practice")
scenarios = loaders.practice_scenarios()


def band(mood: float, table: tuple[tuple[float, str], ...]) -> str:
    return next(value for limit, value in table if mood < limit)


def now() -> datetime:
    return datetime.now(timezone.utc)


def start(scenario: Scenario) -> None:
    st.session_state[PLAY] = RolePlay.start(scenario, secrets.randbelow(2**31),
                                            scorer=scorer_for(loaders.active_rubric_text()), at=now())
    st.session_state[STARTED] = now()
    for key in (LAST, RESULT):
        st.session_state.pop(key, None)


def finish(play: RolePlay) -> None:
    """Score the finished conversation and keep it in the trainee's history."""
    result = play.score()
    moods = iter(play.moods)
    turns = [{**turn, "mood": next(moods)} if turn["speaker"] == "customer" else turn
             for turn in play.transcript.to_dict()["turns"]]
    with data.session() as db:
        practice_store.save_session(db, by=user, scenario_key=play.scenario.key, seed=play.seed,
                                    started_at=st.session_state[STARTED], ended_at=now(), outcome=play.outcome,
                                    transcript=turns, result=result)
    loaders.forget_practice()
    st.session_state[RESULT] = result


def choose() -> None:
    """Show certification progress, the scenarios (recommended first) and the trainee's attempts."""
    history = loaders.practice_history(scope, *trainee)
    best = loaders.practice_best(scope, *trainee)
    core = [key for key, scenario in scenarios.items() if scenario.core]
    done = progress(core, zip(history["scenario"], history["overall"], history["auto_fail"]))
    st.progress(done.share, text=f"Certification: {len(done.passed)} of {len(core)} core scenarios passed"
                + (" — certified" if done.certified else ""))
    st.caption(RULE)

    assigned = (loaders.practice_open_assignments(scope, user.employee_id) if user.employee_id is not None
                else pd.DataFrame(columns=["scenario", "due", "assigned_by"]))
    due = {row.scenario: row.due for row in assigned.itertuples()}
    weakest = loaders.practice_weakest(scope, *trainee)
    passed = set(best.loc[best["passed"], "scenario"])
    order = recommend(scenarios, weakest=weakest[0] if weakest else None, passed=passed, assigned=due)

    def label(key: str) -> str:
        scenario = scenarios[key]
        tags = ["recommended"] if key == order[0] else []
        if key in due:
            tags.append(f"assigned, due {due[key]:%d %b}" if due[key] else "assigned")
        if key in passed:
            tags.append("passed")
        return scenario.title + (f"  ({', '.join(tags)})" if tags else "")

    key = st.selectbox("Scenario", order, format_func=label, key="practice_choice")
    scenario = scenarios[key]
    if key == order[0] and weakest:
        source = "your scored interactions" if weakest[1] == "work" else "your practice so far"
        st.caption(f"Recommended: it trains **{CRITERION_LABELS[weakest[0]]}**, your weakest criterion in {source}.")
    st.text(scenario.summary)
    timed = f" · reply within {scenario.reply_within_seconds} s" if scenario.timed else ""
    st.caption(f"{scenario.channel.title()} · {scenario.difficulty} · {scenario.persona.temperament} customer"
               f"{' · core for certification' if scenario.core else ''}{timed}")
    if st.button("Start practice", type="primary", icon=":material/play_arrow:"):
        start(scenario)
        st.rerun()

    st.subheader("Your attempts")
    if history.empty:
        st.caption("No attempts yet. Your finished conversations and their scores appear here.")
        return
    best = best.assign(title=[scenarios[k].title if k in scenarios else k for k in best["scenario"]])
    st.dataframe(best, hide_index=True, column_order=["title", "attempts", "best", "passed", "last_at"],
                 column_config={"title": "Scenario", "attempts": "Attempts",
                                "best": st.column_config.ProgressColumn("Best overall", min_value=0, max_value=100,
                                                                        format="%.0f"),
                                "passed": "Passed", "last_at": st.column_config.DatetimeColumn("Last attempt",
                                                                                               format="D MMM, HH:mm")})
    frame = history.assign(title=[scenarios[k].title if k in scenarios else k for k in history["scenario"]])
    st.altair_chart(charts.practice_attempts(frame, title="Overall score per attempt", pass_mark=PASS_MARK),
                    width="stretch")


def render_turns(play: RolePlay) -> None:
    moods = iter(play.moods)
    for turn in play.turns:
        if turn.speaker == "customer":
            with st.chat_message(play.scenario.persona.name, avatar=band(next(moods), MOOD_ICONS)):
                st.text(turn.text)
        else:
            with st.chat_message("You", avatar=":material/headset_mic:"):
                st.text(turn.text)


@st.fragment(run_every=1)
def countdown(deadline: datetime) -> None:
    left = (deadline - now()).total_seconds()
    if left > 0:
        st.metric("Reply within", f"{left:.0f} s")
    else:
        st.metric("Reply within", "Late", delta=f"{-left:.0f} s over", delta_color="inverse")


def converse(play: RolePlay) -> None:
    """Show the chat with the mood meter, a hint and the countdown; take the trainee's next message."""
    message = st.chat_input("Write to the customer…", key="practice_message")
    if message:
        st.session_state[LAST] = play.reply(message, at=now())
        if play.ended:
            finish(play)
            st.rerun()
    last: CustomerReply | None = st.session_state.get(LAST)
    scenario = play.scenario
    st.subheader(scenario.title)
    st.caption(f"{scenario.channel.title()} with {scenario.persona.name} · message "
               f"{play.trainee_turns + 1} of at most {scenario.max_turns}")
    mood_col, hint_col, time_col = st.columns([2, 2, 1])
    with mood_col:
        st.progress((play.mood + 1) / 2, text=f"Customer mood: {band(play.mood, MOOD_WORDS)}")
        if last is not None:
            st.caption("Your last message: " + " · ".join(f"{change.reason} {change.delta * 100:+.0f}"
                                                          for change in last.mood_change_reasons))
    with hint_col:
        if st.toggle("Show a hint", key="practice_hint"):
            st.info(play.hint(), icon=":material/lightbulb:")
    with time_col:
        if play.deadline is not None:
            countdown(play.deadline)
    render_turns(play)
    if st.button("End and debrief", icon=":material/stop_circle:"):
        play.end()
        finish(play)
        st.rerun()


def debrief(play: RolePlay, result: ScoreResult) -> None:
    """Show the scorecard, the evidence in the trainee's words, advice, the model and earlier attempts."""
    scenario = play.scenario
    st.subheader(f"Debrief: {scenario.title}")
    outcome = OUTCOME_LABELS[play.outcome]
    if play.outcome == RESOLVED:
        st.success(f"{outcome}: the customer is satisfied.", icon=":material/check_circle:")
    elif play.outcome == LEFT:
        st.error(f"{outcome}: they are taking their business elsewhere.", icon=":material/logout:")
    else:
        st.warning(f"{outcome}: the problem was not settled.", icon=":material/hourglass_bottom:")
    cols = st.columns(3)
    cols[0].metric("Overall", "—" if result.overall is None else f"{result.overall:.0f}",
                   help="The same weighted rubric score trainers see on real interactions.")
    cols[1].metric("Certification attempt", "Pass" if passes(result.overall, result.auto_fail) else "Not yet",
                   help=RULE)
    cols[2].metric("Customer's mood at the end", band(play.mood, MOOD_WORDS))
    if result.auto_fail:
        st.error("Critical behaviour: " + "; ".join(item.reason.removeprefix("auto-fail: ")
                                                    for item in result.critical) + ". The attempt scores 0.")
    rubric = play.scorer.rubric
    card = pd.DataFrame([{"criterion": CRITERION_LABELS[name], "score": c.score,
                          "what it asks": rubric.criteria[name].description}
                         for name, c in result.criteria.items() if c.applicable])
    st.dataframe(card, hide_index=True, column_config={
        "criterion": "Criterion",
        "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.0f"),
        "what it asks": st.column_config.TextColumn("What it asks", width="large")})

    st.markdown("**Your conversation, with the evidence marked**")
    evidence = [item for c in result.criteria.values() for item in c.evidence] + list(result.critical)
    render_transcript(play.transcript.turns, evidence, agent_label="You", customer_label=scenario.persona.name)

    weak = weak_criteria(result)
    if weak:
        st.markdown("**What to try next time**")
    for name in weak:
        advice, lines = ADVICE[name]
        with st.container(border=True):
            st.markdown(f"**{CRITERION_LABELS[name]}** · {result.criteria[name].score:.0f}. {advice}")
            for line in model_examples(scenario, play.scorer, name) or list(lines):
                st.text(f"“{line}”")

    with st.expander("The model conversation"):
        for speaker, text in scenario.model:
            with st.chat_message("You" if speaker == "agent" else scenario.persona.name,
                                 avatar=":material/headset_mic:" if speaker == "agent" else ":material/person:"):
                st.text(text)

    earlier = loaders.practice_history(scope, *trainee)
    earlier = earlier[earlier["scenario"] == scenario.key].assign(title=scenario.title)
    if len(earlier) > 1:
        st.markdown("**Against your earlier attempts**")
        st.altair_chart(charts.practice_attempts(earlier, title=scenario.title, pass_mark=PASS_MARK),
                        width="stretch")
        table = earlier.rename(columns=CRITERION_LABELS)
        st.dataframe(table, hide_index=True,
                     column_order=["attempt", "ended_at", "outcome", "overall", *CRITERION_LABELS.values()],
                     column_config={"attempt": "Attempt", "ended_at": st.column_config.DatetimeColumn(
                         "Finished", format="D MMM, HH:mm"), "outcome": "Outcome", "overall": "Overall"})
    else:
        st.caption("Your first attempt at this scenario: try it again to compare.")

    again, other = st.columns(2)
    if again.button("Start again", type="primary", icon=":material/replay:"):
        start(scenario)
        st.rerun()
    if other.button("Choose another scenario", icon=":material/list:"):
        for key in (PLAY, STARTED, LAST, RESULT):
            st.session_state.pop(key, None)
        st.rerun()


play: RolePlay | None = st.session_state.get(PLAY)
if play is None:
    choose()
elif play.ended and RESULT in st.session_state:
    debrief(play, st.session_state[RESULT])
else:
    converse(play)
