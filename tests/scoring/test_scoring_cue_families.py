"""One test per cue family the accuracy measures rest on, with hand-written sentences."""

from __future__ import annotations

import pytest

from scoring import cues, politeness
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


@pytest.mark.parametrize("text", ["We are sorry.", "Sorry for your inconvenience.", "Sorry about that!",
                                  "We apologize for the unpleasant experience.",
                                  "Please accept my apologies."])
def test_generic_apology_names_nothing_specific(score, cues, text):
    found = cues(score(("customer", "My parcel went to the wrong house."), ("agent", text)), "apologize")
    assert "apology_generic" in found and "apology" not in found


@pytest.mark.parametrize("text", ["I'm sorry the parcel went to the wrong house.",
                                  "Sorry for the double charge.", "I'm sorry, that's our mistake."])
def test_apology_naming_what_went_wrong_is_not_generic(score, cues, text):
    found = cues(score(("customer", "My parcel went to the wrong house."), ("agent", text)), "apologize")
    assert "apology" in found and "apology_generic" not in found


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


@pytest.mark.parametrize("text", ["Anything else I can help with?",
                                  "Give us a shout if you need anything else.",
                                  "If anything else comes up, just let us know.",
                                  "Let us know if you have other questions.",
                                  "Let me know if I can help further."])
def test_further_help_cue(score, cues, text):
    assert "further_help" in cues(agent_only(score, text), "overcommunicate")


@pytest.mark.parametrize("text", ["Let us know if that makes a difference.",
                                  "Give us a shout if it keeps happening.",
                                  "Let me know if the restart doesn't help.",
                                  "Let us know your email address."])
def test_further_help_cue_not_on_follow_ups_about_this_issue(score, cues, text):
    assert "further_help" not in cues(agent_only(score, text), "overcommunicate")


# -- courtesy (politeness strategies) ------------------------------------------------------------

def courtesy(score, text):
    return agent_only(score, text).signals.courtesy


def strategies(score, text):
    return {e.cue for e in agent_only(score, text).courtesy_evidence}


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


# One strategy each: found in the first text(s), not in the others (near misses, negations, quotes).
STRATEGY_CASES = {
    "gratitude": (["Thanks for the log.", "I appreciate the detail."],
                  ["Post the log.", 'You wrote "thanks".']),
    "deference": (["Great question! The log helps.", "Thank you for your patience."], ["The log helps."]),
    "greeting": (["Hi Sam, the log helps.", "Good morning! The log helps."], ["The log helps."]),
    "apologizing": (["Sorry for the delay.", "We apologize for any inconvenience."],
                    ["I'm not sorry.", "I'm sorry if you feel that way.", "Sorry, but that's our policy."]),
    "please": (["Could you please post the log?"], ["Please post the log.", "Post the log."]),
    "please_start": (["Please post the log.", "Done. Please check it."], ["Could you please post the log?"]),
    "hedge": (["I think the log would help.", "Perhaps post the log."],
              ["Could you post the log?", "Post it."]),
    "indirect": (["By the way, the log helps."], ["The log helps, the way it is."]),
    "counterfactual_modal": (["Could you post the log?", "Would you mind posting it?"],
                             ["Can you post the log?"]),
    "indicative_modal": (["Can you post the log?", "Will you post it?"], ["Could you post the log?"]),
    "direct_question": (["What is in the log?", "How did you install it?"],
                        ["What I'll do is check the log.", 'You asked "what is it?" earlier.']),
    "why_question": (["Why is the log empty?", "But why is it empty?", "Why not post it."],
                     ["That's why the log is empty.", "Is the log empty?"]),
    "yes_no_question": (["Is the log empty?", "Did you restart it?"], ["The log is empty.", "Is it. Fine."]),
    "direct_start": (["So the log is empty.", "But it works now."], ["The log is empty, so post it."]),
    "first_person_start": (["I checked the log.", "My log is empty."], ["The log I checked is empty."]),
    "first_person": (["The log I checked is empty."], ["I checked the log.", "We checked the log."]),
    "first_person_plural": (["We checked the log.", "Let's check our log."], ["I checked the log."]),
    "second_person_start": (["You need to post the log.", "Your log is empty."], ["Post your log."]),
    "second_person": (["Post your log.", "Thanks, you helped."], ["You posted it.", "Post the log."]),
    "positive_lexicon": (["The log is great.", "Glad it works."], ["The log is empty."]),
    "negative_lexicon": (["The log is broken.", "That was a bad update."], ["The log is empty."]),
    "negation": (["That is not the log.", "It never loads."],
                 ["No worries, post it later.", "Don't hesitate to ask."]),
    "blunt": (["Actually, the log is empty.", "You must post the log."], ["The log is empty."]),
    "helpfulness": (["Happy to help with the log.", "No problem at all."], ["The log is empty."]),
    "empathy": (["I understand how frustrating this is."], ["The log is empty."]),
    "condescension": (["As I already told you, post the log."], ["Post the log."]),
    "critical": (["Calm down and post the log."], ["Post the log.", "I'm not saying calm down."]),
}


