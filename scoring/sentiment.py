"""Customer sentiment from a small built-in lexicon, in the range -1..1.

Each known word carries a valence from -3 to 3. A negator among the three preceding words
flips and damps it; an intensifier just before it strengthens it; words after "but" count
more than words before it; each "!" (up to three) pushes the total away from zero.
The total s is squashed to s / sqrt(s^2 + 12) so that a couple of strong words approach +-1.
The lexicon favours customer-service vocabulary (broken, refund, waiting, sorted, helpful).

`customer_outcome` reads a customer turn as an outcome: its sentiment, lowered when the customer
is still asking (a question mark), addresses the agent directly ("you", "your": complaints are
addressed, thanks usually name the help) or writes at length, and raised by acknowledgement
("ok", "I see", "got it", "thanks"). In the STC-3 dialogue-quality data these structural marks
separate satisfied from unsatisfied customers as much as the words do.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from typing import Final

from scoring.cues import phrase_scan, word_table

_POSITIVE: Final = {
    3: "amazing awesome brilliant excellent fantastic outstanding perfect superb wonderful love loved lovely "
       "delighted thrilled incredible",
    2: "great good happy glad pleased satisfied thanks thank grateful appreciate appreciated helpful "
       "resolved sorted fixed solved works worked working best nice kind friendly quick fast easy "
       "recommend enjoy enjoyed cool impressed reliable smooth welcome dedicated efficient professional "
       "patiently considerate attentive responsive",
    1: "ok okay fine fair better clear polite patient prompt useful well hope hopefully understand "
       "understood connected restored received normal cute",
}
_NEGATIVE: Final = {
    3: "terrible awful horrible worst hate hated disgusting furious outrageous unacceptable pathetic useless "
       "rubbish scam fraud shit crap ridiculous appalling nightmare disgrace incompetent sucks fucking fuck "
       "shameless shamelessly irresponsible cheat cheating liar",
    2: "bad angry annoyed annoying frustrated frustrating disappointed disappointing upset poor rude broken "
       "fail failed failure wrong lost stolen damaged faulty defective scammed cheated unhappy sad worried "
       "mad stupid complaint complain slow nonsense waste wasted lied ignored shocking inefficient ruin "
       "ruined fooling fool perfunctory excuse excuses unreasonable unfair unbearable cliche "
       "complaints complained hopeless speechless",
    1: "problem problems issue issues error errors late delay delayed missing stuck crash crashed crashing "
       "bug glitch cancel cancelled charged overcharged confused confusing difficult hard unable waiting "
       "still again down outage disconnected deducted unresolved doubt worse repeatedly automatic "
       "waited",
}
LEXICON: Final[dict[str, float]] = {word: float(sign * weight)
                                    for sign, table in ((1, _POSITIVE), (-1, _NEGATIVE))
                                    for weight, words in table.items() for word in words.split()}

_NEGATORS: Final = frozenset(
    "not no never none nobody nothing neither nor without cannot dont doesnt didnt cant "
    "wont isnt arent wasnt werent couldnt wouldnt shouldnt havent hasnt don't doesn't "
    "didn't "
    "can't won't isn't aren't wasn't weren't couldn't wouldn't shouldn't haven't "
    "hasn't".split())
_INTENSIFIERS: Final = {
    "very": 1.3, "really": 1.3, "so": 1.25, "extremely": 1.5, "absolutely": 1.4, "totally": 1.3,
    "completely": 1.3, "incredibly": 1.5, "super": 1.3, "too": 1.2, "most": 1.2, "quite": 1.1}
_NEGATION_FACTOR: Final = -0.6
_BUT_BEFORE: Final = 0.5
_BUT_AFTER: Final = 1.5
_EXCLAMATION_BOOST: Final = 0.3
_SQUASH: Final = 12.0
# Tokens are the runs of a-z and apostrophes. Splitting the UTF-8 bytes with every other byte made a
# space finds the same runs as the regex [a-z']+ several times faster; the words are then bytes.
_SEPARATE: Final = bytes(c if chr(c) in string.ascii_lowercase + "'" else 32 for c in range(256))
_VALENCE: Final = {word.encode(): valence for word, valence in LEXICON.items()}
_NEGATOR_WORDS: Final = frozenset(word.encode() for word in _NEGATORS)
_INTENSIFIER_WORDS: Final = {word.encode(): factor for word, factor in _INTENSIFIERS.items()}


def python_lexicon_total(low: str) -> float:
    """Return the sum of the valences of a lowercased text's words, with the rules of the module docstring.

    This is the definition; the C lexicon (scoring/phrase_scan.c) returns the same from one pass.
    """
    words = low.encode("utf-8", "surrogatepass").translate(_SEPARATE).split()
    if _VALENCE.keys().isdisjoint(words):
        return 0.0
    total = 0.0
    but_at = words.index(b"but") if b"but" in words else -1
    for i in [i for i, word in enumerate(words) if word in _VALENCE]:
        valence = _VALENCE[words[i]]
        if i and words[i - 1] in _INTENSIFIER_WORDS:
            valence *= _INTENSIFIER_WORDS[words[i - 1]]
        if not _NEGATOR_WORDS.isdisjoint(words[max(0, i - 3):i]):
            valence *= _NEGATION_FACTOR
        if but_at >= 0:
            valence *= _BUT_AFTER if i > but_at else _BUT_BEFORE
        total += valence
    return total


lexicon_total: Final[Callable[[str], float]] = (
    python_lexicon_total if phrase_scan is None
    else phrase_scan.Lexicon(LEXICON, _NEGATORS, _INTENSIFIERS, "but", _NEGATION_FACTOR, _BUT_BEFORE,
                             _BUT_AFTER).total)


def sentiment(text: str) -> float:
    """Return the text's sentiment in -1..1 (0 when no lexicon word appears)."""
    low = text.lower().replace("’", "'")
    total = lexicon_total(low)
    if total:
        total += math.copysign(_EXCLAMATION_BOOST * min(low.count("!") + low.count("！"), 3), total)
    return round(total / math.sqrt(total * total + _SQUASH), 4)


