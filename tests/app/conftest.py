"""AppTest fixtures: a small demo database shared by the run, clean caches per test."""

from __future__ import annotations

import gc
import sqlite3
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from settings import ROOT, get_settings
from store.db import create_schema, make_engine, make_session_factory
from store.demo import load_demo
from store.users import AuthUser, sign_in

DEMO_END = date(2026, 11, 20)


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'demo.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    with make_session_factory(engine).begin() as session:
        load_demo(session, today=DEMO_END, interactions=1500)
    engine.dispose()
    return url


def clear_caches() -> None:
    """Drop settings and Streamlit caches, and thaw the heap the app froze (ui.data.settle_heap)."""
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    gc.unfreeze()


@pytest.fixture
def app_env(demo_database_url, monkeypatch):
    """Point the app at the demo database with no caches carried over between tests."""
    monkeypatch.setenv("RAPPORT_DATABASE_URL", demo_database_url)
    monkeypatch.setenv("RAPPORT_DEMO", "0")
    clear_caches()
    yield demo_database_url
    clear_caches()


@pytest.fixture
def writable_database(demo_database_url, tmp_path, monkeypatch):
    """Point the app at a private copy of the demo database, for tests that write; return its session factory."""
    copy = tmp_path / "demo.sqlite3"
    # The backup API copies committed pages still in the write-ahead log, which a file copy would miss.
    with sqlite3.connect(demo_database_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    monkeypatch.setenv("RAPPORT_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("RAPPORT_DEMO", "0")
    clear_caches()
    yield make_session_factory(make_engine(f"sqlite:///{copy}"))
    clear_caches()


@pytest.fixture
def demo_user(app_env):
    """Return a function that signs a demo account in against the demo database."""
    factory = make_session_factory(make_engine(app_env))

    def signed_in(username: str) -> AuthUser:
        with factory.begin() as session:
            result = sign_in(session, username=username, password="demo")
        assert result.user is not None, result.message
        return result.user

    return signed_in


def script(path: str) -> AppTest:
    """Return an AppTest for a script path relative to the repository root."""
    return AppTest.from_file(str(ROOT / path), default_timeout=60)


def open_app(user: AuthUser | None = None, page: str | None = None) -> AppTest:
    """Run app.py (optionally signed in, optionally switched to a page) and return the finished AppTest."""
    at = script("app.py")
    if user is not None:
        at.session_state["auth_user"] = user
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at
