"""Score an interaction against the rubric: six criteria, critical behaviours, evidence and signals.

Point model. Every criterion starts at its rubric `base` and adds the signed rubric points of the
cues found, clamped to 0..100 and rounded to 0.1. Credits count once per interaction; penalties
count at most once per agent turn and at most three times. Each added or removed point is an
Evidence item, so clamp(base + sum of evidence effects) is the score. Default points in brackets.

- listen (base 55; needs agent and customer turns): clarifying question or request for info
  [+15], reflecting a customer's specific back (order number, email, product, place, amount) [+20],
  checking understanding [+10]; asking for a kind of fact the customer already gave (order number,
  email, phone, address, name, OS version, device) [-15]; talking over the customer [-10].
  Talk-over rule (phone, both turns timed): a customer turn of n words takes n / speech_words_per_second
  seconds; an agent turn starting earlier than that minus talk_over_grace_seconds talks over it.
- empathize (base 40; needs an agent turn): feelings acknowledged [+25], customer's name used [+10],
  each distinct politeness strategy (gratitude, please, greeting, helpfulness, hedging, deference)
  [+5]; the customer calmed down [20 x half the change in customer_outcome from their first turn
  to their reaction, signed]; condescension/arguing [-25], blunt wording [-5], critical behaviour [-30].
- apologize (base 20; only when the customer reports a problem): the apology act — acknowledge, own,
  repair, and the customer's acceptance. The best apology counts once — one naming what went wrong
  [+30] or, failing that, a generic one naming nothing specific ("sorry for any inconvenience", a bare
  "we are sorry.") [+5]; emphatic ("so sorry", with a specific apology) [+10]; owning
  the mistake [+30]; repair: a remedy or step offered with or after the apology [+15]; the customer's
  reaction after it [30 x customer_outcome, signed]; conditional ("sorry if you feel") [-10];
  deflecting ("sorry, but that's our policy", "not our fault") [-10]; refusing ("I'm not sorry") [-20].
- fix (base 40; only when the customer reports a problem or asks for something): the agent's own
  concrete remedy [+40] (not asked about, "is it fixed?", left to the customer, "you can apply for a
  refund", or only tried, "we'll try to fix it"), done rather than offered [+10], concrete
  troubleshooting step [+25], customer confirms it is solved [+15], perk [+15 when the company was at
  fault, else +5], the customer's reaction [60 x customer_outcome, signed]; passing the customer on
  [-25], "nothing I can do" [-25], refusing a remedy ("I can't refund") [-10].
- overcommunicate (base 30; when there is a problem or request, or no customer turn at all):
  why [+15], what next [+15], when (a concrete time or date) [+20], follow-up commitment [+10]
  naming its channel [+5], offer of further help [+10]; the customer still had to ask (a question
  in their reaction) [-15].
- respond (base 100; only with timestamps): each wait runs from the first unanswered customer turn
  (or the interaction start) to the next agent turn. A wait w against the channel target T scores
  100 when w <= T, else 100 * T / w (twice the target halves it). The penalty 100 - that is
  weighted by first_response_share for the first reply and shares the rest evenly among later
  replies (the first reply carries it all when it is the only one).

Courtesy signal (not a criterion): 50 plus the points of each politeness strategy found in the agent
turns (scoring.politeness: gratitude, deference, hedges, modal requests, please, questions, sentence
starts, person, lexicon, negation, bluntness, and the service families), each once per interaction,
clamped to 0..100. The strategies found are ScoreResult.courtesy_evidence, each with its points as
effect, so clamp(50 + sum of those effects) is the signal. Points are learned from rated requests
(`python -m scoring train-courtesy`) except the service families' hand-set ones.

Critical behaviours (rubric families critical_*) in agent turns, outside quotes and not negated
("it's not your fault" does not blame), set auto_fail and an overall of 0. Otherwise overall is
the weighted mean of the applicable criteria, or None when none applies.

Agent turns earn or lose the points; customer turns give context (problem, request, facts,
sentiment, confirmation) and, once an agent has replied, the customer's reaction: the customer's
last turn after the first agent turn, read by scoring.sentiment.customer_outcome (-1..1: sentiment,
still asking, addressing the agent, length, acknowledgement). Graded reaction points are Evidence
spanning that whole customer turn; with no reaction there are none. Customers' reactions are what
people's ratings of satisfaction and accomplishment follow most (STC-3; `python -m scoring evaluate`).
Text inside quotation marks (or '>' quoted email lines) in an agent turn is someone else's words
and is ignored. Negation is scoped to the clause (see scoring.cues).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Final

from scoring import cues as cue
from scoring import politeness
from scoring.cues import Span
from scoring.model import Interaction
from scoring.result import CRITERIA, CriterionScore, Evidence, ScoreResult, Signals, new_record, tenth
from scoring.rubric import AGENT, CUE_FAMILIES, CUSTOMER, POINTS, CriterionRule, Rubric, load_rubric
from scoring.sentiment import customer_outcome, sentiment

MAX_PENALTIES: Final = 3
CRITICAL_EFFECT: Final = -100.0
CRITICAL_REASONS: Final = {
    "critical_dismissive": "auto-fail: dismissed the customer",
    "critical_insult": "auto-fail: insulted the customer",
    "critical_blame": "auto-fail: blamed the customer",
}
COURTESY_FAMILIES: Final = ("courtesy_gratitude", "courtesy_please", "courtesy_greeting", "courtesy_helpful",
                            "courtesy_hedge", "courtesy_deference")
_COURTESY_REASONS: Final = {
    family: f"courtesy: {family.removeprefix('courtesy_')}" for family in COURTESY_FAMILIES}
# A customer turn this negative counts as reporting a problem even without a problem phrase.
UPSET_SENTIMENT: Final = -0.4

# Families whose hits a preceding negator cancels; politeness formulas and phrases that already
# carry their own negation ("nothing I can do") are exempt.
_NEGATABLE_BEFORE: Final = frozenset(CUE_FAMILIES) - {
    *COURTESY_FAMILIES, "apology_generic", "apology_conditional", "helpless", "further_help", "next_step",
    "explain", "request"}
# Remedies can also be denied after the fact: "a refund is not possible".
_NEGATABLE_AFTER: Final = frozenset(("resolution", "troubleshooting", "perk"))
# Customer families that only matter as "said somewhere": once seen, later hits need no work.
_ONCE_ENOUGH: Final = frozenset(("problem", "company_fault", "request"))


Plan = tuple[tuple[str, bool, bool, bool], ...]
# The matchers return a few hundred distinct family tuples at most.
_PLANS: Final[dict[tuple[str, ...], Plan]] = {}


def _plan(families: tuple[str, ...]) -> Plan:
    """Return (family, once enough, negatable before, negatable after) for each family of a phrase.

    Kept in a dict rather than an lru_cache: compiled, a call through the cache's wrapper costs more than
    the lookup.
    """
    plan = _PLANS.get(families)
    if plan is None:
        plan = _PLANS[families] = tuple((family, family in _ONCE_ENOUGH, family in _NEGATABLE_BEFORE,
                                         family in _NEGATABLE_AFTER) for family in families)
    return plan

_DEFLECTING_TAIL: Final = re.compile(r"\b(?:but|however|unfortunately|though)\b[^.!?\n]*?"
                                     r"(?:\bnot\b|n't\b|\bcannot\b|\bpolicy\b|\bunable\b|\bno\s+way\b)")
# A remedy reported as done: a perfect/passive marker before it in the clause with no future modal
# in between ("I've gone ahead and refunded", "the charge was reversed"), or "... has been issued" after.
_DONE_MARKER: Final = re.compile(
    r"\b(?:i've|i\s+have|we've|we\s+have|has\s+been|have\s+been|had\s+been|is\s+now"
    r"|are\s+now|was|were|already|just|successfully|went\s+ahead|gone\s+ahead)\b")
_FUTURE_MODAL: Final = re.compile(r"\b(?:will|can|could|would|shall|going\s+to)\b|'ll\b")
_DONE_AFTER: Final = re.compile(r"[\w' ]{0,25}?\b(?:has|have)\s+(?:now\s+|already\s+)?been\s+\w+")
# Remedy words that are not the agent's remedy (see _remedies): the customer is to do it, or it is only tried.
_CUSTOMER_DOES: Final = re.compile(
    r"\b(?:you(?:'ll)?\s+(?:can|could|may|might|should|must|need\s+to|have\s+to"
    r"|will\s+need\s+to|are\s+(?:advised|suggested)\s+to)(?!n't|not|')"
    r"|(?:suggest|recommend|advise)(?:\s+that)?\s+you)\b")
_WORD_CHAR: Final = re.compile(r"\w")
_YOURSELF: Final = re.compile(r"\byourself\b")
_ATTEMPT: Final = re.compile(
    r"\b(?:try|tries|trying|attempt)\s+(?:(?:our|my|its|their|the)\s+best\s+)?to\s+$")
_CHANNEL: Final = re.compile(
    r"\b(?:e-?mail|call|phone|ring|text|sms|dm|message|chat|letter|post|voicemail)\b")
_TITLES: Final = frozenset(("mr", "mrs", "ms", "miss", "dr", "sir", "madam"))

Where = tuple[int, Span]  # (turn index, span in that turn's text)
Item = tuple[int, int, int, str, float, str]  # Evidence's fields


class _Turn:
    """One turn's text and its cue hits outside quotes, split into live and negated, per family.

    The scorer's own classes are plain classes, not dataclasses: compiled, a dataclass's generated
    __init__ still runs as Python, and the scorer builds several per interaction.
    """

    index: int
    speaker: str
    text: str
    low: str
    quotes: list[Span]
    hits: dict[str, list[Span]]
    negated: dict[str, list[Span]]

    def __init__(self, index: int, speaker: str, text: str, low: str, quotes: list[Span],
                 hits: dict[str, list[Span]], negated: dict[str, list[Span]]):
        self.index, self.speaker, self.text, self.low = index, speaker, text, low
        self.quotes, self.hits, self.negated = quotes, hits, negated


class _Context:
    """The interaction's turns and what the criteria share about them."""

    turns: list[_Turn]
    agent: list[_Turn]
    customer: list[_Turn]
    seen: dict[str, list[Where]]  # per family: the first live hit of each turn, in turn order
    problem: bool
    request: bool
    company_fault: bool
    sentiment_start: float
    sentiment_end: float
    answered: _Turn | None  # the customer's last turn if it follows an agent turn: their reaction
    outcome_start: float  # customer_outcome of the first customer turn (0 when nobody reacted)
    outcome_end: float  # customer_outcome of `answered` (0 when nobody reacted)

    def __init__(self, *, turns: list[_Turn], agent: list[_Turn], customer: list[_Turn],
                 seen: dict[str, list[Where]], problem: bool, request: bool, company_fault: bool,
                 sentiment_start: float, sentiment_end: float, answered: _Turn | None, outcome_start: float,
                 outcome_end: float):
        self.turns, self.agent, self.customer, self.seen = turns, agent, customer, seen
        self.problem, self.request, self.company_fault = problem, request, company_fault
        self.sentiment_start, self.sentiment_end, self.answered = sentiment_start, sentiment_end, answered
        self.outcome_start, self.outcome_end = outcome_start, outcome_end

    def first(self, family: str) -> Where | None:
        found = self.seen.get(family)
        return found[0] if found else None


