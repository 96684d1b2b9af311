"""Every page for every role, and the sign-in gate in front of all of them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_app, script
from ui.registry import ALL_ROLES, PAGES

DEMO_ACCOUNT_BY_ROLE = {"admin": "admin", "trainer": "trainer", "executive": "exec", "agent": "newhire"}


def assert_only_sign_in_form(at: AppTest) -> None:
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.get("vega_lite_chart") and not at.dataframe
    assert not at.sidebar.button


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.key)
def test_opening_a_page_directly_without_signing_in_shows_only_the_sign_in_form(app_env, page):
    at = script(page.path).run()
    assert_only_sign_in_form(at)


def test_app_without_signing_in_shows_only_the_sign_in_form(app_env):
    assert_only_sign_in_form(open_app())


def test_wrong_password_is_refused(app_env):
    at = open_app()
    at.text_input[0].input("trainer")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert "Unknown username or wrong password." in [e.value for e in at.error]
    assert "auth_user" not in at.session_state


def test_signing_in_opens_the_overview(app_env):
    at = open_app()
    at.text_input[0].input("trainer")
    at.text_input[1].input("demo")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["auth_user"].role == "trainer"
    assert [t.value for t in at.title] == ["Overview"]
    assert any("Demo data" in w.value for w in at.sidebar.warning)


CASES = [(page, role) for page in PAGES for role in ALL_ROLES]


@pytest.mark.parametrize(("page", "role"), CASES, ids=[f"{p.key}-{r}" for p, r in CASES])
def test_every_page_for_every_role(demo_user, page, role):
    user = demo_user(DEMO_ACCOUNT_BY_ROLE[role])
    if role in page.roles:
        at = open_app(user, page.path)
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        assert [t.value for t in at.title] == [page.title]
    else:
        at = script(page.path)
        at.session_state["auth_user"] = user
        at.run()
        assert [e.value for e in at.error] == ["This page is not available to your role."]
