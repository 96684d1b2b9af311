"""Cue detectors: rubric phrase matching plus the structural patterns kept in code.

Rubric phrases are plain text. Matching is case-insensitive, needs whole words at both ends,
accepts straight or curly apostrophes and the usual contraction spellings: a phrase written
"can't" also matches "cant", "cannot" and "can not"; "we will" also matches "we'll"; "is not"
matches "isn't".
Two wildcards exist: `*` stands for exactly one word and `...` for up to three words.
Separators between words may be spaces or any of , ; : / - (so "follow up" matches "follow-up").

All phrases of one speaker are compiled into a single character-trie regex that scans each turn
once; overlapping phrases starting at different words are all found, since each search resumes at
the next word. When phrases start at the same word only the longest is reported, so each phrase
also carries the families of the shorter phrases it begins with.

Structural patterns (negation scope, quotes, questions, time/date grammar, customer facts) live
here as precompiled module-level regexes because they are grammar, not vocabulary.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

try:  # the trie walk in C, built with the compiled modules (scoring.native); else the regex engine walks it
    from scoring import phrase_scan  # type: ignore[attr-defined]
except ImportError:
    phrase_scan = None

Span = tuple[int, int]
Phrase = tuple[int, int, tuple[str, ...]]  # a phrase found: its start, end and cue families


def word_table(*categories: Iterable[str], no_apostrophe: int = 0, not_at_start: int = 0,
               prefixes: int = 0) -> Any:
    """Return the C word table of these word categories, the n-th category's words carrying bit 1 << n
    (scoring/phrase_scan.c: WordTable and its options), or None without the build."""
    if phrase_scan is None:
        return None
    bits: dict[str, int] = {}
    for n, words in enumerate(categories):
        for word in words:
            bits[word] = bits.get(word, 0) | 1 << n
    return phrase_scan.WordTable(bits, no_apostrophe=no_apostrophe, not_at_start=not_at_start, prefixes=prefixes)

# Length-preserving folds applied after lower(): curly quotes/apostrophes and dashes.
_FOLDS: Final = (
    ("’", "'"), ("‘", "'"), ("ʼ", "'"), ("`", "'"), ("´", "'"), ("“", '"'), ("”", '"'), ("„", '"'),
    ("–", "-"), ("—", "-"))


def normalize(text: str) -> str:
    """Return `text` lowercased with quotes and dashes folded, keeping every character offset."""
    low = text.lower()
    if len(low) != len(text):  # a few characters (e.g. "İ") lowercase to two; keep offsets exact
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if not low.isascii() or "`" in low:
        for curly, plain in _FOLDS:
            if curly in low:
                low = low.replace(curly, plain)
    return low


# ---------------------------------------------------------------------------------------------
# Phrase syntax and compilation

class PhraseError(ValueError):
    """A rubric phrase that does not follow the plain-text phrase syntax."""


_SEP: Final = r"[\s,;:/-]+"
_WORD: Final = r"[\w'&]+"
_TOKEN_OK: Final = re.compile(r"[\w&]+(?:'[\w&]+)*")
_SPLIT: Final = re.compile(r"[\s,-]+")
_BAD_CHAR: Final = re.compile(r"[^\w\s',&*.-]")  # checked after normalize() folded curly apostrophes

_NT_IRREGULAR: Final = {"can't": ("can", "not"), "cannot": ("can", "not"), "won't": ("will", "not"),
                        "shan't": ("shall", "not"), "ain't": ("am", "not")}
_CONTRACTED: Final = {"'m": "am", "'re": "are", "'ll": "will", "'ve": "have", "'d": "would"}
_S_IS: Final = frozenset("it that there what here he she who where how".split())
# Auxiliaries that take a fused "n't"; "can", "will" and "shall" are irregular.
_NT_AUX: Final = frozenset(
    "do does did is are was were has have had could would should must need might".split())
_NEGATABLE_AUX: Final = _NT_AUX | {"can", "will", "shall"}
# Pronoun + auxiliary pairs and their contracted tail; apostrophe optional unless the fused
# spelling is a different word ("well", "ill", "were", "wed", "id", "lets", ...).
_PAIR_TAIL: Final = {"am": "m", "are": "re", "will": "ll", "have": "ve", "would": "d", "is": "s", "has": "s",
                     "us": "s"}
_PAIR_SUBJECTS: Final = {
    "am": {"i"}, "are": {"you", "we", "they", "who", "what"},
    "will": {"i", "you", "we", "they", "he", "she", "it", "that", "there", "who"},
    "have": {"i", "you", "we", "they", "who", "could", "would", "should"},
    "would": {"i", "you", "we", "they", "he", "she", "it", "that", "who"},
    "is": _S_IS, "has": _S_IS, "us": {"let"},
}
_FUSED_WORDS: Final = frozenset("well ill were wed id hed hell shell shed lets whos".split())
# Spellings of a phrase-initial "not" ("isn't working" for "not working"); stems take a fused n't.
_NOT_AUX: Final = {"ca": "can", "wo": "will", "sha": "shall"}
_NOT_STEMS: Final = ("do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "could", "would",
                     "should", "must", "need", "might", "ca", "wo", "sha", "ai")


def phrase_tokens(phrase: object) -> tuple[str, ...]:
    """Return the canonical tokens of a rubric phrase, contractions expanded.

    Raises PhraseError naming what is wrong with the phrase.
    """
    if not isinstance(phrase, str):
        raise PhraseError(f"expected text, got {type(phrase).__name__}")
    text = normalize(phrase.strip())
    if not text:
        raise PhraseError("empty phrase")
    bad = _BAD_CHAR.search(text)
    if bad:
        raise PhraseError(f"unsupported character {bad.group()!r} in {phrase!r}: phrases are plain words; "
                          "use * for any one word and ... for up to three words")
    raw = [t for t in _SPLIT.split(text.replace("...", " ... ")) if t]
    tokens: list[str] = []
    for token in raw:
        if token in ("*", "..."):
            tokens.append(token)
        elif "*" in token:
            raise PhraseError(f"'*' must stand alone in {phrase!r} (it matches any one word)")
        elif "." in token:
            raise PhraseError(f"unsupported character '.' in {phrase!r}: "
                              "only '...' (up to three words) is allowed")
        elif not _TOKEN_OK.fullmatch(token):
            raise PhraseError(f"malformed word {token!r} in {phrase!r}")
        else:
            tokens.extend(_expand(token))
    if not tokens or tokens[0] in ("*", "...") or tokens[-1] in ("*", "..."):
        raise PhraseError(f"{phrase!r} must start and end with a word, not a wildcard")
    return tuple(tokens)


def _expand(token: str) -> tuple[str, ...]:
    if token in _NT_IRREGULAR:
        return _NT_IRREGULAR[token]
    if token.endswith("n't") and len(token) > 3:
        return (token[:-3], "not")
    if token == "let's":
        return ("let", "us")
    head, apostrophe, tail = token.rpartition("'")
    if apostrophe and head:
        if "'" + tail in _CONTRACTED:
            return (head, _CONTRACTED["'" + tail])
        if tail == "s" and head in _S_IS:
            return (head, "is")
    return (token,)


# The steps of scoring/phrase_scan.c: a code point, or one of these for a regex fragment.
APOSTROPHE: Final = -1  # '?
SEPARATOR: Final = -2  # [\s,;:/-]+
WORD: Final = -3  # [\w'&]+
UP_TO_THREE_WORDS: Final = -4  # (?:[\w'&]+[\s,;:/-]+){0,3}


class Unit(NamedTuple):
    """One step of a phrase in the trie: a regex fragment, its spellings (None for a wildcard), and the
    same fragment as the C scan's step sequences, one per alternative."""

    special: bool  # False for a literal character, so literals sort (and are tried) first
    regex: str
    spellings: tuple[str, ...] | None
    steps: tuple[tuple[int, ...], ...]


