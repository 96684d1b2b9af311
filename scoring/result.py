"""What the scorer returns: per-criterion scores, evidence and detector signals."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from collections.abc import Callable
from typing import Any, NamedTuple

CRITERIA = ("listen", "empathize", "apologize", "fix", "overcommunicate", "respond")


class Evidence(NamedTuple):
    """Why points were gained or lost: the words, where they are, and what they did.

    `turn` indexes Interaction.turns; `start`/`end` are character offsets in that
    turn's text (end exclusive). `effect` is the signed number of points.
    Evidence with no span in the text (for example a slow response) has start == end == 0.
    A named tuple, not a frozen dataclass: the scorer builds dozens per interaction, and a
    frozen dataclass costs several times as much to build.
    """

    turn: int
    start: int
    end: int
    cue: str
    effect: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a dict (what dataclasses.asdict gives, without its deep copy)."""
        return {"turn": self.turn, "start": self.start, "end": self.end, "cue": self.cue,
                "effect": self.effect, "reason": self.reason}


# Evidence from a tuple of its fields: tuple.__new__ is C, where the named tuple's own constructors (__new__,
# _make) run as Python, at about twice the cost; the scorer builds dozens per interaction.
new_evidence: Callable[[type[Evidence], tuple[int, int, int, str, float, str]], Evidence] = tuple.__new__


@dataclass(frozen=True, slots=True)
class CriterionScore:
    name: str
    score: float | None  # 0-100, None when not applicable
    applicable: bool
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Signals:
    apology: bool = False
    transfer: bool = False
    timeline: bool = False
    question: bool = False
    perk: bool = False
    customer_name_used: bool = False
    courtesy: float = 50.0  # 0-100
    customer_sentiment_start: float = 0.0  # -1..1
    customer_sentiment_end: float = 0.0  # -1..1
    first_response_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    interaction_id: str
    rubric_version: str
    overall: float | None
    auto_fail: bool
    criteria: dict[str, CriterionScore]
    signals: Signals
    critical: tuple[Evidence, ...] = field(default=())
    # The politeness strategies behind signals.courtesy: it is clamp(50 + the sum of their effects).
    courtesy_evidence: tuple[Evidence, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the CLI's JSON line shape."""
        return {
            "id": self.interaction_id,
            "rubric_version": self.rubric_version,
            "overall": self.overall,
            "auto_fail": self.auto_fail,
            "critical": [e.to_dict() for e in self.critical],
            "criteria": {
                name: {
                    "score": c.score,
                    "applicable": c.applicable,
                    "evidence": [e.to_dict() for e in c.evidence],
                }
                for name, c in self.criteria.items()
            },
            "signals": {name: getattr(self.signals, name) for name in _SIGNAL_FIELDS},
            "courtesy_evidence": [e.to_dict() for e in self.courtesy_evidence],
        }


_SIGNAL_FIELDS = tuple(f.name for f in fields(Signals))
