"""The scorer: each criterion (positive, negative, negation, not applicable), auto-fail, overall, evidence."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from scoring.result import CRITERIA
from scoring.scorer import Scorer, score_interaction

PROBLEM = ("customer", "My order #48213 arrived damaged and I'm really upset.")
EXCELLENT_REPLY = (
    "Hi Ana, I'm so sorry - that's our mistake and I completely understand how annoying that is. "
    "It happened because it was packed badly. I've sent a replacement for order 48213 and added a 15% "
    "discount code for the trouble. You'll receive it by Friday, and I'll email you the tracking number "
    "tomorrow. Anything else I can help with?")
EXPLAINING_REPLY = (
    "This happened because the courier dropped it. Next, I will send a new one - you will receive it by "
    "Friday, and I'll email you the tracking number tomorrow. Anything else I can help with?")


def spans_are_exact(result, interaction):
    for evidence in [*result.critical, *(e for c in result.criteria.values() for e in c.evidence)]:
        text = interaction.turns[evidence.turn].text
        assert 0 <= evidence.start <= evidence.end <= len(text)
        assert evidence.start < evidence.end or (evidence.start, evidence.end) == (0, 0)


# -- listen -----------------------------------------------------------------------------------

def test_listen_credits_questions_reflection_and_checking(score, cues):
    result = score(("customer", "My order 48213 never arrived."),
                   ("agent", "Just to confirm, is that order 48213? Could you tell me the postcode?"))
    assert set(cues(result, "listen")) == {"active_listening", "reflection", "question"}
    assert result.criteria["listen"].score == 100


def test_listen_penalizes_asking_again_for_a_given_fact(score, cues):
    result = score(("customer", "My order number is 48213 and it never arrived."),
                   ("agent", "What is your order number?"))
    assert cues(result, "listen") == ["re_ask"]
    assert result.criteria["listen"].score < 55
    assert "order" in result.criteria["listen"].evidence[0].reason


def test_listen_question_without_given_fact_is_not_a_re_ask(score, cues):
    result = score(("customer", "My order never arrived."), ("agent", "What is your order number?"))
    assert cues(result, "listen") == ["question"]


def test_listen_reflection_is_not_credited_inside_quotes(score, cues):
    result = score(("customer", "Order 48213 never arrived."), ("agent", 'You wrote "order 48213", noted.'))
    assert "reflection" not in cues(result, "listen")


def test_listen_talk_over_on_timed_phone_calls(score, cues):
    long_turn = "I have waited for my engineer since nine this morning and nobody has called me back at all"
    talked_over = score(("customer", long_turn, 0), ("agent", "Right, let me check.", 2), channel="phone")
    patient = score(("customer", long_turn, 0), ("agent", "Right, let me check.", 9), channel="phone")
    assert "talk_over" in cues(talked_over, "listen") and "talk_over" not in cues(patient, "listen")
    as_chat = score(("customer", long_turn, 0), ("agent", "Right, let me check.", 2), channel="chat")
    assert "talk_over" not in cues(as_chat, "listen")


def test_listen_not_applicable_without_customer_turns(score):
    result = score(("agent", "Hi! Your order has shipped."))
    assert result.criteria["listen"].applicable is False and result.criteria["listen"].score is None


# -- empathize ---------------------------------------------------------------------------------

def test_empathize_credits_feelings_name_and_courtesy(score, cues):
    reply = "Hi Maria, I understand how frustrating this is. Thank you for your patience."
    result = score(PROBLEM, ("agent", reply), customer_name="Maria Lopez")
    found = cues(result, "empathize")
    assert {"empathy", "customer_name", "courtesy_greeting", "courtesy_gratitude"} <= set(found)
    assert result.criteria["empathize"].score >= 80
    assert result.signals.customer_name_used


def test_empathize_penalizes_condescension_and_arguing(score, cues):
    result = score(PROBLEM, ("agent", "As I already told you, that's not true. Obviously it was fine."))
    assert cues(result, "empathize").count("condescension") == 1  # once per turn
    assert result.criteria["empathize"].score <= 15


def test_empathize_negated_feeling_is_not_credited(score, cues):
    result = score(PROBLEM, ("agent", "I don't understand how this could be frustrating."))
    assert "empathy" not in cues(result, "empathize")


def test_empathize_name_must_be_used_as_a_name(score):
    result = score(PROBLEM, ("agent", "We will check it."), customer_name="Will")
    assert not result.signals.customer_name_used


def test_empathize_not_applicable_without_agent_turns(score):
    result = score(("customer", "Hello?"))
    assert all(not c.applicable for c in result.criteria.values())
    assert result.overall is None


# -- apologize ---------------------------------------------------------------------------------

def apology_score(score, text):
    return score(PROBLEM, ("agent", text)).criteria["apologize"].score


def test_apologize_ranks_owned_over_plain_over_generic_over_deflecting_and_conditional(score):
    owned = apology_score(score, "I'm so sorry, that's our mistake - we shipped it badly packed.")
    plain = apology_score(score, "I'm sorry the parcel arrived damaged.")
    generic = apology_score(score, "We apologize for any inconvenience.")
    deflecting = apology_score(score, "Sorry, but that's our policy.")
    conditional = apology_score(score, "I'm sorry if you feel that way.")
    none = apology_score(score, "Let me look into it.")
    assert owned >= 90 and owned > plain > generic > none > deflecting
    assert conditional < none and deflecting < 20 and conditional < 20


def test_apologize_owned_apology_examples(score, cues):
    result = score(PROBLEM, ("agent", "I apologize, we shipped it to the wrong address. We let you down. "
                                      "I've sent a replacement."))
    assert {"apology", "ownership", "apology_repair"} <= set(cues(result, "apologize"))
    assert result.criteria["apologize"].score >= 90


def test_apologize_refusal_and_denial(score, cues):
    assert cues(score(PROBLEM, ("agent", "I'm not sorry.")), "apologize") == ["apology_refused"]
    denied = score(PROBLEM, ("agent", "It's not our fault, the courier did it."))
    assert cues(denied, "apologize") == ["deflection"] and denied.criteria["apologize"].score == 10


def test_apologize_customer_sorry_and_quoted_sorry_earn_nothing(score):
    result = score(("customer", "Sorry to bother you, but my order never arrived."),
                   ("agent", 'You said "sorry to bother you" - no need! Let me check.'))
    assert result.criteria["apologize"].evidence == ()
    assert not result.signals.apology


def test_apologize_not_applicable_without_a_problem(score):
    result = score(("customer", "Hi, when do you open on Sunday?"), ("agent", "Sorry, we open at 10."))
    assert result.criteria["apologize"].applicable is False


# -- fix --------------------------------------------------------------------------------------

def test_fix_credits_done_remedy_perk_and_confirmation(score, cues):
    result = score(PROBLEM, ("agent", "I've sent a replacement and added a 10% discount code for you."),
                   ("customer", "That worked, thanks!"))
    expected = {"resolution", "resolution_done", "perk_at_fault", "customer_confirmed"}
    assert expected <= set(cues(result, "fix"))
    assert result.criteria["fix"].score == 100 and result.signals.perk


def test_fix_perk_earns_less_when_the_company_was_not_at_fault(score, cues):
    result = score(("customer", "How do I change my password?"),
                   ("agent", "Go to Settings and tap Password. Here's a coupon for your next order too."))
    assert "perk" in cues(result, "fix") and "perk_at_fault" not in cues(result, "fix")


def test_fix_penalizes_passing_on_and_giving_up(score, cues):
    result = score(PROBLEM, ("agent", "You'll need to call our billing team."),
                   ("customer", "Seriously?"), ("agent", "There's nothing I can do."))
    # "Seriously?" reads unresolved: the customer's reaction costs points too
    assert cues(result, "fix") == ["transfer", "customer_outcome", "helpless"]
    assert result.criteria["fix"].score < 10 and result.signals.transfer


@pytest.mark.parametrize("text", [
    "I can't refund that.", "We cannot replace it.", "Unfortunately we won't be able to refund it.",
    "A refund is not possible.",
])
def test_fix_negated_remedy_is_a_refusal_not_a_credit(score, cues, text):
    result = score(PROBLEM, ("agent", text))
    assert "resolution" not in cues(result, "fix") and "refusal" in cues(result, "fix")


def test_fix_customer_confirmation_before_any_reply_does_not_count(score, cues):
    result = score(("customer", "It's broken. Perfect timing, thanks."), ("agent", "Let me see."))
    assert "customer_confirmed" not in cues(result, "fix")


def test_fix_not_applicable_without_problem_or_request(score):
    result = score(("customer", "Just wanted to say your team is lovely."), ("agent", "Thank you so much!"))
    assert not result.criteria["fix"].applicable and not result.criteria["overcommunicate"].applicable


# -- overcommunicate --------------------------------------------------------------------------

def test_overcommunicate_credits_why_next_when_follow_up_and_further_help(score, cues):
    result = score(PROBLEM, ("agent", EXPLAINING_REPLY))
    assert {"explain", "next_step", "timeline", "follow_up", "follow_up_channel", "further_help"} == set(
        cues(result, "overcommunicate"))
    assert result.criteria["overcommunicate"].score == 100 and result.signals.timeline


def test_overcommunicate_negated_follow_up_is_not_credited(score, cues):
    result = score(PROBLEM, ("agent", "I won't be able to call you back."))
    assert "follow_up" not in cues(result, "overcommunicate")
    assert result.criteria["overcommunicate"].score == 30


def test_overcommunicate_applies_to_agent_only_messages(score):
    result = score(("agent", "Your refund will arrive within 3 business days."), channel="email")
    assert result.criteria["overcommunicate"].applicable and result.signals.timeline


# -- respond ----------------------------------------------------------------------------------

def test_respond_on_time_scores_full(score):
    result = score(("customer", "Help, it's broken", 0), ("agent", "On it!", 1800), channel="social")
    assert result.criteria["respond"].score == 100
    assert result.signals.first_response_seconds == 1800


def test_respond_decays_with_lateness_and_explains_it(score):
    result = score(("customer", "Help, it's broken", 0), ("agent", "On it!", 11400), channel="social")
    evidence = result.criteria["respond"].evidence[0]
    assert evidence.reason == "first reply after 3 h 10 min (target 1 h)"
    assert (evidence.start, evidence.end) == (0, 0)
    assert result.criteria["respond"].score == pytest.approx(100 * 3600 / (3 * 3600 + 600), abs=0.1)


def test_respond_weights_first_reply_and_later_gaps(score):
    result = score(("customer", "Hi", 0), ("agent", "Hello", 60), ("customer", "My order?", 100),
                   ("customer", "Still there?", 200), ("agent", "Yes", 100 + 480), channel="chat")
    # first reply on time; the later wait (from the first unanswered turn) is 8 min against 2 min
    assert result.criteria["respond"].score == pytest.approx(100 - 0.4 * (100 - 100 * 120 / 480), abs=0.1)


def test_respond_not_applicable_without_timestamps(score):
    result = score(PROBLEM, ("agent", "Sorry!"))
    assert not result.criteria["respond"].applicable and result.signals.first_response_seconds is None


# -- critical behaviours, overall ---------------------------------------------------------------

def test_critical_behaviour_auto_fails_with_evidence(score, build, scorer):
    interaction = build(PROBLEM, ("agent", "I've refunded it. Calm down, it's your fault anyway."))
    result = scorer.score(interaction)
    assert result.auto_fail and result.overall == 0
    assert [e.cue for e in result.critical] == ["critical_dismissive", "critical_blame"]
    assert [interaction.turns[1].text[e.start:e.end] for e in result.critical] == ["Calm down", "your fault"]


def test_not_your_fault_is_reassurance_not_blame(score):
    result = score(PROBLEM, ("agent", "I'm so sorry - it's not your fault at all, I've sent a replacement."))
    assert not result.auto_fail and result.overall > 50


def test_customer_insults_do_not_fail_the_agent(score):
    assert not score(("customer", "You idiots broke it, calm down? No!"), ("agent", "I'm sorry.")).auto_fail


def test_overall_is_the_weighted_mean_of_applicable_criteria(rubric, build):
    interaction = build(PROBLEM, ("agent", "I'm sorry, I've sent a replacement."))
    weights = {name: float(i + 1) for i, name in enumerate(CRITERIA)}
    reweighted = dataclasses.replace(rubric, criteria=MappingProxyType(
        {name: dataclasses.replace(rule, weight=weights[name]) for name, rule in rubric.criteria.items()}))
    result = Scorer(reweighted).score(interaction)
    applicable = {name: c.score for name, c in result.criteria.items() if c.applicable}
    expected = sum(weights[n] * s for n, s in applicable.items()) / sum(weights[n] for n in applicable)
    assert "respond" not in applicable
    assert result.overall == pytest.approx(expected, abs=0.05)


def test_score_is_base_plus_evidence_clamped(score, rubric):
    reply = "Hi! I'm so sorry, that's our mistake. I've sent a replacement, due tomorrow. Anything else?"
    result = score(PROBLEM, ("agent", reply), customer_name="Ann")
    for name, criterion in result.criteria.items():
        if criterion.applicable:
            total = rubric.criteria[name].base + sum(e.effect for e in criterion.evidence)
            assert criterion.score == pytest.approx(min(100, max(0, total)), abs=0.05)


# -- spread, spans, determinism -----------------------------------------------------------------

def test_scores_spread_from_poor_to_excellent(score):
    excellent = score(("customer", "Hi, order 48213 arrived damaged. Really annoying.", 0),
                      ("agent", EXCELLENT_REPLY, 600), ("customer", "That's great, thanks!", 900),
                      channel="email", customer_name="Ana")
    mediocre_reply = "Sorry for any inconvenience. Please send us a photo and we will send a replacement."
    mediocre = score(("customer", "Hi, order 48213 arrived damaged.", 0), ("agent", mediocre_reply, 3000),
                     channel="email")
    poor_reply = "What is your order number? You'll need to contact the courier, there's nothing I can do."
    poor = score(("customer", "Hi, order 48213 arrived damaged.", 0), ("agent", poor_reply, 3 * 86400),
                 channel="email")
    assert excellent.overall >= 90
    assert 50 <= mediocre.overall <= 70
    assert poor.overall < 40


def test_evidence_spans_slice_the_turn_text_exactly(build, scorer):
    interaction = build(("customer", "Mi pedido 48213 llegó roto. My order is broken!"),
                        ("agent", "İ’m SO sorry — that’s our mistake. I’ve refunded it, back by Friday."),
                        ("customer", "Thanks, all sorted!"))
    result = scorer.score(interaction)
    spans_are_exact(result, interaction)
    sliced = {e.cue: interaction.turns[e.turn].text[e.start:e.end]
              for c in result.criteria.values() for e in c.evidence}
    assert sliced["ownership"] == "our mistake"
    assert sliced["apology_sincere"] == "SO sorry"
    assert sliced["timeline"] == "by Friday"
    assert sliced["customer_confirmed"] == "all sorted"


def test_scoring_is_deterministic(build, rubric):
    reply = "Hi! I'm so sorry. Could you send a photo? I'll email you tomorrow."
    interaction = build(PROBLEM, ("agent", reply), ("customer", "Done, thanks"), customer_name="Ana")
    first = Scorer(rubric).score(interaction).to_dict()
    assert Scorer(rubric).score(interaction).to_dict() == first == score_interaction(interaction).to_dict()


def test_score_interaction_uses_the_seed_rubric_by_default(build, rubric):
    result = score_interaction(build(PROBLEM, ("agent", "Sorry!")))
    assert result.rubric_version == rubric.version and result.interaction_id == "t1"