_OPTIONAL_APOSTROPHE: Final = Unit(True, "'?", ("'", ""), ((APOSTROPHE,),))
# Matched separators are normalized to one space.
_SEPARATOR: Final = Unit(True, _SEP, (" ",), ((SEPARATOR,),))


def _literal(text: str) -> list[Unit]:
    return [_OPTIONAL_APOSTROPHE if c == "'" else Unit(False, re.escape(c), (c,), ((ord(c),),)) for c in text]


def _characters(text: str) -> tuple[int, ...]:
    return tuple(map(ord, text))


def _variants(tokens: Sequence[str]) -> list[list[Unit]]:
    """Translate canonical tokens into the unit sequences that spell them.

    Spellings that differ from the first character on ("won't" / "will not") become separate
    sequences rather than one alternation, so every trie branch starts with a literal character
    and the regex engine rejects most word starts after a single comparison.
    """
    slots: list[list[list[Unit]]] = []
    i, n = 0, len(tokens)
    while i < n:
        word = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        if i and tokens[i - 1] != "...":
            slots.append([[_SEPARATOR]])
        if word == "*":
            slots.append([[Unit(True, _WORD, None, ((WORD,),))]])
        elif word == "...":
            slots.append([[Unit(True, f"(?:{_WORD}{_SEP}){{0,3}}", None, ((UP_TO_THREE_WORDS,),))]])
        elif word == "not" and i == 0:
            # Spelled with the same units as "<aux> not" phrases so that their trie branches merge:
            # sibling branches that both match would let the shorter phrase hide the longer one.
            slots.append([_literal("not"), _literal("ain't")]
                         + [units for stem in _NOT_STEMS if stem != "ai"
                            for units in _negated_aux(_NOT_AUX.get(stem, stem))])
        elif nxt == "not" and word in _NEGATABLE_AUX:
            slots.append(_negated_aux(word))
            i += 1
        elif nxt in _PAIR_SUBJECTS and word in _PAIR_SUBJECTS[nxt]:
            if i + 2 < n and tokens[i + 2] == "not" and nxt in _NEGATABLE_AUX:
                # "we are not": also "we're not" and "we aren't"
                slots.append([_pair(word, nxt) + [_SEPARATOR] + _literal("not")]
                             + [_literal(word) + [_SEPARATOR] + spelling for spelling in _negated_aux(nxt)])
                i += 1
            else:
                slots.append([_pair(word, nxt)])
            i += 1
        else:
            slots.append([_literal(word)])
        i += 1
    return [[unit for part in choice for unit in part] for choice in itertools.product(*slots)]


