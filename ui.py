"""Streamlit helpers shared by the pages: language, the database and its cache, the shared
filter bar, number formatting and error display. The only module besides dashboard.py and
pages/ that imports streamlit; the domain (`salesmgmt`) never does.

Database access: no connection is held between reruns (DuckDB lets one process write a file at a
time, and a command-line import must be able to run while the app serves pages). `query()` runs a
domain function; results are cached by `st.cache_data`, keyed by the function, its arguments and
the database's data version, so an import shows up on the next rerun.

One page run sees one state of the data (`begin_run`/`end_run`, called by dashboard.py): the data
version is read once per run, and every query the cache cannot answer runs in one read
transaction of the run, opened when the first one is needed and closed when the run ends. If the
data changed between the start of the run and that transaction, the run starts again, so a page
never shows figures from both sides of an import.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import LANGS, format_count, format_money, format_percent, normalise_lang
from salesmgmt.i18n import t as _t
from salesmgmt.periods import Period, recent_periods

# Our pages live in `pages/` (the project's fixed layout), which Streamlit would otherwise treat
# as its legacy auto-discovered multipage folder: a page opened by its address would then run on
# its own, without dashboard.py's frame (sidebar, sign-in gate, scope). dashboard.py's
# st.navigation is the only navigation; see frame_guard() for the first run of a fresh server.
PagesManager.uses_pages_directory = False

#: Every page of the product: (file, title key, url path, icon) per navigation section, in the
#: order of the process. A page is listed once its file exists (pages are added only when really
#: built). The browser and AppTest suites walk `PAGES`.
ALL_PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    "": [("pages/overview.py", "page.overview", "", ":material/dashboard:")],
    "nav.module1": [
        ("pages/forecast.py", "page.forecast", "forecast", ":material/trending_up:"),
        ("pages/monthly_plan.py", "page.monthly_plan", "monthly-plan", ":material/edit_note:"),
        ("pages/action_review.py", "page.action_review", "action-review", ":material/directions_walk:"),
        ("pages/regional_review.py", "page.regional_review", "regional-review", ":material/map:"),
    ],
    "nav.module2": [
        ("pages/products.py", "page.products", "products", ":material/inventory_2:"),
        ("pages/coaching.py", "page.coaching", "coaching", ":material/support_agent:"),
        ("pages/operations.py", "page.operations", "operations", ":material/settings:"),
        ("pages/clients.py", "page.clients", "clients", ":material/handshake:"),
    ],
    "nav.module3": [
        ("pages/rankings.py", "page.rankings", "rankings", ":material/emoji_events:"),
        ("pages/team_meeting.py", "page.team_meeting", "team-meeting", ":material/groups:"),
        (
            "pages/manager_meeting.py",
            "page.manager_meeting",
            "manager-meeting",
            ":material/supervisor_account:",
        ),
        ("pages/field_meeting.py", "page.field_meeting", "field-meeting", ":material/construction:"),
        ("pages/sales_school.py", "page.sales_school", "sales-school", ":material/school:"),
    ],
    "nav.data": [("pages/import_data.py", "page.import", "import", ":material/upload_file:")],
}
_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = _ROOT
PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    section: built
    for section, entries in ALL_PAGES.items()
    if (built := [e for e in entries if (_ROOT / e[0]).exists()])
}

#: Set SALESMGMT_TODAY=YYYY-MM-DD to pin "today" (tests, demos of a past date).
ENV_TODAY = "SALESMGMT_TODAY"

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Source Han Sans SC, sans-serif"


# ------------------------------------------------------------------------------------------
# Language


def lang() -> str:
    """The user's language: the sidebar switch, else ?lang= in the URL, else the browser's
    locale, else English."""
    if "lang" not in st.session_state:
        chosen = normalise_lang(st.query_params.get("lang"))
        if chosen is None:
            try:
                chosen = normalise_lang(st.context.locale)
            except Exception:  # no browser context (AppTest, bare mode)
                chosen = None
        st.session_state["lang"] = chosen or "en"
    return st.session_state["lang"]


def t(key: str, **values: Any) -> str:
    return _t(key, lang(), **values)


def language_switch() -> None:
    """The sidebar's language switch; keeps ?lang= in the URL in step."""
    current = lang()
    labels = {"zh": "中文", "en": "English"}
    choice = st.sidebar.segmented_control(
        "Language / 语言",
        options=list(LANGS),
        format_func=labels.get,
        default=current,
        key="lang_switch",
        label_visibility="collapsed",
    )
    if choice and choice != current:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
    elif st.query_params.get("lang") != current:
        st.query_params["lang"] = current


