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


def _users_exist() -> bool:
    from salesmgmt.auth import user_count

    return queries.query(user_count) > 0


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def _set_cookie(token: str, max_age: int) -> None:
    # The token is base64url of our own signed data: no user text reaches this script.
    st.html(
        f"<script>document.cookie = '{SESSION_COOKIE}={token}; path=/; max-age={max_age}; "
        "SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


def current_user():
    """The signed-in user, from this session or from the session cookie (survives reloads)."""
    from salesmgmt import auth

    if st.session_state.get("user") is not None:
        return st.session_state["user"]
    if st.session_state.get("signed_out"):
        return None  # the browser may still send the old cookie until this session ends
    token = None
    try:
        token = st.context.cookies.get(SESSION_COOKIE)
    except Exception:
        token = None
    if isinstance(token, str) and token:
        with db.connect(db_path()) as con:
            user = auth.user_from_token(con, token)
        if user is not None:
            st.session_state["user"] = user
            return user
    if _sso_configured() and getattr(st.user, "is_logged_in", False):
        with db.connect(db_path()) as con:
            user = auth.user_by_email(con, str(st.user.get("email", "")))
        if user is None:
            st.error(t("auth.sso_unknown", email=str(st.user.get("email", ""))))
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
        try:
            with db.connect(db_path()) as con:
                user = auth.sign_in(con, username, password)
                token = auth.issue_token(con, user.username)
        except SalesmgmtError as exc:
            show_error(exc)
            st.stop()
        st.session_state["user"] = user
        st.session_state["signed_out"] = False
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
    """The sign-out button's callback: forget the user, their filters and the cookie."""
    st.session_state.pop("user", None)
    for key in [k for k in st.session_state if str(k).startswith("f_")]:
        del st.session_state[key]
    st.session_state["signed_out"] = True
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