def _pair(word: str, aux: str) -> list[Unit]:
    """Spell a pronoun and its auxiliary in full or contracted: "we are", "we're" (but never "were")."""
    tail = _PAIR_TAIL[aux]
    spellings: tuple[str, ...]
    if word + tail in _FUSED_WORDS:  # the spelling without apostrophe is another word: "well", "were"
        apostrophe, spellings = "'", (" " + aux, "'" + tail)
    else:
        apostrophe, spellings = "'?", (" " + aux, "'" + tail, tail)
    tail_steps = ((APOSTROPHE,) if apostrophe == "'?" else (ord("'"),)) + _characters(tail)
    return _literal(word) + [Unit(True, f"(?:{_SEP}{aux}|{apostrophe}{tail})", spellings,
                                  ((SEPARATOR, *_characters(aux)), tail_steps))]


def _negated_aux(word: str) -> list[list[Unit]]:
    if word == "can":
        return [_literal("can't"), _literal("cannot"), _literal("can") + [_SEPARATOR] + _literal("not")]
    if word in ("will", "shall"):
        short = "won't" if word == "will" else "shan't"
        return [_literal(short), _literal(word) + [_SEPARATOR] + _literal("not")]
    return [_literal(word) + [Unit(True, f"(?:n'?t|{_SEP}not)", ("n't", "nt", " not"),
                                   ((ord("n"), APOSTROPHE, ord("t")), (SEPARATOR, *_characters("not"))))]]


# Internal families matched in the same pass as the rubric phrases. They only tell the structural
# detectors below whether they need to run at all, which keeps scoring fast.
NEGATOR: Final = "_negator"
TIME_HINT: Final = "_time_hint"
FACT_HINT: Final = "_fact_hint"  # words naming a kind of fact an agent may ask for (see asked_fact_kinds)
# Hints for scoring.politeness: modal requests and indirection.
COUNTERFACTUAL: Final = "_counterfactual"
INDICATIVE: Final = "_indicative"
BY_THE_WAY: Final = "_by_the_way"
HINT_FAMILIES: Final[Mapping[str, tuple[str, ...]]] = {
    NEGATOR: tuple("not no never can't won't don't doesn't didn't isn't aren't wasn't weren't couldn't "
                   "wouldn't shouldn't haven't hasn't hadn't mustn't needn't nothing nobody none neither nor "
                   "without unable".split()),
    FACT_HINT: tuple("email e-mail mail order account tracking reference ref case ticket booking "
                     "confirmation invoice phone mobile cell contact address name version ios android os "
                     "macos ipados watchos windows software app device model iphone ipad ipod macbook imac "
                     "galaxy pixel airpods".split()) + ("apple watch",),
    TIME_HINT: tuple("tomorrow tonight today next eod noon midday midnight afternoon evening morning minute "
                     "minutes min mins hour hours hr hrs day days week weeks month months monday tuesday "
                     "wednesday thursday friday saturday sunday january february march april may june july "
                     "august september october november december jan feb mar apr jun jul aug sep sept oct "
                     "nov dec".split()) + ("end of", "close of business"),
    COUNTERFACTUAL: ("could you", "would you"),
    INDICATIVE: ("can you", "will you"),
    BY_THE_WAY: ("by the way", "btw"),
}
_DIGIT: Final = re.compile(r"[0-9]")  # an explicit range scans faster than \d


def regex_has_digit(text: str) -> bool:
    """Tell whether the text contains a digit (the definition; the C scan's has_digit is faster)."""
    return _DIGIT.search(text) is not None


has_digit: Final[Callable[[str], bool]] = regex_has_digit if phrase_scan is None else phrase_scan.has_digit


_TO_SPACE: Final = str.maketrans(",;:/-", "     ")


def _spelling(matched: str) -> str:
    """Normalize matched text the way phrase spellings are written: one space between words."""
    return " ".join(matched.translate(_TO_SPACE).split())


