"""ScoringPool: the same results in worker processes as in this one, in input order."""

from __future__ import annotations

import multiprocessing
import pickle
import sys
import types
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from scoring import parallel
from scoring.model import Outcome, Turn
from scoring.parallel import ScoringPool
from scoring.result import ScoreResult
from scoring.scorer import default_scorer
from seed_data.demo import generate_demo


def overall(result: ScoreResult) -> tuple[str, float | None]:
    return result.interaction_id, result.overall


def test_workers_return_what_one_process_returns_in_input_order():
    interactions = list(generate_demo(interactions=13).interactions)
    scorer = default_scorer()
    with ScoringPool([scorer], workers=1) as one:
        expected = one.submit(interactions)()
    with ScoringPool([scorer, scorer], workers=2, convert=overall) as two:
        got = two.submit(interactions)()
    assert [r.interaction_id for r in expected[0]] == [i.id for i in interactions]
    assert got == [[overall(r) for r in expected[0]]] * 2


def test_workers_must_be_at_least_one():
    with pytest.raises(ValueError, match="workers: expected at least 1, got 0"):
        ScoringPool([default_scorer()], workers=0)


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_workers_score_alike_however_they_start(start_method, monkeypatch):
    """Forked workers use the scorers built here; spawned ones build theirs from the rubric text."""
    context = multiprocessing.get_context(start_method)
    monkeypatch.setattr(multiprocessing, "get_context", lambda: context)
    # A spawned worker runs this process's main module first: under the app tests that is a page script.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    interactions = list(generate_demo(interactions=9).interactions)
    scorer = default_scorer()
    with ScoringPool([scorer], workers=2, convert=overall) as pool:
        assert pool.submit(interactions)() == [[overall(scorer.score(i)) for i in interactions]]


def test_interactions_reach_the_workers_whole():
    interactions = list(generate_demo(interactions=5).interactions)
    interactions.append(replace(interactions[0], id="labelled", labels={"fix": 80.0}, outcome=Outcome(csat=4),
                                turns=(Turn("agent", "Hi", datetime(2026, 3, 4, 5, 6, tzinfo=timezone.utc)),)))
    assert pickle.loads(parallel._packed(interactions)) == interactions
