"""Recommendations, debrief advice and the certification rule."""

from __future__ import annotations

from practice.certification import PASS_MARK, passes, progress
from practice.coaching import ADVICE, CRITERION_LABELS, model_examples, recommend, weak_criteria
from practice.engine import RolePlay, shipped_scorer
from practice.scenarios import load_scenarios
from scoring.result import CRITERIA

SCENARIOS = load_scenarios()


def test_every_criterion_has_a_label_and_advice_with_examples():
    assert set(ADVICE) == set(CRITERIA) == set(CRITERION_LABELS)
    assert all(advice and lines for advice, lines in ADVICE.values())


def test_the_recommendation_puts_assigned_then_the_weakest_criterion_first_and_passed_last():
    order = recommend(SCENARIOS, weakest="listen", passed={"chair_wrong_address"})
    first = SCENARIOS[order[0]]
    assert "listen" in first.practises and first.core
    assert order[-1] == "chair_wrong_address"
    assert recommend(SCENARIOS, weakest="listen", passed=(), assigned={"angry_tweet"})[0] == "angry_tweet"
    assert SCENARIOS[recommend(SCENARIOS, weakest=None, passed=())[0]].core


def test_model_examples_are_agent_sentences_that_earned_points():
    lines = model_examples(SCENARIOS["late_birthday_order"], shipped_scorer(), "overcommunicate")
    assert lines and all(line in " ".join(text for speaker, text in SCENARIOS["late_birthday_order"].model
                                          if speaker == "agent") for line in lines)


def test_weak_criteria_are_those_under_the_bar_weakest_first():
    conversation = RolePlay.start(SCENARIOS["double_charge"], 1)
    conversation.reply("Okay.")
    weak = weak_criteria(conversation.score())
    scores = [conversation.score().criteria[name].score for name in weak]
    assert weak and scores == sorted(scores)


def test_the_certification_rule():
    assert passes(PASS_MARK, False) and not passes(PASS_MARK - 0.1, False) and not passes(99, True)
    assert not passes(None, False)
    done = progress(["a", "b"], [("a", 85.0, False), ("b", 90.0, True), ("c", 100.0, False)])
    assert done.passed == ("a",) and done.remaining == ("b",) and done.share == 0.5 and not done.certified
    assert not progress([], []).certified