# ------------------------------------------------------------------------------------------
# Dates and the database


def today() -> date:
    pinned = os.environ.get(ENV_TODAY)
    return date.fromisoformat(pinned) if pinned else date.today()


def db_path() -> Path:
    return db.resolve_db_path(None)


def ensure_database() -> None:
    """Create the database with the demo company on first run (a spinner while it happens)."""
    path = db_path()
    if path.exists():
        return
    from salesmgmt.demo import generate_demo

    with st.spinner(t("app.creating_demo")), db.connect(path) as con:
        generate_demo(con, as_of=today(), seed=7)
    st.toast(t("app.demo_created"))


class DataMoved(Exception):
    """The data changed after a page run had started showing it: the run must start again."""


class _RunView:
    """One page run's view of the data: the version it started with and, once a query needs the
    database, one connection in a read transaction that sees exactly that version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = db.data_version(path)
        self.con: Any = None

    def connection(self) -> Any:
        if self.con is None:
            con = db.open_connection(self.path, read_only=False)
            try:
                db.migrate_schema(con)
                con.execute("BEGIN TRANSACTION")
                con.execute("SELECT count(*) FROM meta").fetchone()  # the snapshot starts here
            except BaseException:
                con.close()
                raise
            self.con = con
            # Commits change the files' size or time before they are visible, so an unchanged
            # version read after the snapshot has begun means the snapshot is that version.
            if db.data_version(self.path) != self.version:
                self.close()
                raise DataMoved
        return self.con

    def close(self) -> None:
        if self.con is not None:
            con, self.con = self.con, None
            try:
                con.execute("ROLLBACK")
            finally:
                con.close()


_RUN = threading.local()


def begin_run() -> None:
    """Start a page run's view of the data (dashboard.py, before anything reads)."""
    end_run()
    _RUN.view = _RunView(db_path())


def end_run() -> None:
    """Close the run's read transaction (dashboard.py, in `finally`): nothing stays open between
    runs, so a command-line import can take the file."""
    view = getattr(_RUN, "view", None)
    _RUN.view = None
    if view is not None:
        view.close()


def _run_view() -> _RunView | None:
    view = getattr(_RUN, "view", None)
    return view if view is not None and view.path == db_path() else None


