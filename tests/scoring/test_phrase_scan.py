"""The phrase matcher's trie walk in C finds exactly what the matcher's regex finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import cues
from scoring.cues import PhraseMatcher, normalize
from scoring.rubric import CUE_FAMILIES, load_rubric
from tests.conftest import IN_CI

# In CI `make test` compiles first, so a missing build fails these tests there.
needs_build = pytest.mark.skipif(cues.phrase_scan is None and not IN_CI, reason=(
    "the C walk is part of the compiled build (`python -m scoring compile`), which `make test` makes"))


def seed_matchers() -> list[PhraseMatcher]:
    rubric = load_rubric()
    by_speaker: dict[str, dict[str, tuple[str, ...]]] = {}
    for family, (speaker, _) in CUE_FAMILIES.items():
        by_speaker.setdefault(speaker, {})[family] = rubric.cues[family]
    # Wildcards and contractions of every kind, which the seed rubric uses only a little.
    extra = {"x": ["contact our * team", "reach out to our ... department", "we are not able", "let's",
                   "can't", "won't be", "is not", "i would", "not working", "we'll"]}
    return [PhraseMatcher({**families, **cues.HINT_FAMILIES}) for families in by_speaker.values()] + [
        PhraseMatcher(extra)]


MATCHERS = seed_matchers()
WORDS = sorted({word for matcher_families in (load_rubric().cues.values(),) for phrases in matcher_families
                for phrase in phrases for word in phrase.replace("...", " ").split()})
# Separators, apostrophes and characters whose class differs between ASCII and Unicode rules.
JOINERS = [" ", "  ", ", ", "-", "/", " ; ", ":", "'", "’", "\n", " - ", "...", "&", "_", "'s", "n't", "é",
           "İ", "\u00a0", "\u2003", "2", "?", "x"]
pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS).map(lambda w: w[: len(w) // 2]),
                   st.sampled_from(JOINERS), st.text(max_size=3))
texts = st.lists(pieces, max_size=24).map(lambda parts: normalize(" ".join(parts) if len(parts) % 2 else
                                                                  "".join(parts)))


@needs_build
@settings(max_examples=400, deadline=None)
@given(texts)
def test_the_c_walk_finds_what_the_regex_finds(text):
    for matcher in MATCHERS:
        assert matcher._scan(text) == matcher._regex_scan(text)


@needs_build
@pytest.mark.parametrize("text", [
    "", " ", "we're not able to", "we are not able, we aren't able", "can not, cannot, can't, cant",
    "contact our billing team; reach out to our billing support claims department",
    "reach out to our a b c d department", "isn't working / not working", "let's go - lets go",
    "é we'll", "we\u00a0will", "i'd i would", "sorry sorry sorry",
])
def test_the_c_walk_on_the_tricky_spellings(text):
    for matcher in MATCHERS:
        assert matcher._scan(normalize(text)) == matcher._regex_scan(normalize(text))


@needs_build
def test_the_c_walk_is_what_the_matcher_uses():
    assert cues.phrase_scan is not None
    assert MATCHERS[0]._scan.__self__.__class__ is cues.phrase_scan.Scanner


@needs_build
@pytest.mark.parametrize("program, message", [
    (((True, (((-9,), 0),)),), "unknown step -9"),
    (((True, (((97,), 5),)),), "leads to no node"),
    (((True, (((), 0),)),), "has no steps"),
    ((("no",),), "argument"),
])
def test_a_malformed_trie_is_refused(program, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cues.phrase_scan.Scanner(program)
