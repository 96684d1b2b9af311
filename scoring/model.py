"""The interaction model shared by parsers, the scorer, the store and practice."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

CHANNELS = ("phone", "chat", "email", "social")
SPEAKERS = ("agent", "customer")


class InvalidInteraction(ValueError):
    """An interaction record that cannot be used; `field` names the offending part."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str
    text: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the contact centre recorded about the interaction, when it is known."""

    resolved: bool | None = None
    transferred: bool | None = None
    csat: int | None = None


@dataclass(frozen=True, slots=True)
class Interaction:
    id: str
    channel: str
    turns: tuple[Turn, ...]
    customer_name: str | None = None
    customer_id: str | None = None
    agent: str | None = None
    team: str | None = None
    started_at: datetime | None = None
    outcome: Outcome = field(default_factory=Outcome)
    labels: Mapping[str, Any] | None = None

    @property
    def start(self) -> datetime | None:
        """Return the recorded start, else the first turn's timestamp."""
        if self.started_at is not None:
            return self.started_at
        return next((t.at for t in self.turns if t.at is not None), None)

    def to_dict(self) -> dict[str, Any]:
        """Return the record in the JSONL interchange format."""
        record: dict[str, Any] = {
            "id": self.id,
            "channel": self.channel,
            "turns": [_turn_to_dict(t) for t in self.turns],
        }
        optional = {
            "customer_name": self.customer_name,
            "customer_id": self.customer_id,
            "agent": self.agent,
            "team": self.team,
            "started_at": format_timestamp(self.started_at) if self.started_at else None,
            "resolved": self.outcome.resolved,
            "transferred": self.outcome.transferred,
            "csat": self.outcome.csat,
            "labels": dict(self.labels) if self.labels else None,
        }
        record.update({k: v for k, v in optional.items() if v is not None})
        return record


def _turn_to_dict(turn: Turn) -> dict[str, Any]:
    out: dict[str, Any] = {"speaker": turn.speaker, "text": turn.text}
    if turn.at is not None:
        out["at"] = format_timestamp(turn.at)
    return out


def format_timestamp(value: datetime) -> str:
    """Format as ISO 8601 in UTC with a trailing Z, keeping microseconds when there are any."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse_timestamp(value: Any, field: str) -> datetime:
    """Parse ISO 8601 text into an aware UTC datetime (naive input is taken as UTC)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
            if parsed.tzinfo is not None:
                parsed.astimezone(timezone.utc)  # overflows for offsets at the edge of the calendar
        except (ValueError, OverflowError):
            raise InvalidInteraction(field, f"not an ISO 8601 timestamp: {value!r}") from None
    else:
        raise InvalidInteraction(field, f"expected an ISO 8601 timestamp, got {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _optional_text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InvalidInteraction(key, f"expected text, got {type(value).__name__}")
    return str(value).strip() or None


def _optional_bool(record: Mapping[str, Any], key: str) -> bool | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.strip().lower()]
    raise InvalidInteraction(key, f"expected true or false, got {value!r}")


_BOOL_WORDS = {"true": True, "yes": True, "y": True, "1": True,
               "false": False, "no": False, "n": False, "0": False}


def _optional_csat(record: Mapping[str, Any]) -> int | None:
    value = record.get("csat")
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInteraction("csat", f"expected a whole number 1-5, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(number) or number != int(number) or not 1 <= number <= 5:
        raise InvalidInteraction("csat", f"expected a whole number 1-5, got {value!r}")
    return int(number)


def turn_from_dict(raw: Any, index: int) -> Turn:
    """Validate one turn record; errors name `turns[index].field`."""
    where = f"turns[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidInteraction(where, "expected an object with speaker and text")
    speaker = raw.get("speaker")
    if not isinstance(speaker, str) or speaker.strip().lower() not in SPEAKERS:
        raise InvalidInteraction(f"{where}.speaker", f"expected 'agent' or 'customer', got {speaker!r}")
    text = raw.get("text")
    if not isinstance(text, str):
        raise InvalidInteraction(f"{where}.text", "expected text")
    at = raw.get("at")
    return Turn(
        speaker=speaker.strip().lower(),
        text=text,
        at=None if at in (None, "") else parse_timestamp(at, f"{where}.at"),
    )


def interaction_from_dict(record: Any) -> Interaction:
    """Validate a record in the JSONL interchange format and build an Interaction.

    Raises InvalidInteraction naming the field at fault.
    """
    if not isinstance(record, Mapping):
        raise InvalidInteraction("record", "expected a JSON object")
    interaction_id = record.get("id")
    if isinstance(interaction_id, bool) or not isinstance(interaction_id, (str, int)) or not str(interaction_id).strip():
        raise InvalidInteraction("id", "missing or empty")
    channel = record.get("channel")
    if not isinstance(channel, str) or channel.strip().lower() not in CHANNELS:
        raise InvalidInteraction("channel", f"expected one of {', '.join(CHANNELS)}, got {channel!r}")
    raw_turns = record.get("turns")
    if not isinstance(raw_turns, list) or not raw_turns:
        raise InvalidInteraction("turns", "expected a non-empty list of turns")
    turns = tuple(turn_from_dict(raw, i) for i, raw in enumerate(raw_turns))
    labels = record.get("labels")
    if labels is not None and not isinstance(labels, Mapping):
        raise InvalidInteraction("labels", "expected an object")
    started = record.get("started_at")
    return Interaction(
        id=str(interaction_id).strip(),
        channel=channel.strip().lower(),
        turns=turns,
        customer_name=_optional_text(record, "customer_name"),
        customer_id=_optional_text(record, "customer_id"),
        agent=_optional_text(record, "agent"),
        team=_optional_text(record, "team"),
        started_at=None if started in (None, "") else parse_timestamp(started, "started_at"),
        outcome=Outcome(
            resolved=_optional_bool(record, "resolved"),
            transferred=_optional_bool(record, "transferred"),
            csat=_optional_csat(record),
        ),
        labels=labels,
    )
