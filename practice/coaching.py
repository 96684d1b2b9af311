"""What to practise next and what to try: the recommended scenario, and advice for weak criteria."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from scoring import cues as cue
from scoring.model import Interaction, Turn
from scoring.result import ScoreResult
from scoring.scorer import Scorer
from practice.scenarios import DIFFICULTIES, Scenario

WEAK_BELOW = 70.0  # a criterion scoring under this gets advice in the debrief

CRITERION_LABELS = {"listen": "Listen", "empathize": "Empathize", "apologize": "Apologize and own it",
                    "fix": "Fix it (and add a perk)", "overcommunicate": "Overcommunicate", "respond": "Respond fast"}

ADVICE: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "listen": ("Ask one clarifying question before you fix, and say back the specifics they gave you. Never ask "
               "again for something they already told you.",
               ("Could you give me the order number so I can find it?",
                "So the chair went to 22 Kings Lane instead of Harbour Street, is that right?")),
    "empathize": ("Name how they feel before you solve anything, use their name, and stay courteous even when "
                  "they are not. Never tell a customer to calm down or that it was their fault.",
                  ("I can imagine how stressful that is with the party on Saturday, Maria.",
                   "That sounds really frustrating, and I'm glad you told us.")),
    "apologize": ("Say sorry plainly and own the mistake when it was ours; skip 'sorry for any inconvenience' "
                  "and 'sorry if you feel'.",
                  ("I'm so sorry, that's our mistake.", "You're right, we should have caught that. I apologize.")),
    "fix": ("Offer a concrete remedy yourself instead of passing them on, and add a perk when we were at fault.",
            ("I've sent a replacement by express courier.",
             "I've refunded the fee and added a 15% discount code for the trouble.")),
    "overcommunicate": ("Say what happened, what happens next and exactly when, and how you'll follow up.",
                        ("It will arrive by Thursday at noon.",
                         "I'll email you the tracking number within the hour and check in on Friday.")),
    "respond": ("Reply quickly: within the channel's target (a minute on the phone, two in chat, an hour on "
                "social media). A short holding reply beats silence.",
                ("Thanks for waiting, I'm on it now.", "I'm checking your order right now, one moment.")),
}


def weak_criteria(result: ScoreResult) -> list[str]:
    """Return the applicable criteria scoring under WEAK_BELOW, weakest first."""
    scored = [(c.score, name) for name, c in result.criteria.items() if c.score is not None and c.score < WEAK_BELOW]
    return [name for _, name in sorted(scored)]


def model_examples(scenario: Scenario, scorer: Scorer, criterion: str, limit: int = 2) -> list[str]:
    """Return sentences of the scenario's model conversation that earned points on `criterion`."""
    model = Interaction(id=f"model-{scenario.key}", channel=scenario.channel, customer_name=scenario.persona.name,
                        turns=tuple(Turn(speaker, text) for speaker, text in scenario.model))
    examples: list[str] = []
    for item in scorer.score(model).criteria[criterion].evidence:
        if item.effect <= 0 or item.end <= item.start or model.turns[item.turn].speaker != "agent":
            continue
        text = model.turns[item.turn].text
        start, end = cue.sentence_bounds(cue.normalize(text), item.start)
        sentence = text[start:end].strip()
        if sentence and sentence not in examples:
            examples.append(sentence)
    return examples[:limit]


def recommend(scenarios: Mapping[str, Scenario], *, weakest: str | None, passed: Collection[str],
              assigned: Collection[str] = ()) -> list[str]:
    """Return scenario keys in the order to suggest them: assigned first, then those training the weakest
    criterion, then core ones not yet passed, easier first; passed ones last."""
    def rank(key: str) -> tuple:
        scenario = scenarios[key]
        return (key in passed, key not in assigned, weakest not in scenario.practises, not scenario.core,
                DIFFICULTIES.index(scenario.difficulty), scenario.title)
    return sorted(scenarios, key=rank)

