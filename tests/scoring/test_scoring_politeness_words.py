"""The courtesy words: the first whole word of each strategy, quoted words and sentence starts skipped.

Both readings are checked: the regexes (the definition) and first_words, which is the C word table when
the build is there.
"""

from __future__ import annotations

import re

import pytest

from scoring import politeness

TEXTS = ["i think you're right", "you", "thank you. you can, as i said, call us", "yourself, yours & you!",
         "bayou youth you'd", "\nyou\nyou", "great work, awful wait", "my mine myself",
         "(great) 'awful' \"good\"", "let's see what we can do", "well' good'", "lets go"]
READINGS = [politeness.regex_first_words, politeness.first_words]
STRATEGIES = [words.strategy for words in politeness._WORD_STRATEGIES]


def first(pattern: str, text: str, *, skip_apostrophe: bool = False) -> tuple[int, int] | None:
    for m in re.finditer(rf"\b(?:{pattern})\b", text):
        if not (skip_apostrophe and text.startswith("'", m.end())):
            return m.span()
    return None


@pytest.mark.parametrize("read", READINGS)
@pytest.mark.parametrize("text", TEXTS)
def test_person_words_are_whole_words(read, text):
    found = dict(zip(STRATEGIES, read(text, [], set())))
    assert found["second_person"] == first(r"you|your|yours|yourself|yourselves|u|ur", text)
    assert found["first_person"] == first(r"i|me|my|mine|myself", text)
    assert found["first_person_plural"] == first(r"we|us|our|ours|ourselves|let's", text)


@pytest.mark.parametrize("read", READINGS)
@pytest.mark.parametrize("text", TEXTS)
def test_lexicon_words_are_whole_words_not_before_an_apostrophe(read, text):
    found = dict(zip(STRATEGIES, read(text, [], set())))
    for name, sign in (("positive_lexicon", 1), ("negative_lexicon", -1)):
        words = "|".join(word for word, valence in politeness.LEXICON.items() if valence * sign > 0)
        assert found[name] == first(words, text, skip_apostrophe=True)


@pytest.mark.parametrize("read", READINGS)
def test_quoted_words_and_sentence_starts_do_not_count(read):
    text = 'you said "you" and you. we said "we"'
    found = dict(zip(STRATEGIES, read(text, [(9, 14), (32, 36)], {0, 24})))
    assert found["second_person"] == (19, 22)  # "you" at 0 opens a sentence, "you" at 10 is quoted
    assert found["first_person_plural"] == (24, 26)  # a sentence start counts for the plural
