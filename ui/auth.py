"""Sign-in form (local accounts, optionally single sign-on), session expiry, and the role guard every page
begins with."""

from __future__ import annotations

import time

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from settings import get_settings
from store.users import AuthUser, current_account, sign_in, sign_in_with_email
from ui import data
from ui.registry import PAGES_BY_KEY

USER_KEY = "auth_user"
LAST_SEEN_KEY = "auth_last_seen"
NOTICE_KEY = "auth_notice"
FAILURES_KEY = "auth_failures"
VIA_SSO_KEY = "auth_via_sso"
SSO_REFUSED_KEY = "auth_sso_refused"  # the refused SSO email and why, so the refusal is audited once
ACCOUNT_CHECK_SECONDS = 30
EXPIRED = "Your session expired after a period of inactivity. Please sign in again."
DEACTIVATED = "Your account was deactivated. Ask an admin if you need access."
HIDE_SIDEBAR = ('[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], '
                '[data-testid="stExpandSidebarButton"] { display: none !important; }')


def sign_in_delay(failures: int) -> float:
    """Return how long to hold back the answer after this many failed sign-ins in a browser session."""
    return min(0.5 * failures, 3.0)


@st.cache_data(ttl=ACCOUNT_CHECK_SECONDS, show_spinner=False)
def _account_now(user_id: int) -> AuthUser | None:
    # Cached so every rerun does not query; forget_accounts() makes an admin's change take effect at once.
    with data.session() as db:
        return current_account(db, user_id=user_id)


def forget_accounts() -> None:
    """Make every session re-read its account on its next rerun, after an admin changed accounts."""
    _account_now.clear()


def sso_configured() -> bool:
    """Return whether secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:  # no secrets file at all
        return False


def current_user() -> AuthUser | None:
    """Return the signed-in user as their account is now.

    Signs them out when they have been idle too long or their account was deactivated; a role or team
    change applies on the next rerun, made in this process or another. A single sign-on identity without a
    session is mapped to its account.
    """
    data.forget_stale_results()
    user = st.session_state.get(USER_KEY)
    if user is None:
        return _single_sign_on()
    now = time.time()
    if now - st.session_state.get(LAST_SEEN_KEY, now) > get_settings().session_idle_minutes * 60:
        sign_out(notice=EXPIRED)
        return None
    account = _account_now(user.id)
    if account is None:
        sign_out(notice=DEACTIVATED)
        return None
    st.session_state[USER_KEY] = account
    st.session_state[LAST_SEEN_KEY] = now
    return account


def _single_sign_on() -> AuthUser | None:
    """Sign in the identity provider's user by their email, once per identity; None if there is none or no account."""
    if not sso_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    if st.session_state.get(SSO_REFUSED_KEY, (None,))[0] == email:
        return None
    with data.session() as db:
        result = sign_in_with_email(db, email=email)
    if result.user is None:
        st.session_state[SSO_REFUSED_KEY] = (email, result.message)
        return None
    _start_session(result.user, via_sso=True)
    return result.user


def _start_session(user: AuthUser, *, via_sso: bool) -> None:
    st.session_state[USER_KEY] = user
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state[VIA_SSO_KEY] = via_sso
    st.session_state.pop(FAILURES_KEY, None)


def sign_out(*, notice: str | None = None) -> None:
    """End the session; a single sign-on session also ends the identity provider's cookie."""
    via_sso = st.session_state.get(VIA_SSO_KEY, False)
    for key in (USER_KEY, LAST_SEEN_KEY, VIA_SSO_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if via_sso and st.user.is_logged_in:
        st.logout()


def render_sign_in() -> None:
    """Show the sign-in form and nothing else."""
    # On a fresh server, a deep link is served before app.py has replaced Streamlit's list of the pages/
    # folder; hide that list so an anonymous visitor sees no menu at all.
    st.html(f"<style>{HIDE_SIDEBAR}</style>")
    st.title("Rapport")
    st.caption("Service-quality training and coaching")
    notice = st.session_state.pop(NOTICE_KEY, None)
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
            # Slow down guessing from this browser; the store locks the account itself after repeated failures.
            failures = st.session_state.get(FAILURES_KEY, 0) + 1
            st.session_state[FAILURES_KEY] = failures
            time.sleep(sign_in_delay(failures))
            st.error(result.message)
        else:
            _start_session(result.user, via_sso=False)
            st.rerun()
    if sso_configured():
        refused = st.session_state.get(SSO_REFUSED_KEY)
        if refused is not None and st.user.is_logged_in:
            st.error(refused[1])
            if st.button("Sign out of single sign-on", icon=":material/logout:"):
                st.logout()
        elif st.button("Sign in with SSO", icon=":material/key:"):
            st.login()
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
