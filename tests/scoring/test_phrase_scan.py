"""The C scans find exactly what the regexes they replace find: the phrase matcher's trie walk and the
politeness word table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import cues, politeness, sentiment
from scoring.cues import PhraseMatcher, normalize
from scoring.rubric import CUE_FAMILIES, load_rubric
from tests.conftest import IN_CI

# In CI `make test` compiles first, so a missing build fails these tests there.
needs_build = pytest.mark.skipif(cues.phrase_scan is None and not IN_CI, reason=(
    "the C scans are part of the compiled build (`python -m scoring compile`), which `make test` makes"))


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


def texts_of(pieces: list[str], size: int = 30) -> st.SearchStrategy[str]:
    """Texts of the pieces and a few random characters, some joined by spaces and some run together."""
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=2)), max_size=size).map(
        lambda parts: " ".join(parts) if len(parts) % 3 else "".join(parts))


def both_finds(matcher: PhraseMatcher, text: str) -> tuple[list, list]:
    """Return what the C walk and the regex find in `text`, families included."""
    arguments = (text, matcher._by_spelling, matcher._resolve)
    return matcher._find(*arguments), matcher._regex_find(*arguments)


@needs_build
@settings(max_examples=400, deadline=None)
@given(texts)
def test_the_c_walk_finds_what_the_regex_finds(text):
    for matcher in MATCHERS:
        c_found, regex_found = both_finds(matcher, text)
        assert c_found == regex_found


@needs_build
@pytest.mark.parametrize("text", [
    "", " ", "we're not able to", "we are not able, we aren't able", "can not, cannot, can't, cant",
    "contact our billing team; reach out to our billing support claims department",
    "reach out to our a b c d department", "isn't working / not working", "let's go - lets go",
    "é we'll", "we\u00a0will", "i'd i would", "sorry sorry sorry", "we are  not , able", "can - not",
])
def test_the_c_walk_on_the_tricky_spellings(text):
    for matcher in MATCHERS:
        c_found, regex_found = both_finds(matcher, normalize(text))
        assert c_found == regex_found


@needs_build
def test_the_c_walk_is_what_the_matcher_uses():
    assert cues.phrase_scan is not None
    assert MATCHERS[0]._find.__self__.__class__ is cues.phrase_scan.Scanner


@needs_build
def test_the_c_walk_asks_for_the_families_of_other_spellings():
    matcher = MATCHERS[-1]
    asked = []

    def resolve(text, start, end):
        asked.append(text[start:end])
        return ("other",)

    text = "we are  not able, or we are not able; contact our billing team"
    found = matcher._find(text, matcher._by_spelling, resolve)
    assert [(text[start:end], families) for start, end, families in found] == [
        ("we are  not able", ("other",)), ("we are not able", ("x",)),
        ("contact our billing team", ("other",))]
    assert asked == ["we are  not able", "contact our billing team"]


@needs_build
def test_the_c_walk_passes_on_a_failing_resolve():
    matcher = MATCHERS[-1]

    def resolve(text, start, end):
        raise LookupError(text[start:end])

    with pytest.raises(LookupError, match="contact our billing team"):
        matcher._find("please contact our billing team", matcher._by_spelling, resolve)
    with pytest.raises(TypeError, match="a dict of spellings"):
        matcher._find("we are not able", list(matcher._by_spelling), resolve)


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


STRATEGY_WORDS = sorted({word for words in politeness._WORD_STRATEGIES for word in words.words})
word_pieces = st.one_of(st.sampled_from(STRATEGY_WORDS), st.sampled_from(STRATEGY_WORDS).map(lambda w: w[:-1]),
                        st.sampled_from(JOINERS), st.text(max_size=3))
word_texts = st.lists(word_pieces, max_size=30).map(
    lambda parts: normalize(" ".join(parts) if len(parts) % 3 else "".join(parts)))


@needs_build
@settings(max_examples=500, deadline=None)
@given(word_texts, st.data())
def test_the_word_table_finds_what_the_word_regexes_find(text, data):
    offsets = st.integers(0, max(0, len(text)))
    quoted = sorted(data.draw(st.lists(st.tuples(offsets, offsets).map(sorted).map(tuple), max_size=3)))
    starts = data.draw(st.sets(offsets, max_size=6))
    assert politeness.first_words(text, quoted, starts) == politeness.regex_first_words(text, quoted, starts)


@needs_build
@pytest.mark.parametrize("text, quoted, starts", [
    ("", [], set()), ("i'm sure we'll help, let's see", [], {0}), ("lets go; let's go", [], set()),
    ("well' good'", [], set()), ('he said "you are great" to me', [(8, 23)], set()),
    ("you. you and your", [], {0, 5}), ("é great_ great2 great", [], set()), ("İ great", [], set()),
])
def test_the_word_table_on_the_tricky_texts(text, quoted, starts):
    assert politeness.first_words(text, quoted, starts) == politeness.regex_first_words(text, quoted, starts)


@needs_build
def test_the_word_table_is_what_politeness_uses():
    assert politeness.first_words.__self__.__class__ is cues.phrase_scan.WordTable


@needs_build
@pytest.mark.parametrize("words, message", [
    ({"a b": 1}, "not a word"), ({"it's'": 1}, "not a word"), ({"'s": 1}, "not a word"),
    ({"a'b'c'd'e": 1}, "joins more than"), ({"a": 0}, "category bits"), ({"a": 2 ** 30}, "category bits"),
    ({"": 1}, "category bits"), ({1: 1}, "category bits"),
])
def test_a_malformed_word_table_is_refused(words, message):
    with pytest.raises(ValueError, match=message):
        cues.phrase_scan.WordTable(words)


SENTENCE_PIECES = ["@", "@bob", "@a-b:", " ", ". ", "?", "!?", "\n", "...", '"', "'", "(", "*", ">", "-", ",",
                   ":", "why", "i'm", "so", "you", "what", "é", "A", "\u00a0", "\u2003", "x_y", "3"]
sentence_texts = texts_of(SENTENCE_PIECES)


@needs_build
@settings(max_examples=500, deadline=None)
@given(sentence_texts)
def test_the_sentence_scan_finds_what_the_sentence_regex_finds(text):
    assert politeness.sentences(text) == politeness.regex_sentences(text)


@needs_build
@pytest.mark.parametrize("text", ["", "@", "@ hi", "@bob: so? yes.", "  'why not?!\nand", "é? a", "...?", "a"])
def test_the_sentence_scan_on_the_tricky_texts(text):
    assert politeness.sentences(text) == politeness.regex_sentences(text)
    assert politeness.sentences is cues.phrase_scan.sentences


TIME_PIECES = [*cues._TIMELINE_FIRST_WORDS, *cues._TIMELINE_NUMBERS, "hours", "h", "days", "business", "of",
               "the next", "a few", "24", "3pm", "5:30", "12/03", "2026-12-04", "st", "th", "-", " ", "  ", ".",
               "é", "_", "twentyfour", "hoursx", "later", "than", "to", "an", "hour", "week", "will"]
time_texts = texts_of(TIME_PIECES, 24).map(normalize)


@needs_build
@settings(max_examples=500, deadline=None)
@given(time_texts, st.data())
def test_word_led_expressions_are_found_where_the_regex_finds_them(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    expected = [(m.span(), m.group("anchored")) for m in cues._TIMELINE_WORDS.finditer(text, start, end)]
    assert [(m.span(), m.group("anchored")) for m in cues.word_led_matches(text, start, end)] == expected


@needs_build
@pytest.mark.parametrize("text, start, end", [
    ("in 2 hoursx", 0, 10), ("call twohours later", 0, 19), ("by friday", 3, 9), ("xin 2 days", 1, 10),
    ("the end of the day, end of the week", 0, 35), ("in the next monday", 0, 18), ("24h", 0, 3), ("", 0, 0),
])
def test_word_led_expressions_on_the_tricky_texts(text, start, end):
    expected = [m.span() for m in cues._TIMELINE_WORDS.finditer(text, start, end)]
    assert [m.span() for m in cues.word_led_matches(text, start, end)] == expected


@needs_build
def test_a_word_table_of_joined_words_has_no_starts():
    with pytest.raises(ValueError, match="joins words"):
        cues.phrase_scan.WordTable({"let's": 1}).starts("let's go", 0, 8)


@needs_build
@given(st.text(max_size=20))
def test_has_digit_is_the_digit_regex(text):
    assert cues.has_digit(text) is cues.regex_has_digit(text)
    assert cues.has_digit is cues.phrase_scan.has_digit


@needs_build
@given(st.text(alphabet="ab .!?\n", max_size=12), st.integers(-15, 15))
def test_sentence_bounds_are_the_regex_bounds(text, pos):
    assert cues.sentence_bounds(text, pos) == cues.regex_sentence_bounds(text, pos)
    assert cues.sentence_bounds is cues.phrase_scan.sentence_bounds


SENTIMENT_PIECES = [*sentiment.LEXICON, *sentiment._NEGATORS, *sentiment._INTENSIFIERS, "but", "but", " ", "  ",
                    "'", "’", "!", ".", ",", "é", "\u00a0", "x", "2", "don't", "isn't", "but's"]
sentiment_texts = texts_of(SENTIMENT_PIECES)


@needs_build
@settings(max_examples=500, deadline=None)
@given(sentiment_texts)
def test_the_lexicon_totals_what_the_word_split_totals(text):
    low = text.lower().replace("’", "'")
    assert sentiment.lexicon_total(low) == sentiment.python_lexicon_total(low)
    assert sentiment.lexicon_total.__self__.__class__ is cues.phrase_scan.Lexicon


@needs_build
@pytest.mark.parametrize("arguments, message", [
    (({"good!": 1.0}, (), {}, "but"), "not a lexicon word"), (({"": 1.0}, (), {}, "but"), "expected a word"),
    (({"good": "x"}, (), {}, "but"), "must be real number"), (({}, ("Not",), {}, "but"), "not a lexicon word"),
    (({}, (), {"very": 0.0}, "but"), "factor of 0"),
])
def test_a_malformed_lexicon_is_refused(arguments, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cues.phrase_scan.Lexicon(*arguments, -0.6, 0.5, 1.5)


NEGATION_PIECES = [*cues._NEGATOR_WORDS, *cues._CONTRAST, *cues._NEW_CLAUSE, *cues._SUBJECTS, *cues._IDIOM_NEXT,
                   *cues._CONDITIONAL, "don't", "n't", "can't", "refund", "the", " ", "  ", ",", ".", '"', ";",
                   "\n", "é", "_", "2", "'", "x" * 30]
negation_texts = texts_of(NEGATION_PIECES)


@needs_build
@settings(max_examples=500, deadline=None)
@given(negation_texts, st.data())
def test_the_negation_scope_is_the_python_one(text, data):
    start = data.draw(st.integers(0, len(text) + 2))
    assert cues.negated_before(text, start) == cues.python_negated_before(text, start)
    assert cues._NEGATION_WORDS is not None


@needs_build
def test_the_negation_window_is_bounded():
    with pytest.raises(ValueError, match="window"):
        cues.phrase_scan.negated_before(cues._NEGATION_WORDS, "not it", 6, 80, 100)


SPECIFIC_PIECES = ["iPhone", "eBay", "Lisbon", "Pixel", "A1234", "#123", "$5", "£20", "€30", "1.5", "3/4", "x-9",
                   "ORD-77", "Ab", "Abc", "a", "B", " ", ", ", "; ", ": ", ". ", "é", "É", "_", "2", "-", "/", "."]
specific_texts = texts_of(SPECIFIC_PIECES)


@needs_build
@settings(max_examples=500, deadline=None)
@given(specific_texts)
def test_the_specifics_scan_finds_what_the_specifics_regexes_find(text):
    assert cues.specific_spans(text) == cues.python_specific_spans(text)
    assert cues.specific_spans is cues.phrase_scan.specific_spans


OUTCOME_PIECES = ["you", "your", "yours", "you're", "bayou", "youth", "ok", "okay", "oka", "i see", "i  see",
                  "got it", "gotit", "understand", "understood", "thank", "thanks", "thx", "thankful", " ", ".",
                  "'", "é", "_", "2", "!", "?"]
outcome_texts = texts_of(OUTCOME_PIECES, 20)


@needs_build
@settings(max_examples=500, deadline=None)
@given(outcome_texts)
def test_the_outcome_marks_are_the_regexes_marks(text):
    assert sentiment.outcome_marks(text) == sentiment.python_outcome_marks(text)
    assert sentiment.outcome_marks is not sentiment.python_outcome_marks


FUTURE_PIECES = ["will", "shall", "going to", "going\tto", "going", "gonna", "expect", "expected", "should",
                 "scheduled", "estimated", "due", "aim", "plan", "take", "takes", "we'll", "'ll", "willing",
                 "planned", "today", " ", ". ", "? ", "\n", "é", "_", "2"]
future_texts = texts_of(FUTURE_PIECES, 20)


@needs_build
@settings(max_examples=500, deadline=None)
@given(future_texts, st.data())
def test_a_future_sentence_is_what_the_future_regex_reads(text, data):
    pos = data.draw(st.integers(0, len(text)))
    assert cues.future_sentence(text, pos) == cues.python_future_sentence(text, pos)
    assert cues._FUTURE_STARTS is not None


DIGIT_PIECES = ["3", "24", "5pm", "5 pm", "10:30", "3/12", "2026-12-04", "3rd", "of", "march", "24/7", "2 hours",
                "1.5", "x2", ".5", "48h", "to", "-", " ", "é", "_", "٣"]
digit_texts = texts_of(DIGIT_PIECES, 20)


@needs_build
@settings(max_examples=500, deadline=None)
@given(digit_texts)
def test_digit_led_expressions_are_found_where_the_regex_finds_them(text):
    text = normalize(text)
    assert [m.span() for m in cues.digit_led_matches(text)] == [m.span() for m in cues._TIMELINE_DIGITS.finditer(text)]
    assert cues._DIGIT_STARTS is not None
