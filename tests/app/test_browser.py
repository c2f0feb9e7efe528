"""The real app in a real browser: start `streamlit run dashboard.py` on a temporary demo
database, open every page in both languages with Debian's Chromium, and fail on any exception
element. Locally the test skips when Chromium is missing; in CI (CI=true) it must run.

Set SALESMGMT_SCREENSHOTS=DIR to keep a full-page screenshot of each page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import layout
from tests.app.browser_support import CHROMIUM, CHROMIUM_ARGS, Streamlit, chromium_or_skip, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-27"
PAGES = [(entry[2], entry[1]) for entries in layout.PAGES.values() for entry in entries]


def _start_app(tmp: Path, users: list[tuple[list[str], str]] = ()):
    """Generate the demo into a fresh database, add `users` (CLI args, password), start the app."""
    db_file = tmp / "demo.duckdb"
    env = {**os.environ, "SALESMGMT_DB": str(db_file), "SALESMGMT_TODAY": AS_OF}
    subprocess.run(
        [sys.executable, "-m", "salesmgmt", "demo", "--db", str(db_file), "--as-of", AS_OF, "--seed", "7"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    for args, password in users:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "salesmgmt",
                "users",
                "add",
                *args,
                "--password-stdin",
                "--db",
                str(db_file),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            input=password + "\n",
            text=True,
        )
    try:
        app = Streamlit(db_file, AS_OF, tmp / "streamlit.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return app, app.base, db_file


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    proc, base, _ = _start_app(tmp_path_factory.mktemp("browser"))
    yield base
    proc.stop()


@pytest.fixture(scope="module")
def browser():
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, base: str, path: str, lang: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page.goto(f"{base}/{path}?lang={lang}")
    wait_for_app(page)
    return page


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path,title_key", PAGES)
def test_every_page_renders_in_a_real_browser(server, browser, path, title_key, lang):
    page = open_page(browser, server, path, lang)
    try:
        errors = page.locator("[data-testid=stException]")
        assert errors.count() == 0, errors.first.inner_text()
        from salesmgmt.i18n import t

        assert page.locator("h1").first.inner_text().strip() == t(title_key, lang)
        assert page.locator(".st-key-f_period").count() == 1, "the page runs inside the frame"
        shots = os.environ.get("SALESMGMT_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{path or 'overview'}-{lang}.png"), full_page=True)
    finally:
        page.close()


def test_the_overview_draws_its_charts_with_chinese_text(server, browser):
    page = open_page(browser, server, "", "zh")
    try:
        page.wait_for_selector(".st-key-ov_trend .main-svg", timeout=20_000)
        titles = page.locator(".st-key-ov_trend .gtitle").all_text_contents()
        assert any("每月赢单与目标" in text for text in titles)
        bars = page.locator(".st-key-ov_teams .point")
        assert bars.count() > 0, "the team chart has bars"
    finally:
        page.close()


def test_the_language_switch_in_the_sidebar_changes_the_page(server, browser):
    page = open_page(browser, server, "", "en")
    try:
        assert page.locator("h1").first.inner_text().strip() == "Overview"
        page.locator(".st-key-lang_switch button", has_text="中文").click()
        page.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').innerText.includes('总览')",
            timeout=20_000,
        )
        assert "lang=zh" in page.url
    finally:
        page.close()


MANAGER_TEAM = "虎 Tiger"


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    """The app once users exist: a manager of one team signs in."""
    chromium_or_skip()
    proc, base, db_file = _start_app(
        tmp_path_factory.mktemp("guarded"),
        users=[(["tiger", "--role", "manager", "--team", MANAGER_TEAM], "Striped-cat-2026")],
    )
    yield base, db_file
    proc.stop()


def _other_teams_reps(db_file: Path) -> list[str]:
    from salesmgmt import db

    with db.connect(db_file, read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "SELECT name FROM reps WHERE team IS NOT NULL AND team <> ? ORDER BY name", [MANAGER_TEAM]
            ).fetchall()
        ]


def test_a_team_manager_signs_in_and_finds_no_other_teams_rep_on_any_page(guarded_server, browser):
    base, db_file = guarded_server
    others = _other_teams_reps(db_file)
    assert len(others) > 20
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/?lang=en")
        wait_for_app(page)
        assert page.locator("h1").first.inner_text().strip() == "Sign in"
        assert page.locator("[data-testid=stMetric]").count() == 0, "no data before sign-in"
        page.locator(".st-key-signin_user input").fill("tiger")
        page.locator(".st-key-signin_password input").fill("Striped-cat-2026")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
        wait_for_app(page)
        for path, _title_key in PAGES:
            page.goto(f"{base}/{path}?lang=en")
            wait_for_app(page)
            assert page.locator("h1").first.inner_text().strip() != "Sign in", (
                f"/{path}: the session cookie keeps the manager signed in"
            )
            assert page.locator("[data-testid=stException]").count() == 0, path
            text = page.locator("[data-testid=stApp]").inner_text()
            leaked = [name for name in others if name in text]
            assert not leaked, f"/{path} shows reps of other teams: {leaked[:5]}"
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').innerText.includes('Sign in')",
            timeout=20_000,
        )
        page.reload()
        wait_for_app(page)
        assert page.locator("h1").first.inner_text().strip() == "Sign in", "signed out for good"
    finally:
        page.close()


def test_a_direct_link_is_the_first_request_of_a_fresh_server(tmp_path_factory, browser):
    """Streamlit would treat pages/ as its legacy multipage folder on a fresh server's first run;
    the link must still open the right page inside the frame."""
    proc, base, _ = _start_app(tmp_path_factory.mktemp("fresh"))
    try:
        page = open_page(browser, base, "forecast", "en")
        page.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').innerText.includes('Forecast')",
            timeout=30_000,
        )
        wait_for_app(page)
        assert page.locator(".st-key-f_period").count() == 1
        assert "/forecast" in page.url and "lang=en" in page.url
        page.close()
    finally:
        proc.stop()
