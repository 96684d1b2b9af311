"""Property test: any interaction scores without error, within range, with spans inside the text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import scorer
from scoring.model import CHANNELS, Interaction, Turn
from scoring.result import CRITERIA, tenth

# Text drawn from cue-laden words mixed with arbitrary characters, so detectors actually fire.
WORDS = st.sampled_from(["sorry", "I'm", "not", "refund", "can't", "your fault", "calm down", "by Friday",
                         "?", '"', "'", "order", "48213", "iPhone", "Lisbon", "@x", "thanks", "we'll",
                         "email you", ",", ".", "\n", "> quoted", "İ", "’", "—", "transfer you",
                         "anything else", "it's not"])
TEXT = st.one_of(st.text(max_size=80),
                 st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=25).map(" ".join))
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
TURN = st.builds(Turn, speaker=st.sampled_from(["agent", "customer"]), text=TEXT,
                 at=st.none() | st.integers(-3600, 10 ** 6).map(lambda s: START + timedelta(seconds=s)))
INTERACTION = st.builds(Interaction, id=st.just("p"), channel=st.sampled_from(CHANNELS),
                        turns=st.lists(TURN, min_size=1, max_size=6).map(tuple),
                        customer_name=st.none() | st.sampled_from(["Ana", "Will", "Mr. O'Neil", "İlkay"]),
                        started_at=st.none() | st.just(START))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(interaction=INTERACTION)
def test_any_interaction_scores_in_range_with_exact_spans(scorer, interaction):
    result = scorer.score(interaction)
    assert result.overall is None or 0 <= result.overall <= 100
    assert result.auto_fail == bool(result.critical) and (not result.auto_fail or result.overall == 0)
    assert tuple(result.criteria) == CRITERIA
    for criterion in result.criteria.values():
        assert (criterion.score is None) == (not criterion.applicable)
        assert criterion.score is None or 0 <= criterion.score <= 100
    for evidence in [*result.critical, *result.courtesy_evidence,
                     *(e for c in result.criteria.values() for e in c.evidence)]:
        text = interaction.turns[evidence.turn].text
        assert 0 <= evidence.start <= evidence.end <= len(text)
    signals = result.signals
    courtesy = 50 + sum(e.effect for e in result.courtesy_evidence)
    assert signals.courtesy == round(min(100.0, max(0.0, courtesy)), 1)
    assert -1 <= signals.customer_sentiment_start <= 1 and -1 <= signals.customer_sentiment_end <= 1
    assert result.to_dict() == scorer.score(interaction).to_dict()


# Scores are sums of whole and tenth points from a base; weighted means and graded effects are any float.
SCORE_LIKE = st.lists(st.integers(-400, 400), max_size=8).map(lambda tenths: 40.0 + sum(k / 10 for k in tenths))


@settings(max_examples=2000, deadline=None)
@given(value=st.floats() | SCORE_LIKE | st.integers(-10 ** 6, 10 ** 6).map(lambda k: k / 10))
def test_tenth_rounds_as_round_does(value):
    assert repr(tenth(value)) == repr(round(value, 1))


ITEMS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.sampled_from("ab"),
                           st.floats(-5, 5), st.sampled_from("xy")), max_size=9)


@given(items=ITEMS)
def test_evidence_is_put_in_shown_order_as_a_keyed_stable_sort_does(items):
    expected = sorted(items, key=scorer._EVIDENCE_ORDER)
    scorer._in_shown_order(items)
    assert items == expected
