"""The weekly rollups: they are the daily rows summed and joined, every write keeps them current, and a period
read from whole weeks and the days at its edges gives what the daily rows alone give."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import and_, case, func, select

from scoring.rubric import load_rubric
from store import rollups
from store.board_pack import gather_board_pack
from store.ingest import ingest_interactions
from store.leaderboard import _empathy_streaks, leaderboard
from store.models import (
    DailyAgentRollup,
    Interaction,
    Score,
    WeeklyAgentRollup,
    WeeklyEmpathyRun,
)
from store.permissions import Scope
from store.queries import Period
from store.rescore import rescore
from store.rubrics import active_rubric, register_rubric
from tests.store.executive_data import DAY0, Row, seed
from tests.store.test_rollups import demo_interactions, rollup_rows

EVERYTHING = Scope(everything=True)
# Wednesday to Thursday: whole weeks inside, part weeks at both edges (and in the previous period's).
PARTIAL_WEEKS = Period(date(2026, 9, 30), date(2026, 11, 12))


def two_months(count: int) -> list:
    """Return `count` demo interactions over two months: denser than over test_rollups' twelve."""
    return demo_interactions(count, months=2)


def runs_of(hits: list[bool]) -> rollups.Runs:
    """Return the runs of a sequence of hits and misses, counted one interaction at a time."""
    runs, best, run = [0], 0, 0
    for hit in hits:
        run = run + 1 if hit else 0
        best = max(best, run)
        if hit:
            runs[-1] += 1
        else:
            runs.append(0)
    return rollups.Runs(len(hits), runs[0], runs[-1], best, len(runs) - 1)


def joined(parts: list[rollups.Runs]) -> rollups.Runs:
    total = rollups.NO_RUNS
    for part in parts:
        total = rollups.join_runs(total, part)
    return total


@pytest.mark.parametrize("days", [
    [[1, 1], [1], [0, 1, 1, 1], [1]],
    [[1, 0], [1, 1, 1, 0, 1], [], [1, 1]],
    [[1]] * 9,
    [[0, 0], [0]],
    [[], [1, 1], []],
])
def test_runs_joined_in_any_grouping_equal_one_fold(days):
    hits = [bool(hit) for day in days for hit in day]
    daily = [runs_of([bool(hit) for hit in day]) for day in days]
    assert joined(daily) == runs_of(hits)
    for cut in range(len(daily) + 1):  # two "weeks", joined apart and then together
        assert rollups.join_runs(joined(daily[:cut]), joined(daily[cut:])) == runs_of(hits)


def test_random_runs_joined_by_weeks_equal_one_fold():
    rng = random.Random(5)
    for _ in range(300):
        days = [[rng.random() < 0.8 for _ in range(rng.randint(0, 6))] for _ in range(rng.randint(1, 30))]
        daily = [runs_of(day) for day in days]
        cuts = sorted(rng.sample(range(len(daily) + 1), rng.randint(0, min(4, len(daily) + 1))))
        weeks = [joined(daily[start:end]) for start, end in zip([0, *cuts], [*cuts, len(daily)])]
        assert joined(weeks) == runs_of([hit for day in days for hit in day])


def test_the_weekly_agent_rollups_are_the_daily_ones_summed(session):
    interactions = two_months(300)
    ingest_interactions(session, interactions=interactions[:150])
    ingest_interactions(session, interactions=interactions[150:])
    weekly, daily, keys = WeeklyAgentRollup, DailyAgentRollup, ("week", "team_id", "employee_id")
    measures = [*rollups.MEASURES, "social_replies", "social_within_target"]
    group = [daily.rubric_version_id, *(getattr(daily, key) for key in keys)]
    expected = session.execute(select(*group, *(func.sum(getattr(daily, name)) for name in measures))
                               .group_by(*group)).all()
    found = session.execute(select(weekly.rubric_version_id, *(getattr(weekly, key) for key in keys),
                                   *(getattr(weekly, name) for name in measures))).all()
    assert 0 < len(found) < session.scalar(select(func.count()).select_from(daily))
    assert sorted(map(_rounded, found), key=repr) == sorted(map(_rounded, expected), key=repr)


def _rounded(row) -> tuple:
    return tuple(round(value, 6) if isinstance(value, float) else value for value in row)