class PhraseMatcher:
    """Find every phrase of several cue families in one regex pass over normalized text.

    The regex is the character before a phrase and a character trie, so it finds the longest phrase
    starting at a word; the next search starts at the word after, so phrases that overlap are found
    too. It has no capture group: a group per phrase would make every match object cost O(phrases).
    The phrase found is told by its normalized spelling, precomputed for every phrase; wildcard
    phrases, whose spellings are open-ended, are told by a fullmatch.
    With the compiled build, scoring/phrase_scan.c walks the same trie in the regex engine's order
    instead, about twice as fast: the regex stays the definition, and a test holds the two to the same
    results.
    """

    def __init__(self, families: Mapping[str, Iterable[str]]):
        owners: dict[tuple[str, ...], set[str]] = {}
        for family, phrases in families.items():
            for phrase in phrases:
                owners.setdefault(phrase_tokens(phrase), set()).add(family)
        trie: dict = {}
        steps: dict[tuple[bool, str], tuple[tuple[int, ...], ...]] = {}
        self._by_spelling: dict[str, tuple[str, ...]] = {}
        # Wildcard phrases by their first character (every spelling starts with a literal one), in order.
        self._wildcards: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}
        for tokens in sorted(owners):
            # A longer phrase hides the shorter ones it starts with, so it inherits their families.
            names = set(owners[tokens])
            for cut in range(1, len(tokens)):
                names |= owners.get(tokens[:cut], set())
            inherited = tuple(sorted(names))
            variants = _variants(tokens)
            for units in variants:
                node = trie
                for unit in units:
                    node = node.setdefault((unit.special, unit.regex), {})
                    steps[(unit.special, unit.regex)] = unit.steps
                node[None] = True
            if any(u.spellings is None for units in variants for u in units):
                pattern = "|".join("".join(u.regex for u in units) for units in variants)
                for first in dict.fromkeys((units[0].spellings or ("",))[0] for units in variants):  # literals
                    self._wildcards.setdefault(first, []).append((re.compile(pattern), inherited))
                continue
            for units in variants:
                for parts in itertools.product(*(u.spellings or () for u in units)):  # no wildcard here
                    spelling = _spelling("".join(parts))
                    known = self._by_spelling.get(spelling, ())
                    self._by_spelling[spelling] = tuple(sorted(set(known) | names))
        # Phrases start after a non-word character. The pattern begins with that character (find() puts a
        # space before the text), so the regex engine skips the letters of words in its fast
        # first-character scan instead of trying every position. The text is lowercased, so an explicit
        # ASCII class stands for \w.
        self._pattern = re.compile(r"[^0-9a-z_](?=(" + _emit(trie) + "))") if trie else None
        self._find = (phrase_scan.Scanner(_program(trie, steps)).find if phrase_scan is not None
                      else self._regex_find)

    def _regex_find(self, low: str, spellings: Mapping[str, tuple[str, ...]],
                    resolve: Callable[[str, int, int], tuple[str, ...]]) -> list[Phrase]:
        """Return (start, end, families) of each phrase the regex finds: what the C scan's find returns."""
        if self._pattern is None:
            return []
        found = []
        for m in self._pattern.finditer(" " + low):
            start, end = m.start(), m.end(1) - 1
            found.append((start, end, spellings.get(low[start:end]) or resolve(low, start, end)))
        return found

    def _resolve(self, low: str, start: int, end: int) -> tuple[str, ...]:
        """Return the families of a phrase found whose text is not a phrase's exact spelling.

        That is one spelled with other separators ("log-in", "e - mail"), or a wildcard phrase's, told by
        the first wildcard pattern of its first character that it fullmatches.
        """
        families = self._by_spelling.get(_spelling(low[start:end]))
        if families is None:
            families = next((names for pattern, names in self._wildcards.get(low[start], ())
                             if pattern.fullmatch(low, start, end)), ())
        return families

    def find(self, low: str) -> list[Phrase]:
        """Return (start, end, families) of each phrase found in normalized text, in text order."""
        return self._find(low, self._by_spelling, self._resolve)


def _program(trie: dict, steps: Mapping[tuple[bool, str], tuple[tuple[int, ...], ...]]) -> tuple:
    """Flatten the trie for the C scan: nodes (has_end, edges), each edge (steps, child), root first.

    Edges keep _emit's order, and a unit's alternatives become edges to the same child, in their order,
    so the C walk tries paths in the regex engine's order. A node that is no phrase's end and has one
    edge leaves no choice, so its edge joins the one leading to it: most edges then spell a whole word
    or more, which the walk compares in one loop. Nodes are numbered breadth first: the shallow nodes,
    which every walk reads, lie together in memory.
    """
    def edges(node: dict) -> list[tuple[tuple[int, ...], dict]]:
        found = []
        for key in sorted(key for key in node if key is not None):
            for alternative in steps[key]:
                child = node[key]
                while None not in child and len(child) == 1 and len(steps[next(iter(child))]) == 1:
                    (only,) = child
                    alternative, child = alternative + steps[only][0], child[only]
                found.append((alternative, child))
        return found

    if not trie:
        return ()
    order, queued, linked = [trie], {id(trie)}, []
    for node in order:  # grows as it goes: breadth first
        linked.append(edges(node))
        for _, child in linked[-1]:
            if id(child) not in queued:
                queued.add(id(child))
                order.append(child)
    number = {id(node): n for n, node in enumerate(order)}
    return tuple((None in node, tuple((alternative, number[id(child)]) for alternative, child in out))
                 for node, out in zip(order, linked))


def _emit(node: dict) -> str:
    """Emit a trie node as a regex: continuations first (longest match wins), the phrase end last."""
    alternatives = [regex + _emit(node[(special, regex)])
                    for special, regex in sorted(key for key in node if key is not None)]
    if None in node:
        alternatives.append(r"(?!\w)")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


# ---------------------------------------------------------------------------------------------
# Quotes, negation, sentences

_DOUBLE_QUOTED: Final = re.compile(r'"[^"\n]+"')
# An opening single quote follows a non-word character; apostrophes inside words ("can't") stay inside.
_SINGLE_QUOTED: Final = re.compile(r"'(?<!\w')(?:[^'\n]|(?<=\w)'(?=\w))+'(?!\w)")
_EMAIL_QUOTED: Final = re.compile(r"^[ \t]*>.*$", re.MULTILINE)


def quoted_spans(low: str) -> list[Span]:
    """Return spans of someone else's words: double or single quotes, or email '>' lines."""
    spans: list[Span] = []
    if '"' in low:
        spans += [m.span() for m in _DOUBLE_QUOTED.finditer(low)]
    if "'" in low:
        spans += [m.span() for m in _SINGLE_QUOTED.finditer(low)]
    if ">" in low:
        spans += [m.span() for m in _EMAIL_QUOTED.finditer(low)]
    return spans


def overlaps(span: Span, spans: Iterable[Span]) -> bool:
    """Tell whether `span` shares at least one character with any of `spans`."""
    start, end = span
    for s, e in spans:  # a loop, not any(): called often on a few spans, where a generator costs more
        if s < end and start < e:
            return True
    return False