class _Tally:
    """One criterion's evidence: credits once per key, penalties once per turn and at most MAX_PENALTIES.

    Evidence is kept as plain tuples of Evidence's fields (Item) until result() sorts it: cheaper to build and
    sort.
    """

    __slots__ = ("criterion", "rule", "evidence", "credited", "penalties")

    def __init__(self, criterion: str, rule: CriterionRule):
        self.criterion = criterion
        self.rule = rule
        self.evidence: list[Item] = []
        self.credited: set[str] = set()
        self.penalties: dict[str, list[int]] = {}

    def credit(self, key: str, where: Where | None, cue_name: str | None = None, reason: str | None = None,
               once_per: str | None = None) -> None:
        once = once_per or key
        if where is None or once in self.credited:
            return
        self.credited.add(once)
        self._add(key, where, cue_name, reason)

    def penalize_each(self, key: str, found: list[Where] | None) -> None:
        """Penalize each of `found` (first hits per turn), up to MAX_PENALTIES."""
        for where in (found or ())[:MAX_PENALTIES]:
            self.penalize(key, where)

    def penalize(self, key: str, where: Where, cue_name: str | None = None,
                 reason: str | None = None) -> None:
        turns = self.penalties.setdefault(key, [])
        if where[0] not in turns and len(turns) < MAX_PENALTIES:
            turns.append(where[0])
            self._add(key, where, cue_name, reason)

    def grade(self, key: str, turn: _Turn, measure: float, reason: str) -> None:
        """Add `measure` (-1..1) times the key's points as evidence spanning the whole turn."""
        effect = tenth(self.rule.points[key] * measure) + 0.0  # no -0.0
        if effect:
            self.evidence.append((turn.index, 0, len(turn.text), key, effect, reason))

    def add(self, turn: int, cue_name: str, effect: float, reason: str) -> None:
        """Record evidence with no text span and a computed effect (timing)."""
        self.evidence.append((turn, 0, 0, cue_name, tenth(effect) + 0.0, reason))  # no -0.0

    def _add(self, key: str, where: Where, cue_name: str | None, reason: str | None) -> None:
        turn, (start, end) = where
        self.evidence.append((turn, start, end, cue_name or key, float(self.rule.points[key]),
                              reason or POINTS[self.criterion][key][1]))

    def result(self) -> CriterionScore:
        evidence = self.evidence
        gained = 0.0  # the effects in the order found, added up as sum() does, without its generic call
        for item in evidence:
            gained += item[4]
        total = self.rule.base + gained
        _in_shown_order(evidence)
        return new_record(CriterionScore, (self.criterion, tenth(min(100.0, max(0.0, total))), True,
                                           tuple([new_record(Evidence, e) for e in evidence])))


