"""Nothing is lost or half-written: an import killed mid-way, and migrations from the first revision with data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text

from settings import ROOT
from store.db import MIGRATIONS, create_schema, make_engine
from store.models import ImportBatch, Interaction, Score, Turn
from tests.conftest import POSTGRES_URL
from tests.factories import make_interaction

INTERACTIONS = 1500  # three ingest chunks

# Runs the real command line, announcing each chunk written inside the import's open transaction,
# then holding still after the first so the test can kill it mid-way.
KILLABLE_IMPORT = """
import sys, time
import store.ingest as ingest
from store.__main__ import main

write_chunk = ingest._ingest_chunk

def announcing(*args, **kwargs):
    counts = write_chunk(*args, **kwargs)
    print("chunk written", flush=True)
    time.sleep(120)
    return counts

ingest._ingest_chunk = announcing
sys.exit(main(sys.argv[1:]))
"""


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {model.__tablename__: connection.scalar(select(func.count()).select_from(model))
                for model in (ImportBatch, Interaction, Turn, Score)}


@pytest.fixture
def big_jsonl(tmp_path) -> Path:
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(make_interaction(f"big-{n}").to_dict()) + "\n" for n in range(INTERACTIONS)),
                    encoding="utf-8")
    return path


def test_an_import_killed_mid_way_leaves_nothing_and_a_rerun_completes_it(engine, big_jsonl):
    process = subprocess.Popen([sys.executable, "-c", KILLABLE_IMPORT, "import", str(big_jsonl), "--database-url",
                                url_of(engine)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line == "chunk written\n", process.stderr.read()
        with engine.connect() as connection:  # the chunk is in the database, uncommitted
            if engine.dialect.name == "postgresql":
                assert connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE state = "
                                              "'idle in transaction' AND datname = current_database()")) >= 1
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert counts(engine) == {"import_batches": 0, "interactions": 0, "turns": 0, "scores": 0}

    rerun = subprocess.run([sys.executable, "-m", "store", "import", str(big_jsonl), "--database-url", url_of(engine)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{INTERACTIONS} added" in rerun.stdout
    turns = len(make_interaction("x").turns)
    assert counts(engine) == {"import_batches": 1, "interactions": INTERACTIONS, "turns": INTERACTIONS * turns,
                              "scores": INTERACTIONS}


# -- migrations keep data ---------------------------------------------------------------------------------

REVISIONS = [r.revision for r in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]

# Rows written with plain SQL at the first revision, as an install of that version would have them.
FIRST_REVISION_ROWS = [
    "INSERT INTO teams (id, name) VALUES (1, 'Orders')",
    "INSERT INTO employees (id, name, team_id, is_new_hire, active) VALUES (1, 'Dana Lee', 1, false, true)",
    "INSERT INTO users (id, username, display_name, password_hash, role, employee_id, active, failed_sign_ins, "
    "created_at) VALUES (1, 'dana', 'Dana', 'hash', 'agent', 1, true, 0, '2026-03-01 09:00:00+00')",
    "INSERT INTO rubric_versions (id, version, content, active, created_at) "
    "VALUES (1, 'v1', 'version = \"v1\"', true, '2026-03-01 09:00:00+00')",
    "INSERT INTO interactions (id, external_id, channel, employee_id, team_id, started_at, turn_count, "
    "review_version) VALUES (1, 'chat-1', 'chat', 1, 1, '2026-03-02 10:00:00+00', 1, 0)",
    "INSERT INTO turns (id, interaction_id, position, speaker, text) VALUES (1, 1, 0, 'agent', 'Hello <b>there</b>')",
    "INSERT INTO scores (id, interaction_id, rubric_version_id, overall, auto_fail, apology, transfer, timeline, "
    "question, perk, customer_name_used, scored_at) "
    "VALUES (1, 1, 1, 72.5, false, true, false, true, false, false, false, '2026-03-02 10:05:00+00')",
    "INSERT INTO audit_log (id, at, user_id, username, action, detail) "
    "VALUES (1, '2026-03-02 11:00:00+00', 1, 'dana', 'sign_in', '{}')",
]
KEPT = {
    "SELECT name FROM employees": "Dana Lee",
    "SELECT role FROM users WHERE username = 'dana'": "agent",
    "SELECT external_id FROM interactions": "chat-1",
    "SELECT text FROM turns": "Hello <b>there</b>",
    "SELECT overall FROM scores": 72.5,
    "SELECT action FROM audit_log": "sign_in",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """An empty database, on SQLite and on a PostgreSQL database of its own (the shared one stays migrated)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("set RAPPORT_TEST_DATABASE_URL to a PostgreSQL URL to run the PostgreSQL store tests")
    server = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = "rapport_migration_test"
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine = make_engine(url_of(server).rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    server.dispose()


def test_upgrading_from_the_first_revision_to_head_keeps_the_data(empty_engine):
    create_schema(empty_engine, REVISIONS[0])
    with empty_engine.begin() as connection:
        for statement in FIRST_REVISION_ROWS:
            connection.execute(text(statement))
    create_schema(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == REVISIONS[-1]
        for query, expected in KEPT.items():
            assert connection.scalar(text(query)) == expected, query
    assert "audit_log" in inspect(empty_engine).get_table_names()
