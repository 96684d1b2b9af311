"""The daily rollups: they add up to the scores, refreshing in pieces equals rebuilding, runs join across days,
and every way scores are written (import, rescore, a version being rescored) keeps them current."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import and_, case, func, select, text

from scoring.result import CRITERIA
from scoring.rubric import load_rubric
from seed_data.demo import generate_demo
from store import audit, rollups
from store.ingest import ingest_interactions
from store.leaderboard import _empathy_streaks
from store.models import (
    AppMeta,
    DailyCsat,
    DailyEmpathyRun,
    DailyAgentRollup,
    DailyRollup,
    DailyScoreBucket,
    DailyTeamRollup,
    Interaction,
    Score,
)
from store.organisation import checked_assumptions
from store.permissions import Scope
from store.queries import Period, headline
from store.rescore import rescore
from store.rubrics import active_rubric, register_rubric
from tests.factories import make_interaction
from tests.store.executive_data import DAY0, Row, seed

EVERYTHING = Scope(everything=True)
DEMO_END = date(2026, 11, 20)


def demo_interactions(count: int, *, months: int = 12) -> list:
    return list(generate_demo(interactions=count, months=months, end=DEMO_END, seed=7).interactions)


def rollup_rows(session) -> dict[str, list[tuple]]:
    """Return every rollup table's rows without their ids, sorted, to compare two states."""
    return {table.__tablename__: sorted(
        (tuple(round(value, 6) if isinstance(value, float) else value for value in row)
         for row in session.execute(select(*(column for column in table.__table__.columns if column.name != "id")))),
        key=repr) for table in rollups.TABLES}


def test_the_rollups_add_up_to_the_scores(session):
    ingest_interactions(session, interactions=demo_interactions(300))
    rubric = active_rubric(session)
    joined = (select().select_from(Interaction)
              .join(Score, and_(Score.interaction_id == Interaction.id, Score.rubric_version_id == rubric.id)))
    targets = rubric.rubric.response_targets
    expected = session.execute(joined.add_columns(
        func.count(), func.sum(Score.overall), func.count(Score.overall),
        *(func.count(getattr(Score, name)) for name in CRITERIA),
        *(func.sum(getattr(Score, name)) for name in CRITERIA),
        func.sum(case((Score.transfer, 1), else_=0)), func.sum(case((Score.auto_fail, 1), else_=0)),
        func.count(Interaction.csat), func.sum(Interaction.csat), func.count(Score.first_response_seconds),
        func.sum(case((rollups.within_target(targets), 1), else_=0)),
    )).one()
    rolled = session.execute(select(
        func.sum(DailyRollup.interactions), func.sum(DailyRollup.overall_sum), func.sum(DailyRollup.overall_n),
        *(func.sum(getattr(DailyRollup, f"{name}_n")) for name in CRITERIA),
        *(func.sum(getattr(DailyRollup, f"{name}_sum")) for name in CRITERIA),
        func.sum(DailyRollup.transfers), func.sum(DailyRollup.auto_fails), func.sum(DailyRollup.csat_n),
        func.sum(DailyRollup.csat_sum), func.sum(DailyRollup.replies), func.sum(DailyRollup.within_target),
    ).where(DailyRollup.rubric_version_id == rubric.id)).one()
    assert expected[0] == 300
    assert [pytest.approx(float(value or 0)) for value in rolled] == [float(value or 0) for value in expected]
    assert session.scalar(select(func.sum(DailyScoreBucket.interactions))) == expected[2]
    assert session.scalar(select(func.sum(DailyCsat.interactions))) == expected[-4]
    channels_apart = select(func.sum(DailyEmpathyRun.scored)).where(DailyEmpathyRun.channel.is_not(None))
    together = select(func.sum(DailyEmpathyRun.scored)).where(DailyEmpathyRun.channel.is_(None))
    assert session.scalar(channels_apart) == session.scalar(together) == expected[3 + CRITERIA.index("empathize")]


@pytest.mark.parametrize("table, keys", [(DailyTeamRollup, ("day", "week", "team_id", "channel")),
                                         (DailyAgentRollup, ("day", "week", "team_id", "employee_id"))])