# Evidence is shown by turn, span, cue and reason: as an Evidence tuple's items, all but the effect.
_EVIDENCE_ORDER: Final = itemgetter(0, 1, 2, 3, 5)


def _shown_before(a: Item, b: Item) -> bool:
    """Tell whether evidence `a` comes before `b` in _EVIDENCE_ORDER."""
    if a[0] != b[0]:
        return a[0] < b[0]
    if a[1] != b[1]:
        return a[1] < b[1]
    if a[2] != b[2]:
        return a[2] < b[2]
    if a[3] != b[3]:
        return a[3] < b[3]
    return a[5] < b[5]


def _in_shown_order(items: list[Item]) -> None:
    """Sort evidence in place as items.sort(key=_EVIDENCE_ORDER) does, stably.

    An insertion sort: a tally holds a handful of items, and compiled, comparing their typed fields costs a
    fraction of what list.sort spends building a key tuple per item.
    """
    for i in range(1, len(items)):
        item = items[i]
        j = i
        while j > 0 and _shown_before(item, items[j - 1]):
            items[j] = items[j - 1]
            j -= 1
        items[j] = item
_NOT_APPLICABLE: Final = {name: CriterionScore(name, None, False, ()) for name in CRITERIA}


class Scorer:
    """Score interactions against one rubric; cue patterns are compiled once here."""

    def __init__(self, rubric: Rubric, courtesy_points: Mapping[str, float] | None = None):
        self.rubric = rubric
        # Learned points per politeness strategy; the default is scoring/courtesy_points.toml.
        learned = politeness.learned_points() if courtesy_points is None else courtesy_points
        self.courtesy_points = {**learned, **politeness.FIXED_POINTS}
        # Hints are internal families: negators for both speakers, time words only for agent turns
        # (timelines), fact words for both (facts asked for and given), modal requests and
        # indirection only for agent turns (courtesy).
        hints = {AGENT: (cue.NEGATOR, cue.TIME_HINT, cue.FACT_HINT, cue.COUNTERFACTUAL, cue.INDICATIVE,
                         cue.BY_THE_WAY),
                 CUSTOMER: (cue.NEGATOR, cue.FACT_HINT)}
        self._matchers = {}
        for speaker in (AGENT, CUSTOMER):
            families = {family: rubric.cues[family]
                        for family, (owner, _) in CUE_FAMILIES.items() if owner == speaker}
            families.update((hint, cue.HINT_FAMILIES[hint]) for hint in hints[speaker])
            self._matchers[speaker] = cue.PhraseMatcher(families)

    def score(self, interaction: Interaction) -> ScoreResult:
        """Return the criteria scores, evidence, critical behaviours and signals of one interaction."""
        ctx = self._context(interaction)
        critical = _critical(ctx) if not ctx.seen.keys().isdisjoint(CRITICAL_REASONS) else []
        apologies = _classify_apologies(ctx)
        remedies = _remedies(ctx) if "resolution" in ctx.seen else []
        asks = _asks(ctx)
        timelines = _timelines(ctx)
        waits = response_waits(interaction)
        names = _name_tokens(interaction.customer_name)
        name_used = _find_name(ctx, names) if names else None
        has_agent, has_customer = bool(ctx.agent), bool(ctx.customer)
        courtesy, courtesy_evidence = _courtesy(ctx, apologies, critical, self.courtesy_points)
        scores = {
            "listen": self._listen(ctx, interaction, asks, names) if has_agent and has_customer else None,
            "empathize": self._empathize(ctx, name_used, critical) if has_agent else None,
            "apologize": self._apologize(ctx, apologies, remedies) if has_agent and ctx.problem else None,
            "fix": self._fix(ctx, remedies) if has_agent and (ctx.problem or ctx.request) else None,
            "overcommunicate": (self._overcommunicate(ctx, timelines)
                                if has_agent and (ctx.problem or ctx.request or not has_customer) else None),
            "respond": self._respond(interaction.channel, waits) if waits else None,
        }
        criteria = {name: scores[name] or _NOT_APPLICABLE[name] for name in CRITERIA}
        signals = new_record(Signals, (
            bool(apologies.plain or apologies.generic or apologies.deflecting),  # apology
            "transfer" in ctx.seen,  # transfer
            bool(timelines),  # timeline
            bool(asks),  # question
            "perk" in ctx.seen,  # perk
            name_used is not None,  # customer_name_used
            courtesy,
            ctx.sentiment_start,  # customer_sentiment_start
            ctx.sentiment_end,  # customer_sentiment_end
            tenth(waits[0][1]) if waits else None,  # first_response_seconds
        ))
        return new_record(ScoreResult, (
            interaction.id,
            self.rubric.version,
            0.0 if critical else self._overall(criteria),  # overall
            bool(critical),  # auto_fail
            criteria,
            signals,
            tuple(critical),
            courtesy_evidence,
        ))

    # -- analysis ---------------------------------------------------------------------------

    def _context(self, interaction: Interaction) -> _Context:
        seen: dict[str, list[Where]] = {}
        turns = [self._turn(i, t.speaker, t.text, seen) for i, t in enumerate(interaction.turns)]
        agent = [t for t in turns if t.speaker == AGENT]
        customer = [t for t in turns if t.speaker == CUSTOMER]
        start = sentiment(customer[0].text) if customer else 0.0
        end = sentiment(customer[-1].text) if len(customer) > 1 else start
        answered = customer[-1] if customer and agent and agent[0].index < customer[-1].index else None
        outcome_start = outcome_end = 0.0
        if answered is not None:  # customer_outcome reuses the sentiment already read
            outcome_end = customer_outcome(answered.text, end)
            outcome_start = customer_outcome(customer[0].text, start) if len(customer) > 1 else outcome_end
        return _Context(
            turns=turns, agent=agent, customer=customer, seen=seen,
            problem="problem" in seen or min(start, end) <= UPSET_SENTIMENT,
            request="request" in seen or any("?" in t.low for t in customer),
            company_fault="company_fault" in seen,
            sentiment_start=start, sentiment_end=end, answered=answered,
            outcome_start=outcome_start, outcome_end=outcome_end,
        )

    def _turn(self, index: int, speaker: str, text: str, seen: dict[str, list[Where]]) -> _Turn:
        """Find the turn's cues, drop quoted ones, split live from negated; note first hits in `seen`."""
        low = cue.normalize(text)
        quotes = cue.quoted_spans(low) if speaker == AGENT else []
        found = self._matchers[speaker].find(low)
        negation_possible = False
        for _, _, families in found:  # a loop, not any(): a compiled generator costs more
            if cue.NEGATOR in families:
                negation_possible = True
                break
        hits: dict[str, list[Span]] = {}
        negated: dict[str, list[Span]] = {}
        for start, end, families in found:
            if quotes and cue.overlaps((start, end), quotes):
                continue
            span = (start, end)
            denied_before = None
            for family, once, before, after in _plan(families):
                if once and family in seen:
                    continue
                denied = False
                if negation_possible:
                    if before:
                        if denied_before is None:
                            denied_before = cue.negated_before(low, start)
                        denied = denied_before
                    if after and not denied:
                        denied = cue.negated_after(low, end)
                found_in = negated if denied else hits
                bucket = found_in.get(family)
                if bucket is None:
                    found_in[family] = [span]
                    if not denied:
                        seen.setdefault(family, []).append((index, span))
                elif bucket[-1][1] <= start:  # one hit per stretch of text and family
                    bucket.append(span)
        return _Turn(index, speaker, text, low, quotes, hits, negated)

    # -- criteria ---------------------------------------------------------------------------

    def _tally(self, name: str) -> _Tally:
        return _Tally(name, self.rubric.criteria[name])

    def _listen(self, ctx: _Context, interaction: Interaction, asks: list[_Ask],
                names: tuple[str, ...]) -> CriterionScore:
        tally = self._tally("listen")
        for ask in asks:
            if ask.re_asked:
                kind, span = ask.re_asked
                tally.penalize("re_ask", (ask.turn, span),
                               reason=f"asked again for the {kind} the customer already gave")
            else:
                tally.credit("question", (ask.turn, ask.span))
        tally.credit("reflection", _reflection(ctx, names))
        tally.credit("active_listening", ctx.first("active_listening"))
        if interaction.channel == "phone":
            timing = self.rubric.timing
            for turn, early, words in _talk_overs(interaction, timing.speech_words_per_second,
                                                  timing.talk_over_grace_seconds):
                reason = f"started {early:.1f} s before the customer could have finished ({words} words)"
                tally.penalize("talk_over", (turn, (0, 0)), reason=reason)
        return tally.result()

    def _empathize(self, ctx: _Context, name_used: Where | None, critical: list[Evidence]) -> CriterionScore:
        tally = self._tally("empathize")
        tally.credit("empathy", ctx.first("empathy"))
        tally.credit("customer_name", name_used)
        answered = ctx.answered
        if answered is not None and answered is not ctx.customer[0]:
            change = (ctx.outcome_end - ctx.outcome_start) / 2
            tally.grade("customer_calmed", answered, change,
                        f"customer's mood {'improved' if change > 0 else 'worsened'} by {abs(change):.2f}")
        for family, reason in _COURTESY_REASONS.items():
            if family in ctx.seen:
                tally.credit("courtesy", ctx.seen[family][0], cue_name=family, reason=reason, once_per=family)
        tally.penalize_each("condescension", ctx.seen.get("condescension"))
        tally.penalize_each("blunt", ctx.seen.get("blunt"))
        for item in critical:
            tally.penalize("critical", (item.turn, (item.start, item.end)), cue_name=item.cue,
                           reason=item.reason.removeprefix("auto-fail: "))
        return tally.result()

    def _apologize(self, ctx: _Context, apologies: _Apologies, remedies: list[Where]) -> CriterionScore:
        tally = self._tally("apologize")
        if apologies.plain:
            tally.credit("apology", apologies.plain[0])
            tally.credit("apology_sincere", apologies.sincere[0] if apologies.sincere else None)
        elif apologies.generic:
            tally.credit("apology_generic", apologies.generic[0])
        tally.credit("ownership", ctx.first("ownership"))
        apology = (apologies.plain or apologies.generic)[0] if apologies.plain or apologies.generic else None
        if apology is not None:
            tally.credit("apology_repair", _repair_after(ctx, apology[0], remedies))
            if ctx.answered is not None and ctx.answered.index > apology[0]:
                outcome = ctx.outcome_end
                tally.grade("apology_accepted", ctx.answered, outcome,
                            f"customer's reaction to the apology ({outcome:+.2f})")
        for where in apologies.conditional:
            tally.penalize("apology_conditional", where)
        for where, reason in apologies.deflections:
            tally.penalize("deflection", where, reason=reason)
        for where in apologies.refused:
            tally.penalize("apology_refused", where)
        return tally.result()

    def _fix(self, ctx: _Context, remedies: list[Where]) -> CriterionScore:
        tally = self._tally("fix")
        remedy = remedies[0] if remedies else None
        tally.credit("resolution", remedy)
        if remedy and _done(ctx.turns[remedy[0]].low, remedy[1]):
            tally.credit("resolution_done", remedy)
        tally.credit("troubleshooting", ctx.first("troubleshooting"))
        at_fault = "ownership" in ctx.seen or ctx.company_fault
        tally.credit("perk_at_fault" if at_fault else "perk", ctx.first("perk"))
        tally.penalize_each("transfer", ctx.seen.get("transfer"))
        tally.penalize_each("helpless", ctx.seen.get("helpless"))
        tally.penalize_each("refusal", [(t.index, t.negated["resolution"][0]) for t in ctx.agent
                                        if "resolution" in t.negated])
        after_first_reply = [w for w in ctx.seen.get("confirmation", ()) if w[0] > ctx.agent[0].index]
        tally.credit("customer_confirmed", after_first_reply[0] if after_first_reply else None)
        if ctx.answered is not None:
            outcome = ctx.outcome_end
            reads = "resolved" if outcome > 0 else "unresolved"
            tally.grade("customer_outcome", ctx.answered, outcome,
                        f"customer's reaction reads {reads} ({outcome:+.2f})")
        return tally.result()

    def _overcommunicate(self, ctx: _Context, timelines: list[Where]) -> CriterionScore:
        tally = self._tally("overcommunicate")
        for family in ("explain", "next_step", "further_help"):
            tally.credit(family, ctx.first(family))
        follow_up = ctx.first("follow_up")
        if follow_up:
            tally.credit("follow_up", follow_up)
            channel = _channel_near(ctx.turns[follow_up[0]].low, follow_up[1])
            tally.credit("follow_up_channel", (follow_up[0], channel) if channel else None)
        tally.credit("timeline", timelines[0] if timelines else None)
        answered = ctx.answered
        if answered is not None and "?" in answered.low:
            asked = cue.question_spans(answered.low)
            if asked:
                tally.penalize("customer_asked_again", (answered.index, asked[0]))
        return tally.result()

    def _respond(self, channel: str, waits: list[tuple[int, float]]) -> CriterionScore:
        tally = self._tally("respond")
        target = self.rubric.response_targets[channel]
        first_share = self.rubric.timing.first_response_share if len(waits) > 1 else 1.0
        later_share = (1.0 - first_share) / (len(waits) - 1) if len(waits) > 1 else 0.0
        for n, (turn, seconds) in enumerate(waits):
            on_time = 100.0 if seconds <= target else 100.0 * target / seconds
            effect = -(100.0 - on_time) * (first_share if n == 0 else later_share)
            what = "first reply" if n == 0 else "reply"
            if n == 0 or seconds > target:
                tally.add(turn, "response_time", effect,
                          f"{what} after {_duration(seconds)} (target {_duration(target)})")
        return tally.result()

    def _overall(self, scores: dict[str, CriterionScore]) -> float | None:
        weighted = [(self.rubric.criteria[name].weight, criterion.score)
                    for name, criterion in scores.items() if criterion.score is not None]
        total_weight = sum(w for w, _ in weighted)
        if not total_weight:
            return None
        return tenth(sum(w * s for w, s in weighted) / total_weight)


