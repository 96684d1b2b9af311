"""Bring a database to what this code expects: schema, rollups and, on first start, the demo organisation.

Several replicas may start together against one PostgreSQL database; a session-level advisory lock lets one
of them migrate and load while the others wait, then find the work done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Engine, text

from store import rollups
from store.db import create_schema, make_session_factory
from store.demo import is_empty, load_demo

BOOTSTRAP_LOCK_KEY = 0x52415051  # any constant the deployment's other advisory locks do not use


@contextmanager
def bootstrap_lock(engine: Engine) -> Iterator[None]:
    """Hold the bootstrap lock (PostgreSQL; SQLite databases serve one process and need none)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": BOOTSTRAP_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BOOTSTRAP_LOCK_KEY})
            connection.commit()


def prepare_database(engine: Engine, *, demo_today: date | None = None) -> None:
    """Migrate to the latest schema and bring the rollups up to date; with `demo_today`, load the demo
    organisation (ending that day) into a database with no accounts and no interactions."""
    with bootstrap_lock(engine):
        create_schema(engine)
        with make_session_factory(engine).begin() as session:
            rollups.ensure_current(session)
            if demo_today is not None and is_empty(session):
                load_demo(session, today=demo_today)
