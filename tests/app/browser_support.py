"""What the browser tests (and bench/pages.py) share: Debian's Chromium, a free port,
`streamlit run dashboard.py` on a database, and the rule for "the page has finished"."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from salesmgmt.delivery import render

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SALESMGMT_CHROMIUM", "/usr/bin/chromium")
#: Chromium without a sandbox (root in CI), a GPU or any network of its own: the renderer's.
CHROMIUM_ARGS = render.CHROMIUM_ARGS


def chromium_or_skip() -> None:
    """Skip locally without Chromium; in CI (CI=true) its absence is a failure."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing: apt-get install chromium")
    pytest.skip(
        f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk to run the browser tests"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Streamlit:
    """`streamlit run dashboard.py` on `db_file` (as of `as_of`), until stopped."""

    def __init__(self, db_file: Path, as_of: str, log_file: Path, port: int | None = None) -> None:
        env = {**os.environ, "SALESMGMT_DB": str(db_file), "SALESMGMT_TODAY": as_of}
        self.port = port or free_port()
        self.log_file = Path(log_file)
        self.log = open(self.log_file, "w")  # noqa: SIM115 - open while the server runs; closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(self.base + "/_stcore/health", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not start: " + self.log_file.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def wait_for_app(page, timeout_ms: int = 30_000) -> None:
    """Until the script has finished and no skeleton is left (checked twice, 0.3 s apart)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
    page.wait_for_function("!document.querySelector('[data-testid=stSkeleton]')", timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
