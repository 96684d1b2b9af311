"""Bulk ingest: scoring chunks ahead of the writing stores what chunk-by-chunk ingest stores, ids are handed out
safely on both databases, and a failure part-way leaves nothing behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from seed_data.demo import generate_demo
from store import ingest
from store.db import create_schema, make_engine, make_session_factory
from store.models import (Customer, DailyRollup, Employee, Interaction as InteractionRow, RubricVersion, Score,
                          ScoreEvidence, Team, Turn)
from store.rubric_editing import edited_rubric
from store.rubrics import active_rubric, register_rubric
from tests.factories import make_interaction

NOT_STORED_DATA = ("id", "scored_at")


def stored(session: Session) -> dict[str, list]:
    """Return everything an ingest writes, keyed by external ids rather than row ids, in a comparable form."""
    names = {  # what each id column refers to, by a name that is the same on every run
        "interaction_id": dict(session.execute(select(InteractionRow.id, InteractionRow.external_id)).all()),
        "rubric_version_id": dict(session.execute(select(RubricVersion.id, RubricVersion.version)).all()),
        "team_id": dict(session.execute(select(Team.id, Team.name)).all()),
        "employee_id": dict(session.execute(select(Employee.id, Employee.name)).all()),
        "customer_id": dict(session.execute(select(Customer.id, Customer.external_id)).all()),
    }

    def rows(model, *keys):
        columns = [c for c in model.__table__.columns if c.key not in NOT_STORED_DATA]
        result = [{key: names[key].get(value) if key in names else value for key, value in row.items()}
                  for row in session.execute(select(*columns)).mappings()]
        return sorted(result, key=lambda row: tuple(str(row[key]) for key in keys))

    score_keys = {score_id: (names["interaction_id"][row_id], names["rubric_version_id"][version])
                  for score_id, row_id, version in session.execute(
                      select(Score.id, Score.interaction_id, Score.rubric_version_id))}
    return {
        "interactions": rows(InteractionRow, "external_id"),
        "turns": rows(Turn, "interaction_id", "position"),
        "scores": rows(Score, "interaction_id", "rubric_version_id"),
        "evidence": sorted((score_keys[score_id], payload) for score_id, payload in
                           session.execute(select(ScoreEvidence.score_id, ScoreEvidence.payload))),
        "rollups": rows(DailyRollup, "rubric_version_id", "day", "team_id", "employee_id", "channel"),
    }


def rescoring_version(session: Session) -> int:
    """Save a version that is not active yet (being rescored): imports must score under it too."""
    base = active_rubric(session).rubric
    return register_rubric(session, rubric=edited_rubric(base, version=base.version + "-b", weights={"fix": 3.0},
                                                         response_targets={}, phrases={}), activate=False).id


@pytest.mark.parametrize("workers", [1, 2])
def test_scoring_ahead_stores_what_chunk_by_chunk_ingest_stores(session_factory, monkeypatch, workers):
    monkeypatch.setattr(ingest, "CHUNK_SIZE", 7)
    demo = list(generate_demo(interactions=40).interactions)
    interactions = demo + demo[:3]
    results = []
    for lookahead in (0, 3):
        monkeypatch.setattr(ingest, "LOOKAHEAD", lookahead)
        with session_factory() as session:  # rolled back: each run starts from the same database
            newer = rescoring_version(session)
            progress: list[int] = []
            counts = ingest.ingest_interactions(session, interactions=interactions, workers=workers,
                                                progress=progress.append)
            assert (counts.added, counts.duplicates) == (40, 3)
            assert progress == [*range(7, 43, 7), 43]
            assert session.scalar(select(func.count()).where(Score.rubric_version_id == newer)) == 40
            results.append(stored(session))
    assert results[1] == results[0]
    assert len(results[0]["turns"]) == sum(len(i.turns) for i in demo)


def test_ids_follow_the_rows_already_stored_and_leave_the_next_ones_free(session):
    ingest.ingest_interactions(session, interactions=[make_interaction("a"), make_interaction("b")])
    session.add(InteractionRow(external_id="by-hand", channel="chat"))  # the database's own next id
    session.add(Customer(external_id="by-hand"))
    session.flush()
    ingest.ingest_interactions(session, interactions=[make_interaction("c"), make_interaction("d")])
    session.add(InteractionRow(external_id="by-hand-too", channel="chat"))
    session.flush()
    ids = session.scalars(select(InteractionRow.id).order_by(InteractionRow.external_id)).all()
    assert len(set(ids)) == 6
    by_key = dict(session.execute(select(InteractionRow.external_id, InteractionRow.id)).all())
    assert by_key["a"] < by_key["b"] < by_key["by-hand"] < by_key["c"] < by_key["d"] < by_key["by-hand-too"]
    scores = session.execute(select(Score.interaction_id, Score.id).order_by(Score.id)).all()
    assert [interaction_id for interaction_id, _ in scores] == [by_key[key] for key in "abcd"]
    evidence = session.scalars(select(ScoreEvidence.score_id).order_by(ScoreEvidence.score_id)).all()
    assert evidence == [score_id for _, score_id in scores]
    assert session.scalar(select(func.count()).select_from(Customer)) == 2


def test_a_failure_part_way_through_leaves_nothing(session_factory, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK_SIZE", 5)
    interactions = list(generate_demo(interactions=30).interactions)
    failing = interactions[17].id

    def stored_or_fail(result):
        if result.interaction_id == failing:
            raise RuntimeError("scorer broke")
        return ingest.score_values(result), ingest.json_text(ingest.evidence_payload(result))

    monkeypatch.setattr(ingest, "stored_form", stored_or_fail)  # forked workers inherit the patch
    with session_factory() as session:
        with pytest.raises(RuntimeError, match="scorer broke"):
            ingest.ingest_interactions(session, interactions=interactions, workers=2)
        session.rollback()
    with session_factory() as session:
        for model in (InteractionRow, Turn, Score, ScoreEvidence, Customer, Team, DailyRollup):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__


def test_sqlite_datetimes_are_written_as_sqlalchemy_writes_them():
    dialect = sqlite.dialect()
    ours = ingest._bind_processor(DateTime(), dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    moments = [datetime(2026, 3, 4, 5, 6, 7), datetime(2026, 3, 4, 5, 6, 7, 89),
               datetime(987, 1, 2, 3, 4, 5, 600000), datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc),
               datetime(2026, 3, 4, 23, 6, 7, 1, tzinfo=timezone(timedelta(hours=-5))), date(2026, 3, 4)]
    assert [ours(moment) for moment in moments] == [theirs(moment) for moment in moments]


def test_sqlite_statistics_are_taken_again_once_the_interactions_grow_by_a_tenth(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'statistics.sqlite3'}")
    create_schema(engine)
    factory = make_session_factory(engine)

    def import_interactions(*keys: str) -> int | None:
        """Import the interactions; return the row count the planner's statistics have for them."""
        with factory.begin() as session:
            ingest.ingest_interactions(session, interactions=[make_interaction(key) for key in keys])
            return session.scalar(text("SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 "
                                       "WHERE tbl = 'interactions'"))

    assert import_interactions(*(f"first-{n}" for n in range(20))) == 20
    assert import_interactions("second") == 20  # 21 is less than a tenth more
    assert import_interactions("third") == 22
    engine.dispose()
