"""Politeness strategies in agent turns, and the courtesy signal they add up to.

The strategies are those of Danescu-Niculescu-Mizil et al. (2013), "A computational approach to
politeness with application to social factors" (ACL), plus Rapport's service families. Vocabulary
strategies are rubric cue families (gratitude, deference, greeting, please, hedges, apologies, blunt
wording and factuality, helpfulness, empathy, condescension, critical behaviours) and the phrase-pass
hints (modal requests, "by the way", negators); grammar strategies are read here: how a sentence
starts ("please", "so", "I", "you"), what kind of question it is (wh-, why-, yes/no), first and
second person inside a sentence, and the positive and negative words of the sentiment lexicon.

Courtesy is COURTESY_NEUTRAL plus the points of each strategy found in the agent's turns, once per
interaction, clamped to 0..100. Every strategy found is an Evidence item at its first occurrence
whose effect is its points, so the signal is clamp(neutral + the sum of its evidence effects).
The points of the paper's strategies are learned from rated requests by `python -m scoring
train-courtesy` (scoring.courtesy_training) and kept in courtesy_points.toml; the service families
are too rare in that corpus to learn and keep the hand-set FIXED_POINTS.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence, Set as AbstractSet
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Final, NamedTuple

from scoring import cues as cue
from scoring.cues import Span
from scoring.native import PACKAGE
from scoring.result import Evidence, new_record, tenth
from scoring.sentiment import LEXICON

Where = tuple[int, Span]  # (turn index, span in that turn's text)

COURTESY_NEUTRAL: Final = 50.0
POINTS_PATH: Final = PACKAGE / "courtesy_points.toml"

# Every strategy and what it is (the evidence reason reads "courtesy: <this>").
STRATEGIES: Final[Mapping[str, str]] = {
    "gratitude": "gratitude",
    "deference": "deference ('great question', 'thanks for your patience')",
    "greeting": "greeting",
    "apologizing": "apologizing",
    "please": "'please' inside a sentence",
    "please_start": "'please' opening a sentence",
    "hedge": "hedging ('I think', 'perhaps', 'I suggest')",
    "indirect": "indirection ('by the way')",
    "counterfactual_modal": "counterfactual modal request ('could you', 'would you')",
    "indicative_modal": "indicative modal request ('can you', 'will you')",
    "direct_question": "direct question ('what ...?', 'how ...?')",
    "why_question": "why-question (a challenge)",
    "yes_no_question": "yes/no question ('is it ...?', 'do you ...?')",
    "direct_start": "direct start ('so', 'then', 'and', 'but', 'or' opening a sentence)",
    "first_person_start": "'I' or 'my' opening a sentence",
    "first_person": "first person ('I', 'my') inside a sentence",
    "first_person_plural": "first person plural ('we', 'our')",
    "second_person_start": "'you' or 'your' opening a sentence",
    "second_person": "second person ('you', 'your') inside a sentence",
    "positive_lexicon": "positive word",
    "negative_lexicon": "negative word",
    "negation": "negation or disagreement ('not', 'no', 'never')",
    "blunt": "blunt wording or factuality ('actually', 'in fact', 'you must')",
    "helpfulness": "willingness to help",
    "empathy": "acknowledged the customer's feelings",
    "condescension": "condescension or arguing",
    "critical": "critical behaviour",
}
# Service families the politeness corpus hardly contains: hand-set points, not learned.
FIXED_POINTS: Final[Mapping[str, float]] = MappingProxyType(
    {"helpfulness": 6.0, "empathy": 8.0, "condescension": -20.0, "critical": -40.0})
LEARNED: Final = tuple(name for name in STRATEGIES if name not in FIXED_POINTS)
_REASONS: Final = {name: f"courtesy: {what}" for name, what in STRATEGIES.items()}

# Cue families (rubric families and phrase-pass hints) whose first live hit in an agent turn is a strategy.
# Apologies and critical behaviours are classified by the scorer and passed to `courtesy` as found.
FAMILY_STRATEGIES: Final[dict[str, str]] = {
    "courtesy_gratitude": "gratitude", "courtesy_deference": "deference", "courtesy_greeting": "greeting",
    "courtesy_helpful": "helpfulness", "empathy": "empathy", "condescension": "condescension",
    "blunt": "blunt", cue.BY_THE_WAY: "indirect", cue.COUNTERFACTUAL: "counterfactual_modal",
    cue.INDICATIVE: "indicative_modal",
}
_MODALS: Final = (cue.COUNTERFACTUAL, cue.INDICATIVE)
# Negators inside these phrases are formulas, not disagreement ("no worries", "don't hesitate").
_FORMULAS: Final = ("courtesy_helpful", "further_help")

# One match per sentence: its first word (after quotes, brackets or a reply's @handle) and its end
# marks. A sentence ends at . ! ? or a newline.
_SENTENCE: Final = re.compile(r"[\s\"'(*>-]*(?:@[\w-]+[\s:,]*)?([a-z][a-z']*)?[^.!?\n]*([.!?\n]*)")
_START_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys("so then and but or".split(), "direct_start"),
    **dict.fromkeys("i my mine myself i'm i've i'd i'll".split(), "first_person_start"),
    **dict.fromkeys("you your yours yourself you're you've you'd you'll".split(), "second_person_start"),
}
# Kinds of question, told by a question's first word.
_QUESTION_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys("what what's whats who who's whom whose where where's when how how's which".split(),
                    "direct_question"),
    **dict.fromkeys("is isn't are aren't am was wasn't were weren't do don't does doesn't did didn't have "
                    "haven't has hasn't had hadn't can can't could couldn't will won't would wouldn't should "
                    "shouldn't shall may might must".split(), "yes_no_question"),
}
_WHY: Final = re.compile(r"\bwhy\b")


class _Words(NamedTuple):
    """Strategies told by one word: its first use, outside quotes, where its conditions hold."""

    strategy: str
    words: tuple[str, ...]
    at_start: bool  # a word opening a sentence counts (else the sentence start is a strategy of its own)
    before_apostrophe: bool  # a word followed by an apostrophe counts ("i'm"; not "well'" for the lexicon)


_WORD_STRATEGIES: Final = (
    _Words("first_person", ("i", "me", "my", "mine", "myself"), False, True),
    _Words("second_person", ("you", "your", "yours", "yourself", "yourselves", "u", "ur"), False, True),
    _Words("first_person_plural", ("we", "us", "our", "ours", "ourselves", "let's"), True, True),
    _Words("positive_lexicon", tuple(word for word, valence in LEXICON.items() if valence > 0), True, False),
    _Words("negative_lexicon", tuple(word for word, valence in LEXICON.items() if valence < 0), True, False),
)


def _word_regex(words: _Words) -> re.Pattern[str]:
    """Compile a strategy's words as a character trie after a non-word character.

    The pattern starts with the non-word character before the word, so the regex engine's first-character
    scan skips the letters inside words; it searches the text with a newline put before it, where a match
    starts at the word's offset in the text itself. The trie lets the regex engine reject most word starts
    at once.
    """
    trie: dict = {}
    for word in words.words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(node[char]) for char in sorted(node) if char]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return re.compile(r"\W" + emit(trie) + r"\b" + ("" if words.before_apostrophe else "(?!')"))


_WORD_PATTERNS: Final = tuple((_word_regex(words), words.at_start) for words in _WORD_STRATEGIES)
FirstWords = Callable[[str, Sequence[Span], AbstractSet[int]], tuple[Span | None, ...]]


# The C word table of _WORD_STRATEGIES (scoring/phrase_scan.c), None without the build.
_WORD_TABLE: Final = cue.word_table(
    *(words.words for words in _WORD_STRATEGIES),
    no_apostrophe=sum(1 << n for n, words in enumerate(_WORD_STRATEGIES) if not words.before_apostrophe),
    not_at_start=sum(1 << n for n, words in enumerate(_WORD_STRATEGIES) if not words.at_start))


AgentTurn = tuple[int, str, list[Span], dict[str, list[Span]]]  # index, low, quotes, hits


def strategies(turns: list[AgentTurn]) -> dict[str, Where]:
    """Return the first occurrence of each strategy in agent turns given as (index, low, quotes, hits).

    `low` is the turn's normalized text, `quotes` the spans of quoted words to ignore, and `hits`
    the live cue hits of the phrase pass (outside quotes, not negated).
    """
    found: dict[str, Where] = {}
    texts: list[str] = []
    offsets: list[int] = []  # where each turn starts in the joined text
    indexes: list[int] = []
    quoted: list[Span] = []
    please: list[Span] = []
    size = 0
    for index, low, quotes, hits in turns:
        for family, spans in hits.items():  # each family tells its own strategy, so their order is free
            name = FAMILY_STRATEGIES.get(family)
            if name is not None and name not in found:
                found[name] = (index, spans[0])
        if "courtesy_hedge" in hits and "hedge" not in found:  # a modal request is its own strategy
            modal = [span for family in _MODALS for span in hits.get(family, ())]
            hedge = next((s for s in hits["courtesy_hedge"] if not cue.overlaps(s, modal)), None)
            if hedge:
                found["hedge"] = (index, hedge)
        if cue.NEGATOR in hits and "negation" not in found:
            formulas = [span for family in _FORMULAS for span in hits.get(family, ())]
            negator = next((s for s in hits[cue.NEGATOR] if not cue.overlaps(s, formulas)), None)
            if negator:
                found["negation"] = (index, negator)
        if "courtesy_please" in hits:
            please += [(start + size, end + size) for start, end in hits["courtesy_please"]]
        if quotes:
            quoted += [(start + size, end + size) for start, end in quotes]
        texts.append(low)
        offsets.append(size)
        indexes.append(index)
        size += len(low) + 1
    if not texts:
        return found
    # The grammar strategies are read once over all agent turns; a newline starts a sentence.
    joined = "\n".join(texts)
    at: dict[str, Span] = {}
    starts = _sentences(joined, quoted, at)
    for start, end in please:
        at.setdefault("please_start" if start in starts else "please", (start, end))
    for words, span in zip(_WORD_STRATEGIES, first_words(joined, quoted, starts)):
        if span:
            at[words.strategy] = span
    for name, (start, end) in at.items():
        if name not in found:
            turn = len(offsets) - 1  # the last turn that starts at or before the strategy
            while offsets[turn] > start:
                turn -= 1
            found[name] = (indexes[turn], (start - offsets[turn], end - offsets[turn]))
    return found


def regex_first_words(text: str, quoted: Sequence[Span], starts: AbstractSet[int]) -> tuple[Span | None, ...]:
    """Return the first word of each of _WORD_STRATEGIES in the text, outside `quoted`, or None.

    Words at `starts` (sentence starts) count only for the strategies that allow them. This is the
    definition: each strategy's regex searches the text. The C word table finds the same in one pass.
    """
    after_newline = "\n" + text
    return tuple(next(_word_spans(pattern, after_newline, quoted, frozenset() if at_start else starts), None)
                 for pattern, at_start in _WORD_PATTERNS)


first_words: Final[FirstWords] = regex_first_words if _WORD_TABLE is None else _WORD_TABLE.first


def _word_spans(pattern: re.Pattern[str], after_newline: str, quoted: Sequence[Span],
                starts: AbstractSet[int]) -> Iterator[Span]:
    """Yield the spans of a word pattern's matches outside `quoted` and not at `starts`.

    The spans are offsets in the text that `after_newline` holds after its leading newline.
    """
    for m in pattern.finditer(after_newline):
        span = (m.start(), m.end() - 1)
        if span[0] not in starts and not (quoted and cue.overlaps(span, quoted)):
            yield span


def regex_sentences(text: str) -> list[tuple[int, int, bool, int]]:
    """Return (word start, word end, whether it asks, end) of each sentence that opens with a word.

    This is the definition; the C scan (scoring/phrase_scan.c) returns the same.
    """
    return [(m.start(1), m.end(1), "?" in m.group(2), m.end()) for m in _SENTENCE.finditer(text)
            if m.group(1) is not None]


sentences: Final[Callable[[str], list[tuple[int, int, bool, int]]]] = (
    regex_sentences if cue.phrase_scan is None else cue.phrase_scan.sentences)


def _sentences(text: str, quoted: list[Span], at: dict[str, Span]) -> set[int]:
    """Note in `at` the first span of each strategy told by a sentence's first word and kind.

    Return the offsets of the sentences' first words.
    """
    starts: set[int] = set()
    why_inside = "why" in text
    for start, end, asks, sentence_end in sentences(text):
        word = text[start:end]
        starts.add(start)
        kind = _START_KINDS.get(word)
        if word == "why":
            kind = "why_question"
        elif asks:
            kind = kind or _QUESTION_KINDS.get(word)
            if why_inside and "why_question" not in at:  # "but why ...?", "out of interest, why?"
                why = _WHY.search(text, end, sentence_end)
                if why and not (quoted and cue.overlaps(why.span(), quoted)):
                    at["why_question"] = why.span()
        if kind and kind not in at and not (quoted and cue.overlaps((start, end), quoted)):
            at[kind] = (start, end)
    return starts


def courtesy(found: dict[str, Where], points: dict[str, float]) -> tuple[float, tuple[Evidence, ...]]:
    """Return the courtesy signal (0..100) and its evidence: per strategy found, its points as effect."""
    # Sorted as whole tuples: (turn, start, end, cue) already differ, since each strategy is found once.
    evidence = tuple(sorted([new_record(Evidence, (turn, start, end, name, points.get(name, 0.0),
                                                     _REASONS[name]))
                             for name, (turn, (start, end)) in found.items()]))
    total = COURTESY_NEUTRAL + sum([e.effect for e in evidence])
    return tenth(min(100.0, max(0.0, total))), evidence


class CourtesyPointsError(ValueError):
    """A courtesy points file that cannot be used; the message names the file."""


@lru_cache(maxsize=8)
def learned_points(path: Path = POINTS_PATH) -> Mapping[str, float]:
    """Read the learned points per strategy (the [points] table; strategies left out count 0)."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("points")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CourtesyPointsError(f"{path}: cannot read courtesy points: {exc}") from None
    if not isinstance(table, dict):
        raise CourtesyPointsError(f"{path}: expected a [points] table")
    for name, value in table.items():
        if name not in LEARNED:
            raise CourtesyPointsError(f"{path}: points.{name}: not a learned strategy "
                                      f"(expected one of {', '.join(LEARNED)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise CourtesyPointsError(f"{path}: points.{name}: expected a number, got {value!r}")
    return MappingProxyType({name: float(table.get(name, 0.0)) for name in LEARNED})