_NEGATOR_WORDS: Final = frozenset(
    "not no never cannot nothing nobody none neither nor without unable dont doesnt "
    "didnt cant wont isnt arent wasnt werent couldnt wouldnt shouldnt havent hasnt "
    "hadnt".split())
# A negator followed by one of these is an idiom, not a denial ("no worries", "not only").
_IDIOM_NEXT: Final = frozenset(
    "worry worries problem problems trouble hesitate doubt matter only charge cost extra".split())
_CONDITIONAL: Final = frozenset(("if", "unless", "whether"))
# Clause breaks end a negation's scope: sentence punctuation, commas, quotes (found with rfind),
# contrast words and "and"/"so"/"then" + a new subject.
_CONTRAST: Final = frozenset("but however although though instead except yet".split())
_NEW_CLAUSE: Final = frozenset(("and", "so", "then"))
_SUBJECTS: Final = frozenset("i we you it they this that he she".split())
_NEGATION_REACH: Final = 80  # characters looked back for a negator
_LAST_CLAUSE_BREAK: Final = re.compile(r'[\s\S]*[.,!?;:\n"]')  # greedy: matches up to the last break
_WORDS: Final = re.compile(r"[\w']+")
_NEGATION_WINDOW: Final = 7  # the negator and up to six words between it and the cue


def negated_before(low: str, start: int) -> bool:
    """Tell whether a negator governs the words starting at `start`.

    Scope: the same clause (no sentence punctuation, comma, quote or contrast word in between) and
    at most six words between the negator and the cue. Idioms ("no worries", "not only") and
    negators inside a conditional ("if you don't receive the refund") do not count.
    With the build the C scan decides (scoring/phrase_scan.c); python_negated_before is the definition.
    """
    if _NEGATION_WORDS is None:
        return python_negated_before(low, start)
    return bool(phrase_scan.negated_before(_NEGATION_WORDS, low, start, _NEGATION_REACH, _NEGATION_WINDOW))


def python_negated_before(low: str, start: int) -> bool:
    """Tell whether a negator governs the words starting at `start` (see negated_before)."""
    left = max(0, start - _NEGATION_REACH)
    clause = _LAST_CLAUSE_BREAK.match(low, left, start)
    if clause:
        left = clause.end()
    words = _WORDS.findall(low, left, start)[-(_NEGATION_WINDOW + 3):]
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if word in _CONTRAST or (word in _NEW_CLAUSE and i + 1 < len(words) and words[i + 1] in _SUBJECTS):
            return False
        if len(words) - i > _NEGATION_WINDOW:
            return False
        if word in _NEGATOR_WORDS or word.endswith("n't"):
            if i + 1 < len(words) and words[i + 1] in _IDIOM_NEXT:
                continue
            if _CONDITIONAL.intersection(words[max(0, i - 3):i]):
                continue
            return True
    return False


_NEGATION_WORDS: Final = word_table(
    _CONTRAST, _NEW_CLAUSE, _SUBJECTS, _NEGATOR_WORDS, _IDIOM_NEXT, _CONDITIONAL)


# A denial right after a remedy: "a refund isn't possible", "replacements cannot be issued".
_DENIED_AFTER: Final = re.compile(
    r"\s+(?:(?:is|are|was|were|would|could|will|can|ca|wo)(?:n'?t|\s*not)|never|not)"
    r"\s+"
    r"(?:be\s+)?(?:possible|available|an?\s+option|allowed|permitted|approved|eligible"
    r"|issued|processed|offered|given|done)\b")


def negated_after(low: str, end: int) -> bool:
    """Tell whether the words right after a cue deny it ("a refund is not possible")."""
    return _DENIED_AFTER.match(low, end) is not None


_SENTENCE_END: Final = re.compile(r"[.!?\n]")


def regex_sentence_bounds(low: str, pos: int) -> Span:
    """Return the span of the sentence that contains offset `pos` (the definition; the C scan's is faster)."""
    start = 1 + max(low.rfind(".", 0, pos), low.rfind("!", 0, pos), low.rfind("?", 0, pos),
                    low.rfind("\n", 0, pos))
    m = _SENTENCE_END.search(low, pos)
    return start, (m.end() if m else len(low))


sentence_bounds: Final[Callable[[str, int], Span]] = (regex_sentence_bounds if phrase_scan is None
                                                      else phrase_scan.sentence_bounds)


def question_spans(low: str) -> list[Span]:
    """Return the spans of interrogative sentences (ending in '?'), leading spaces trimmed."""
    spans: list[Span] = []
    pos = low.find("?")
    while pos >= 0:
        after = low[pos + 1:pos + 2]
        # a '?' inside a URL query is not a question
        if not after or not (after.isalnum() or after in "=&/_"):
            start = sentence_bounds(low, pos)[0]
            while start < pos and low[start].isspace():
                start += 1
            if any(c.isalnum() for c in low[start:pos]):
                spans.append((start, pos + 1))
        pos = low.find("?", pos + 1)
    return spans


# ---------------------------------------------------------------------------------------------
# Time and date commitments

_NUM_WORD: Final = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty"
    r"|sixty|ninety|twenty-?four|forty-?eight|seventy-?two)")
_NUM: Final = rf"(?:\d+(?:\.\d+)?|{_NUM_WORD})"
_NUM_LOOSE: Final = rf"(?:{_NUM}|an?|a\s+few|a\s+couple(?:\s+of)?|the\s+next)"
_UNIT: Final = (r"(?:(?:more\s+)?(?:business|working|calendar)\s+)?"
                r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)")


