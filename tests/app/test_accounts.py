"""Accounts admin, audit log and sign-in hardening in AppTest: expiry, deactivation, SSO, peers' data."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from store.models import AuditEntry, Interaction, User
from store.users import AuthUser, sign_in
from tests.app.conftest import open_app, script
from ui import auth

SSO_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                        "client_id": "rapport", "client_secret": "secret",
                        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}}


def signed_in(factory, username: str) -> AuthUser:
    with factory.begin() as session:
        result = sign_in(session, username=username, password="demo")
    assert result.user is not None, result.message
    return result.user


def audit_actions(factory, action: str) -> list[AuditEntry]:
    with factory() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def button(at: AppTest, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def field(container, kind: str, label: str):
    [found] = [w for w in getattr(container, kind) if w.label == label]
    return found


def shows_sign_in_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["Username", "Password"] and "auth_user" not in at.session_state


def test_an_idle_session_expires_to_the_sign_in_form_with_a_notice(demo_user):
    at = script("app.py")
    at.session_state["auth_user"] = demo_user("trainer")
    at.session_state["auth_last_seen"] = time.time() - 24 * 3600
    at.run()
    assert not at.exception
    assert shows_sign_in_form(at)
    assert [i.value for i in at.info] == [auth.EXPIRED]


def test_an_active_session_is_kept_and_its_clock_restarted(demo_user):
    at = script("app.py")
    at.session_state["auth_user"] = demo_user("trainer")
    at.session_state["auth_last_seen"] = time.time() - 60
    at.run()
    assert [t.value for t in at.title] == ["Overview"]
    assert time.time() - at.session_state["auth_last_seen"] < 30


def test_failed_sign_ins_are_counted_and_slowed_down(app_env):
    at = open_app()
    for attempt in (1, 2):
        at.text_input[0].input("nobody")
        at.text_input[1].input("wrong")
        at.button[0].click().run()
        assert at.session_state[auth.FAILURES_KEY] == attempt
    assert [auth.sign_in_delay(n) for n in (1, 2, 6, 50)] == [0.5, 1.0, 3.0, 3.0]


def test_admin_creates_an_account_that_can_then_sign_in(writable_database):
    admin = signed_in(writable_database, "admin")
    at = open_app(admin, "pages/users.py")
    assert not at.exception and not at.error
    add = at.tabs[0]
    field(add, "text_input", "Username").input("sam")
    field(add, "text_input", "Display name").input("Sam Lee")
    field(add, "text_input", "Email").input("sam@example.com")
    field(add, "selectbox", "Role").set_value("executive")
    field(add, "text_input", "Password").input("s3cret!")
    field(add, "text_input", "Repeat password").input("s3cret!")
    button(at, "Create account").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Created executive account 'sam'."]
    assert signed_in_with(writable_database, "sam", "s3cret!").role == "executive"
    [created] = audit_actions(writable_database, "user_created")
    assert (created.username, created.target, created.detail["after"]["email"]) == ("admin", "user:sam",
                                                                                    "sam@example.com")


def signed_in_with(factory, username: str, password: str) -> AuthUser:
    with factory.begin() as session:
        return sign_in(session, username=username, password=password).user


def test_mismatched_passwords_and_the_last_admin_are_refused_on_the_page(writable_database):
    admin = signed_in(writable_database, "admin")
    at = open_app(admin, "pages/users.py")
    add = at.tabs[0]
    field(add, "text_input", "Username").input("sam")
    field(add, "text_input", "Password").input("one-password")
    field(add, "text_input", "Repeat password").input("another")
    button(at, "Create account").click().run()
    assert [e.value for e in at.error] == ["password: the two passwords differ"]

    field(at.tabs[1], "selectbox", "Account").set_value(admin.id).run()
    field(at.tabs[1], "selectbox", "Role").set_value("executive")
    button(at, "Save changes").click().run()
    assert [e.value for e in at.error] == ["role: this is the last active admin; make another account admin first"]
    with writable_database() as session:
        assert session.scalar(select(User.role).where(User.id == admin.id)) == "admin"


def test_a_deactivated_users_open_session_ends_on_its_next_rerun(writable_database):
    agent_session = open_app(signed_in(writable_database, "newhire"))
    assert [t.value for t in agent_session.title] == ["Overview"]

    admin = open_app(signed_in(writable_database, "admin"), "pages/users.py")
    newhire_id = signed_in(writable_database, "newhire").id
    field(admin.tabs[1], "selectbox", "Account").set_value(newhire_id).run()
    button(admin, "Deactivate account").click().run()
    assert [s.value for s in admin.success] == ["Deactivated 'newhire'."]

    agent_session.run()
    assert shows_sign_in_form(agent_session)
    assert [i.value for i in agent_session.info] == [auth.DEACTIVATED]
    agent_session.text_input[0].input("newhire")
    agent_session.text_input[1].input("demo")
    agent_session.button[0].click().run()
    assert "auth_user" not in agent_session.session_state
    assert "Unknown username or wrong password." in [e.value for e in agent_session.error]


def test_a_role_change_applies_to_an_open_session(writable_database):
    trainer = signed_in(writable_database, "trainer")
    at = open_app(trainer, "pages/review_queue.py")
    assert [t.value for t in at.title] == ["Review queue"]
    with writable_database.begin() as session:
        session.get(User, trainer.id).role = "executive"
    auth.forget_accounts()
    at.run()
    assert at.session_state["auth_user"].role == "executive"
    assert [e.value for e in at.error] == ["This page is not available to your role."]


def test_single_sign_on_offers_a_button_and_maps_the_email_to_an_account(writable_database):
    with writable_database.begin() as session:
        session.scalars(select(User).where(User.username == "exec")).one().email = "exec@example.com"
    anonymous = script("app.py")
    anonymous.secrets = SSO_SECRETS
    anonymous.user = {"is_logged_in": False}
    anonymous.run()
    assert [b.label for b in anonymous.button] == ["Sign in", "Sign in with SSO"]

    at = script("app.py")
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "Exec@Example.com", "name": "Eve"}
    at.run()
    assert not at.exception
    assert at.session_state["auth_user"].username == "exec"
    assert [t.value for t in at.title] == ["Overview"]
    assert [e.target for e in audit_actions(writable_database, "sign_in_sso")] == ["exec@example.com"]


def test_single_sign_on_refuses_an_unknown_email_once(writable_database):
    at = script("app.py")
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert "auth_user" not in at.session_state
    assert [e.value for e in at.error] == ["No active Rapport account has the email stranger@example.com. "
                                          "Ask an admin to add it to your account."]
    assert [b.label for b in at.button] == ["Sign in", "Sign out of single sign-on"]
    at.run()
    assert len(audit_actions(writable_database, "sign_in_sso_refused")) == 1


def test_without_an_auth_section_there_is_no_sso_button(app_env):
    at = open_app()
    assert [b.label for b in at.button] == ["Sign in"]


def test_audit_log_lists_and_filters_entries_and_offers_no_editing(writable_database):
    admin = signed_in(writable_database, "admin")
    signed_in_with(writable_database, "trainer", "wrong")
    at = open_app(admin, "pages/audit_log.py")
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert {"sign_in", "sign_in_failed"} <= set(frame["action"])
    assert not at.get("data_editor")
    at.selectbox(key="audit_log_action").set_value("sign_in_failed").run()
    filtered = at.dataframe[0].value
    assert set(filtered["action"]) == {"sign_in_failed"} and "trainer" in set(filtered["username"])
    at.text_input(key="audit_log_target").input("no-such-target").run()
    assert [i.value for i in at.info] == ["No entries match these filters."]


@pytest.fixture
def peer_interaction_id(demo_user) -> int:
    """An interaction of someone other than the newhire demo agent."""
    from store.db import make_engine, make_session_factory
    from settings import get_settings

    agent = demo_user("newhire")
    with make_session_factory(make_engine(get_settings().database_url))() as session:
        return session.scalar(select(Interaction.id).where(Interaction.employee_id != agent.employee_id)
                              .order_by(Interaction.id).limit(1))


def test_an_agent_cannot_open_a_peers_interaction_by_its_address(demo_user, peer_interaction_id):
    at = script("app.py")
    at.session_state["auth_user"] = demo_user("newhire")
    at.query_params["id"] = str(peer_interaction_id)
    at.run()
    at.switch_page("pages/interaction.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Interaction not found or not in your scope."]
    assert not at.html


def test_an_agent_cannot_open_a_peers_profile_through_session_state(demo_user):
    agent = demo_user("newhire")
    at = script("app.py")
    at.session_state["auth_user"] = agent
    at.session_state["agent_profile_agent"] = agent.employee_id + 1
    at.query_params["agent"] = str(agent.employee_id + 1)
    at.run()
    at.switch_page("pages/agent_profile.py").run()
    assert not at.exception
    assert [s.value for s in at.subheader][:1] == ["Catalina Collins"]
