"""The courtesy word patterns: spans in the text itself, quoted words and sentence starts skipped."""

from __future__ import annotations

import re

import pytest

from scoring import politeness

TEXTS = ["i think you're right", "you", "thank you. you can, as i said, call us", "yourself, yours & you!",
         "bayou youth you'd", "\nyou\nyou", "great work, awful wait", "my mine myself",
         "(great) 'awful' \"good\""]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(("pattern", "words"), [
    (politeness._SECOND_PERSON, r"you|your|yours|yourself|yourselves|u|ur"),
    (politeness._FIRST_PERSON, r"i|me|my|mine|myself"),
])
def test_word_spans_are_the_whole_words_of_the_text(pattern, words, text):
    expected = [m.span() for m in re.finditer(rf"\b(?:{words})\b", text)]
    assert list(politeness._word_spans(pattern, "\n" + text, [])) == expected


@pytest.mark.parametrize("text", TEXTS)
def test_lexicon_spans_are_whole_lexicon_words_not_before_an_apostrophe(text):
    for name, pattern in politeness._LEXICON:
        sign = 1 if name == "positive_lexicon" else -1
        expected = [m.span() for m in re.finditer(r"\b\w+\b(?!')", text)
                    if politeness.LEXICON.get(m.group(), 0) * sign > 0]
        assert list(politeness._word_spans(pattern, "\n" + text, [])) == expected


def test_word_spans_skip_quoted_words_and_sentence_starts():
    text = 'you said "you" and you'
    spans = politeness._word_spans(politeness._SECOND_PERSON, "\n" + text, [(9, 14)], starts={0})
    assert list(spans) == [(19, 22)]
