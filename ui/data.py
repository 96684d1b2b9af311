"""The process's one engine, database bootstrap, and sessions for pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from settings import get_settings
from store.db import create_schema, make_engine, make_session_factory
from store.demo import is_demo, is_empty, load_demo


@st.cache_resource(show_spinner="Preparing the database…")
def engine() -> Engine:
    """Create the engine, migrate to head, and load the demo organisation into an empty database.

    A database with any account or interaction never gets demo data, so a real install whose first
    admin was created on the command line stays clean even with RAPPORT_DEMO left on.
    """
    settings = get_settings()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    if settings.demo:
        factory = make_session_factory(engine)
        with factory.begin() as session:
            if is_empty(session):
                load_demo(session, today=date.today())
    return engine


@contextmanager
def session() -> Iterator[Session]:
    """Yield a session in a transaction that commits on success and rolls back on error."""
    factory = make_session_factory(engine())
    with factory.begin() as db:
        yield db


@st.cache_data(ttl=300, show_spinner=False)
def demo_mode() -> bool:
    with session() as db:
        return is_demo(db)
