"""The process's one engine, database bootstrap, and sessions for pages."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from settings import get_settings
from store.audit import data_stamp
from store.bootstrap import prepare_database
from store.db import make_engine, make_session_factory
from store.demo import is_demo


@st.cache_resource(show_spinner="Preparing the database…")
def engine() -> Engine:
    """Create the engine, migrate to head, and load the demo organisation into an empty database.

    A database with any account or interaction never gets demo data, so a real install whose first
    admin was created on the command line stays clean even with RAPPORT_DEMO left on.
    """
    settings = get_settings()
    engine = make_engine(settings.database_url)
    prepare_database(engine, demo_today=date.today() if settings.demo else None)
    return engine


@st.cache_resource
def settle_heap() -> None:
    """Take what the server has loaded out of the garbage collector's full collections, once per process.

    Streamlit, pandas, Altair, SQLAlchemy and the engine are several hundred thousand objects that live as long
    as the server, and every full collection walked them all: a query fetching tens of thousands of rows set one
    off often enough to add a tenth of a second. Frozen objects are still freed once nothing refers to them;
    collecting first leaves no garbage among them.
    """
    gc.collect()
    gc.freeze()


def sessions() -> sessionmaker[Session]:
    """Return the session factory, for reads that open several sessions at once (store.db.read_at_once)."""
    return make_session_factory(engine())


@contextmanager
def session() -> Iterator[Session]:
    """Yield a session in a transaction that commits on success and rolls back on error."""
    with sessions().begin() as db:
        yield db


@st.cache_resource
def _last_stamp() -> dict[str, int]:
    return {}


def forget_stale_results() -> None:
    """Drop every cached query result once data has changed since this process last looked.

    Replicas behind one database each keep their own cache; the audit log's stamp (store.audit.data_stamp)
    tells each of them about changes made by any other, at the start of the next page run.
    """
    with session() as db:
        stamp = data_stamp(db)
    seen = _last_stamp()
    if seen.get("stamp") != stamp:
        st.cache_data.clear()
        seen["stamp"] = stamp


@st.cache_data(ttl=300, show_spinner=False)
def demo_mode() -> bool:
    with session() as db:
        return is_demo(db)
