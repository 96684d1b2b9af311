"""Cue detectors: phrase matching, structural patterns, and each cue family on hand-written examples."""

from __future__ import annotations

import pytest

from scoring import cues
from scoring.cues import PhraseError, PhraseMatcher, normalize, phrase_tokens
from scoring.rubric import CUE_FAMILIES
from scoring.sentiment import sentiment


def found(matcher: PhraseMatcher, text: str) -> list[tuple[str, str]]:
    """Return (family, matched text) pairs, the text sliced from the original."""
    return [(family, text[start:end])
            for start, end, families in matcher.find(normalize(text)) for family in families]


# -- phrase syntax and matching --------------------------------------------------------------

def test_phrase_tokens_expand_contractions():
    assert phrase_tokens("We'll email you") == ("we", "will", "email", "you")
    assert phrase_tokens("can't refund") == phrase_tokens("cannot refund") == ("can", "not", "refund")
    assert phrase_tokens("it’s on us") == ("it", "is", "on", "us")
    assert phrase_tokens("contact our ... team") == ("contact", "our", "...", "team")


@pytest.mark.parametrize("phrase, reason", [
    ("", "empty phrase"), ("sorr(y|ies)", "unsupported character '('"), ("refund*", "'*' must stand alone"),
    ("* team", "must start and end with a word"), ("team ...", "must start and end with a word"),
    ("e.g. this", "only '...'"), (None, "expected text"),
])
def test_bad_phrase_syntax_is_rejected(phrase, reason):
    with pytest.raises(PhraseError, match=reason.replace("(", r"\(").replace("*", r"\*")):
        phrase_tokens(phrase)


def test_matching_is_case_insensitive_whole_word_and_flexible():
    matcher = PhraseMatcher({"x": ["follow up", "thank you", "sorry"]})
    assert found(matcher, "I'll FOLLOW-UP, thank   you!") == [("x", "FOLLOW-UP"), ("x", "thank   you")]
    assert found(matcher, "sorrymuch unsorry") == []


def test_contractions_match_every_spelling():
    matcher = PhraseMatcher({"x": ["can't refund", "we will email you", "not working", "it's our mistake"]})
    for text in ("I can't refund", "I cant refund", "I cannot refund", "I can not refund", "I can’t refund"):
        assert found(matcher, text) == [("x", text[2:])], text
    assert [t for _, t in found(matcher, "We'll email you. we will email you")] == [
        "We'll email you", "we will email you"]
    assert [t for _, t in found(matcher, "it isn't working, it's not working")] == [
        "isn't working", "not working"]
    assert [t for _, t in found(matcher, "its our mistake")] == ["its our mistake"]
    assert found(matcher, "well email you") == []  # "well" is a word of its own, not "we'll"


def test_wildcards_match_one_word_or_up_to_three():
    matcher = PhraseMatcher({"x": ["contact our * team", "reach out to our ... department"]})
    assert found(matcher, "contact our billing team") == [("x", "contact our billing team")]
    assert found(matcher, "contact our team") == []
    text = "reach out to our billing support claims department"
    assert found(matcher, text) == [("x", text)]


def test_overlapping_phrases_and_longer_phrases_inherit_shorter_families():
    matcher = PhraseMatcher({"apology": ["sorry"], "generic": ["sorry for any inconvenience"],
                             "sincere": ["so sorry"]})
    assert found(matcher, "so sorry for any inconvenience") == [
        ("sincere", "so sorry"),
        ("apology", "sorry for any inconvenience"), ("generic", "sorry for any inconvenience")]


def test_every_seed_phrase_is_found_in_its_own_text(rubric):
    for family, phrases in rubric.cues.items():
        matcher = PhraseMatcher({family: phrases})
        for phrase in phrases:
            text = f"well, {phrase.replace('...', 'a b').replace('*', 'word')} ok"
            assert (family, text[6:-3]) in found(matcher, text), (family, phrase)


