"""Accounts: create accounts, change role, teams or employee, reset passwords, deactivate and reactivate."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from store import users
from store.models import ROLES
from store.permissions import scope_for
from ui import auth, data, loaders
from ui.auth import require_page

user = require_page("users")

scope = scope_for(user)
NOTICE_KEY = "users_notice"
st.title("Accounts")
st.caption("Trainers see the teams they coach, agents only their own work. Every change here is recorded in "
           "the audit log; the last active admin cannot be removed.")

teams = loaders.teams_in_scope(scope)
team_names = dict(zip(teams["id"], teams["name"]))
agents = loaders.agents_in_scope(scope)
employee_names = dict(zip(agents["id"], agents["name"]))


def write(action: Callable[..., users.UserRecord], success: str, **arguments) -> None:
    """Run an account change in one transaction and rerun to show it; show the store's reason when it refuses."""
    try:
        with data.session() as db:
            action(db, by=user, **arguments)
    except (ValueError, LookupError, PermissionError) as exc:
        st.error(str(exc))
        return
    auth.forget_accounts()  # the changed account's open sessions see the change on their next rerun
    st.session_state[NOTICE_KEY] = success
    st.rerun()


def assignment(role: str, employee: int | None, team_ids: list[int]) -> dict:
    """Keep only what the role uses: a form shows both pickers, since it cannot react to the role picked."""
    return {"employee_id": employee if role == "agent" else None,
            "team_ids": tuple(team_ids) if role == "trainer" else ()}


with data.session() as db:
    accounts = users.list_users(db, by=user)

notice = st.session_state.pop(NOTICE_KEY, None)
if notice:
    st.success(notice)

st.dataframe(
    pd.DataFrame([{"Username": a.username, "Name": a.display_name, "Email": a.email, "Role": a.role,
                   "Teams coached or employee": ", ".join(a.teams) if a.role == "trainer" else a.employee,
                   "Active": a.active, "Last sign-in (UTC)": a.last_sign_in_at, "Locked until (UTC)": a.locked_until}
                  for a in accounts]),
    hide_index=True, width="stretch",
    column_config={"Last sign-in (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
                   "Locked until (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")},
)

add_tab, change_tab = st.tabs(["Add an account", "Change an account"])

with add_tab, st.form("users_add", clear_on_submit=False):
    left, right = st.columns(2)
    username = left.text_input("Username")
    display_name = right.text_input("Display name")
    email = left.text_input("Email", help="Needed to sign in with single sign-on.")
    role = right.selectbox("Role", ROLES, index=ROLES.index("agent"))
    new_teams = left.multiselect("Teams coached (trainers)", list(team_names), format_func=team_names.get)
    employee = right.selectbox("Employee (agents)", list(employee_names), index=None, format_func=employee_names.get)
    password = left.text_input("Password", type="password")
    repeated = right.text_input("Repeat password", type="password")
    if st.form_submit_button("Create account", type="primary"):
        if password != repeated:
            st.error("password: the two passwords differ")
        else:
            write(users.add_user, f"Created {role} account {username.strip()!r}.", username=username,
                  password=password, role=role, display_name=display_name, email=email or None,
                  **assignment(role, employee, new_teams))

with change_tab:
    by_id = {a.id: a for a in accounts}
    picked = st.selectbox("Account", list(by_id), key="users_selected",
                          format_func=lambda i: f"{by_id[i].username} · {by_id[i].role}"
                          + ("" if by_id[i].active else " · deactivated"))
    account = by_id[picked]
    with st.form(f"users_change_{account.id}"):
        left, right = st.columns(2)
        display_name = left.text_input("Display name", value=account.display_name)
        email = right.text_input("Email", value=account.email or "")
        role = left.selectbox("Role", ROLES, index=ROLES.index(account.role))
        changed_teams = right.multiselect("Teams coached (trainers)", list(team_names), format_func=team_names.get,
                                          default=[t for t in account.team_ids if t in team_names]
                                          if account.role == "trainer" else [])
        employee = left.selectbox("Employee (agents)", list(employee_names), format_func=employee_names.get,
                                  index=list(employee_names).index(account.employee_id)
                                  if account.employee_id in employee_names else None)
        if st.form_submit_button("Save changes", type="primary"):
            write(users.update_user, f"Saved {account.username!r}.", user_id=account.id, display_name=display_name,
                  email=email or None, role=role, **assignment(role, employee, changed_teams))

    with st.form(f"users_password_{account.id}", clear_on_submit=True):
        left, right = st.columns(2)
        password = left.text_input("New password", type="password")
        repeated = right.text_input("Repeat new password", type="password")
        if st.form_submit_button("Reset password"):
            if password != repeated:
                st.error("password: the two passwords differ")
            else:
                write(users.set_password, f"New password set for {account.username!r}; any lockout is lifted.",
                      user_id=account.id, password=password)

    if account.active:
        if st.button("Deactivate account", icon=":material/person_off:",
                     help="The account can no longer sign in, and its open sessions end."):
            write(users.deactivate_user, f"Deactivated {account.username!r}.", user_id=account.id)
    elif st.button("Reactivate account", icon=":material/person_check:"):
        write(users.deactivate_user, f"Reactivated {account.username!r}.", user_id=account.id, active=True)
