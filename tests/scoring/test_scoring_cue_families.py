"""One test per cue family the accuracy measures rest on, with hand-written sentences."""

from __future__ import annotations

import pytest

from scoring import cues
from scoring.model import Interaction, interaction_from_dict
from scoring.sentiment import customer_outcome, sentiment
from seed_data.demo import generate_demo

COMPLAINT_REPLY = "Thanks for telling us. Let me look into it."


def agent_only(score, text):
    return score(("agent", text), channel="social")


# -- apology -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "I'm sorry the parcel was late.", "Apologies for the wait.", "We regret the error on your invoice.",
    "Sorry for any inconvenience.", "Please accept my apologies.", "So sorry, Dana!",
])
def test_apology_signal_on_apologies(score, text):
    assert agent_only(score, text).signals.apology


@pytest.mark.parametrize("text", [
    "I'm not sorry for following the rules.", "No need to apologise at all.", "Thanks for waiting.",
    'You wrote "sorry for the late reply", no problem.',
])
def test_apology_signal_not_on_other_words(score, text):
    assert not agent_only(score, text).signals.apology


def test_apology_act_credits_the_repair_and_the_customer_accepting_it(score, cues):
    result = score(("customer", "My parcel went to the wrong house."),
                   ("agent", "I'm sorry, that's our mistake. I've sent a replacement."),
                   ("customer", "Great, thanks a lot!"))
    assert {"apology", "ownership", "apology_repair", "apology_accepted"} <= set(cues(result, "apologize"))
    bare = score(("customer", "My parcel went to the wrong house."), ("agent", "Sorry."),
                 ("customer", "That's it? Useless."))
    assert "apology_repair" not in cues(bare, "apologize")
    assert bare.criteria["apologize"].score < result.criteria["apologize"].score


# -- transfer ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Our accounts team is best placed to help with refunds.", "I'll transfer you to billing now.",
    "We'll let the right team know about this.", "I've passed your case to our security specialists.",
    "Please contact your bank about the hold.",
])
def test_transfer_signal_on_passing_on(score, text):
    assert agent_only(score, text).signals.transfer


@pytest.mark.parametrize("text", ["I've refunded the charge myself.",
                                  "Our team fixed the outage an hour ago."])
def test_transfer_signal_not_when_the_agent_handles_it(score, text):
    assert not agent_only(score, text).signals.transfer


# -- clarifying questions ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Which phone model are you using?", "Send us a DM with your account email.", "Let's continue in DM.",
    "Could you tell us the error message you see",
])
def test_question_signal_on_requests_for_information(score, text):
    assert agent_only(score, text).signals.question


@pytest.mark.parametrize("text", [
    "Any other questions, let us know!", "Your refund is on its way.", "Anything else we can do for you?",
])
def test_question_signal_not_on_offers_of_help(score, text):
    assert not agent_only(score, text).signals.question


# -- timeline and further help -------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("You'll receive the new card within 5 business days.", True),
    ("The engineer will be there by noon tomorrow.", True),
    ("We aim to have it fixed by 6pm.", True),
    ("You ordered it on March 3.", False),
    ("We're open 24/7.", False),
    ("I can't promise it will arrive by Friday.", False),
])
def test_timeline_signal(score, text, expected):
    assert agent_only(score, text).signals.timeline is expected


@pytest.mark.parametrize("text", ["Anything else I can help with?", "Give us a shout if it happens again.",
                                  "If anything else comes up, just let us know."])
def test_further_help_cue(score, cues, text):
    assert "further_help" in cues(agent_only(score, text), "overcommunicate")


# -- courtesy (politeness strategies) ------------------------------------------------------------

def courtesy(score, text):
    return agent_only(score, text).signals.courtesy


def test_courtesy_rises_with_gratitude_deference_hedges_and_greeting(score):
    plain = courtesy(score, "Post the log.")
    assert courtesy(score, "Thanks, post the log.") > plain
    assert courtesy(score, "Great question! Post the log.") > plain
    assert courtesy(score, "I think the log would help, could you perhaps post it?") > plain
    assert courtesy(score, "Hi Sam, post the log.") > plain


def test_courtesy_falls_with_why_second_person_starts_and_bluntness(score):
    neutral = courtesy(score, "The log would help.")
    assert courtesy(score, "Why didn't you post the log?") < neutral
    assert courtesy(score, "You need to post the log.") < neutral
    assert courtesy(score, "Actually, the log would help.") < neutral
    assert courtesy(score, "So the log would help.") < neutral