def _critical(ctx: _Context) -> list[Evidence]:
    """Return every critical behaviour in agent turns as auto-fail evidence, in text order."""
    found: list[Item] = [(turn.index, start, end, family, CRITICAL_EFFECT, reason)
                         for turn in ctx.agent for family, reason in CRITICAL_REASONS.items()
                         for start, end in turn.hits.get(family, ())]
    _in_shown_order(found)
    return [new_record(Evidence, item) for item in found]


def _courtesy(ctx: _Context, apologies: _Apologies, critical: list[Evidence],
              points: dict[str, float]) -> tuple[float, tuple[Evidence, ...]]:
    """Return the courtesy signal and its evidence: the politeness strategies of the agent turns."""
    if not ctx.agent:
        return politeness.COURTESY_NEUTRAL, ()
    found = politeness.strategies([(turn.index, turn.low, turn.quotes, turn.hits) for turn in ctx.agent])
    apology = min(apologies.plain[:1] + apologies.generic[:1], default=None)  # not conditional or deflecting
    if apology is not None:
        found["apologizing"] = apology
    if critical:
        found["critical"] = (critical[0].turn, (critical[0].start, critical[0].end))
    return politeness.courtesy(found, points)


# -- apologies ------------------------------------------------------------------------------

class _Apologies:
    """Agent apologies sorted by kind, and the deflections to penalize (with their reasons)."""

    plain: list[Where]
    generic: list[Where]
    sincere: list[Where]
    conditional: list[Where]
    deflecting: list[Where]
    refused: list[Where]
    deflections: list[tuple[Where, str]]

    def __init__(self) -> None:
        self.plain, self.generic, self.sincere, self.conditional = [], [], [], []
        self.deflecting, self.refused, self.deflections = [], [], []