def restart_run() -> None:
    """Start the page run again on the new data (a seam for tests)."""
    end_run()
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached_call(function: str, db_file: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    module, _, name = function.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    view = _run_view()
    if view is not None and view.version == version:  # the run's own file (_run_view)
        return fn(view.connection(), *args, **dict(kwargs))
    with db.connect(db_file) as con:
        return fn(con, *args, **dict(kwargs))


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain function `fn(con, *args, **kwargs)`, cached until the data changes.

    The cache key holds every argument, so scoped results (filters carry the user's scope)
    never reach another user. Within a page run (begin_run) every result belongs to the same
    state of the data.
    """
    path = db_path()
    view = _run_view()
    version = view.version if view is not None else db.data_version(path)
    try:
        return _cached_call(
            f"{fn.__module__}.{fn.__qualname__}", str(path), version, args, tuple(sorted(kwargs.items()))
        )
    except DataMoved:
        restart_run()
        raise  # not reached outside tests: st.rerun() raises


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain function `fn(con, ...)` that reads, uncached (for arguments that cannot be
    cache keys, such as an uploaded file's preview)."""
    with db.connect(db_path()) as con:
        return fn(con, *args, **kwargs)


def write(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain function that changes data; clears the cache afterwards."""
    end_run()  # the run's snapshot would not show this change
    with db.connect(db_path()) as con:
        result = fn(con, *args, **kwargs)
    st.cache_data.clear()
    _RUN.view = _RunView(db_path())  # the rest of the run reads the data with this change
    return result


# ------------------------------------------------------------------------------------------
# The shared filter bar

PERIOD_KINDS = ("month", "quarter", "year")


def _options() -> dict[str, Any]:
    from salesmgmt.metrics.directory import filter_options

    return query(filter_options, scope_filters())


def scope_filters() -> Filters:
    """The signed-in user's scope as Filters (unrestricted while sign-in is not configured)."""
    user = st.session_state.get("user")
    return user.scope() if user is not None else Filters()


# ------------------------------------------------------------------------------------------
# Sign-in

SESSION_COOKIE = "salesmgmt_session"


def _users_exist() -> bool:
    from salesmgmt.auth import user_count

    return query(user_count) > 0


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
HIDDEN_FOR_ROLE = {"rep": {"pages/import_data.py", "pages/manager_meeting.py"}}


def visible_pages() -> dict[str, list[tuple[str, str, str, str]]]:
    user = st.session_state.get("user")
    hidden = HIDDEN_FOR_ROLE.get(user.role, set()) if user is not None else set()
    return {
        section: kept
        for section, entries in PAGES.items()
        if (kept := [e for e in entries if e[0] not in hidden])
    }


def sidebar_filters() -> None:
    """Draw the period, region, team and rep filters in the sidebar; pages read `filters()`."""
    opts = _options()
    sb = st.sidebar
    language = lang()  # bound now: format functions may be called outside a script run
    filters_from_url()
    kind = sb.selectbox(
        t("filter.period_kind"), PERIOD_KINDS, key="f_kind", format_func=lambda k: _t(f"period.{k}", language)
    )
    periods = recent_periods(today(), kind, {"month": 24, "quarter": 8, "year": 3}[kind])
    options = [str(p) for p in periods]
    if st.session_state.get("f_period") not in options:
        if st.session_state.get("f_period"):
            options.append(st.session_state["f_period"])  # a period from the URL, kept
        else:
            st.session_state.pop("f_period", None)
    sb.selectbox(
        t("filter.period"), options, key="f_period", format_func=lambda s: Period.parse(s).label(language)
    )
    for key, allowed in (("f_regions", opts["regions"]), ("f_teams", [tm for tm, _ in opts["team_regions"]])):
        if st.session_state.get(key):  # drop choices outside the scope (or from an old URL)
            st.session_state[key] = [v for v in st.session_state[key] if v in allowed]
    sb.multiselect(t("filter.region"), opts["regions"], key="f_regions", placeholder=t("filter.all"))
    teams = [
        tm
        for tm, rg in opts["team_regions"]
        if not st.session_state.get("f_regions") or rg in st.session_state["f_regions"]
    ]
    sb.multiselect(t("filter.team"), sorted(set(teams)), key="f_teams", placeholder=t("filter.all"))
    reps = opts["reps"]
    sel_regions, sel_teams = st.session_state.get("f_regions"), st.session_state.get("f_teams")
    if sel_regions:
        reps = reps[reps["region"].isin(sel_regions)]
    if sel_teams:
        reps = reps[reps["team"].isin(sel_teams)]
    names = dict(zip(reps["rep_id"], reps["name"]))
    sb.multiselect(
        t("filter.rep"),
        list(names),
        key="f_reps",
        format_func=lambda i: names.get(i, str(i)),
        placeholder=t("filter.all"),
    )


def presenting() -> bool:
    """`?present=1`: the meeting-screen mode (no sidebar or toolbar, large type)."""
    return st.query_params.get("present") == "1"


PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
html { font-size: 20px; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1rem 2rem !important; }
[data-testid="stMetricValue"] { font-size: 3rem !important; }
h1 { font-size: 2.6rem !important; }
</style>"""


def apply_presentation_mode() -> None:
    if presenting():
        st.html(PRESENTATION_CSS)


def filters_from_url() -> None:
    """Seed the filters once per session from the URL (`?period=2026-Q3&team=...&region=...`),
    so a link or a meeting screen opens on the right selection."""
    if st.session_state.get("_url_seeded"):
        return
    st.session_state["_url_seeded"] = True
    value = st.query_params.get("period")
    if value:
        try:
            chosen = Period.parse(value)
        except SalesmgmtError:
            chosen = None
        if chosen is not None:
            st.session_state["f_kind"] = chosen.kind
            st.session_state["f_period"] = str(chosen)
    for param, key in (("team", "f_teams"), ("region", "f_regions")):
        values = st.query_params.get_all(param)
        if values:
            st.session_state[key] = values


def period() -> Period:
    value = st.session_state.get("f_period")
    return Period.parse(value) if value else Period.month_of(today())


def filters() -> Filters:
    scope = scope_filters()
    reps = tuple(st.session_state.get("f_reps") or ())
    return Filters(
        regions=tuple(st.session_state.get("f_regions") or ()),
        teams=tuple(st.session_state.get("f_teams") or ()),
        rep_ids=reps,
        scope_regions=scope.scope_regions,
        scope_teams=scope.scope_teams,
        scope_rep_ids=scope.scope_rep_ids,
    )


def as_of() -> date:
    """The date figures are read at: today, or the period's last day for a past period."""
    p = period()
    return min(today(), p.last_day)


# ------------------------------------------------------------------------------------------
# Formatting


def money(value: float | None) -> str:
    return format_money(value, lang())


def money_short(value: float | None) -> str:
    """Money without the unit (the unit is in the title or axis)."""
    return format_money(value, lang(), with_unit=False)


def money_unit() -> str:
    return t("unit.money")


def scale_money(series: pd.Series) -> pd.Series:
    """Values for a chart axis whose title carries the unit: 万元 in Chinese, CNY in English."""
    return series / (10_000 if lang() == "zh" else 1)


def pct(value: float | None, digits: int = 0) -> str:
    return format_percent(value, digits)


def count(value: float | None) -> str:
    return format_count(value)


def date_text(value: Any) -> str:
    """A date as YYYY-MM-DD (whatever pandas made of it); '–' when missing."""
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def delta_text(current: float | None, previous: float | None, kind: str = "percent_change") -> str | None:
    """Change against the previous period for st.metric: '+12%' (relative) or '+3 pts'."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    if kind == "points":
        return f"{(current - previous) * 100:+.0f} " + t("unit.points")
    if previous == 0:
        return None
    return f"{(current - previous) / abs(previous) * 100:+.0f}%"


def style_figure(fig: Any, height: int | None = None) -> Any:
    """The house style of every plotly chart: a CJK-capable font, compact margins; the height the
    builder set is kept (else `height`, else 380 px)."""
    height = fig.layout.height or height or 380
    fig.update_layout(
        font_family=CJK_FONT,
        height=height,
        margin=dict(l=10, r=10, t=90, b=10),
        title=dict(yref="container", y=0.97, yanchor="top", x=0.01, xanchor="left"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hoverlabel=dict(font_family=CJK_FONT),
    )
    return fig


_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~$"


def md(text: Any) -> str:
    """User text made inert inside st.markdown: every Markdown character escaped (no links,
    no emphasis, no HTML)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def show_error(exc: Exception) -> None:
    """One way to show an error: the user's language for ours, a short text for anything else."""
    if isinstance(exc, SalesmgmtError):
        st.error(exc.message(lang()), icon=":material/warning:")
    else:
        st.error(t("error.unexpected", detail=str(exc)), icon=":material/error:")


def running_legacy_pages() -> bool:
    """True while Streamlit runs this script through its legacy `pages/` multipage mode, which
    only the very first run of a fresh server can do (this module switches it off on import)."""
    legacy = False
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "_mpa_v1":
            legacy = True
        if "streamlit/testing/" in frame.f_code.co_filename.replace("\\", "/"):
            return False  # AppTest re-enables the legacy mode before each run; no browser there
        frame = frame.f_back
    return legacy


def frame_guard() -> None:
    """In the legacy mode, show nothing and have the browser load the address again: the next
    session runs through dashboard.py's own navigation (the requested page, inside the sign-in
    gate and the user's scope). A rerun would not do: it would lose the requested page."""
    if running_legacy_pages():
        import json
        from urllib.parse import urlencode

        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        wanted = ctx.pages_manager.intended_page_name if ctx is not None else None
        known = {e[2] for entries in ALL_PAGES.values() for e in entries}
        path = wanted if wanted in known else ""  # only our own url paths, never user text
        query = urlencode(st.query_params.to_dict())
        target = "/" + path + ("?" + query if query else "")
        script = (
            "const base = window.location.pathname.replace(/\\/[^\\/]*$/, '');"
            f"window.location.replace(base + {json.dumps(target)});"
        )
        safe = script.replace("<", "\\u003c")  # nothing can close the script element
        st.html("<script>" + safe + "</script>", unsafe_allow_javascript=True)
        st.stop()


def page_header(title_key: str, caption: str | None = None) -> None:
    frame_guard()
    st.title(t(title_key))
    st.caption(caption or f"{period().label(lang())} · {filters().describe(lang())}")


def empty_state(key: str = "empty.no_data") -> None:
    st.info(t(key), icon=":material/info:")