def test_the_team_and_agent_rollups_are_the_daily_rollups_summed(session, table, keys):
    interactions = demo_interactions(200)
    ingest_interactions(session, interactions=interactions[:120])
    ingest_interactions(session, interactions=interactions[120:])
    measures = [*rollups.MEASURES, *(("social_replies", "social_within_target") if table is DailyAgentRollup else ())]
    social = DailyRollup.channel == "social"
    summed = {"social_replies": func.sum(case((social, DailyRollup.replies), else_=0)),
              "social_within_target": func.sum(case((social, DailyRollup.within_target), else_=0))}
    expected = session.execute(
        select(DailyRollup.rubric_version_id, *(getattr(DailyRollup, key) for key in keys),
               *(summed[name] if name in summed else func.sum(getattr(DailyRollup, name)) for name in measures))
        .group_by(DailyRollup.rubric_version_id, *(getattr(DailyRollup, key) for key in keys))).all()
    found = session.execute(select(table.rubric_version_id, *(getattr(table, key) for key in keys),
                                   *(getattr(table, name) for name in measures))).all()
    assert len(found) < len(session.execute(select(DailyRollup.id)).all())
    assert sorted(map(_rounded, found), key=repr) == sorted(map(_rounded, expected), key=repr)


def _rounded(row) -> tuple:
    return tuple(round(value, 6) if isinstance(value, float) else value for value in row)


def test_refreshing_day_by_day_equals_a_rebuild(session):
    interactions = demo_interactions(240)
    random.Random(3).shuffle(interactions)  # imports arrive out of time order
    for start in range(0, len(interactions), 80):
        ingest_interactions(session, interactions=interactions[start:start + 80])
    incremental = rollup_rows(session)
    rollups.rebuild(session)
    assert rollup_rows(session) == incremental
    assert incremental["daily_rollups"]


def test_headline_reads_the_rollups_of_the_period_only(session):
    seed(session, [Row("Ann", "Red", 0, 80.0, csat=4), Row("Ann", "Red", 1, 60.0, auto_fail=True),
                   Row("Bo", "Red", 8, 10.0)])
    first_two_days = headline(session, scope=EVERYTHING, period=Period(DAY0, DAY0 + timedelta(days=1)))
    assert (first_two_days.interactions, first_two_days.average_overall) == (2, 70.0)
    assert (first_two_days.auto_fail_rate, first_two_days.csat) == (0.5, 4.0)


@pytest.mark.parametrize("days", [
    [[90, 90], [90], [50, 90, 90, 90], [90]],  # the run of the last two days (4) beats the first (3)
    [[90, 40], [90, 90, 90, 20, 90]],  # runs end on misses inside days
    [[90], [90], [90], [90], [90], [90], [90], [90]],  # one hit a day for eight days
    [[10, 20], [30]],  # no hit at all
])
def test_empathy_runs_join_across_days(session, days):
    rows = [Row("Ann", "Red", day, 70.0, empathize=float(value)) for day, values in enumerate(days)
            for value in values]
    seeded = seed(session, rows)
    values = [value for day in days for value in day]
    longest = run = 0
    for value in values:
        run = run + 1 if value >= rollups.EMPATHY_STREAK_SCORE else 0
        longest = max(longest, run)
    streaks = _empathy_streaks(session, EVERYTHING, Period(DAY0, DAY0 + timedelta(days=30)), None, None)
    found = dict(zip(streaks["employee_id"], streaks["empathy_streak"]))
    assert found.get(seeded.employees["Ann"], 0) == longest


def test_a_random_sequence_of_empathy_scores_gives_the_longest_run(session):
    rng = random.Random(11)
    rows = [Row("Ann", "Red", day, 70.0, empathize=rng.choice((90.0, 90.0, 90.0, 50.0)),
                channel=rng.choice(("chat", "email")))
            for day in range(6) for _ in range(rng.randint(0, 6))]
    seeded = seed(session, rows)
    for channel in (None, "chat"):
        longest = run = 0
        for row in rows:
            if channel is None or row.channel == channel:
                run = run + 1 if row.empathize >= rollups.EMPATHY_STREAK_SCORE else 0
                longest = max(longest, run)
        streaks = _empathy_streaks(session, EVERYTHING, Period(DAY0, DAY0 + timedelta(days=10)), channel, None)
        assert dict(zip(streaks["employee_id"], streaks["empathy_streak"])).get(seeded.employees["Ann"], 0) == longest


def _stricter_rubric():
    return dataclasses.replace(load_rubric(), version="rollup-test")