def test_every_strategy_has_hand_written_cases():
    assert set(STRATEGY_CASES) == set(politeness.STRATEGIES)


@pytest.mark.parametrize("strategy,text,expected", [
    (strategy, text, expected) for strategy, (found, absent) in STRATEGY_CASES.items()
    for expected, texts in ((True, found), (False, absent)) for text in texts])
def test_politeness_strategy(score, strategy, text, expected):
    assert (strategy in strategies(score, text)) is expected


@pytest.mark.parametrize("text", [
    "Hi Sam! Thanks for your patience. Could you please post the log? I think it would help.",
    "Why didn't you read it? You must post the log, as I already told you.",
    "So what now? Calm down, we're not stupid.", "Post the log.", ""])
def test_courtesy_is_neutral_plus_its_evidence(score, text):
    result = agent_only(score, text)
    points = {**politeness.learned_points(), **politeness.FIXED_POINTS}
    total = politeness.COURTESY_NEUTRAL + sum(e.effect for e in result.courtesy_evidence)
    assert result.signals.courtesy == round(min(100.0, max(0.0, total)), 1)
    for e in result.courtesy_evidence:
        assert e.effect == points[e.cue] and e.reason.startswith("courtesy: ") and e.end > e.start


def test_courtesy_counts_each_strategy_once_at_its_first_use(score):
    result = score(("customer", "Where is my parcel?"), ("agent", "Thanks for asking."),
                   ("customer", "And?"), ("agent", "Thanks again, it's on its way."))
    gratitude = [e for e in result.courtesy_evidence if e.cue == "gratitude"]
    assert [(e.turn, e.start, e.end) for e in gratitude] == [(1, 0, 6)]


def test_courtesy_without_agent_turns_is_neutral(score):
    result = score(("customer", "Thanks, why is it broken?"))
    assert result.signals.courtesy == politeness.COURTESY_NEUTRAL and result.courtesy_evidence == ()


def test_shipped_courtesy_points_follow_the_literature_where_it_is_clear():
    points = politeness.learned_points()
    assert set(points) == set(politeness.LEARNED)
    for strategy in ("gratitude", "deference", "apologizing", "counterfactual_modal", "hedge"):
        assert points[strategy] > 0, strategy
    for strategy in ("why_question", "direct_question", "second_person_start", "blunt"):
        assert points[strategy] < 0, strategy


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


@pytest.mark.parametrize("text,expected", [
    ("I've refunded the charge.", True), ("We'll send you a replacement tomorrow.", True),
    ("If you can't log in, we'll reset your password.", True),
    ("Is it fixed now?", False), ("You can apply for a refund in the app.", False),
    ("You can adjust it yourself in Settings.", False), ("We will try our best to repair it.", False),
    ("We suggest you reset the router.", False), ("I can't refund this order.", False),
])
def test_remedy_is_the_agents_own(score, cues, text, expected):
    result = score(("customer", "My order arrived broken."), ("agent", text))
    assert ("resolution" in cues(result, "fix")) is expected


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