def _classify_apologies(ctx: _Context) -> _Apologies:
    """Sort each agent apology into plain, generic, conditional or deflecting, and collect deflections."""
    out = _Apologies()
    for turn in ctx.agent:
        hits, used = turn.hits, []
        if "apology" not in hits and "deflection" not in hits and not turn.negated:
            continue
        for span in hits.get("apology", ()):
            where = (turn.index, span)
            sentence = cue.sentence_bounds(turn.low, span[0])
            deflections = _within(hits, "deflection", sentence)
            if _within(hits, "apology_conditional", sentence):
                out.conditional.append(where)
            elif (deflections or _within(hits, "helpless", sentence)
                  or _DEFLECTING_TAIL.search(turn.low, span[1], sentence[1])):
                out.deflecting.append(where)
                out.deflections.append((where, "apology deflected ('sorry, but ...')"))
                used += deflections
            elif (_within(hits, "apology_generic", sentence)
                  or not _WORD_CHAR.search(turn.low, span[1], sentence[1])):
                out.generic.append(where)  # it names nothing specific: a formula, or a bare "sorry."
            else:
                out.plain.append(where)
                out.sincere += [(turn.index, s) for s in _within(hits, "apology_sincere", span)]
        out.refused += [(turn.index, span) for span in turn.negated.get("apology", ())]
        out.deflections += [((turn.index, span), "deflected responsibility")
                            for span in hits.get("deflection", ()) if span not in used]
        out.deflections += [((turn.index, span), "denied responsibility")
                            for span in turn.negated.get("ownership", ())]
    out.deflections.sort()
    return out