def _duration(num: str) -> str:
    return rf"(?:{num}(?:\s*(?:-|to|or)\s*{num})?\s*-?\s*{_UNIT}|\d+\s*h)\b"


_WEEKDAY: Final = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH: Final = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
                 r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)")
_DAY: Final = r"\d{1,2}(?:st|nd|rd|th)?"
_NUMERIC_DATE: Final = (rf"(?:{_DAY}\s+(?:of\s+)?{_MONTH}\b|(?!24/7\b)\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b"
                        rf"|\d{{4}}-\d{{2}}-\d{{2}}\b)")
_DATE: Final = rf"(?:{_MONTH}\.?\s+{_DAY}\b|{_NUMERIC_DATE})"
_DIGIT_CLOCK: Final = r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}\b)"
_CLOCK: Final = rf"(?:{_DIGIT_CLOCK}|noon\b|midday\b|midnight\b)"
_END_OF: Final = r"(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week|month|business\s+day|today|tomorrow)\b"
# Word-led expressions. Those in `anchored` point forward by themselves; the rest need a future
# verb in their sentence ("you ordered on March 3" is history). Each starts with a word character;
# (?=\w) says so first, so word ends fail before the alternatives are tried.
_TIMELINE_WORDS: Final = re.compile(
    rf"\b(?=\w)(?:(?P<anchored>(?:within|in|under|less\s+than|up\s+to|over\s+the\s+next|in\s+the\s+next"
    rf"|within\s+the\s+next)\s+{_duration(_NUM_LOOSE)}"
    rf"|within\s+(?:the|an|one)\s+hour\b"
    rf"|(?:by|before|until|no\s+later\s+than)\s+(?:{_WEEKDAY}|{_DATE}|{_CLOCK}|{_END_OF}|tomorrow\b|tonight\b"
    rf"|today\b|this\s+(?:morning|afternoon|evening|week)\b|next\s+(?:week|month|{_WEEKDAY})\b)"
    rf"|tomorrow\b|tonight\b|later\s+today\b|{_END_OF}|eod\b|close\s+of\s+business\b"
    rf"|next\s+(?:week|month|business\s+day|working\s+day|{_WEEKDAY})\b|this\s+(?:afternoon|evening)\b)"
    rf"|(?P<free>{_WEEKDAY}\b|today\b|noon\b|midday\b|midnight\b|{_MONTH}\.?\s+{_DAY}\b"
    rf"|{_duration(_NUM_WORD)}))")
# Digit-led expressions (dates, clock times, durations); they always need a future verb. Each
# starts with its first digit written out, so the regex engine skips non-digits quickly.
_TIMELINE_DIGITS: Final = re.compile(
    rf"[0-9](?<![\w.][0-9])(?:\d?(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b|\d?/\d{{1,2}}(?:/\d{{2,4}})?\b"
    rf"|\d{{3}}-\d{{2}}-\d{{2}}\b"
    rf"|\d?(?::\d{{2}})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d?:\d{{2}}\b"
    rf"|\d*(?:\.\d+)?(?:\s*(?:-|to|or)\s*{_NUM})?\s*-?\s*{_UNIT}\b|\d*\s*h\b)")
_NOT_A_TIME: Final = frozenset(("24/7",))
# The words a word-led expression can start with: first words (whole), and the number words and digits
# of its durations, which may run into their unit ("twohours", "24h").
_TIMELINE_FIRST_WORDS: Final = tuple(
    "within in under less up over by before until no tomorrow tonight later the end eod close next this today "
    "noon midday midnight monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december jan feb mar apr jun jul aug sep sept oct "
    "nov dec".split())
