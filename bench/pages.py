"""Every page of the app on the large company in a real browser: first and warm views.

    python bench/pages.py [--lang zh] [--pages overview,forecast] [--reference] [--cold-browser]

What a user opening a page waits for, with nothing of that page cached on the server. For each
page a fresh `streamlit run dashboard.py` serves the large company (always on the same port, so
the browser keeps Streamlit's and plotly's script files in its HTTP cache, as a user's browser
does after the first visit). The light Import page is opened first (a fresh server's first
request reloads once out of Streamlit's legacy pages mode, and the sidebar's small queries are
cached); then:

- click: the page is chosen in the sidebar, as a user moves through the app (no page load);
- link: on another fresh server, the page is opened by its address in a new tab (a bookmark or a
  link in a mail: the whole app loads, the browser's cached files help);
- warm: the same address again (the page's queries now come from the server's cache);
- with `--tabs`, on a third fresh server: each other tab of the page opened in turn (a tab's
  queries run only when it is opened).

Each time is from the click or the navigation until the script has finished, the page's title is
shown and no skeleton is left (as tests/test_browser.py waits). `--cold-browser` also opens each
page by its address in a new browser profile with an empty cache (a first visit ever).
`--reference` also times the click on the standard company in the same run: the difference is
what scale costs, whatever else the machine is doing. The goal: every first view under 5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AS_OF, large_db, machine, standard_db

from app import layout
from tests.app.browser_support import CHROMIUM, CHROMIUM_ARGS, Streamlit, free_port
from tests.app.browser_support import wait_for_app as wait_page

GOAL_SECONDS = 5.0
#: The page opened first on a fresh server (light: an upload form and a list of batches).
WARM_UP = "import"


class Server(Streamlit):
    """`streamlit run dashboard.py` on a database as of the benchmark's day."""

    def __init__(self, db_file: Path, log_file: Path, port: int | None = None) -> None:
        super().__init__(db_file, AS_OF.isoformat(), log_file, port)


def wait_for_app(page, timeout_ms: int = 120_000) -> None:
    wait_page(page, timeout_ms)


#: The elements with the most DOM nodes: [nodes, widget key or test id] (what makes a page heavy
#: to draw: a chart or table with a mark per rep or client).
_HEAVIEST_JS = """() => Array.from(document.querySelectorAll('[data-testid=stElementContainer]'))
  .map(e => [e.querySelectorAll('*').length,
             ((e.className || '').toString().match(/st-key-[^ ]+/) || [''])[0].slice(7)
             || (e.firstElementChild && e.firstElementChild.getAttribute('data-testid')) || '?'])
  .sort((a, b) => b[0] - a[0]).slice(0, 3)"""


def _measure(page, title: str, started: float) -> float:
    """Seconds from `started` until the page titled `title` is complete (less the settle check)."""
    page.wait_for_function(
        "t => Array.from(document.querySelectorAll('h1')).some(h => h.textContent.trim().startsWith(t))",
        arg=title,
        timeout=120_000,
    )
    wait_for_app(page)
    return time.perf_counter() - started - 0.3


def _facts(page) -> tuple[int, int, list]:
    """Exception boxes shown, the page's DOM nodes and its three heaviest elements."""
    return (
        page.locator("[data-testid=stException]").count(),
        page.evaluate("document.querySelectorAll('*').length"),
        page.evaluate(_HEAVIEST_JS),
    )


def open_link(context, base: str, path: str, lang: str, title: str) -> tuple[float, int, int, list]:
    """Open the page by its address in a new tab: seconds, exception boxes, DOM nodes, heaviest."""
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(f"{base}/{path}?lang={lang}")
        return (_measure(page, title, started), *_facts(page))
    finally:
        page.close()


def click_through(context, base: str, path: str, lang: str, title: str) -> tuple[float, int]:
    """Open the Import page, then choose the page in the sidebar: seconds, exception boxes."""
    page = context.new_page()
    try:
        page.goto(f"{base}/{WARM_UP}?lang={lang}")
        wait_for_app(page)
        link = page.locator(f"[data-testid=stSidebarNav] a[href$='/{path}']").first
        started = time.perf_counter()
        link.click()
        seconds = _measure(page, title, started)
        return seconds, page.locator("[data-testid=stException]").count()
    finally:
        page.close()


def tab_views(context, base: str, path: str, lang: str, title: str) -> list[tuple[str, float]]:
    """Open the page, then each of its other tabs in turn (their queries run only when the tab
    is opened, uncached on a fresh server): [(tab label, seconds)]."""
    page = context.new_page()
    try:
        page.goto(f"{base}/{path}?lang={lang}")
        _measure(page, title, time.perf_counter())
        tabs = page.get_by_role("tab")
        times = []
        for i in range(1, tabs.count()):
            tab = tabs.nth(i)
            label = tab.inner_text().strip()
            started = time.perf_counter()
            tab.click()
            # the rerun the click starts (a fast one may be over before this looks)
            with contextlib.suppress(Exception):
                page.wait_for_selector("[data-testid=stApp][data-test-script-state=running]", timeout=3_000)
            wait_for_app(page)
            times.append((label, time.perf_counter() - started - 0.3))
        return times
    finally:
        page.close()


