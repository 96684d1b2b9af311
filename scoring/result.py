"""What the scorer returns: per-criterion scores, evidence and detector signals."""

from __future__ import annotations

from typing import Any, Final, NamedTuple, Protocol, TypeVar

CRITERIA: Final = ("listen", "empathize", "apologize", "fix", "overcommunicate", "respond")


class Evidence(NamedTuple):
    """Why points were gained or lost: the words, where they are, and what they did.

    `turn` indexes Interaction.turns; `start`/`end` are character offsets in that
    turn's text (end exclusive). `effect` is the signed number of points.
    Evidence with no span in the text (for example a slow response) has start == end == 0.
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


class CriterionScore(NamedTuple):
    name: str
    score: float | None  # 0-100, None when not applicable
    applicable: bool
    evidence: tuple[Evidence, ...] = ()


class Signals(NamedTuple):
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


class ScoreResult(NamedTuple):
    interaction_id: str
    rubric_version: str
    overall: float | None
    auto_fail: bool
    criteria: dict[str, CriterionScore]
    signals: Signals
    critical: tuple[Evidence, ...] = ()
    # The politeness strategies behind signals.courtesy: it is clamp(50 + the sum of their effects).
    courtesy_evidence: tuple[Evidence, ...] = ()

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
            "signals": self.signals._asdict(),
            "courtesy_evidence": [e.to_dict() for e in self.courtesy_evidence],
        }


Record = TypeVar("Record", Evidence, CriterionScore, Signals, ScoreResult)


class RecordMaker(Protocol):
    def __call__(self, record: type[Record], fields: tuple[Any, ...], /) -> Record: ...


# A record from a tuple of its fields. The records are named tuples, not frozen dataclasses, because the
# scorer builds dozens per interaction: compiled or not, a frozen dataclass's __init__ runs as Python and
# sets each field through object.__setattr__ (about 1.3 µs for a CriterionScore), a named tuple's own
# constructor runs as Python too (0.45 µs), and tuple.__new__ is C (0.2 µs).
new_record: Final[RecordMaker] = tuple.__new__


def tenth(value: float) -> float:
    """Round to one decimal, as round(value, 1) does: scores and effects are kept to a tenth of a point.

    round() with digits formats the number as text and back, a fifth of a microsecond that the scorer
    would spend a dozen times an interaction. Most scores are sums of whole and tenth points, already the
    nearest float to a number of tenths k / 10, which is its own rounding: ten times it is the whole number
    k, and k / 10 (a correctly rounded division) gives it back. Below a billion, a float is within far less
    than half a tenth of that k / 10, so round() would find the same.
    """
    scaled = value * 10.0
    if scaled % 1.0 == 0.0 and scaled / 10.0 == value and -1e9 < value < 1e9:
        return value
    return round(value, 1)
