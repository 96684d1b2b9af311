"""The accounts admin in the store: create, change, reset, deactivate, SSO mapping, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.models import AuditEntry, Employee, Team
from store.users import (
    AuthUser,
    add_user,
    create_user,
    current_account,
    deactivate_user,
    list_users,
    set_password,
    sign_in,
    sign_in_with_email,
    update_user,
)


@pytest.fixture
def org(session):
    """Two teams, two employees and one admin acting."""
    teams = [Team(name="Alpha"), Team(name="Beta")]
    session.add_all(teams)
    session.flush()
    employees = [Employee(name="Ann", team_id=teams[0].id), Employee(name="Bob", team_id=teams[1].id)]
    session.add_all(employees)
    session.flush()
    admin = create_user(session, username="root", password="abcd", role="admin")
    return {"admin": admin, "alpha": teams[0].id, "beta": teams[1].id, "ann": employees[0].id, "bob": employees[1].id}


def entries(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_add_list_and_update_audit_who_changed_what(session, org):
    admin = org["admin"]
    sam = add_user(session, by=admin, username="sam", password="pass1", role="trainer", display_name="Sam Lee",
                   email=" Sam@Example.com ", team_ids=(org["alpha"],))
    assert (sam.role, sam.email, sam.teams, sam.active) == ("trainer", "sam@example.com", ("Alpha",), True)
    [created] = entries(session, "user_created")
    assert (created.username, created.target) == ("root", "user:sam")
    assert created.detail["after"]["teams"] == ["Alpha"]
    assert "password" not in str(created.detail)

    changed = update_user(session, by=admin, user_id=sam.id, display_name="Sam Lee", email="sam@example.com",
                          role="trainer", team_ids=(org["alpha"], org["beta"]))
    assert changed.teams == ("Alpha", "Beta")
    [updated] = entries(session, "user_updated")
    assert updated.detail == {"before": {"teams": ["Alpha"]}, "after": {"teams": ["Alpha", "Beta"]}}

    agent = update_user(session, by=admin, user_id=sam.id, display_name="Sam Lee", email=None, role="agent",
                        employee_id=org["ann"])
    assert (agent.role, agent.employee, agent.teams, agent.email) == ("agent", "Ann", (), None)
    assert [u.username for u in list_users(session, by=admin)] == ["root", "sam"]


def test_unchanged_update_writes_no_audit_entry(session, org):
    sam = add_user(session, by=org["admin"], username="sam", password="pass1", role="executive")
    update_user(session, by=org["admin"], user_id=sam.id, display_name=sam.display_name, email=None, role="executive")
    assert entries(session, "user_updated") == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"role": "agent"}, "employee:"),
    ({"role": "trainer", "employee_id": "ann"}, "employee:"),
    ({"role": "agent", "employee_id": "ann", "team_ids": ("alpha",)}, "teams:"),
    ({"role": "wizard"}, "role:"),
    ({"role": "executive", "email": "not-an-address"}, "email:"),
    ({"role": "executive", "email": "root@example.com"}, "email:"),
])
def test_bad_assignments_name_the_field_and_change_nothing(session, org, changes, field):
    admin = org["admin"]
    update_user(session, by=admin, user_id=admin.id, display_name="Root", email="root@example.com", role="admin")
    sam = add_user(session, by=admin, username="sam", password="pass1", role="executive")
    resolved = {key: org[value] if isinstance(value, str) and value in org else value for key, value in changes.items()}
    if "team_ids" in resolved:
        resolved["team_ids"] = tuple(org[name] for name in changes["team_ids"])
    with pytest.raises(ValueError, match=f"^{field}"):
        update_user(session, by=admin, user_id=sam.id, display_name="Sam", **{"email": None, **resolved})
    assert [u.role for u in list_users(session, by=admin) if u.username == "sam"] == ["executive"]


def test_only_admins_manage_accounts(session, org):
    trainer = create_user(session, username="tess", password="abcd", role="trainer")
    for call in (lambda: list_users(session, by=trainer),
                 lambda: add_user(session, by=trainer, username="x", password="abcd", role="admin"),
                 lambda: set_password(session, by=trainer, user_id=trainer.id, password="abcdef"),
                 lambda: deactivate_user(session, by=trainer, user_id=org["admin"].id),
                 lambda: update_user(session, by=trainer, user_id=trainer.id, display_name="", email=None,
                                     role="admin")):
        with pytest.raises(PermissionError):
            call()


def test_the_last_active_admin_cannot_be_removed(session, org):
    admin = org["admin"]
    with pytest.raises(ValueError, match="last active admin"):
        update_user(session, by=admin, user_id=admin.id, display_name="Root", email=None, role="executive")
    other = add_user(session, by=admin, username="ada", password="abcd", role="admin")
    with pytest.raises(ValueError, match="your own account"):
        deactivate_user(session, by=admin, user_id=admin.id)
    # With a second admin, either may stop being admin, but then the other is the last one.
    update_user(session, by=admin, user_id=admin.id, display_name="Root", email=None, role="executive")
    with pytest.raises(ValueError, match="last active admin"):
        deactivate_user(session, by=AuthUser(admin.id, "root", "Root", "admin", None, ()), user_id=other.id)
    with pytest.raises(ValueError, match="last active admin"):
        update_user(session, by=other, user_id=other.id, display_name="Ada", email=None, role="trainer")


def test_deactivated_accounts_cannot_sign_in_and_reactivation_restores_them(session, org):
    sam = add_user(session, by=org["admin"], username="sam", password="pass1", role="executive", email="s@x.org")
    assert current_account(session, user_id=sam.id) is not None
    deactivated = deactivate_user(session, by=org["admin"], user_id=sam.id)
    assert not deactivated.active
    assert entries(session, "user_deactivated")[0].detail == {"before": {"active": True}, "after": {"active": False}}
    assert sign_in(session, username="sam", password="pass1").user is None
    assert sign_in_with_email(session, email="s@x.org").user is None
    assert current_account(session, user_id=sam.id) is None
    deactivate_user(session, by=org["admin"], user_id=sam.id, active=True)
    assert [e.target for e in entries(session, "user_reactivated")] == ["user:sam"]
    assert sign_in(session, username="sam", password="pass1").user is not None


def test_password_reset_lifts_the_lockout_and_keeps_the_password_out_of_the_log(session, org):
    sam = add_user(session, by=org["admin"], username="sam", password="pass1", role="executive")
    for _ in range(5):
        sign_in(session, username="sam", password="wrong")
    assert "locked" in sign_in(session, username="sam", password="pass1").message
    with pytest.raises(ValueError, match="^password:"):
        set_password(session, by=org["admin"], user_id=sam.id, password="abc")
    set_password(session, by=org["admin"], user_id=sam.id, password="new-secret")
    assert sign_in(session, username="sam", password="new-secret").user is not None
    [reset] = entries(session, "password_reset")
    assert (reset.username, reset.target, reset.detail) == ("root", "user:sam", {})


def test_current_account_reflects_a_role_change(session, org):
    sam = add_user(session, by=org["admin"], username="sam", password="pass1", role="trainer", team_ids=(org["alpha"],))
    update_user(session, by=org["admin"], user_id=sam.id, display_name="Sam", email=None, role="agent",
                employee_id=org["bob"])
    now = current_account(session, user_id=sam.id)
    assert (now.role, now.employee_id, now.team_ids) == ("agent", org["bob"], (org["beta"],))


def test_single_sign_on_maps_the_email_to_an_active_account(session, org):
    add_user(session, by=org["admin"], username="sam", password="pass1", role="executive", email="sam@example.com")
    result = sign_in_with_email(session, email="SAM@example.com ", provider="okta")
    assert result.user is not None and result.user.username == "sam"
    assert entries(session, "sign_in_sso")[0].detail == {"provider": "okta"}
    refused = sign_in_with_email(session, email="stranger@example.com")
    assert refused.user is None and "stranger@example.com" in refused.message
    assert entries(session, "sign_in_sso_refused")[0].target == "stranger@example.com"
    assert sign_in_with_email(session, email="").user is None
