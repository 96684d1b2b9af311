"""Sign-in form, session expiry, and the role guard every page begins with."""

from __future__ import annotations

import time

import streamlit as st

from settings import get_settings
from store.users import AuthUser, sign_in
from ui import data
from ui.registry import PAGES_BY_KEY

USER_KEY = "auth_user"
LAST_SEEN_KEY = "auth_last_seen"


def current_user() -> AuthUser | None:
    """Return the signed-in user, signing them out when they have been idle too long."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    idle_limit = get_settings().session_idle_minutes * 60
    now = time.time()
    if now - st.session_state.get(LAST_SEEN_KEY, now) > idle_limit:
        sign_out()
        st.session_state["auth_notice"] = "Your session expired after a period of inactivity. Please sign in again."
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def sign_out() -> None:
    for key in (USER_KEY, LAST_SEEN_KEY):
        st.session_state.pop(key, None)


def render_sign_in() -> None:
    """Show the sign-in form and nothing else."""
    st.title("Rapport")
    st.caption("Service-quality training and coaching")
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.info(notice)
    with st.form("sign_in"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with data.session() as db:
            result = sign_in(db, username=username, password=password)
        if result.user is None:
            st.error(result.message)
        else:
            st.session_state[USER_KEY] = result.user
            st.session_state[LAST_SEEN_KEY] = time.time()
            st.rerun()
    if data.demo_mode():
        st.caption("Demo data: sign in as **admin**, **trainer**, **newhire** or **exec** with password **demo**.")


def require_page(key: str) -> AuthUser:
    """Return the signed-in user allowed on this page; otherwise show the sign-in form or a refusal and stop."""
    user = current_user()
    if user is None:
        render_sign_in()
        st.stop()
    if user.role not in PAGES_BY_KEY[key].roles:
        st.error("This page is not available to your role.")
        st.stop()
    return user
