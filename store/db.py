"""One engine per database URL, a session factory, and schema migration to head."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from settings import ROOT, get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def json_text(value: object) -> str:
    """Return the JSON text stored for a value of a JSON column."""
    return orjson.dumps(value).decode()


# orjson: evidence is the largest thing a bulk import writes, and the standard library took a fifth of it.
JSON_CODEC = {"json_serializer": json_text, "json_deserializer": orjson.loads}


def make_engine(url: str | None = None) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout, PostgreSQL its startup options."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **JSON_CODEC)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, connect_args=_postgres_connect_args(parsed),
                             **JSON_CODEC)
    return create_engine(url, pool_pre_ping=True, **JSON_CODEC)


def _postgres_connect_args(url: URL) -> dict[str, str]:
    """Return the startup options of the app's PostgreSQL connections (settings.POSTGRES_OPTIONS by default).

    random_page_cost 1.1 rather than PostgreSQL's 4, which is meant for tables read from disk: at 4 the
    planner prices index lookups so high that small reads get parallel workers or whole-table scans, which
    cost more than they save on two cores (at a million interactions an agent's summary took 31 ms against 16,
    calibration's largest disagreements 177 ms against 43). Turning parallel query off instead made the
    trainer's review queues three times slower (their serial plans read every low score of every day).
    work_mem 32 MB keeps the criterion queue's sort in memory (4 MB spills it to disk). Options in the URL
    come after these and win; RAPPORT_POSTGRES_OPTIONS replaces these, empty for none.
    """
    from_url = url.query.get("options", ())
    options = [get_settings().postgres_options, *([from_url] if isinstance(from_url, str) else from_url)]
    joined = " ".join(option for option in options if option)
    return {"options": joined} if joined else {}


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


READ_THREADS = 3  # reads at once for one page: enough to keep this machine's two cores busy


def read_at_once(sessions: sessionmaker[Session], reads: Mapping[str, Callable[[Session], Any]]) -> dict[str, Any]:
    """Run independent reads at once, each in a session of its own, and return their results by name.

    For figures composed of several aggregates: SQLite (in WAL mode) and PostgreSQL answer several connections
    at once, and their drivers let other threads run while a query executes, so the reads take about as long as
    the longest rather than their sum. Each session sees what is committed, as any page does.
    """
    def read(run: Callable[[Session], Any]) -> Any:
        with sessions() as session:
            return run(session)

    with ThreadPoolExecutor(min(READ_THREADS, len(reads)) or 1) as pool:
        futures = {name: pool.submit(read, run) for name, run in reads.items()}
        return {name: future.result() for name, future in futures.items()}


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def create_schema(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (head by default)."""
    command.upgrade(alembic_config(engine), revision)


__all__ = ["ROOT", "alembic_config", "create_schema", "make_engine", "make_session_factory"]