def _within(hits: dict[str, list[Span]], family: str, span: Span) -> list[Span]:
    """Return the hits of `family` that overlap `span`."""
    return [s for s in hits.get(family, ()) if s[0] < span[1] and span[0] < s[1]]


# -- questions and facts -------------------------------------------------------------------

class _Ask:
    """An agent question or request for information; `re_asked` names a fact kind already given."""

    turn: int
    span: Span
    re_asked: tuple[str, Span] | None

    def __init__(self, turn: int, span: Span, re_asked: tuple[str, Span] | None):
        self.turn, self.span, self.re_asked = turn, span, re_asked


def _asks(ctx: _Context) -> list[_Ask]:
    """Return agent questions and information requests in order, marking re-asks of given facts."""
    asks: list[_Ask] = []
    given: set[str] = set()
    unread: list[_Turn] = []  # customer turns whose facts are read only once an ask names a fact kind
    for turn in ctx.turns:
        if turn.speaker == CUSTOMER:
            unread.append(turn)
            continue
        spans = turn.hits.get("info_request", [])
        if "?" in turn.low:
            spans = sorted({*spans, *(s for s in cue.question_spans(turn.low)
                                      if not cue.overlaps((s[1] - 1, s[1]), turn.quotes))})
        offers = turn.hits.get("further_help", ())
        for span in spans:
            sentence = cue.sentence_bounds(turn.low, span[0])
            if offers and cue.overlaps(sentence, offers):  # "any other questions, let us know" offers help
                continue
            named = cue.FACT_HINT in turn.hits and cue.overlaps(sentence, turn.hits[cue.FACT_HINT])
            wanted = cue.asked_fact_kinds(turn.low, *sentence) if named else []
            if wanted and unread:
                for customer in unread:
                    given |= cue.given_fact_kinds(customer.low, named=cue.FACT_HINT in customer.hits)
                unread.clear()
            re_asked = next(((kind, where) for kind, where in wanted if kind in given), None)
            asks.append(_Ask(turn.index, span, re_asked))
    return asks