def test_the_weekly_empathy_runs_are_those_of_the_scores(session):
    ingest_interactions(session, interactions=two_months(300))
    rubric_id = active_rubric(session).id
    hit = case((Score.empathize >= rollups.EMPATHY_STREAK_SCORE, 1), else_=0)
    scored = session.execute(
        select(Interaction.started_week, Interaction.team_id, Interaction.employee_id, Interaction.channel, hit)
        .join(Score, and_(Score.interaction_id == Interaction.id, Score.rubric_version_id == rubric_id))
        .where(Interaction.employee_id.is_not(None), Score.overall.is_not(None), Score.empathize.is_not(None))
        .order_by(Interaction.started_at, Interaction.id)).all()
    sequences: dict[tuple, list[bool]] = {}
    for week, team_id, employee_id, channel, is_hit in scored:
        for key in ((week, team_id, employee_id, channel), (week, team_id, employee_id, None)):
            sequences.setdefault(key, []).append(bool(is_hit))
    runs = WeeklyEmpathyRun
    found = {(week, team_id, employee_id, channel): rollups.Runs(*values) for week, team_id, employee_id, channel, *values
             in session.execute(select(runs.week, runs.team_id, runs.employee_id, runs.channel,
                                       *(getattr(runs, name) for name in rollups.Runs._fields)))}
    assert found == {key: runs_of(hits) for key, hits in sequences.items()}


def test_refreshing_piece_by_piece_and_rescoring_equal_a_rebuild(session):
    interactions = two_months(240)
    random.Random(4).shuffle(interactions)  # imports arrive out of time order, touching weeks again and again
    for start in range(0, len(interactions), 60):
        ingest_interactions(session, interactions=interactions[start:start + 60])
    new = register_rubric(session, rubric=dataclasses.replace(load_rubric(), version="weekly-test"),
                          activate=False).id
    rescore(session, rubric_version_id=new, limit=100)  # in slices, as a long rescore commits
    rescore(session, rubric_version_id=new)
    incremental = rollup_rows(session)
    rollups.rebuild(session)
    assert rollup_rows(session) == incremental
    for table in (WeeklyAgentRollup, WeeklyEmpathyRun):
        assert set(session.scalars(select(table.rubric_version_id).distinct())) == {active_rubric(session).id, new}


@pytest.fixture
def daily_only(monkeypatch):
    """Make every period read the daily rows alone, as before there were weekly ones."""
    def read_daily():
        monkeypatch.setattr(rollups, "WEEKLY", {})
    return read_daily


def _same(found, expected) -> None:
    if isinstance(found, pd.DataFrame):
        pd.testing.assert_frame_equal(found, expected, check_exact=False, rtol=1e-12, atol=0)
    elif dataclasses.is_dataclass(found):
        for spec in dataclasses.fields(found):
            _same(getattr(found, spec.name), getattr(expected, spec.name))
    elif isinstance(found, float):
        assert found == pytest.approx(expected, rel=1e-12, abs=0)
    elif isinstance(found, tuple):
        assert len(found) == len(expected)
        for one, other in zip(found, expected):
            _same(one, other)
    else:
        assert found == expected


@pytest.mark.parametrize("period", [PARTIAL_WEEKS, Period(date(2026, 10, 5), date(2026, 11, 15)),
                                    Period(date(2026, 10, 7), date(2026, 10, 13))])
def test_a_period_reads_as_from_the_daily_rows(session, session_factory, daily_only, period):
    ingest_interactions(session, interactions=two_months(600))
    session.commit()

    def read() -> tuple:
        return (gather_board_pack(session_factory, scope=EVERYTHING, period=period,
                                  generated_at=datetime(2026, 11, 20, tzinfo=timezone.utc)),
                leaderboard(session_factory, scope=EVERYTHING, period=period, min_interactions=1))

    weeks_and_days = read()
    assert len(weeks_and_days[1].ranked) > 2 and len(weeks_and_days[0].weekly) >= 1
    daily_only()
    _same(weeks_and_days, read())


@pytest.mark.parametrize("start", range(7))
def test_an_empathy_streak_crosses_weeks_and_the_edges_of_a_period(session, start):
    rng = random.Random(start)
    rows = [Row("Ann", "Red", day, 70.0, empathize=rng.choice((90.0, 90.0, 90.0, 90.0, 50.0)))
            for day in range(24) for _ in range(rng.randint(0, 3))]
    seeded = seed(session, rows)
    period = Period(DAY0 + timedelta(days=start), DAY0 + timedelta(days=start + 16))
    inside = [row.empathize >= rollups.EMPATHY_STREAK_SCORE for row in rows
              if period.start <= DAY0 + timedelta(days=row.day) <= period.end]
    streaks = _empathy_streaks(session, EVERYTHING, period, None, None)
    assert dict(zip(streaks["employee_id"], streaks["empathy_streak"])).get(
        seeded.employees["Ann"], 0) == runs_of(inside).best
