"""The page registry, the page header and empty states, and the first-run guard."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from app import pdf, sidebar
from app.texts import lang, t

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
        ("pages/inspection.py", "page.inspection", "inspection", ":material/fact_check:"),
        ("pages/monthly_plan.py", "page.monthly_plan", "monthly-plan", ":material/edit_note:"),
        ("pages/targets.py", "page.targets", "targets", ":material/table_chart:"),
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
    "nav.data": [
        ("pages/import_data.py", "page.import", "import", ":material/upload_file:"),
        ("pages/subscriptions.py", "page.subscriptions", "subscriptions", ":material/notifications:"),
    ],
}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    section: built
    for section, entries in ALL_PAGES.items()
    if (built := [e for e in entries if (PROJECT_ROOT / e[0]).exists()])
}

#: A page's url path by its title key (the printed page's address).
_URL_PATHS = {e[1]: e[2] for entries in ALL_PAGES.values() for e in entries}

#: Set SALESMGMT_TODAY=YYYY-MM-DD to pin "today" (tests, demos of a past date).

HIDDEN_FOR_ROLE = {"rep": {"pages/import_data.py", "pages/manager_meeting.py", "pages/subscriptions.py"}}


def visible_pages() -> dict[str, list[tuple[str, str, str, str]]]:
    user = st.session_state.get("user")
    hidden = HIDDEN_FOR_ROLE.get(user.role, set()) if user is not None else set()
    return {
        section: kept
        for section, entries in PAGES.items()
        if (kept := [e for e in entries if e[0] not in hidden])
    }


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
    filters_text = f"{sidebar.period().label(lang())} · {sidebar.filters().describe(lang())}"
    pdf.header(_URL_PATHS.get(title_key, ""), caption, filters_text)


def empty_state(key: str = "empty.no_data") -> None:
    st.info(t(key), icon=":material/info:")
