"""Backup and restore of the SQLite database: consistent while in use, checked before restoring."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text

from settings import ROOT
from store.backup import BackupError, backup, restore, sqlite_path
from store.db import create_schema, make_engine, make_session_factory
from store.ingest import ingest_interactions
from store.models import Interaction
from tests.factories import make_interaction


@pytest.fixture
def database(tmp_path):
    """A migrated SQLite database holding three interactions; return its URL."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    with make_session_factory(engine).begin() as session:
        ingest_interactions(session, interactions=[make_interaction(f"chat-{n}") for n in range(3)])
    engine.dispose()
    return url


def interactions(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Interaction))
    finally:
        engine.dispose()


def test_backup_is_a_consistent_copy_taken_while_a_write_is_in_progress(database, tmp_path):
    engine = make_engine(database)
    with make_session_factory(engine)() as writer:
        ingest_interactions(writer, interactions=[make_interaction("uncommitted")])
        writer.flush()  # written to the WAL but not committed: the backup must not contain it
        info = backup(database_url=database, destination=tmp_path / "copy.sqlite3")
        writer.rollback()
    engine.dispose()
    assert (info.interactions, info.users) == (3, 0)
    assert not (tmp_path / "copy.sqlite3-wal").exists()
    assert interactions(f"sqlite:///{tmp_path / 'copy.sqlite3'}") == 3


def test_backup_refuses_an_existing_file_and_other_databases(database, tmp_path):
    (tmp_path / "taken.sqlite3").write_bytes(b"precious")
    with pytest.raises(BackupError, match="already exists"):
        backup(database_url=database, destination=tmp_path / "taken.sqlite3")
    assert (tmp_path / "taken.sqlite3").read_bytes() == b"precious"
    with pytest.raises(BackupError, match="pg_dump"):
        backup(database_url="postgresql+psycopg://u@db/rapport", destination=tmp_path / "x")


def test_restore_brings_the_data_back_and_keeps_the_replaced_database(database, tmp_path):
    saved = tmp_path / "saved.sqlite3"
    backup(database_url=database, destination=saved)
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM interactions"))
    engine.dispose()
    info, kept = restore(database_url=database, source=saved, now=datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc))
    assert info.interactions == 3 and interactions(database) == 3
    assert kept.name == "live.sqlite3.before-restore-20261122T093000Z"
    assert interactions(f"sqlite:///{kept}") == 0


def test_restore_into_a_new_location(database, tmp_path):
    saved = tmp_path / "saved.sqlite3"
    backup(database_url=database, destination=saved)
    fresh = f"sqlite:///{tmp_path / 'new' / 'rapport.sqlite3'}"
    assert restore(database_url=fresh, source=saved)[1] is None
    assert interactions(fresh) == 3


def _not_rapport(path):
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")


def _unknown_revision(path):
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()


@pytest.mark.parametrize(("prepare", "reason"), [
    (lambda path: path.write_bytes(b"definitely not a database" * 100), "not a SQLite database"),
    (_not_rapport, "not a Rapport database"),
    (_unknown_revision, "ffff_from_the_future, which this version of Rapport does not know"),
    (lambda path: None, "no such file"),
])
def test_restore_refuses_a_file_that_is_not_a_known_rapport_database(database, tmp_path, prepare, reason):
    candidate = tmp_path / "candidate.sqlite3"
    prepare(candidate)
    with pytest.raises(BackupError, match=reason):
        restore(database_url=database, source=candidate)
    assert interactions(database) == 3
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_restore_refuses_the_database_itself(database):
    with pytest.raises(BackupError, match="the database itself"):
        restore(database_url=database, source=sqlite_path(database))


def run_store(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "store", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_command_line_backup_and_restore(database, tmp_path):
    saved = tmp_path / "saved.sqlite3"
    made = run_store("backup", str(saved), "--database-url", database)
    assert made.returncode == 0, made.stderr
    assert "backed up 3 interactions and 0 accounts" in made.stdout
    again = run_store("backup", str(saved), "--database-url", database)
    assert again.returncode == 2 and "already exists" in again.stderr
    restored = run_store("restore", str(saved), "--database-url", database)
    assert restored.returncode == 0, restored.stderr
    assert "restored 3 interactions" in restored.stdout and "before-restore-" in restored.stdout
    refused = run_store("restore", str(tmp_path / "nothing.sqlite3"), "--database-url", database)
    assert refused.returncode == 2 and "no such file" in refused.stderr