def test_normalize_keeps_offsets():
    text = "İt’s “DONE” — ok"
    low = normalize(text)
    assert len(low) == len(text) and low.endswith("\"done\" - ok")


# -- structural patterns ------------------------------------------------------------------

@pytest.mark.parametrize("text, cue, negated", [
    ("I'm not sorry", "sorry", True),
    ("it's not your fault", "your fault", True),
    ("unfortunately we won't be able to refund", "refund", True),
    ("I am not able to issue you a full refund", "refund", True),
    ("there is no way we can refund", "refund", True),
    ("no worries, I'm sorry", "sorry", False),
    ("No problem, we will refund it", "refund", False),
    ("I can't do that, but I will refund it", "refund", False),
    ("if you don't receive the refund", "refund", False),
    ("not only will we refund", "refund", False),
])
def test_negation_scope(text, cue, negated):
    low = normalize(text)
    assert cues.negated_before(low, low.rindex(cue)) is negated


def test_denial_after_a_remedy():
    low = normalize("A refund isn't possible, but a replacement is.")
    assert cues.negated_after(low, low.index("refund") + len("refund"))
    assert not cues.negated_after(low, low.index("replacement") + len("replacement"))


def test_quoted_spans_cover_double_single_and_email_quotes():
    low = normalize('You said "refund me now" and \'I can\'t pay\'.\n> old message\nok')
    quoted = [low[s:e] for s, e in cues.quoted_spans(low)]
    assert quoted == ['"refund me now"', "'i can't pay'", "> old message"]
    assert cues.quoted_spans(normalize("we'll check the customers' orders")) == []


def test_question_spans_skip_urls():
    low = normalize("Hi. What is your order number? See https://x.co/a?b=1 ok")
    assert [low[s:e] for s, e in cues.question_spans(low)] == ["what is your order number?"]


@pytest.mark.parametrize("text, expected", [
    ("We will ship it by Friday.", ["by friday"]),
    ("You'll have it within 24 hours.", ["within 24 hours"]),
    ("I'll call you back tomorrow at 5pm.", ["tomorrow", "5pm"]),
    ("It should arrive on March 3.", ["march 3"]),
    ("Expect it on 4th of June or 2026-06-05.", ["4th of june", "2026-06-05"]),
    ("Please reply by 5pm.", ["by 5pm"]),
    ("It takes 3-5 business days.", ["3-5 business days"]),
    ("You ordered it on March 3.", []),   # history, not a commitment
    ("We're here 24/7, have a nice day.", []),
    ("We'll look into it soon.", []),     # not concrete
])
def test_timeline_grammar(text, expected):
    low = normalize(text)
    assert [low[s:e] for s, e in cues.timeline_spans(low)] == expected


def test_fact_kinds_given_and_asked():
    text = "My order #48213 is late, email me at ana@example.com, I'm on iOS 17.2"
    given = cues.given_fact_kinds(normalize(text))
    assert given == {"order", "email", "version"}
    low = normalize("Could you send your order number and the email address?")
    assert [kind for kind, _ in cues.asked_fact_kinds(low, 0, len(low))] == ["order", "email"]


def test_specifics_skip_mentions_and_keep_names_capitalized():
    assert cues.specifics("@Acme Support my order 48213 for the iPhone shipped to Lisbon") == [
        "48213", "iphone", "Lisbon"]


# -- cue families on hand-written interactions (public signals) ----------------------------

def test_apology_family(score):
    assert score(("customer", "My parcel is late."), ("agent", "I'm so sorry about that.")).signals.apology
    assert score(("customer", "My parcel is late."), ("agent", "We apologise for the delay.")).signals.apology
    assert not score(("customer", "My parcel is late."), ("agent", "I'm not sorry.")).signals.apology
    own_sorry = score(("customer", "Sorry to bother you, it's late."), ("agent", "Let me check."))
    assert not own_sorry.signals.apology


