"""The simulated customer: a mood that each trainee message moves, and replies that fit it.

Each trainee message is judged by the scorer that trainers use on real work: the conversation so far is
scored and the evidence found in the newest turn moves the mood (apology, empathy, a fix, a timeline and a
follow-up calm the customer; blame, "calm down", condescension, passing them on and scripts anger them).
The scenario adds what the rubric cannot know: which phrases offer this scenario's fix and which questions
unlock its hidden facts.

Mood runs from -1 (gone) to 1 (delighted). The customer leaves for a competitor at LEAVE_AT, is satisfied
once the fix and a concrete "when" are given (with an apology when the company was at fault) and the mood
has recovered to RESOLVED_AT, and runs out of time after the scenario's turn limit.

Replies are composed from a reaction to the strongest mood change, the content the conversation calls for
(a revealed fact, "when?", a push for the fix, a demand for an apology ...) and a closing that fits the
mood, each drawn from phrase lists with a seeded random.Random: the same seed and messages replay the
same conversation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from scoring import cues as cue
from scoring.model import Interaction, Outcome, Turn
from scoring.result import ScoreResult
from scoring.rubric import load_rubric
from scoring.scorer import Scorer
from practice.scenarios import Fact, Scenario

LEAVE_AT = -1.0  # the bottom of the scale: patience has run out
RESOLVED_AT = -0.3
START_MOOD = {"calm": -0.2, "anxious": -0.4, "impatient": -0.5, "angry": -0.65}

RESOLVED, LEFT, TURN_LIMIT, ENDED = "resolved", "left", "turn_limit", "ended"
OUTCOME_LABELS = {RESOLVED: "Resolved", LEFT: "Customer left", TURN_LIMIT: "Ran out of time",
                  ENDED: "Ended early"}

# Canned lines customers recognise as a script; the rubric has no family for them.
SCRIPT_PHRASES = (
    "your call is important to us", "we value your business", "we apologize for any inconvenience",
    "we apologise for any inconvenience", "sorry for any inconvenience", "please be advised", "as per our policy",
    "per our policy", "thank you for your patience", "thank you for contacting", "thanks for contacting",
    "is there anything else I can help you with today", "I understand your concern", "rest assured",
    "we strive to", "we take this very seriously", "for quality and training purposes",
)
# Words that turn a mention of a fact into a request for it ("please share the order number").
ASK_PHRASES = ("can you", "could you", "would you", "please", "tell me", "let me know", "confirm", "share",
               "send me", "send us", "dm us", "I need", "I'll need", "what's", "what is", "which")

# Mood moves per detected behaviour (before the patience factor on negative moves).
MOVES = {
    "critical": -0.5, "condescension": -0.3, "blunt": -0.1,
    "apology_at_fault": 0.25, "apology": 0.1, "ownership": 0.15, "apology_generic": -0.05,
    "apology_conditional": -0.2, "deflection": -0.2, "apology_refused": -0.25, "no_apology": -0.1,
    "empathy": 0.2, "customer_name": 0.05, "courtesy": 0.03,
    "fact_asked": 0.05, "question": 0.05, "re_ask": -0.2,
    "transfer": -0.3, "helpless": -0.35, "refusal": -0.2,
    "fix": 0.3, "timeline": 0.2, "follow_up": 0.1, "explain": 0.05,
    "perk_fitting": 0.25, "perk": 0.05,
    "script": -0.15, "repeat": -0.2, "late": -0.15, "no_progress": -0.05,
}


@dataclass(frozen=True)
class MoodChange:
    reason: str
    delta: float


@dataclass(frozen=True)
class CustomerReply:
    text: str
    mood: float
    mood_change_reasons: tuple[MoodChange, ...]
    ended: bool
    outcome: str | None
    revealed: tuple[str, ...] = ()  # keys of the facts this reply gave away

    @property
    def mood_change(self) -> float:
        return round(sum(change.delta for change in self.mood_change_reasons), 3)


@lru_cache(maxsize=1)
def shipped_scorer() -> Scorer:
    """Return a scorer for the shipped rubric, compiled once."""
    return Scorer(load_rubric())


@dataclass
class _Judgement:
    """What one trainee message did, in the order the reply reacts to it."""

    changes: list[tuple[str, str, float]] = field(default_factory=list)  # (kind, reason, delta)
    asked: list[Fact] = field(default_factory=list)
    re_asked: list[Fact] = field(default_factory=list)
    fix: bool = False
    timeline: bool = False

    def add(self, kind: str, reason: str, delta: float | None = None) -> None:
        self.changes.append((kind, reason, MOVES[kind] if delta is None else delta))


class RolePlay:
    """One practice conversation between a trainee and a simulated customer."""

    def __init__(self, scenario: Scenario, seed: int, scorer: Scorer | None = None):
        self.scenario = scenario
        self.seed = seed
        self.scorer = scorer or shipped_scorer()
        self._rng = random.Random(seed)
        self.turns: list[Turn] = []
        self.moods: list[float] = []  # the mood after each customer turn
        self.mood = START_MOOD[scenario.persona.temperament]
        self.revealed: list[str] = []
        self.fix_offered = self.when_given = self.apologized = self.perk_given = False
        self.outcome: str | None = None
        self._asked_for_apology = False
        self._said: list[str] = []
        families = {"fix": scenario.fix_cues, "script": SCRIPT_PHRASES, "ask": ASK_PHRASES}
        families.update((f"fact:{fact.key}", fact.ask) for fact in scenario.facts)
        self._matcher = cue.PhraseMatcher(families)

    @classmethod
    def start(cls, scenario: Scenario, seed: int, *, scorer: Scorer | None = None,
              at: datetime | None = None) -> RolePlay:
        """Begin the conversation with the customer's opening message."""
        play = cls(scenario, seed, scorer)
        play._say(scenario.opening, at)
        return play

    @property
    def opening(self) -> str:
        return self.turns[0].text

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    @property
    def trainee_turns(self) -> int:
        return sum(1 for turn in self.turns if turn.speaker == "agent")

    @property
    def deadline(self) -> datetime | None:
        """Return when the trainee's next reply is late on a timed scenario (None when untimed or not timestamped)."""
        last = self.turns[-1]
        if self.scenario.reply_within_seconds is None or last.speaker != "customer" or last.at is None:
            return None
        return last.at + timedelta(seconds=self.scenario.reply_within_seconds)

    @property
    def transcript(self) -> Interaction:
        """Return the conversation as an Interaction for the scorer and the debrief."""
        return Interaction(
            id=f"practice-{self.scenario.key}-{self.seed}", channel=self.scenario.channel, turns=tuple(self.turns),
            customer_name=self.scenario.persona.name, started_at=self.turns[0].at,
            outcome=Outcome(resolved=self.outcome == RESOLVED if self.ended else None),
        )

    def score(self) -> ScoreResult:
        """Score the whole conversation on the rubric, as the debrief shows it."""
        return self.scorer.score(self.transcript)

    def end(self) -> None:
        """Stop the conversation before the customer is done (the trainee ended it)."""
        if not self.ended:
            self.outcome = ENDED

    def reply(self, trainee_text: str, at: datetime | None = None) -> CustomerReply:
        """Take the trainee's message, move the mood, and return the customer's answer."""
        if self.ended:
            raise RuntimeError("the conversation has ended")
        text = trainee_text.strip()
        if not text:
            raise ValueError("trainee_text: write something to the customer")
        late_by = self._late_by(at)
        self.turns.append(Turn("agent", text, at))
        judged = self._judge(text, self.scorer.score(self.transcript), late_by)
        factor = 1.3 - 0.1 * self.scenario.persona.patience  # patient customers take bad moves less hard
        changes = tuple(MoodChange(reason, round(delta * factor if delta < 0 else delta, 3))
                        for _, reason, delta in judged.changes)
        self.mood = round(max(-1.0, min(1.0, self.mood + sum(c.delta for c in changes))), 3)
        self.fix_offered |= judged.fix
        self.when_given |= judged.timeline and self.fix_offered
        self.outcome = self._outcome()
        revealed = tuple(f.key for f in judged.asked if f.key not in self.revealed)
        self.revealed += revealed
        answer = self._compose(judged, revealed)
        self._say(answer, at)
        return CustomerReply(answer, self.mood, changes, self.ended, self.outcome, revealed)

    def hint(self) -> str:
        """Suggest the next move, from what the conversation still lacks."""
        scenario = self.scenario
        if scenario.company_at_fault and not self.apologized:
            return "Apologize sincerely and own the mistake; name how they must feel."
        if not self.revealed and not self.fix_offered:
            return f"Ask a clarifying question, e.g. for the {scenario.facts[0].label}."
        if not self.fix_offered:
            return f"Offer the fix yourself, without passing them on. {scenario.fix_description}"
        if not self.when_given:
            return "Say exactly when: a concrete time or date, and how you'll follow up."
        if scenario.perk_fitting and not self.perk_given:
            return "A small perk for the trouble (a discount, a credit) would fit here."
        return "Commit to a follow-up and offer further help."

    # -- judging ----------------------------------------------------------------------------

    def _late_by(self, at: datetime | None) -> float:
        deadline = self.deadline
        if at is None or deadline is None:
            return 0.0
        return max(0.0, (at - deadline).total_seconds())

    def _judge(self, text: str, result: ScoreResult, late_by: float) -> _Judgement:
        scenario = self.scenario
        index = len(self.turns) - 1
        found = {}  # cue -> effect, for the evidence in this turn
        for criterion in result.criteria.values():
            for item in criterion.evidence:
                if item.turn == index:
                    found.setdefault(item.cue, item.effect)
        judged = _Judgement()
        critical = [item for item in result.critical if item.turn == index]
        if critical:
            judged.add("critical", critical[0].reason.removeprefix("auto-fail: "))
        if "condescension" in found:
            judged.add("condescension", "talked down to them")
        if "blunt" in found:
            judged.add("blunt", "blunt wording")
        if "apology" in found or "apology_sincere" in found:
            self.apologized = True
            judged.add("apology_at_fault" if scenario.company_at_fault else "apology", "apologized")
        elif "apology_generic" in found:
            self.apologized = True
            judged.add("apology_generic", "a generic apology ('for any inconvenience')")
        if "ownership" in found:
            judged.add("ownership", "owned the mistake")
        for kind, reason in (("apology_conditional", "a conditional apology ('sorry if you feel')"),
                             ("deflection", "deflected the blame"), ("apology_refused", "refused to apologize")):
            if kind in found:
                judged.add(kind, reason)
        if "empathy" in found:
            judged.add("empathy", "acknowledged how they feel")
        if "customer_name" in found:
            judged.add("customer_name", "used their name")
        if any(name.startswith("courtesy") for name in found):
            judged.add("courtesy", "polite")

        low = cue.normalize(text)
        hits = self._matcher.find(low)
        asking = [(start, end) for start, end, families in hits if "ask" in families]
        questions = cue.question_spans(low)
        for fact in scenario.facts:
            family = f"fact:{fact.key}"
            for start, end, families in hits:
                if family not in families:
                    continue
                sentence = cue.sentence_bounds(low, start)
                if cue.overlaps(sentence, questions) or cue.overlaps(sentence, asking):
                    (judged.re_asked if fact.key in self.revealed else judged.asked).append(fact)
                    break
        for fact in judged.asked:
            judged.add("fact_asked", f"asked for the {fact.label}")
        for fact in judged.re_asked:
            judged.add("re_ask", f"asked again for the {fact.label} they already gave")
        if not judged.re_asked and "re_ask" in found:
            judged.add("re_ask", "asked again for something they already gave")
        if not judged.asked and not judged.re_asked and "question" in found:
            judged.add("question", "asked a clarifying question")

        if "transfer" in found:
            judged.add("transfer", "passed them on to someone else")
        if "helpless" in found:
            judged.add("helpless", "said nothing can be done")
        if "refusal" in found:
            judged.add("refusal", "refused a remedy")
        judged.fix = any("fix" in families and not cue.negated_before(low, start) and not cue.negated_after(low, end)
                         for start, end, families in hits)
        if judged.fix and not self.fix_offered:
            judged.add("fix", "offered the fix")
        judged.timeline = bool(cue.timeline_spans(low))
        if judged.timeline and (self.fix_offered or judged.fix) and not self.when_given:
            judged.add("timeline", "gave a concrete time")
        if "follow_up" in found:
            judged.add("follow_up", "promised to follow up")
        if "explain" in found:
            judged.add("explain", "explained what happened")
        if "perk" in found or "perk_at_fault" in found:
            self.perk_given = True
            judged.add("perk_fitting" if scenario.perk_fitting else "perk",
                       "a perk for the trouble" if scenario.perk_fitting else "a perk they did not ask for")
        if any("script" in families for _, _, families in hits):
            judged.add("script", "sounded like a script")
        if low in self._said:
            judged.add("repeat", "repeated an earlier message word for word")
        self._said.append(low)
        if late_by:
            judged.add("late", f"kept them waiting {late_by:.0f} s past the {scenario.reply_within_seconds} s limit")
        if (scenario.company_at_fault and not self.apologized and not self._asked_for_apology
                and self.trainee_turns >= 2):
            self._asked_for_apology = True
            judged.add("no_apology", "still no apology")
        if not any(delta > 0 for _, _, delta in judged.changes):
            judged.add("no_progress", "no progress", MOVES["no_progress"] * (6 - scenario.persona.patience) / 3)
        return judged

    def _outcome(self) -> str | None:
        if self.mood <= LEAVE_AT:
            return LEFT
        if (self.fix_offered and self.when_given and self.mood >= RESOLVED_AT
                and (self.apologized or not self.scenario.company_at_fault)):
            return RESOLVED
        if self.trainee_turns >= self.scenario.max_turns:
            return TURN_LIMIT
        return None

    # -- replying -----------------------------------------------------------------------------

    def _say(self, text: str, at: datetime | None) -> None:
        self.turns.append(Turn("customer", text, at))
        self.moods.append(self.mood)

    def _band(self) -> str:
        if self.mood < -0.5:
            return "angry"
        if self.mood < 0:
            return "upset"
        if self.mood < 0.5:
            return "calmer"
        return "pleased"

    def _pick(self, options: tuple[str, ...]) -> str:
        return self._rng.choice(options)

    def _fill(self, template: str, fact: Fact | None = None) -> str:
        situation = self.scenario.situation
        return template.format(problem=situation["problem"], need=situation["need"],
                               competitor=situation["competitor"],
                               value=fact.value if fact else "", label=fact.label if fact else "")

    def _compose(self, judged: _Judgement, revealed: tuple[str, ...]) -> str:
        band = self._band()
        if self.outcome == LEFT:
            text = self._fill(self._pick(LEAVING))
            return text[:1].upper() + text[1:]
        parts = []
        strongest = max(judged.changes, key=lambda change: abs(change[2]), default=None)
        # A resolved customer's thanks says the rest; only a perk earns its own reaction then.
        react = strongest is not None and (self.outcome != RESOLVED or strongest[0] == "perk_fitting")
        if react and strongest[0] in REACTIONS:
            options = REACTIONS[strongest[0]]
            parts.append(self._pick(options.get(band) or options["any"]))
        facts = {fact.key: fact for fact in self.scenario.facts}
        for key in revealed:
            parts.append(self._pick(FACT_LEADS) + facts[key].answer_text())
        for fact in judged.re_asked:
            parts.append(self._fill(self._pick(ALREADY_TOLD), fact))
        if self.outcome == RESOLVED:
            parts.append(self._fill(self._pick(RESOLVED_LINES[band if band in RESOLVED_LINES else "calmer"])))
        elif self.outcome == TURN_LIMIT:
            parts.append(self._fill(self._pick(OUT_OF_TIME)))
        elif judged.fix and not self.when_given:
            parts.append(self._fill(self._pick(ASK_WHEN[band])))
        elif self.fix_offered and self.when_given and self.scenario.company_at_fault and not self.apologized:
            parts.append(self._fill(self._pick(WANT_APOLOGY)))
        elif not self.fix_offered and not revealed and not judged.re_asked:
            parts.append(self._fill(self._pick(PUSH_FOR_FIX[band])))
        elif self.fix_offered and not self.when_given and not judged.fix:
            parts.append(self._fill(self._pick(ASK_WHEN[band])))
        elif self.fix_offered and self.when_given:
            parts.append(self._fill(self._pick(STILL_UPSET)))
        if not self.ended and band in CLOSINGS and self._rng.random() < 0.4:
            parts.append(self._fill(self._pick(CLOSINGS[band])))
        return " ".join(part[:1].upper() + part[1:] for part in parts if part)