def _reflection(ctx: _Context, names: tuple[str, ...]) -> Where | None:
    """Return the first agent mention of a specific the customer gave earlier, outside quotes.

    Capitalized names must appear capitalized (as names) in the agent's text; other specifics
    are matched case-insensitively. The parts of the customer's name (`names`) are not specifics.
    """
    skip = {part.lower() for part in names}
    seen: list[str] = []
    unread: list[_Turn] = []  # customer turns not yet followed by an agent turn
    for turn in ctx.turns:
        if turn.speaker == CUSTOMER:
            unread.append(turn)
            continue
        for customer in unread:
            seen += [v for v in cue.specifics(customer.text) if v.lower() not in skip and v not in seen]
        unread.clear()
        for value in seen:
            text = turn.text if value[0].isupper() else turn.low
            if value in text:
                span = cue.find_word(text, value)
                if span and not cue.overlaps(span, turn.quotes):
                    return turn.index, span
    return None


def _timelines(ctx: _Context) -> list[Where]:
    """Return concrete time/date commitments in agent turns, outside quotes and not negated."""
    found = []
    for turn in ctx.agent:
        time_words = turn.hits.get(cue.TIME_HINT, [])
        if not time_words and not cue.has_digit(turn.low):
            continue
        negation_possible = cue.NEGATOR in turn.hits or cue.NEGATOR in turn.negated
        for span in cue.timeline_spans(turn.low, time_words):
            if cue.overlaps(span, turn.quotes):
                continue
            if negation_possible and cue.negated_before(turn.low, span[0]):
                continue
            found.append((turn.index, span))
    return found