@pytest.mark.parametrize("text, expected", [
    ("You'll need to call billing about that.", True),
    ("Please contact our accounts team.", True),
    ("This is something for our Accounts team.", True),
    ("I'll transfer you to a specialist.", True),
    ("Reach out to our billing department.", True),
    ("I've refunded it myself.", False),
    ("I won't transfer you, I'll sort it out here.", False),
])
def test_transfer_family(score, text, expected):
    assert score(("customer", "I was charged twice."), ("agent", text)).signals.transfer is expected


@pytest.mark.parametrize("text, expected", [
    ("Could you tell me your order number?", True),
    ("Which version of iOS are you on?", True),
    ("What error do you see?", True),
    ("DM us your account email and we'll take a look.", True),
    ("Send us the error message.", True),
    ("Is there anything else I can help with?", False),
    ("Let us know if you need anything else.", False),
    ("Your refund is on its way.", False),
])
def test_question_family(score, text, expected):
    assert score(("customer", "The app crashes."), ("agent", text)).signals.question is expected


@pytest.mark.parametrize("text, expected", [
    ("You'll receive it by Friday.", True),
    ("I'll email you tomorrow.", True),
    ("It will be fixed within 24 hours.", True),
    ("We will get to it soon.", False),
    ("I can't promise it by Friday.", False),
])
def test_timeline_family(score, text, expected):
    assert score(("customer", "Where is my order?"), ("agent", text)).signals.timeline is expected


@pytest.mark.parametrize("text, expected", [
    ("Here's a 20% discount code for the trouble.", True),
    ("I've added a free upgrade to your plan.", True),
    ("I've sent a voucher to your email.", True),
    ("Unfortunately we can't offer a discount.", False),
    ("Discounts are not available for this plan.", False),
])
def test_perk_family(score, text, expected):
    assert score(("customer", "It arrived broken."), ("agent", text)).signals.perk is expected


def test_courtesy_family(score):
    polite = score(("customer", "Hi"), ("agent", "Hello! Thank you for reaching out, I'd be happy to help. "
                                                  "Could you please share the order number?"))
    plain = score(("customer", "Hi"), ("agent", "Order number."))
    rude = score(("customer", "Hi"), ("agent", "As I already told you, obviously you should have read it."))
    assert polite.signals.courtesy > plain.signals.courtesy == 50 > rude.signals.courtesy
    assert 0 <= rude.signals.courtesy and polite.signals.courtesy <= 100


def test_sentiment_lexicon():
    assert sentiment("This is terrible, I'm so angry!!!") < -0.6
    assert sentiment("Thanks, that worked perfectly!") > 0.6
    assert sentiment("not bad") > 0 > sentiment("I am not happy")
    assert sentiment("My order number is 12345") == 0.0
    assert sentiment("It was good but the delivery was awful") < 0


def test_sentiment_signals_use_first_and_last_customer_turns(score):
    result = score(("customer", "This is awful, my order is broken!"), ("agent", "I've sent a replacement."),
                   ("customer", "Great, thanks a lot!"))
    assert result.signals.customer_sentiment_start < 0 < result.signals.customer_sentiment_end


@pytest.mark.parametrize("text, fails", [
    ("Calm down, please.", True),
    ("That's not my problem.", True),
    ("That's a stupid question.", True),
    ("You're an idiot.", True),
    ("That's your fault.", True),
    ("You did it wrong.", True),
    ("It's not your fault at all.", False),
    ("Don't worry, it isn't your fault.", False),
    ("I won't tell you to calm down.", False),
    ('You wrote "you idiots" in your email; I understand.', False),
])
def test_critical_family(score, text, fails):
    result = score(("customer", "I was charged twice!"), ("agent", text))
    assert result.auto_fail is fails
    assert bool(result.critical) is fails


def test_every_cue_family_has_a_known_speaker():
    assert {speaker for speaker, _ in CUE_FAMILIES.values()} == {"agent", "customer"}