def warm_up(context, base: str, lang: str) -> None:
    """A fresh server's first request (its one-off reload) and the sidebar's queries."""
    page = context.new_page()
    try:
        page.goto(f"{base}/{WARM_UP}?lang={lang}")
        wait_for_app(page)
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--pages", default=None, help="comma-separated url paths (overview is '')")
    parser.add_argument("--db", default=None, help="database (default: the large company)")
    parser.add_argument(
        "--reference", action="store_true", help="also time the click on the standard company"
    )
    parser.add_argument(
        "--cold-browser",
        action="store_true",
        help="also open each page in a browser profile with an empty cache",
    )
    parser.add_argument(
        "--tabs",
        action="store_true",
        help="also open every other tab of a page once (on its own fresh server)",
    )
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from salesmgmt.i18n import t as translate

    db_file = Path(args.db) if args.db else large_db()
    pages = [(e[2], e[1]) for entries in layout.PAGES.values() for e in entries if e[2] != WARM_UP]
    if args.pages is not None:
        wanted = [p.strip() for p in args.pages.split(",")]
        pages = [p for p in pages if p[0] in wanted or (p[0] == "" and "overview" in wanted)]
    log_dir = Path(os.environ.get("SALESMGMT_BENCH_DIR", "/tmp/salesmgmt-bench"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "streamlit-pages.log"
    print(f"Machine: {machine()}")
    print(f"Database: {db_file} ({db_file.stat().st_size / 1e6:.0f} MB), as of {AS_OF}, lang={args.lang}")
    reference = standard_db() if args.reference else None
    extra = (f" {'standard':>8}" if reference else "") + (f" {'cold br.':>8}" if args.cold_browser else "")
    print(
        f"{'page':<18} {'click s':>8} {'link s':>8} {'warm s':>8}{extra} {'DOM nodes':>9}  ok   "
        "heaviest elements (nodes)"
    )
    worst = 0.0
    failures = 0
    port = free_port()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        try:
            for path, title_key in pages:
                title = translate(title_key, args.lang)
                cells = []
                server = Server(db_file, log, port)
                try:
                    warm_up(context, server.base, args.lang)
                    click, errors = click_through(context, server.base, path, args.lang, title)
                finally:
                    server.stop()
                server = Server(db_file, log, port)
                try:
                    warm_up(context, server.base, args.lang)
                    link, errors2, nodes, heavy = open_link(context, server.base, path, args.lang, title)
                    warm = open_link(context, server.base, path, args.lang, title)[0]
                    if args.cold_browser:
                        cold_context = browser.new_context(viewport={"width": 1400, "height": 1000})
                        try:
                            cells.append(open_link(cold_context, server.base, path, args.lang, title)[0])
                        finally:
                            cold_context.close()
                finally:
                    server.stop()
                if reference is not None:
                    ref_server = Server(reference, log_dir / "streamlit-pages-reference.log", port)
                    try:
                        warm_up(context, ref_server.base, args.lang)
                        cells.insert(0, click_through(context, ref_server.base, path, args.lang, title)[0])
                    finally:
                        ref_server.stop()
                tab_times: list[tuple[str, float]] = []
                if args.tabs:
                    server = Server(db_file, log, port)
                    try:
                        warm_up(context, server.base, args.lang)
                        tab_times = tab_views(context, server.base, path, args.lang, title)
                    finally:
                        server.stop()
                first = max([click, link] + [seconds for _, seconds in tab_times])
                ok = first < GOAL_SECONDS and not errors and not errors2
                failures += not ok
                worst = max(worst, first)
                note = "" if not (errors or errors2) else f" ({errors + errors2} exception boxes)"
                heaviest = ", ".join(f"{key} ({n:,})" for n, key in heavy)
                more = "".join(f" {c:>8.2f}" for c in cells)
                print(
                    f"{path or 'overview':<18} {click:>8.2f} {link:>8.2f} {warm:>8.2f}{more} {nodes:>9,}  "
                    f"{'yes' if ok else 'NO ':<4} {heaviest}{note}",
                    flush=True,
                )
                for label, seconds in tab_times:
                    print(f"{'':<4}tab {label:<22} {seconds:>6.2f}", flush=True)
        finally:
            context.close()
            browser.close()
    print(
        f"slowest first view (click, link or tab): {worst:.2f} s (goal < {GOAL_SECONDS:.0f} s); pages over "
        f"the goal or with an exception: {failures}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
