"""'Download PDF' in a real browser against `streamlit run dashboard.py` on the demo company: the
file is the page as the user sees it (its title, its filters and its figures) on A4, without the
sidebar or the button; every page prints; a signed-in manager's PDF is printed in their own scope
and its printing session is over once the file is made."""

# ruff: noqa: F811
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import layout, pdf
from salesmgmt import db
from salesmgmt.delivery import render
from salesmgmt.i18n import t
from salesmgmt.periods import Period
from tests.app.browser_support import chromium_or_skip, wait_for_app

# The browser suite's module fixtures: the same demo app and Chromium (arguments, hence F811).
from tests.app.test_browser import _start_app, browser, server  # noqa: F401

PAGES = [(entry[2], entry[1]) for entries in layout.PAGES.values() for entry in entries]
PERIOD, TEAM = "2026-10", "龙 Dragon"
#: A4 in PostScript points (210 x 297 mm), as Chromium writes it.
A4 = (595.9, 842.9)


def squeezed(text: str) -> str:
    """Text without white space, in NFKC: PDF text extraction puts spaces between Chinese
    characters and names some by their look-alike Kangxi radical (⾄ for 至)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def read_pdf(data: bytes) -> tuple[PdfReader, str]:
    """The PDF and its text, squeezed (see `squeezed`)."""
    reader = PdfReader(io.BytesIO(data))
    return reader, squeezed("\n".join(p.extract_text() for p in reader.pages))


def assert_a4(reader: PdfReader) -> None:
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4, abs=1), f"not A4 portrait: {size}"


def download_pdf(page, save_to: Path) -> bytes:
    """Click the sidebar's Download PDF and wait for the file (made on click: seconds)."""
    with page.expect_download(timeout=300_000) as event:
        page.locator(".st-key-pdf_download button").first.click()
    download = event.value
    target = save_to / download.suggested_filename
    download.save_as(target)
    return target.read_bytes()


@pytest.mark.parametrize(
    "path,title_key,lang",
    [
        ("", "page.overview", "en"),
        ("forecast", "page.forecast", "zh"),
        ("team-meeting", "page.team_meeting", "en"),
    ],
)
def test_download_pdf_gives_the_page_with_its_filters_and_figures_on_a4(
    server, browser, tmp_path, path, title_key, lang
):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page.goto(f"{server}/{path}?lang={lang}&period={PERIOD}&team={TEAM}")
        wait_for_app(page)
        figures = page.locator("[data-testid=stMetricValue]").all_inner_texts()
        assert len(figures) >= 2, "the page shows figures to find in its PDF"
        data = download_pdf(page, tmp_path)
    finally:
        page.close()
    assert (tmp_path / f"{path or 'overview'}-2026-11-27.pdf").exists(), "named after the page and the day"
    reader, text = read_pdf(data)
    assert_a4(reader)
    assert text.startswith(squeezed(t(title_key, lang))), text[:200]
    printed = t("pdf.printed", lang, when="2026-11-27", filters="").split(" · ")[0]
    assert squeezed(printed) in text, f"{printed!r}: the line saying when it was printed, and the filters"
    assert squeezed(Period.parse(PERIOD).label(lang)) in text and "Dragon" in text, "the filters are printed"
    for figure in figures[:4]:
        assert squeezed(figure) in text, f"the page's figure {figure!r} is in its PDF"
    for chrome in (t("pdf.download", lang), t("nav.module1", lang), t("filter.period_kind", lang)):
        assert squeezed(chrome) not in text, f"{chrome!r}: the sidebar is not printed"


@pytest.mark.parametrize("path,title_key", PAGES)
def test_every_page_prints_to_a_pdf_with_its_title(server, path, title_key):
    url = f"{server}/{path}?lang=en&period={PERIOD}&{pdf.PRINT_PARAM}=1"
    reader, text = read_pdf(render.url_to_pdf(url, ready_selector=pdf.READY, timeout_s=pdf.PRINT_TIMEOUT_S))
    assert_a4(reader)
    assert text.startswith(squeezed(t(title_key, "en"))), text[:200]
    assert squeezed(t("pdf.download", "en")) not in text


MANAGER, PASSWORD, MANAGER_TEAM = "wolf", "Grey-pack-leader-2026", "狼 Wolf"


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    chromium_or_skip()
    app, base, db_file = _start_app(
        tmp_path_factory.mktemp("pdf_guarded"),
        users=[([MANAGER, "--role", "manager", "--team", MANAGER_TEAM], PASSWORD)],
    )
    yield base, db_file
    app.stop()


def sessions_and_other_reps(db_file: Path) -> tuple[int, list[str]]:
    with db.connect(db_file, read_only=True) as con:
        sessions = int(db.scalar(con, "SELECT count(*) FROM sessions"))
        others = [
            r[0]
            for r in con.execute(
                "SELECT name FROM reps WHERE team <> ? ORDER BY name", [MANAGER_TEAM]
            ).fetchall()
        ]
    return sessions, others


def test_a_managers_pdf_is_printed_in_their_scope_and_its_session_ends(guarded_server, browser, tmp_path):
    base, db_file = guarded_server
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page.goto(f"{base}/rankings?lang=en&period={PERIOD}")
        wait_for_app(page)
        page.locator(".st-key-signin_user input").fill(MANAGER)
        page.locator(".st-key-signin_password input").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector(".st-key-pdf_download", timeout=30_000)
        page.goto(f"{base}/rankings?lang=en&period={PERIOD}")  # the cookie keeps the manager in
        wait_for_app(page)
        assert page.locator("h1").first.inner_text().strip() == "Rankings"
        sessions_before, others = sessions_and_other_reps(db_file)
        data = download_pdf(page, tmp_path)
    finally:
        page.close()
    _, text = read_pdf(data)
    assert text.startswith("Rankings")
    assert "Printedbywolfon" in text and "Wolf" in text
    assert len(others) > 20 and not [name for name in others if squeezed(name) in text]
    sessions_after, _ = sessions_and_other_reps(db_file)
    assert sessions_after == sessions_before == 1, "the printing session ended with the PDF"


def test_the_print_url_carries_the_filters_the_week_and_the_language_and_not_the_meeting_screen():
    state = {"f_period": "2026-10", "f_regions": ["East"], "f_teams": ["龙 Dragon"], "f_reps": [7, 9]}
    page_params = {"week": ["2026-10-19"], "present": ["1"], "team": ["虎 Tiger"], "lang": ["en"]}
    params = pdf.print_params(page_params, state, "zh")
    assert params == [
        ("week", "2026-10-19"),
        ("period", "2026-10"),
        ("region", "East"),
        ("team", "龙 Dragon"),
        ("rep", "7"),
        ("rep", "9"),
        ("lang", "zh"),
        ("print", "1"),
    ]
    url = pdf.print_url("team-meeting", params)
    assert url.startswith("http://127.0.0.1:8501/team-meeting?week=2026-10-19&period=2026-10&region=East")
    assert url.endswith("&rep=7&rep=9&lang=zh&print=1")
    assert pdf.file_name("", "2026-11-27") == "overview-2026-11-27.pdf"


def test_a_printed_pages_rep_ids_in_the_url_choose_the_reps_of_the_sidebar(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.app.support import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"lang": "en", "period": "2026-05", "rep": ["1", "x"]})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key="f_reps").value == [1], "rep 1 (张伟 Zhang); 'x' is no id and is left out"
    assert "Rep: 张伟 Zhang" in at.caption[0].value
