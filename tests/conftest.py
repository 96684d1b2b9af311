"""Shared fixtures: migrated databases on SQLite and PostgreSQL, sessions, factories."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from store.db import create_schema, make_engine, make_session_factory
from store.models import Base

IN_CI = bool(os.environ.get("CI"))
POSTGRES_URL = os.environ.get("RAPPORT_TEST_DATABASE_URL")


def needs_in_ci(reason: str) -> pytest.MarkDecorator:
    """Skip outside CI when a server or browser is missing; in CI the test must run (and fail loudly)."""
    return pytest.mark.skipif(not IN_CI, reason=reason)


def _backends() -> list:
    backends = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL or IN_CI:
        backends.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    else:
        backends.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.skip(
            reason="set RAPPORT_TEST_DATABASE_URL to a PostgreSQL URL to run the PostgreSQL store tests")))
    return backends


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=_backends())
def migrated_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """A database migrated to head, one per backend for the whole run."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'rapport.sqlite3'}")
    else:
        if not POSTGRES_URL:
            pytest.fail("CI must set RAPPORT_TEST_DATABASE_URL for the PostgreSQL store tests")
        engine = make_engine(POSTGRES_URL)
        _reset_postgres(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The migrated database, emptied after each test."""
    yield migrated_engine
    with migrated_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory) -> Iterator[Session]:
    with session_factory() as db:
        yield db