# -- reply grammar: reactions to the strongest mood change, then content by intent and mood band ------------

REACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "critical": {"any": ("Excuse me?", "Wow. Did you really just say that to me?", "I can't believe what I'm reading.",
                         "Don't you dare talk to me like that.")},
    "condescension": {"any": ("There's no need to talk down to me.", "I'm not stupid, you know.",
                              "Don't lecture me.")},
    "apology_at_fault": {"angry": ("Well, at least someone's said sorry.", "Sorry is a start, I suppose."),
                         "upset": ("Thank you for apologising, I appreciate it.", "Okay. Thanks for saying sorry."),
                         "any": ("Thank you, that means a lot.", "I appreciate the apology.")},
    "empathy": {"angry": ("Yes, it is frustrating.", "You have no idea."),
                "any": ("Thank you for understanding.", "Yes, exactly, that's how it feels.",
                        "I'm glad someone gets it.")},
    "apology_generic": {"any": ("'Any inconvenience'? It's more than an inconvenience.",
                                "That sounds like it came off a card.")},
    "apology_conditional": {"any": ("'If' I feel? I do feel that way.", "Don't say sorry 'if'. Something went wrong.")},
    "deflection": {"any": ("I don't care whose policy it is.", "That's not my problem, it's yours.",
                           "So it's nobody's fault, is it?")},
    "apology_refused": {"any": ("Not even a sorry. Unbelievable.",)},
    "re_ask": {"any": ("I already told you that.", "Were you even reading?", "I've given you that already.")},
    "transfer": {"any": ("No. I don't want to be passed around again.",
                         "I've been passed around enough today. Can't YOU do it?",
                         "Please don't send me to someone else.")},
    "helpless": {"any": ("Nothing? Really?", "So I'm just supposed to accept that?", "That's not good enough.")},
    "refusal": {"any": ("Why not?", "That's a very quick no.")},
    "script": {"any": ("Are you reading that off a script?", "That sounds like a script.",
                       "Can I talk to an actual person, please?")},
    "repeat": {"any": ("You said that already.", "You're repeating yourself.")},
    "late": {"any": ("Hello? Are you still there?", "I've been waiting.", "Anyone there?")},
    "no_apology": {"any": ("Nobody has even said sorry.", "An apology would be nice, by the way.")},
    "perk_fitting": {"angry": ("Well, that's something.",),
                     "any": ("Oh, that's kind of you, thank you!", "That's a nice touch, thanks.",
                             "I wasn't expecting that. Thank you!")},
    "fix": {"angry": ("Fine.", "Okay."), "any": ("Okay, that would help.", "That sounds better.", "Right, good.")},
    "timeline": {"any": ("Good, that's clear.", "Okay, I can plan around that.")},
    "no_progress": {"angry": ("This is going nowhere.", "I'm losing patience here."),
                    "upset": ("Okay... and?", "That doesn't really help me."),
                    "any": ("Right.", "Okay.")},
}
FACT_LEADS = ("", "Sure. ", "Fine. ", "Okay. ")
ALREADY_TOLD = ("It's {value}, like I said.", "The {label} is {value}. Again.", "{value}. I told you that.")
ASK_WHEN = {
    "angry": ("When? I need an actual date.", "And when exactly will that happen?", "Fine, but WHEN?"),
    "upset": ("When will that happen, though?", "Okay, but how long will it take?",
              "And when can I expect that?"),
    "calmer": ("That sounds good. When will it happen?", "Great. Do you know when?", "Okay, when should I expect it?"),
    "pleased": ("Lovely. When will that be?", "Brilliant, and when can I expect it?"),
}
PUSH_FOR_FIX = {
    "angry": ("I just want {need}. Can you do that or not?", "Look, what are you going to do about {problem}?",
              "I don't need chat, I need {need}.", "Either you sort out {problem} or I go to {competitor}."),
    "upset": ("So what happens now with {problem}?", "What can you actually do? I need {need}.",
              "I really need {need}.", "How are you going to fix {problem}?"),
    "calmer": ("So what can you do about {problem}?", "What are the options for {problem}?",
               "I'd just like {need}, if that's possible."),
    "pleased": ("Thank you. So how do we sort out {problem}?", "Great, what's the next step?"),
}
WANT_APOLOGY = ("Fine. But nobody has actually apologised for {problem}.",
                "Okay. Still, a sorry would have been nice, since this was your mistake.",
                "Right. And is anyone going to apologise?")
