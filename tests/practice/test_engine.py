"""Scripted conversations through the simulated customer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from practice.engine import LEFT, RESOLVED, TURN_LIMIT, RolePlay
from practice.scenarios import load_scenarios

SCENARIOS = load_scenarios()
SKILLED = [
    "Hi Maria, I'm so sorry, that's our mistake. I can imagine how stressful this is with the party on Saturday.",
    "Could you give me the order number so I can find it?",
    "Thank you. I'm sending a replacement helmet by express courier today; it will arrive by Thursday at noon. "
    "I'll email you the tracking number within the hour, and I've added a 15% discount code for the trouble.",
]
RUDE = ["Calm down, it's just a helmet.", "It's your fault for ordering so late.", "Whatever.", "Obviously."]


def play(key: str, messages: list[str], seed: int = 7) -> tuple[RolePlay, list]:
    conversation = RolePlay.start(SCENARIOS[key], seed)
    replies = []
    for message in messages:
        if conversation.ended:
            break
        replies.append(conversation.reply(message))
    return conversation, replies


def test_a_skilled_conversation_resolves_with_a_high_score():
    conversation, replies = play("late_birthday_order", SKILLED)
    assert replies[-1].ended and replies[-1].outcome == RESOLVED
    assert replies[-1].mood > 0.5
    assert [r.mood for r in replies] == sorted(r.mood for r in replies)  # every message calmed her further
    score = conversation.score()
    assert not score.auto_fail and score.overall >= 85
    assert conversation.transcript.outcome.resolved is True


def test_a_rude_conversation_ends_with_the_customer_leaving():
    conversation, replies = play("late_birthday_order", RUDE)
    assert replies[-1].ended and replies[-1].outcome == LEFT
    assert len(replies) <= 3
    assert "sports shop in town" in replies[-1].text
    reasons = [c.reason for r in replies for c in r.mood_change_reasons]
    assert "dismissed the customer" in reasons and "blamed the customer" in reasons
    assert conversation.score().auto_fail


def test_a_fix_without_a_timeline_draws_a_when():
    _, replies = play("double_charge", ["I'm sorry, that's our error. I'll refund the second charge."])
    reply = replies[0]
    assert not reply.ended
    assert "when" in reply.text.lower() or "how long" in reply.text.lower()
    assert "offered the fix" in [c.reason for c in reply.mood_change_reasons]


def test_giving_the_timeline_after_the_when_resolves_it():
    _, replies = play("double_charge", ["I'm sorry, that's our error. I'll refund the second charge.",
                                        "It will be back in your account by Thursday, and I'll email you the confirmation."])
    assert replies[-1].outcome == RESOLVED


def test_clarifying_questions_reveal_the_hidden_facts_once():
    conversation, replies = play("late_birthday_order", ["Hi Maria, could you tell me the order number?",
                                                         "What's the order number again?"])
    assert replies[0].revealed == ("order_number",) and "RP-48213" in replies[0].text
    assert replies[1].revealed == ()
    assert "RP-48213" in replies[1].text  # "I told you that" with the number
    assert any("asked again" in c.reason for c in replies[1].mood_change_reasons)
    assert replies[1].mood < replies[0].mood
    assert conversation.revealed == ["order_number"]


def test_facts_stay_hidden_until_asked():
    _, replies = play("late_birthday_order", ["I'm so sorry about that, our mistake."])
    assert "RP-48213" not in replies[0].text and replies[0].revealed == ()


def test_the_same_seed_replays_the_same_conversation():
    first = [r.text for r in play("chair_wrong_address", SKILLED, seed=11)[1]]
    again = [r.text for r in play("chair_wrong_address", SKILLED, seed=11)[1]]
    assert first == again


def test_replies_vary_across_seeds():
    seen = {tuple(r.text for r in play("double_charge", ["What happened?", "I see.", "Okay."], seed=seed)[1])
            for seed in range(12)}
    assert len(seen) >= 6


def test_scripts_transfers_and_generic_apologies_anger_the_customer():
    _, replies = play("phone_loop_unmanned_chat", ["Thank you for your patience. Your call is important to us.",
                                                   "Let me transfer you to our technical team."])
    assert replies[0].mood_change < 0 and replies[1].mood_change < 0
    assert "sounded like a script" in [c.reason for c in replies[0].mood_change_reasons]
    assert "passed them on to someone else" in [c.reason for c in replies[1].mood_change_reasons]


def test_a_fitting_perk_delights_and_an_unneeded_one_barely_registers():
    fitting = play("late_birthday_order", ["I've added a 15% discount code for the trouble."])[1][0]
    unneeded = play("cancel_subscription", ["I've added a 15% discount code for the trouble."])[1][0]
    gain = {r.reason: r.delta for r in fitting.mood_change_reasons}["a perk for the trouble"]
    small = {r.reason: r.delta for r in unneeded.mood_change_reasons}["a perk they did not ask for"]
    assert gain > small > 0


def test_at_fault_resolution_waits_for_an_apology():
    _, replies = play("double_charge", ["I'll refund the duplicate charge, it will be back by Thursday."])
    assert not replies[0].ended
    assert "apolog" in replies[0].text.lower() or "sorry" in replies[0].text.lower()


def test_the_turn_limit_ends_an_unresolved_conversation():
    scenario = SCENARIOS["broken_vending_machine"]
    conversation = RolePlay.start(scenario, 3)
    messages = [f"Thanks for the message number {n}, that's good to know." for n in range(scenario.max_turns)]
    for message in messages:
        reply = conversation.reply(message)
        if reply.ended:
            break
    assert reply.ended and reply.outcome in (TURN_LIMIT, LEFT)
    with pytest.raises(RuntimeError):
        conversation.reply("hello?")


def test_a_late_reply_on_a_timed_scenario_costs_mood_and_the_transcript_is_timed():
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    conversation = RolePlay.start(SCENARIOS["angry_tweet"], 5, at=start)
    assert conversation.deadline == start + timedelta(seconds=90)
    reply = conversation.reply("Jordan, I'm really sorry about this.", at=start + timedelta(seconds=200))
    assert any("waiting" in c.reason for c in reply.mood_change_reasons)
    assert all(turn.at is not None for turn in conversation.transcript.turns)
    assert conversation.score().criteria["respond"].applicable


def test_hints_follow_what_the_conversation_lacks():
    conversation = RolePlay.start(SCENARIOS["late_birthday_order"], 1)
    assert "Apologize" in conversation.hint()
    conversation.reply("I'm so sorry, that's our mistake.")
    assert "order number" in conversation.hint()
    conversation.reply("Could you give me the order number?")
    assert "fix" in conversation.hint().lower()


def test_empty_messages_are_refused():
    conversation = RolePlay.start(SCENARIOS["late_birthday_order"], 1)
    with pytest.raises(ValueError, match="trainee_text"):
        conversation.reply("   ")


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_every_model_conversation_scores_well_and_resolves(key):
    """Each scenario's model conversation, played through the engine, satisfies its own customer."""
    scenario = SCENARIOS[key]
    conversation = RolePlay.start(scenario, 1)
    for speaker, text in scenario.model:
        if speaker == "agent" and not conversation.ended:
            conversation.reply(text)
    assert conversation.outcome == RESOLVED, [t.text for t in conversation.turns]
    assert conversation.score().overall >= 70
