"""A real Streamlit server over a small demo database, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium); "
                "they always run in CI", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A freshly loaded demo database, plus one interaction full of injection payloads (tests/e2e/hostile.py)."""
    from store.db import create_schema, make_engine, make_session_factory
    from store.demo import load_demo
    from store.ingest import ingest_interactions
    from tests.e2e.hostile import hostile_interactions

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    with make_session_factory(engine).begin() as session:
        load_demo(session, today=date(2026, 11, 20), interactions=1500)
        ingest_interactions(session, interactions=hostile_interactions())
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def server_url(database_url, tmp_path_factory) -> str:
    """Start Streamlit on a free port over the demo database."""
    url = database_url
    port = _free_port()
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_DEMO": "0"}
    log = (tmp_path_factory.mktemp("e2e-log") / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log.name}")
            time.sleep(0.5)
    else:
        server.kill()
        raise RuntimeError(f"streamlit did not become healthy in 60 s; see {log.name}")
    yield base
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def sign_in(page, server_url: str, username: str, password: str = "demo") -> None:
    """Open the app and sign in through the form."""
    page.goto(server_url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