STILL_UPSET = ("I suppose that works, but I'm still not happy about {problem}.",
               "Okay. I hope it actually happens this time.",
               "Fine. I'll believe it when I see it.")
RESOLVED_LINES = {
    "calmer": ("Okay, thank you. That works for me.", "Right, thanks. I'll keep an eye out for that.",
               "Alright, thank you for sorting it out."),
    "pleased": ("That's perfect, thank you so much!", "Brilliant, thank you, you've been really helpful.",
                "Thank you, that's exactly what I needed.", "Wonderful. Thanks for actually fixing it!"),
}
OUT_OF_TIME = ("I have to go now. I'll call back, I suppose, but this wasn't sorted.",
               "I've run out of time. This still isn't fixed.",
               "I can't stay any longer. I'll have to try again later.")
LEAVING = ("Forget it. I'm taking my business to {competitor}.", "That's it, I'm done. I'll try {competitor} instead.",
           "I'm not wasting any more time on you. I'm going to {competitor}.",
           "Unbelievable. I'll be telling everyone about this, and I'm switching to {competitor}.")
CLOSINGS = {
    "angry": ("This is ridiculous.", "I'm running out of patience.", "Honestly."),
    "upset": ("I just need this sorted.", "I'm still waiting on {need}."),
    "pleased": ("Thanks.",),
}
