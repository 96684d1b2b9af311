"""Fixtures for the scoring tests: the seed rubric, a compiled scorer and an interaction builder."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from scoring.model import Interaction, interaction_from_dict
from scoring.result import ScoreResult
from scoring.rubric import Rubric, load_rubric
from scoring.scorer import Scorer

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="session")
def scorer(rubric: Rubric) -> Scorer:
    return Scorer(rubric)


def _build(*turns: tuple, channel: str = "chat", **fields: Any) -> Interaction:
    """Build an interaction from (speaker, text) or (speaker, text, seconds after START) tuples."""
    records = []
    for turn in turns:
        record = {"speaker": turn[0], "text": turn[1]}
        if len(turn) > 2:
            record["at"] = (START + timedelta(seconds=turn[2])).isoformat()
        records.append(record)
    record = {"id": fields.pop("id", "t1"), "channel": channel, "turns": records, **fields}
    return interaction_from_dict(record)


@pytest.fixture
def build() -> Callable[..., Interaction]:
    """build(("customer", "text"), ("agent", "text", seconds_after_start), channel="chat", ...)."""
    return _build


@pytest.fixture
def score(scorer: Scorer) -> Callable[..., ScoreResult]:
    """Score an interaction given like build(): score(("customer", "..."), ("agent", "..."), channel=...)."""
    return lambda *turns, **fields: scorer.score(_build(*turns, **fields))


@pytest.fixture
def cues() -> Callable[[ScoreResult, str], list[str]]:
    """cues(result, criterion) -> the cue names of that criterion's evidence, in order."""
    return lambda result, criterion: [e.cue for e in result.criteria[criterion].evidence]
