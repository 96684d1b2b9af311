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
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from settings import ROOT, get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def json_text(value: object) -> str:
    """Return the JSON text stored for a value of a JSON column."""
    return orjson.dumps(value).decode()


# orjson: evidence is the largest thing a bulk import writes, and the standard library took a fifth of it.
JSON_CODEC = {"json_serializer": json_text, "json_deserializer": orjson.loads}


def make_engine(url: str | None = None) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **JSON_CODEC)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **JSON_CODEC)


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
