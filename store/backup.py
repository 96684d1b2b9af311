"""Back up and restore the SQLite database with SQLite's online backup API.

A backup is a consistent snapshot even while the app writes: the backup API copies committed pages only
and starts over when another connection changes the database mid-copy. The copy is written beside the
destination and renamed into place, so a failed backup never leaves a half-written file under its name.

A restore first checks the file: an intact SQLite database holding Rapport's tables at a migration
revision this version of Rapport knows. It keeps the current database beside it
(`<name>.before-restore-<time>`), copies the backup in, then migrates it to the latest revision.
PostgreSQL has its own tools (pg_dump, pg_restore); these functions refuse other databases.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from store.db import MIGRATIONS, create_schema, make_engine

REQUIRED_TABLES = ("alembic_version", "users", "interactions", "scores", "audit_log")


class BackupError(Exception):
    """The database or the file cannot be backed up or restored; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    interactions: int
    users: int


def sqlite_path(database_url: str) -> Path:
    """Return the file of a SQLite URL; raise BackupError for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(f"backup and restore work on a SQLite database file, not {url.get_backend_name()}; "
                          "for PostgreSQL use pg_dump and pg_restore")
    return Path(url.database)


def _known_revisions() -> list[str]:
    return [revision.revision for revision in ScriptDirectory(str(MIGRATIONS)).walk_revisions()]


def inspect_database(path: Path) -> BackupInfo:
    """Check that `path` is an intact Rapport database at a known revision; raise BackupError saying why not."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path}: the database is damaged (SQLite's check failed)")
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [table for table in REQUIRED_TABLES if table not in tables]
            if missing:
                raise BackupError(f"{path}: not a Rapport database (no {', '.join(missing)} table)")
            revisions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
            interactions = connection.execute("SELECT count(*) FROM interactions").fetchone()[0]
            users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from None
    if len(revisions) != 1 or revisions[0] not in _known_revisions():
        raise BackupError(f"{path}: the database is at migration revision {', '.join(revisions) or 'none'}, which "
                          "this version of Rapport does not know; restore it with the Rapport version that made it")
    return BackupInfo(path=path, revision=revisions[0], interactions=interactions, users=users)


def _copy(source: Path, destination: Path) -> None:
    """Copy a live database to a new file with the backup API, as one self-contained file (no WAL beside it)."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


def backup(*, database_url: str, destination: Path) -> BackupInfo:
    """Write a consistent copy of the database to `destination`, which must not exist yet."""
    source = sqlite_path(database_url)
    inspect_database(source)
    if destination.exists():
        raise BackupError(f"{destination}: already exists; choose a new file name")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent}: no such folder")
    _copy(source, destination)
    return inspect_database(destination)


def restore(*, database_url: str, source: Path, now: datetime | None = None) -> tuple[BackupInfo, Path | None]:
    """Replace the database with a checked backup and migrate it to the latest revision.

    Returns what was restored and where the replaced database was kept (None if there was none). Run it
    with the app stopped: the app keeps cached results, and its open sessions would see data change.
    """
    target = sqlite_path(database_url)
    info = inspect_database(source)
    if source.resolve() == target.resolve():
        raise BackupError(f"{source}: this is the database itself, not a backup")
    kept = None
    if target.exists():
        moment = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.before-restore-{moment}")
        _copy(target, kept)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    # Copying into the live file through the backup API holds SQLite's locks and updates its WAL,
    # so no reader sees a half-copied database.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)
    engine = make_engine(database_url)
    try:
        create_schema(engine)
    finally:
        engine.dispose()
    return info, kept
