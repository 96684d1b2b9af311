"""In Chromium: every address needs a sign-in, an agent cannot open a peer's interaction, and hostile text
in transcripts and names shows as literal text on the interaction view, customer history and review queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from store.db import make_engine, make_session_factory
from store.models import Customer, Interaction, User
from tests.e2e.conftest import sign_in
from tests.e2e.hostile import HOSTILE_AGENT, HOSTILE_CUSTOMER, HOSTILE_CUSTOMER_ID, HOSTILE_ID, PAYLOADS
from ui.registry import PAGES


def lookup(database_url: str, statement):
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(statement)
    finally:
        engine.dispose()


def open_in_session(page: Page, address: str) -> None:
    """Go to an address inside the signed-in session, as back/forward or an edited history entry would.

    page.goto would load a new page, and a new Streamlit session is signed out.
    """
    page.evaluate("address => { window.history.pushState({}, '', address); "
                  "window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }", address)


def assert_not_executed(page: Page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # No payload became an element: Streamlit's own scripts have a src, and no image points at "x".
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__pwned')).length") == 0
    assert page.locator("a[href^='javascript:']").count() == 0


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.key)
def test_every_page_address_shows_only_the_sign_in_form_to_anonymous_visitors(page, server_url, spec):
    page.goto(f"{server_url}/{Path(spec.path).stem}")
    expect(page.get_by_label("Username")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("heading", name=spec.title, exact=True)).to_have_count(0)
    expect(page.locator("[data-testid='stSidebarNav']")).to_be_hidden()
    expect(page.locator("[data-testid='stDataFrame'], [data-testid='stVegaLiteChart'], "
                        "[data-testid='stMetric']")).to_have_count(0)


def test_an_agent_cannot_open_a_peers_interaction_by_address(page, server_url, database_url):
    newhire_employee = lookup(database_url, select(User.employee_id).where(User.username == "newhire"))
    peer = lookup(database_url, select(Interaction.id).where(Interaction.employee_id != newhire_employee)
                  .order_by(Interaction.id).limit(1))
    sign_in(page, server_url, "newhire")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    open_in_session(page, f"/interaction?id={peer}")
    expect(page.get_by_text("Interaction not found or not in your scope.")).to_be_visible()
    expect(page.locator(".rp-transcript")).to_have_count(0)


def test_hostile_text_stays_literal_text(page, server_url, database_url, tmp_path):
    interaction = lookup(database_url, select(Interaction.id).where(Interaction.external_id == HOSTILE_ID))
    customer = lookup(database_url, select(Customer.id).where(Customer.external_id == HOSTILE_CUSTOMER_ID))
    sign_in(page, server_url, "admin")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    open_in_session(page, f"/interaction?id={interaction}")
    transcript = page.locator(".rp-transcript")
    expect(transcript).to_be_visible()
    for payload in PAYLOADS:
        expect(transcript).to_contain_text(payload)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text(HOSTILE_AGENT)
    expect(main).to_contain_text(HOSTILE_CUSTOMER)
    page.screenshot(path=str(tmp_path / "interaction.png"), full_page=True)
    assert_not_executed(page)

    open_in_session(page, f"/customer_history?customer={customer}")
    expect(page.get_by_role("heading", name="Customer history")).to_be_visible()
    expect(main).to_contain_text(HOSTILE_CUSTOMER)
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "customer_history.png"), full_page=True)
    assert_not_executed(page)

    open_in_session(page, "/review_queue")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    agent = page.get_by_role("combobox", name="Agent")
    agent.click()
    agent.fill("Hostile")  # the list shows the first agents only; typing filters it
    page.get_by_role("option", name=f"{HOSTILE_AGENT} (Technical Support)").click()
    expect(agent).to_have_value(f"{HOSTILE_AGENT} (Technical Support)")
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "review_queue.png"), full_page=True)
    assert_not_executed(page)