def test_rescoring_fills_the_rollups_of_the_new_version(session):
    ingest_interactions(session, interactions=demo_interactions(60))
    old = active_rubric(session).id
    new = register_rubric(session, rubric=_stricter_rubric(), activate=False).id
    assert not session.scalar(select(func.count()).select_from(DailyRollup).where(DailyRollup.rubric_version_id == new))
    rescore(session, rubric_version_id=new)
    counts = dict(session.execute(select(DailyRollup.rubric_version_id, func.sum(DailyRollup.interactions))
                                  .group_by(DailyRollup.rubric_version_id)).all())
    assert counts == {old: 60, new: 60}


def test_an_import_also_scores_under_a_version_being_rescored(session):
    ingest_interactions(session, interactions=demo_interactions(20))
    pending = register_rubric(session, rubric=_stricter_rubric(), activate=False).id
    ingest_interactions(session, interactions=demo_interactions(40)[20:])
    scored = session.scalar(select(func.count()).select_from(Score).where(Score.rubric_version_id == pending))
    assert scored == 20  # the new ones; the first 20 wait for the rescore
    assert session.scalar(select(func.sum(DailyRollup.interactions)).where(
        DailyRollup.rubric_version_id == pending)) == 20


def test_rollups_built_by_other_code_are_rebuilt(session):
    ingest_interactions(session, interactions=demo_interactions(30))
    assert rollups.ensure_current(session)  # never recorded: built now
    assert not rollups.ensure_current(session)
    session.execute(DailyRollup.__table__.delete())
    session.get(AppMeta, rollups.SCHEMA_KEY).value = "0"
    assert rollups.ensure_current(session)
    assert session.scalar(select(func.sum(DailyRollup.interactions))) == 30


def test_team_figures_refuse_one_agent(session):
    with pytest.raises(rollups.TeamFiguresOnly, match="daily_csat holds teams"):
        rollups.rolled(session, Scope(employee_id=1), None, DailyCsat.csat, table=DailyCsat)


def test_the_data_stamp_moves_with_changes_pages_show_only(session):
    before = audit.data_stamp(session)
    audit.record(session, action="sign_in", username="ann")
    audit.record(session, action="export_csv", username="ann")
    session.flush()
    assert audit.data_stamp(session) == before
    audit.record(session, action="import", username="ann")
    session.flush()
    assert audit.data_stamp(session) > before


def test_the_poor_score_threshold_is_whole_points():
    assert checked_assumptions({"poor_score_below": 60}).poor_score_below == 60.0
    with pytest.raises(ValueError, match="poor_score_below: expected a whole number from 0 to 100, got 59.5"):
        checked_assumptions({"poor_score_below": 59.5})


def test_days_become_runs_of_consecutive_days():
    days = {date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 9)}
    assert rollups._day_ranges(days) == [(date(2026, 3, 1), date(2026, 3, 3)), (date(2026, 3, 9), date(2026, 3, 9))]


def test_interactions_without_a_start_stay_out_of_the_rollups(session):
    ingest_interactions(session, interactions=[make_interaction("undated", start=None),
                                               make_interaction("dated", start=datetime(2026, 3, 2, tzinfo=timezone.utc))])
    assert session.scalar(select(func.sum(DailyRollup.interactions))) == 1


def test_refreshing_the_teams_of_an_import_leaves_other_teams_alone(session):
    day = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    ingest_interactions(session, interactions=[make_interaction("red-1", start=day, team="Red", agent="Ann"),
                                               make_interaction("none-1", start=day, team=None, agent=None)])
    ingest_interactions(session, interactions=[make_interaction("blue-1", start=day, team="Blue", agent="Bo"),
                                               make_interaction("none-2", start=day, team=None, agent=None)])
    incremental = rollup_rows(session)
    rollups.rebuild(session)
    assert rollup_rows(session) == incremental
    assert sum(row[6] for row in incremental["daily_rollups"]) == 4  # interactions


def test_a_bulk_import_leaves_planner_statistics(session):
    ingest_interactions(session, interactions=demo_interactions(1000))
    if session.get_bind().dialect.name == "sqlite":
        found = session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'interactions'"))
    else:
        found = session.scalar(text("SELECT count(*) FROM pg_stats WHERE tablename = 'interactions'"))
    assert found