def test_sentence_start_marks():
    marks = cues.sentence_start_marks("why is this broken? you must check. i tried. so what now?")
    assert set(marks) == {"why_start", "second_person_start", "first_person_start", "direct_start"}
    assert marks["why_start"] == (0, 3)
    assert cues.sentence_start_marks("\"what happened?\" she asked.") == {"direct_question": (1, 5)}


# -- customer problem (apology applicability) ----------------------------------------------------

@pytest.mark.parametrize("complaint", [
    "You've shipped my sofa to 12 Elm Road. I moved out of there in May!",
    "The ticket machine took my money and gave me nothing.",
    "You bounced my rent cheque and charged me a $35 fee.",
    "My order still hasn't come.",
    "The parcel never arrived.",
    "I've been charged twice for one lamp.",
    "The app isn't working since the update.",
    "I can't log in to my account.",
    "Half the street is without power again.",
    "It didn't work.",
])
def test_plain_complaints_make_apology_applicable(score, complaint):
    result = score(("customer", complaint), ("agent", COMPLAINT_REPLY))
    assert result.criteria["apologize"].applicable


@pytest.mark.parametrize("question", ["What time do you open on Saturday?", "Do you sell gift cards?"])
def test_plain_questions_do_not_call_for_an_apology(score, question):
    assert not score(("customer", question), ("agent", "We open at 9.")).criteria["apologize"].applicable


def test_contracted_negation_phrases_are_not_hidden_by_shorter_negators():
    matcher = cues.PhraseMatcher({"problem": ["didn't work", "not here"], "negator": ["not", "didn't"]})
    assert matcher.find("it didn't work") == [(3, 14, ("negator", "problem"))]
    assert matcher.find("it isn't here") == [(3, 13, ("negator", "problem"))]


# -- customer outcome (fix and satisfaction) ------------------------------------------------------

def test_customer_outcome_reads_resolution_and_unresolved_complaints():
    assert customer_outcome("It works now, thank you!") > 0.5
    assert customer_outcome("OK, I see.") > 0
    assert customer_outcome("Why is it still broken? You said it would be fixed.") < -0.3
    long_complaint = "I have explained this three times and nothing has changed at all. " * 3
    assert customer_outcome(long_complaint) < customer_outcome("Nothing has changed.")
    assert customer_outcome("Thanks", sentiment("Thanks")) == customer_outcome("Thanks")


def test_fix_follows_the_customer_reaction(score, cues):
    solved = score(("customer", "My internet is down."), ("agent", "I've reset your line."),
                   ("customer", "Works now, thanks!"))
    unsolved = score(("customer", "My internet is down."), ("agent", "I've reset your line."),
                     ("customer", "Still down. Why do you never fix anything?"))
    assert "customer_outcome" in cues(solved, "fix") and "customer_outcome" in cues(unsolved, "fix")
    assert solved.criteria["fix"].score > unsolved.criteria["fix"].score
    assert solved.overall > unsolved.overall
    outcome = next(e for e in solved.criteria["fix"].evidence if e.cue == "customer_outcome")
    assert (outcome.turn, outcome.start, outcome.end) == (2, 0, len("Works now, thanks!"))


def test_no_reaction_no_outcome_points(score, cues):
    result = score(("customer", "My internet is down and I'm furious."), ("agent", "I've reset your line."))
    assert "customer_outcome" not in cues(result, "fix")
    assert "customer_calmed" not in cues(result, "empathize")


# Demo situations where the customer reports a problem (cancel_subscription is a plain request).
DEMO_COMPLAINTS = frozenset(("vending_machine", "double_charge", "late_birthday_order", "old_address",
                             "bounced_check", "unmanned_chat_loop", "public_complaint", "misdelivered",
                             "rude_store_customer", "outage", "password_reset"))


def test_apology_is_applicable_in_demo_complaints(scorer):
    records = generate_demo(interactions=800).interactions
    interactions = [r if isinstance(r, Interaction) else interaction_from_dict(r) for r in records]
    complaints = [i for i in interactions if (i.labels or {}).get("situation") in DEMO_COMPLAINTS]
    applicable = sum(scorer.score(i).criteria["apologize"].applicable for i in complaints)
    assert len(complaints) > 300 and applicable / len(complaints) >= 0.95