# "you" is written first, so the regex engine looks for it as a literal; the lookbehind is the \b before it.
_ADDRESSED: Final = re.compile(r"you(?<!\wyou)(?:r|rs)?\b")
# "ok", "okay", "i see", "got it", "understand", "understood", "thank", "thanks", "thx" as words. Each
# alternative starts with a letter and checks the word boundary before it after that letter, so the
# regex engine only stops at those five letters.
_ACKNOWLEDGED: Final = re.compile(
    r"(?:o(?<!\wo)k(?:ay)?|i(?<!\wi) see|g(?<!\wg)ot it|u(?<!\wu)nderst(?:and|ood)"
    r"|t(?<!\wt)h(?:anks?|x))\b")


def python_outcome_marks(low: str) -> tuple[bool, bool]:
    """Tell whether a lowercased customer turn addresses the agent, and whether it acknowledges (the definition)."""
    return _ADDRESSED.search(low) is not None, _ACKNOWLEDGED.search(low) is not None


def _table_outcome_marks(low: str) -> tuple[bool, bool]:
    """outcome_marks with the C word table: the single words in one pass, the regex only for "i see", "got it"."""
    assert _OUTCOME_WORDS is not None  # chosen only with the build
    addressed, acknowledging = _OUTCOME_WORDS(low, (), _NO_STARTS)
    return addressed is not None, acknowledging is not None or (
        ("i see" in low or "got it" in low) and _ACKNOWLEDGED.search(low) is not None)


_NO_STARTS: Final[set[int]] = set()  # never changed: outcome words count anywhere
# The C word table's first(text, quoted, starts): the first "you" word and the first acknowledging word.
_OUTCOME_WORDS: Final[Callable[[str, tuple[()], set[int]], tuple[tuple[int, int] | None, ...]] | None] = (
    None if phrase_scan is None else word_table(
        ("you", "your", "yours"), ("ok", "okay", "understand", "understood", "thank", "thanks", "thx")).first)
outcome_marks: Final[Callable[[str], tuple[bool, bool]]] = (python_outcome_marks if _OUTCOME_WORDS is None
                                                            else _table_outcome_marks)
# Outcome marks (see the module docstring); a turn this many characters long counts as fully "long".
_STILL_ASKING: Final = 0.3
_ADDRESSING: Final = 0.15
_LONG: Final = 0.3
_ACKNOWLEDGING: Final = 0.3
_LONG_CHARS: Final = 200


def customer_outcome(text: str, text_sentiment: float | None = None) -> float:
    """Return how resolved a customer turn reads, in -1..1: sentiment plus the outcome marks.

    Pass `text_sentiment` when sentiment(text) is already known.
    """
    low = text.lower().replace("’", "'")
    score = sentiment(text) if text_sentiment is None else text_sentiment
    if "?" in low or "？" in low:
        score -= _STILL_ASKING
    addressed, acknowledging = outcome_marks(low)
    if addressed:
        score -= _ADDRESSING
    if acknowledging:
        score += _ACKNOWLEDGING
    score -= _LONG * min(len(text) / _LONG_CHARS, 1.0)
    return round(max(-1.0, min(1.0, score)), 4)
