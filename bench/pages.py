"""Every page of the app on the large company in a real browser: first view and warm view.

    python bench/pages.py [--lang zh] [--pages overview,forecast] [--shared-server] [--reference]

For each page a fresh `streamlit run dashboard.py` serves the large company, so nothing of that
page is cached. A first request to the server (the light Import page) takes the one-off reload a
fresh server does (its first request runs in Streamlit's legacy pages mode) and caches the
sidebar's small queries; then Playwright opens the page in Debian's Chromium and waits until the
script has finished and no skeleton is left (as tests/test_browser.py does): its first view, as
a user opening it from the app. Then the page is opened again in a new tab (warm cache).
`--shared-server` uses one server for all pages instead (the sidebar's queries are then cached
after the first page). `--reference` also opens each page on the standard demo company, in the
same run: the difference is what scale costs, whatever else the machine is doing. The goal:
every first view under 5 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AS_OF, ROOT, large_db, machine, standard_db  # noqa: E402

CHROMIUM = os.environ.get("SALESMGMT_CHROMIUM", "/usr/bin/chromium")
GOAL_SECONDS = 5.0
#: The page opened first on a fresh server (light: an upload form and a list of batches).
WARM_UP = "import"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run dashboard.py` on a database, until stopped."""

    def __init__(self, db_file: Path, log_file: Path) -> None:
        env = {**os.environ, "SALESMGMT_DB": str(db_file), "SALESMGMT_TODAY": AS_OF.isoformat()}
        self.port = _free_port()
        self.log = open(log_file, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(self.base + "/_stcore/health", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not start: " + Path(log_file).read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def wait_for_app(page, timeout_ms: int = 120_000) -> None:
    """Until the script has finished and no skeleton is left (tests/test_browser.py's rule)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
    page.wait_for_function("!document.querySelector('[data-testid=stSkeleton]')", timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)


#: The elements with the most DOM nodes: [nodes, widget key or test id] (what makes a page heavy
#: to draw: a chart or table with a mark per rep or client).
_HEAVIEST_JS = """() => Array.from(document.querySelectorAll('[data-testid=stElementContainer]'))
  .map(e => [e.querySelectorAll('*').length,
             ((e.className || '').toString().match(/st-key-[^ ]+/) || [''])[0].slice(7)
             || (e.firstElementChild && e.firstElementChild.getAttribute('data-testid')) || '?'])
  .sort((a, b) => b[0] - a[0]).slice(0, 3)"""


def view(browser, base: str, path: str, lang: str) -> tuple[float, int, int, list]:
    """Seconds from navigation until the page is complete (less the 0.3 s settle check), the
    number of exception boxes shown, the page's DOM nodes and its three heaviest elements."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        started = time.perf_counter()
        page.goto(f"{base}/{path}?lang={lang}")
        wait_for_app(page)
        seconds = time.perf_counter() - started - 0.3
        nodes = page.evaluate("document.querySelectorAll('*').length")
        return (seconds, page.locator("[data-testid=stException]").count(), nodes,
                page.evaluate(_HEAVIEST_JS))
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--pages", default=None, help="comma-separated url paths (overview is '')")
    parser.add_argument("--shared-server", action="store_true")
    parser.add_argument("--db", default=None, help="database (default: the large company)")
    parser.add_argument("--reference", action="store_true",
                        help="also time each page on the standard company (first view)")
    args = parser.parse_args(argv)

    import ui
    from playwright.sync_api import sync_playwright

    db_file = Path(args.db) if args.db else large_db()
    pages = [(e[2], e[0]) for entries in ui.PAGES.values() for e in entries]
    if args.pages is not None:
        wanted = [p.strip() for p in args.pages.split(",")]
        pages = [p for p in pages if p[0] in wanted or (p[0] == "" and "overview" in wanted)]
    log_dir = Path(os.environ.get("SALESMGMT_BENCH_DIR", "/tmp/salesmgmt-bench"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"Machine: {machine()}")
    print(f"Database: {db_file} ({db_file.stat().st_size / 1e6:.0f} MB), as of {AS_OF}, lang={args.lang}")
    reference = standard_db() if args.reference else None
    ref_head = f" {'standard s':>10}" if reference else ""
    print(f"{'page':<18} {'first view s':>12} {'warm view s':>12}{ref_head} {'DOM nodes':>9}  ok   "
          "heaviest elements (nodes)")
    worst = 0.0
    failures = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        shared = Server(db_file, log_dir / "streamlit-pages.log") if args.shared_server else None
        try:
            for path, _file in pages:
                server = shared or Server(db_file, log_dir / "streamlit-pages.log")
                if shared is None:
                    view(browser, server.base, WARM_UP, args.lang)
                try:
                    first, errors, nodes, heavy = view(browser, server.base, path, args.lang)
                    warm, errors2, _, _ = view(browser, server.base, path, args.lang)
                finally:
                    if shared is None:
                        server.stop()
                ref = ""
                if reference is not None:
                    ref_server = Server(reference, log_dir / "streamlit-pages-reference.log")
                    try:
                        view(browser, ref_server.base, WARM_UP, args.lang)
                        ref = f" {view(browser, ref_server.base, path, args.lang)[0]:>10.2f}"
                    finally:
                        ref_server.stop()
                ok = first < GOAL_SECONDS and not errors and not errors2
                failures += not ok
                worst = max(worst, first)
                note = "" if not (errors or errors2) else f" ({errors + errors2} exception boxes)"
                heaviest = ", ".join(f"{key} ({n:,})" for n, key in heavy)
                print(f"{path or 'overview':<18} {first:>12.2f} {warm:>12.2f}{ref} {nodes:>9,}  "
                      f"{'yes' if ok else 'NO ':<4} {heaviest}{note}", flush=True)
        finally:
            if shared is not None:
                shared.stop()
            browser.close()
    print(f"slowest first view: {worst:.2f} s (goal < {GOAL_SECONDS:.0f} s); pages over the goal or with "
          f"an exception: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
