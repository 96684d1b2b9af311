"""Scoring in worker processes during ingest stores exactly what one process stores."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from seed_data.demo import generate_demo
from store import ingest
from store.__main__ import main
from store.db import make_engine, make_session_factory
from store.models import Interaction as InteractionRow, Score, ScoreEvidence

NOT_THE_SCORE = ("id", "interaction_id", "rubric_version_id", "scored_at")


def stored_scores(session: Session) -> dict[str, tuple[dict, dict]]:
    """Return each interaction's score columns (not ids or times) and evidence, by external id."""
    rows = session.execute(select(InteractionRow.external_id, Score, ScoreEvidence.payload)
                           .join(Score, Score.interaction_id == InteractionRow.id)
                           .join(ScoreEvidence, ScoreEvidence.score_id == Score.id)).all()
    columns = [c.key for c in Score.__table__.columns if c.key not in NOT_THE_SCORE]
    return {external_id: ({key: getattr(score, key) for key in columns}, payload)
            for external_id, score, payload in rows}


@pytest.mark.parametrize("migrated_engine", ["sqlite"], indirect=True)
def test_two_workers_store_the_same_scores_as_one_process(session_factory, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK_SIZE", 16)  # several chunks, each scored in several parts
    demo = list(generate_demo(interactions=40).interactions)
    interactions = demo + demo[:5]  # repeated ids are skipped, not scored twice
    stored = []
    for workers in (1, 2):
        with session_factory() as session:  # never committed: the second run starts from the same database
            counts = ingest.ingest_interactions(session, interactions=interactions, workers=workers)
            assert (counts.added, counts.duplicates) == (len(demo), 5)
            stored.append(stored_scores(session))
    assert len(stored[0]) == len(demo)
    assert stored[1] == stored[0]


def test_import_command_scores_in_workers(tmp_path, capsys):
    path = tmp_path / "demo.jsonl"
    lines = [json.dumps(interaction.to_dict()) for interaction in generate_demo(interactions=12).interactions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["import", str(path), "--workers", "2", "--database-url", url]) == 0
    assert capsys.readouterr().out == "demo.jsonl: 12 added, 0 duplicates (batch 1)\n"
    with make_session_factory(make_engine(url))() as session:
        assert len(stored_scores(session)) == 12