_TIMELINE_NUMBERS: Final = tuple(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty sixty ninety seventy 0 1 2 3 4 5 6 7 8 9".split())
_FUTURE: Final = re.compile(r"\b(?:will|shall|going\s+to|gonna|expect|expected|should|scheduled|estimated|due"
                            r"|aim|plan|takes?)\b|'ll\b")
_ANCHOR_BEFORE: Final = re.compile(r"\b(?:by|before|until|within|in|no\s+later\s+than)\s+(?:the\s+)?$")


def timeline_spans(low: str, time_words: Iterable[Span] | None = None) -> list[Span]:
    """Return spans of concrete time or date commitments ("by Friday", "within 24 hours", "tomorrow at 5pm").

    `time_words` may give the spans of the text's time words (TIME_HINT hits): every word-led
    expression contains one and starts at most a few words before it, so only windows around them
    are searched. None searches the whole text.
    """
    spans: list[Span] = []
    windows = [(0, len(low))] if time_words is None else _windows(time_words, len(low))
    for start, end in windows:
        for m in word_led_matches(low, start, end):
            if m.group("anchored") is not None or future_sentence(low, m.start()):
                spans.append(m.span())
    if has_digit(low):
        for m in digit_led_matches(low):
            span = (m.start(), m.end())
            if m.group() in _NOT_A_TIME or overlaps(span, spans):
                continue
            if _ANCHOR_BEFORE.search(low, max(0, span[0] - 24), span[0]) or future_sentence(low, span[0]):
                spans.append(span)
        spans.sort()
    return spans


def word_led_matches(low: str, start: int, end: int) -> list[re.Match[str]]:
    """Return the matches of the word-led expressions in low[start:end], as finditer finds them."""
    return _matches_at(_TIMELINE_WORDS, _TIMELINE_STARTS, low, start, end)


def digit_led_matches(low: str) -> list[re.Match[str]]:
    """Return the matches of the digit-led expressions in the text, as finditer finds them."""
    return _matches_at(_TIMELINE_DIGITS, _DIGIT_STARTS, low, 0, len(low))


def _matches_at(pattern: re.Pattern[str], starts: Callable[[str, int, int], list[int]] | None, low: str,
                start: int, end: int) -> list[re.Match[str]]:
    """Return pattern.finditer(low, start, end) as a list, trying the pattern only at `starts` when given.

    With the build, a C word table gives the offsets where the pattern can start, the words its matches
    begin with (scoring/phrase_scan.c); the matches are the same, found without searching every offset.
    """
    if starts is None:
        return list(pattern.finditer(low, start, end))
    found = []
    resume = start
    for at in starts(low, start, end):
        if at >= resume:
            m = pattern.match(low, at, end)
            if m is not None:
                found.append(m)
                resume = m.end()
    return found


_TIMELINE_STARTS: Final = None if phrase_scan is None else word_table(
    _TIMELINE_FIRST_WORDS, _TIMELINE_NUMBERS,
     prefixes=2).starts
# A digit-led expression starts with a word that starts with a digit.
_DIGIT_STARTS: Final = None if phrase_scan is None else word_table("0123456789", prefixes=1).starts

# The reach of an expression around its time word, in characters.
_BEFORE_TIME_WORD: Final = 48
_AFTER_TIME_WORD: Final = 32


def _windows(spans: Iterable[Span], size: int) -> list[Span]:
    """Merge the reach around each time word into disjoint windows."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start - _BEFORE_TIME_WORD), min(size, end + _AFTER_TIME_WORD)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def future_sentence(low: str, pos: int) -> bool:
    """Tell whether the sentence holding offset `pos` speaks of the future (_FUTURE).

    With the build, the C word table looks for the future's single words; the regex then reads only
    sentences that may hold "going to" or "'ll". python_future_sentence is the definition.
    """
    if _FUTURE_STARTS is None:
        return python_future_sentence(low, pos)
    start, end = sentence_bounds(low, pos)
    if _FUTURE_STARTS(low, start, end):
        return True
    return ((low.find("'ll", start, end) >= 0 or low.find("going", start, end) >= 0)
            and _FUTURE.search(low, start, end) is not None)


def python_future_sentence(low: str, pos: int) -> bool:
    """Tell whether the sentence holding offset `pos` speaks of the future (the definition)."""
    start, end = sentence_bounds(low, pos)
    return _FUTURE.search(low, start, end) is not None


_FUTURE_STARTS: Final = None if phrase_scan is None else word_table(
    "will shall gonna expect expected should scheduled estimated due aim plan take takes".split()).starts


# ---------------------------------------------------------------------------------------------
# Facts the customer gives, and facts the agent asks for

# Emails are found from their "@" (a literal the regex engine finds fast) and widened to the left.
_EMAIL_TAIL: Final = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_EMAIL_HEAD: Final = re.compile(r"[\w.+-]+$")


def emails(text: str) -> list[str]:
    """Return the email addresses in the text."""
    found = []
    if "@" in text:
        for m in _EMAIL_TAIL.finditer(text):
            head = _EMAIL_HEAD.search(text, max(0, m.start() - 64), m.start())
            if head:
                found.append(text[head.start():m.end()])
    return found

# Each pattern starts with a literal or a digit so the regex engine can skip positions quickly;
# word boundaries before the match are checked in Python.
_GIVEN_KEYED: Final = re.compile(
    r"(order|account|tracking|reference|ref|case|ticket|booking|confirmation|invoice"
    r"|ios|android|macos|ipados|watchos|windows|version)\b"
    r"(?:[^.?!\n\d]{0,25}\d|\s*v?\d)")
_VERSIONED: Final = ("ios", "android", "macos", "ipados", "watchos", "windows", "version")
_KEY_KIND: Final = {"order": "order", "account": "account", "tracking": "tracking",
                    **dict.fromkeys(_VERSIONED, "version")}
_GIVEN_ADDRESS: Final = re.compile(
    r"[0-9]+\s+(?:[a-z]+\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr"
    r"|boulevard|blvd|way|court|ct|place|pl|close|crescent)\b")
_GIVEN_PHONE: Final = re.compile(r"[+0-9][0-9 ().-]{6,}[0-9](?![\w/])")
# Literal-first alternatives let the regex engine skip positions quickly; the kind is told by the text.
_GIVEN_WORDS: Final = re.compile(r"my\s+name(?:\s+is|'s)\s+\w"
                                 r"|iphone|ipad|ipod|macbook|imac|galaxy|pixel|apple\s+watch|airpods")
_ASKED: Final = re.compile(
    r"\b(?:(?P<email>e-?mail(?:\s+address)?)"
    r"|(?P<order>order\s*(?:number|no|#|id|details))"
    r"|(?P<account>account\s*(?:number|no|#|id))"
    r"|(?P<tracking>tracking\s*(?:number|no|code|id))"
    r"|(?P<reference>(?:reference|ref|case|ticket|booking|confirmation|invoice)\s*(?:number|no|#|id|code))"
    r"|(?P<phone>(?:phone|mobile|cell|contact)\s*(?:number|no))"
    r"|(?P<address>(?:shipping|delivery|home|postal|mailing|street)\s+address|address)"
    r"|(?P<name>your\s+(?:full\s+)?name)"
    r"|(?P<version>(?:ios|android|os|software|app)\s+version|version\s+of|which\s+version)"
    r"|(?P<device>(?:which|what)\s+(?:device|model|phone)|device\s+model)"
    r")\b"
)


def given_fact_kinds(low: str, named: bool = True) -> set[str]:
    """Return the kinds of facts a customer turn supplies (order, email, version, ...).

    `named` may be False when the caller knows the text has no FACT_HINT word: then only
    emails, addresses and phone numbers can be present.
    """
    kinds: set[str] = set()
    if emails(low):
        kinds.add("email")
    if has_digit(low):
        if named:
            kinds.update(_KEY_KIND.get(m.group(1), "reference")
                         for m in _GIVEN_KEYED.finditer(low) if _starts_word(low, m))
        if any(_starts_word(low, m) for m in _GIVEN_ADDRESS.finditer(low)):
            kinds.add("address")
        if any(_starts_word(low, m, "/") for m in _GIVEN_PHONE.finditer(low)):
            kinds.add("phone")
    if named:
        kinds.update("name" if m.group().startswith("my") else "device" for m in _GIVEN_WORDS.finditer(low))
    return kinds


def _starts_word(text: str, m: re.Match, also: str = "") -> bool:
    """Tell whether a match starts at a word boundary (not after a letter, digit or `also`)."""
    start = m.start()
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in also)


def asked_fact_kinds(low: str, start: int, end: int) -> list[tuple[str, Span]]:
    """Return the fact kinds an ask sentence requests, with the span naming each."""
    found = []
    for m in _ASKED.finditer(low, start, end):
        kind = m.lastgroup  # every alternative is a named group
        if kind is not None:
            found.append((kind, m.span(kind)))
    return found


# Specifics are found by patterns that start with a character class (digit, currency sign or
# capital), so the regex engine skips lowercase text quickly; lookbehinds then check the context.
# Capitalized words inside a sentence (Lisbon) come straight from findall; numbers and ids (from
# their first digit) and mixed-case names (from their inner capital: iPhone) are widened back over
# their leading letters.
_CAPITALIZED: Final = re.compile(r"[A-Z](?<=[\w,;:] [A-Z])[a-z]{2,}\b")
_NUMBER_OR_INNER_CAPITAL: Final = re.compile(r"[0-9#$£€A-Z](?:(?<=[0-9#$£€])(?<![0-9.][0-9#$£€])[\w./-]*"
                                             r"|(?<=[a-z][A-Z])\w*)")
# A handle and the capitalized words of a brand name after it: "@China Unicom Customer Service".
_MENTION: Final = re.compile(r"@ ?[\w-]+(?: [A-Z][\w-]*)*")
_MAX_SPECIFICS: Final = 24  # per turn; bounds the work on long messages
_NOT_SPECIFIC: Final = frozenset(
    "the and thanks thank please sorry hello dear okay yes but this that what when "
    "where why how could would should can will just also hi hey you your yours our "
    "ours they them their she her his him its customer service support team help mr "
    "mrs ms dr sir madam".split())


def python_specific_spans(text: str) -> tuple[list[Span], list[Span]]:
    """Return the spans of words with a digit or an inner capital, and of capitalized words inside a sentence.

    This is the definition; the C scan (scoring/phrase_scan.c) finds the same.
    """
    return ([m.span() for m in _NUMBER_OR_INNER_CAPITAL.finditer(text)],
            [m.span() for m in _CAPITALIZED.finditer(text)])


specific_spans: Final[Callable[[str], tuple[list[Span], list[Span]]]] = (
    python_specific_spans if phrase_scan is None else phrase_scan.specific_spans)


def specifics(text: str) -> list[str]:
    """Return the customer's specifics worth reflecting back.

    Specifics are emails, words with a digit (order numbers, amounts, dates, models), mixed-case
    names (iPhone, eBay) and capitalized words inside a sentence (Lisbon, Pixel). Works on the
    original text because capitals matter. Capitalized names keep their capital, to be matched
    case-sensitively; everything else is normalized (lowercase). @mentions are skipped.
    """
    mentions = [m.span() for m in _MENTION.finditer(text)] if "@" in text else []
    words = emails(text)
    numbers, capitalized = specific_spans(text)
    for start, end in numbers:
        while start and text[start - 1].isalpha():
            start -= 1
        if not (mentions and overlaps((start, end), mentions)):
            words.append(text[start:end])
    names = [text[start:end] for start, end in capitalized if not (mentions and overlaps((start, end), mentions))]
    found: dict[str, None] = {}
    if words:
        for value in normalize("\n".join(words[:_MAX_SPECIFICS])).split("\n"):  # one normalize call for all
            value = value.strip("#$£€.-/")
            if len(value) >= 3:
                found[value] = None
    for name in names[:_MAX_SPECIFICS]:
        if name.lower() not in _NOT_SPECIFIC:
            found[name] = None
    return list(found)


def find_word(text: str, word: str, start: int = 0) -> Span | None:
    """Return the first whole-word occurrence of `word` in `text` from `start` (case-sensitive), else None."""
    pos = text.find(word, start)
    size = len(word)
    while pos >= 0:
        before = text[pos - 1] if pos else " "
        after = text[pos + size] if pos + size < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return pos, pos + size
        pos = text.find(word, pos + 1)
    return None
