"""'Download PDF' on every page: the page as the user sees it, printed by headless Chromium.

The button's file is made only when it is clicked (a deferred download: pages stay as fast as
they were). Then the app signs the user in for a minute with a session of their own (the same
sessions as sign-in, salesmgmt.auth), has Chromium open the page on this server's loopback
address with the user's filters and language in the URL plus `print=1`, prints it on A4
(salesmgmt.delivery.render) and ends that session. With `print=1` a page shows no sidebar,
toolbar or buttons, and states at its top who printed it, when, and the filters and scope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import streamlit as st

from app import queries
from app.texts import lang, t
from salesmgmt.errors import SalesmgmtError

_LOG = logging.getLogger(__name__)

#: How long a step of printing may wait for the page (seconds): a busy server draws a page in
#: seconds, a page of the whole company on a loaded machine in a minute or more.
PRINT_TIMEOUT_S = 120
#: How long the printing session lives at most (it is ended as soon as the PDF is made).
PRINT_SESSION_HOURS = 10 / 60
#: The url parameter of the print view.
PRINT_PARAM = "print"

#: The printed page has been drawn: its run has passed the header (the printed line) and is
#: over, and nothing waits for its content (a skeleton). Before its run starts a page is
#: 'notRunning' too, hence the printed line. salesmgmt.delivery.render then waits for Streamlit's
#: status widget to go and the network to settle.
PRINTED_KEY = "pdf_printed"
READY = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    f':not(:has([data-testid="stSkeleton"])) .st-key-{PRINTED_KEY}'
)
#: What the printed page leaves out: the sidebar, Streamlit's header and toolbar, the buttons
#: and uploaders (nothing can be clicked on paper). The same rules apply to the browser's own
#: print of any page (@media print).
_HIDDEN = """[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stButton"], [data-testid="stDownloadButton"],
[data-testid="stFileUploader"], [data-testid="stFormSubmitButton"], [data-testid="stChatInput"],
.st-key-pdf_download { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { max-width: 100% !important;
padding: 0.5rem 1rem !important; }
[data-testid="stAppViewContainer"], [data-testid="stMain"] { overflow: visible !important; }
[data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stTable"],
[data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }"""
PRINT_CSS = "<style>\n" + _HIDDEN + "\n</style>"
MEDIA_PRINT_CSS = "<style>\n@media print {\n" + _HIDDEN + "\n}\n</style>"


def printing() -> bool:
    """`?print=1`: the page is being printed (no chrome, the filters line at the top)."""
    return st.query_params.get(PRINT_PARAM) == "1"


@dataclass(frozen=True)
class PrintRequest:
    """What the deferred download needs, captured during the page run (it runs without one)."""

    url: str
    """The page on this server's loopback address, with the filters, language and `print=1`."""
    username: str | None
    """The signed-in user the page is printed for; None while sign-in is not configured."""


def print_params(page_params: dict[str, list[str]], state: dict, language: str) -> list[tuple[str, str]]:
    """The print URL's parameters: the page's own URL parameters (a meeting's `week`), then the
    sidebar's filters as `filters_from_url` reads them (they win), the language and `print=1`.

    `page_params` is the page's query string (name -> values); `state` the session state."""
    filter_params = {"period", "team", "region", "rep", "lang", PRINT_PARAM, "present"}
    params = [(k, v) for k, values in page_params.items() if k not in filter_params for v in values]
    if state.get("f_period"):
        params.append(("period", str(state["f_period"])))
    for param, key in (("region", "f_regions"), ("team", "f_teams"), ("rep", "f_reps")):
        params += [(param, str(v)) for v in state.get(key) or ()]
    params += [("lang", language), (PRINT_PARAM, "1")]
    return params


def print_url(url_path: str, params: list[tuple[str, str]]) -> str:
    """The page's address on this server, seen from this machine (Chromium runs here)."""
    address = str(st.get_option("server.address") or "")
    host = address if address and address not in ("0.0.0.0", "::", "localhost") else "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if st.get_option("server.sslCertFile") else "http"
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    path = "/".join(p for p in (base, url_path) if p)
    return f"{scheme}://{host}:{st.get_option('server.port')}/{path}?{urlencode(params)}"


def render_pdf(request: PrintRequest) -> bytes:
    """Print the page: a short session for the user (when sign-in is on), Chromium, A4."""
    from app.session import SESSION_COOKIE
    from salesmgmt import auth, db
    from salesmgmt.delivery import render

    token = None
    if request.username is not None:
        with db.connect(queries.db_path()) as con:
            token = auth.start_session(con, request.username, hours=PRINT_SESSION_HOURS)
    try:
        # For the whole server: the session is read over the websocket (/_stcore/stream).
        parts = urlsplit(request.url)
        site = f"{parts.scheme}://{parts.netloc}/"
        cookies = [{"name": SESSION_COOKIE, "value": token, "url": site}] if token else None
        return render.url_to_pdf(
            request.url, cookies=cookies, ready_selector=READY, timeout_s=PRINT_TIMEOUT_S
        )
    except Exception:
        _LOG.exception("printing %s failed", request.url)
        raise
    finally:
        if token is not None:
            with db.connect(queries.db_path()) as con:
                auth.end_session(con, token)


def _deferred(request: PrintRequest) -> Callable[[], bytes]:
    return lambda: render_pdf(request)


def file_name(url_path: str, day: str) -> str:
    """'forecast-2026-12-03.pdf' ('overview' for the first page)."""
    return f"{url_path or 'overview'}-{day}.pdf"


def header(url_path: str, caption: str | None, filters_text: str) -> None:
    """Under a page's title: its caption (the period and filters unless the page gives one) and
    the sidebar's 'Download PDF'; printed, the print view's CSS and the line saying who printed
    it, when, and the filters and scope."""
    if printing():
        st.html(PRINT_CSS)
        if caption:
            st.caption(caption)
        user = st.session_state.get("user")
        when = f"{queries.today().isoformat()} {datetime.now():%H:%M}"
        with st.container(key=PRINTED_KEY):
            if user is None:
                st.caption(t("pdf.printed", when=when, filters=filters_text))
            else:
                st.caption(t("pdf.printed_by", who=user.display_name, when=when, filters=filters_text))
        return
    st.caption(caption or filters_text)
    st.html(MEDIA_PRINT_CSS)
    download_control(url_path)


def download_control(url_path: str) -> None:
    """The sidebar's 'Download PDF': the file is made on click; a missing Chromium is said
    before anyone clicks (the button is then off)."""
    from salesmgmt.delivery import render

    try:
        render.chromium_path()
        problem = None
    except SalesmgmtError as missing:
        problem = missing.message(lang())
    user = st.session_state.get("user")
    request = PrintRequest(
        url=print_url(url_path, print_params(_query_lists(), dict(st.session_state), lang())),
        username=user.username if user is not None else None,
    )
    st.sidebar.download_button(
        t("pdf.download"),
        data=_deferred(request),
        file_name=file_name(url_path, queries.today().isoformat()),
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help=t("pdf.download_help"),
        disabled=problem is not None,
        key="pdf_download",
    )
    if problem is not None:
        st.sidebar.caption(problem)


def _query_lists() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}