def _repair_after(ctx: _Context, turn: int, remedies: list[Where]) -> Where | None:
    """Return the first remedy or troubleshooting step in agent turn `turn` or later: the apology's repair."""
    for found in (remedies, ctx.seen.get("troubleshooting", ())):
        after = next((w for w in found if w[0] >= turn), None)
        if after:
            return after
    return None


def _remedies(ctx: _Context) -> list[Where]:
    """Return the agent's own remedies in text order.

    Remedy words asked about ("is it fixed?"), left to the customer ("you can apply for a refund",
    "adjust it yourself") or only attempted ("we'll try to fix it") are not the agent's remedy.
    """
    found = []
    for turn in ctx.agent:
        for start, end in turn.hits.get("resolution", ()):
            begin, stop = cue.sentence_bounds(turn.low, start)
            if turn.low.endswith("?", begin, stop) or _YOURSELF.search(turn.low, begin, stop):
                continue
            clause = 1 + max(turn.low.rfind(",", begin, start), turn.low.rfind(";", begin, start), begin - 1)
            if _CUSTOMER_DOES.search(turn.low, clause, start) or _ATTEMPT.search(turn.low, clause, start):
                continue
            found.append((turn.index, (start, end)))
    return found


def _done(low: str, span: Span) -> bool:
    """Tell whether the remedy at `span` is reported as done ("I've refunded", "refund has been issued")."""
    start = max(cue.sentence_bounds(low, span[0])[0], span[0] - 60)
    marker = _DONE_MARKER.search(low, start, span[1])
    if marker and not _FUTURE_MODAL.search(low, marker.end(), span[1]):
        return True
    return _DONE_AFTER.match(low, span[1]) is not None


def _channel_near(low: str, span: Span) -> Span | None:
    """Return a contact channel named in the sentence of a follow-up (email, call, text, DM ...)."""
    start, end = cue.sentence_bounds(low, span[0])
    m = _CHANNEL.search(low, start, end)
    return m.span() if m else None


@lru_cache(maxsize=4096)  # customers recur
def _name_tokens(name: str | None) -> tuple[str, ...]:
    """Return the usable parts of a customer's name (no titles or initials), capitalized."""
    if not name:
        return ()
    parts = [p for p in re.findall(r"[^\W\d_][\w'-]*", name) if len(p) > 1 and p.lower() not in _TITLES]
    return tuple(p[:1].upper() + p[1:] for p in parts)


def _find_name(ctx: _Context, names: tuple[str, ...]) -> Where | None:
    """Return the first agent use of the customer's name (capitalized as a name), outside quotes."""
    for turn in ctx.agent:
        for name in names:
            span = cue.find_word(turn.text, name) if name in turn.text else None
            if span and not cue.overlaps(span, turn.quotes):
                return turn.index, span
    return None


# -- timing -------------------------------------------------------------------------------

def response_waits(interaction: Interaction) -> list[tuple[int, float]]:
    """Return (agent turn, seconds waited) for each reply whose wait can be timed."""
    waits: list[tuple[int, float]] = []
    pending = interaction.started_at
    for i, turn in enumerate(interaction.turns):
        if turn.speaker == CUSTOMER:
            if turn.at is not None and (pending is None or turn.at < pending):
                pending = turn.at
        else:
            if pending is not None and turn.at is not None:
                waits.append((i, max(0.0, (turn.at - pending).total_seconds())))
            pending = None
    return waits


def _talk_overs(interaction: Interaction, words_per_second: float,
                grace: float) -> list[tuple[int, float, int]]:
    """Return (agent turn, seconds early, customer words) for agent turns that start over a customer turn."""
    found = []
    turns = interaction.turns
    for i in range(1, len(turns)):
        before, turn = turns[i - 1], turns[i]
        if turn.speaker != AGENT or before.speaker != CUSTOMER or turn.at is None or before.at is None:
            continue
        words = len(before.text.split())
        early = words / words_per_second - (turn.at - before.at).total_seconds()
        if early > grace:
            found.append((i, early, words))
    return found


def _duration(seconds: float) -> str:
    """Format seconds for a reason: '45 s', '3 min', '3 h 10 min', '2 d 4 h'."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """Return the scorer for the shipped rubric, compiled once per process."""
    return Scorer(load_rubric())


def score_interaction(interaction: Interaction, rubric: Rubric | None = None) -> ScoreResult:
    """Score one interaction with `rubric` (default: the seed rubric, compiled once and reused)."""
    scorer = default_scorer() if rubric is None else Scorer(rubric)
    return scorer.score(interaction)
