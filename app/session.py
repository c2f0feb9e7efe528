"""Sign-in: the gate, the session cookie, the signed-in user and their scope."""

from __future__ import annotations

import streamlit as st

from app import queries
from app.queries import db_path
from app.texts import show_error, t
from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters


def scope_filters() -> Filters:
    """The signed-in user's scope as Filters (unrestricted while sign-in is not configured)."""
    user = st.session_state.get("user")
    return user.scope() if user is not None else Filters()


SESSION_COOKIE = "salesmgmt_session"
#: The session state's copy of the session token (the cookie is read only when it is missing).
SESSION_TOKEN = "session_token"
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _users_exist() -> bool:
    """Whether sign-in is on: once a user exists, even disabled ones (disabling the last active
    user must not open the app to everyone)."""
    from salesmgmt.auth import user_count

    return queries.query(user_count, active_only=False) > 0


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def _client_address() -> str | None:
    """The browser's address (None on localhost), for the limits on failed sign-ins. Behind a
    proxy on the same host Streamlit's server takes it from X-Forwarded-For (README, Deployment)."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser connection
        return None
    return address if isinstance(address, str) and address else None  # AppTest gives a mock


def _set_cookie(token: str, max_age: int) -> None:
    """The session cookie, written by the page: Streamlit gives a script no way to send a
    Set-Cookie header, so it cannot be HttpOnly (README, Deployment). It is SameSite=Strict, Secure
    when the page is served over https, and lives no longer than the session."""
    if not set(token) <= _TOKEN_CHARS:  # a token of our own making: nothing else reaches the script
        raise ValueError("not a session token")
    st.html(
        f"<script>document.cookie = '{SESSION_COOKIE}={token}; path=/; max-age={max_age}; "
        "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(SESSION_COOKIE)
    except Exception:
        return None
    return token if isinstance(token, str) and token else None


def current_user():
    """The signed-in user, read from their session on EVERY run (never kept from a previous one):
    a session ended by sign-out elsewhere, a password change, disabling the user or a rotated
    secret signs this tab out at its next run."""
    from salesmgmt import auth

    # The tab's own token first; the cookie (read when the tab connected) when that has ended.
    tokens = [tok for tok in dict.fromkeys([st.session_state.get(SESSION_TOKEN), _cookie_token()]) if tok]
    for token in tokens:
        user = queries.call(auth.session_user, token)
        if user is not None:
            st.session_state[SESSION_TOKEN] = token
            st.session_state["user"] = user
            return user
    if tokens:  # every one has ended
        st.session_state.pop(SESSION_TOKEN, None)
        st.session_state["clear_cookie"] = True
    st.session_state.pop("user", None)
    if _sso_configured() and getattr(st.user, "is_logged_in", False):
        email = str(st.user.get("email", ""))
        user = queries.call(auth.user_by_email, email)
        if user is None:
            st.error(t("auth.sso_unknown", email=email))
            st.button(t("auth.sign_out"), on_click=st.logout, key="sso_sign_out")
            st.stop()
        st.session_state["user"] = user
        return user
    return None


def require_sign_in() -> None:
    """The gate: while the database has users, nothing is shown until someone signs in.

    While it has none, the app runs open (the sidebar says so)."""
    from salesmgmt import auth

    if not _users_exist() or current_user() is not None:
        return
    if st.session_state.pop("clear_cookie", False):
        _set_cookie("", 0)
    st.title(t("auth.sign_in_title"))
    if _sso_configured():
        st.button(t("auth.sso"), on_click=st.login, key="sso_sign_in")
    with st.form("sign_in", border=True):
        username = st.text_input(t("auth.username"), key="signin_user")
        password = st.text_input(t("auth.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        address = _client_address()
        try:
            # No transaction: a failure's audit row (the limits read it) must stay.
            with db.connect(db_path()) as con:
                user = auth.sign_in(con, username, password, address=address)
                token = auth.start_session(con, user.username, address=address)
        except SalesmgmtError as exc:
            show_error(exc)
            st.stop()
        st.session_state[SESSION_TOKEN] = token
        st.session_state["user"] = user
        # The cookie is written by the next run's page (a script element must be rendered).
        st.session_state["pending_cookie"] = token
        st.rerun()
    st.stop()


def write_pending_cookie() -> None:
    """After sign-in: store the session token in a cookie so a reload keeps the user in."""
    from salesmgmt.auth import SESSION_HOURS

    token = st.session_state.pop("pending_cookie", None)
    if token:
        _set_cookie(token, SESSION_HOURS * 3600)


def sign_out() -> None:
    """The sign-out button's callback: end the session on the server (its cookie is worthless
    from now on, wherever it was copied), forget the user and their filters, clear the cookie."""
    from salesmgmt import auth

    with db.connect(db_path()) as con:
        auth.end_session(con, st.session_state.pop(SESSION_TOKEN, None))
    st.session_state.pop("user", None)
    for key in [k for k in st.session_state if str(k).startswith("f_")]:
        del st.session_state[key]
    st.session_state["clear_cookie"] = True
    if _sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def account_box() -> None:
    """Who is signed in, and the sign-out button; or the note that sign-in is not configured."""
    user = st.session_state.get("user")
    if user is None:
        st.sidebar.caption(t("app.open_note"))
        return
    write_pending_cookie()
    st.sidebar.caption(t("auth.signed_in_as", name=user.display_name, role=t(f"auth.role.{user.role}")))
    st.sidebar.button(t("auth.sign_out"), key="sign_out", on_click=sign_out)


#: Pages a role may not open (everything they may open is scoped in the domain anyway).
