"""Names that look like markup (a link, a huge span, an entity, a line break) or carry bidi controls
are drawn as written on every page: never a link, never a style, never reordered text (issue 18,
findings 9 and 16)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest
import streamlit as st

from app import layout
from app.charts import theme
from tests.app.browser_support import CHROMIUM, CHROMIUM_ARGS, Streamlit, chromium_or_skip, wait_for_app
from tests.app.support import open_page

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-27"

LINK = '<a href="http://evil.example/">x</a>'
BIG = '<span style="font-size:300px">big</span>'
ENTITY = "&lt;"
BREAK = "<br>"
HOSTILE = [LINK, BIG, ENTITY, BREAK]


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def hostile_database(path: Path) -> Path:
    """The demo company (seed 7) where reps, a team, a region, products, clients, a lost reason and
    deals carry hostile names."""
    subprocess.run(
        [sys.executable, "-m", "salesmgmt", "demo", "--db", str(path), "--as-of", AS_OF, "--seed", "7"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    import duckdb

    con = duckdb.connect(str(path))
    try:
        reps = [
            r
            for (r,) in con.execute(
                "SELECT rep_id FROM reps WHERE team = '龙 Dragon' ORDER BY rep_id"
            ).fetchall()
        ]
        for rep_id, name in zip(reps, HOSTILE):
            con.execute("UPDATE reps SET name = ? WHERE rep_id = ?", [f"{name} {rep_id}", rep_id])
        team = '<a href="http://evil.example/">Tiger</a>'
        con.execute("UPDATE reps SET team = ? WHERE team = '虎 Tiger'", [team])
        con.execute(
            "UPDATE targets SET scope_key = ? WHERE scope_kind = 'team' AND scope_key = '虎 Tiger'", [team]
        )
        region = '<span style="font-size:300px">Shanghai</span>'
        for table in ("reps", "clients"):
            con.execute(f"UPDATE {table} SET region = ? WHERE region = '上海 Shanghai'", [region])
        con.execute(
            "UPDATE targets SET scope_key = ? WHERE scope_kind = 'region' AND scope_key = '上海 Shanghai'",
            [region],
        )
        for old, new in (("采光板 Daylighting panel", LINK), ("采光天窗 Skylight", BIG)):
            for table in ("opportunities", "opportunity_history"):
                con.execute(f"UPDATE {table} SET product = ? WHERE product = ?", [new, old])
        con.execute("UPDATE opportunities SET lost_reason = ? WHERE lost_reason = '价格偏高'", [BIG])
        con.execute(
            "UPDATE clients SET name = CASE client_id % 4 WHEN 0 THEN ? WHEN 1 THEN ? WHEN 2 THEN ? ELSE ? END"
            " || ' ' || client_id",
            HOSTILE,
        )
        con.execute("UPDATE opportunities SET name = ? || ' ' || opp_id", [LINK])
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return hostile_database(tmp_path_factory.mktemp("hostile") / "hostile.duckdb")


def strings_of(value) -> list[str]:
    """Every string of a figure's JSON (the plotly template left out: plotly's, not ours)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "template" for s in strings_of(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings_of(v)]
    return []


#: What plotly reads as markup where a hostile name was not escaped: its link, its span, the
#: entity '&lt;' or the break '<br>' of a name (each name is followed by a space and an id).
RAW = re.compile(r"<a|<span|&lt; |<br> ", re.IGNORECASE)


def raw_markup(texts: list[str]) -> list[str]:
    """The texts in which plotly would read a tag or an entity from the data."""
    return [s for s in texts if RAW.search(s)]


def test_the_chart_theme_escapes_every_text_of_a_figure_and_keeps_the_builders_line_breaks():
    fig = go.Figure()
    fig.add_bar(
        x=[LINK, BIG],
        y=[1, 2],
        name=BIG,
        text=[ENTITY, BREAK],
        hovertext=[LINK, LINK],
        customdata=[[LINK, 1], [BIG, 2]],
        hovertemplate="%{x}<br>%{customdata[0]}<extra></extra>",
    )
    fig.add_scatter(x=[1], y=[LINK], text=[f"{LINK}{theme.BR}{BIG}"], mode="markers+text")
    fig.add_annotation(text=LINK, x=0, y=0)
    fig.update_layout(
        title=f"Team {BIG}",
        legend_title_text=LINK,
        xaxis=dict(title=LINK, categoryarray=[LINK, BIG]),
        yaxis=dict(tickvals=[0], ticktext=[BIG]),
    )
    styled = theme.style_figure(fig).to_dict()
    texts = strings_of(styled)
    assert raw_markup(texts) == []
    assert styled["data"][0]["x"] == [escaped(LINK), escaped(BIG)]
    assert styled["data"][0]["name"] == escaped(BIG)
    assert list(styled["data"][0]["text"]) == [escaped(ENTITY), escaped(BREAK)], "'&lt;' shows as '&lt;'"
    assert styled["data"][0]["customdata"][0][0] == escaped(LINK)
    assert styled["data"][0]["hovertemplate"] == "%{x}<br>%{customdata[0]}<extra></extra>", "ours, kept"
    assert styled["data"][1]["text"] == [f"{escaped(LINK)}<br>{escaped(BIG)}"], "our break is a break"
    assert styled["layout"]["title"]["text"] == f"Team {escaped(BIG)}"
    assert styled["layout"]["annotations"][0]["text"] == escaped(LINK)
    assert styled["layout"]["legend"]["title"]["text"] == escaped(LINK)
    assert styled["layout"]["yaxis"]["ticktext"] == [escaped(BIG)]
    assert styled["layout"]["xaxis"]["categoryarray"] == [escaped(LINK), escaped(BIG)]
    assert theme.style_figure(fig).to_dict()["data"][0]["x"] == [escaped(LINK), escaped(BIG)], "once only"


def charts_of_page(path: str) -> list[dict]:
    at = open_page(path, "en", check=True)
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


CHART_PAGES = [entry[0] for entries in layout.PAGES.values() for entry in entries if "import" not in entry[0]]


def test_no_chart_on_any_page_reads_a_name_as_markup(hostile_db, monkeypatch):
    monkeypatch.setenv("SALESMGMT_DB", str(hostile_db))
    monkeypatch.setenv("SALESMGMT_TODAY", AS_OF)
    shown: list[str] = []
    for path in CHART_PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        texts = [s for spec in charts_of_page(path) for s in strings_of(spec)]
        assert raw_markup(texts) == [], path
        shown += texts
    every = " ".join(shown)
    for name in HOSTILE:
        assert escaped(name) in every, f"{name} is drawn, as written"


BROWSER_PAGES = ["action-review", "products", "coaching", "operations", "rankings"]

#: Elements drawn at the hostile span's size, anywhere on the page.
HUGE = "[...document.querySelectorAll('*')].filter(e => getComputedStyle(e).fontSize === '300px').length"


@pytest.fixture(scope="module")
def hostile_server(hostile_db, tmp_path_factory):
    chromium_or_skip()
    app = Streamlit(hostile_db, AS_OF, tmp_path_factory.mktemp("hostile_log") / "streamlit.log")
    yield app.base
    app.stop()


@pytest.mark.parametrize("path", BROWSER_PAGES)
def test_in_a_real_browser_no_chart_turns_a_name_into_a_link_or_a_huge_text(hostile_server, path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
            page.goto(f"{hostile_server}/{path}?lang=en")
            wait_for_app(page)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            assert page.locator("[data-testid=stException]").count() == 0
            assert page.locator('.js-plotly-plot a[href*="evil.example"]').count() == 0
            assert page.evaluate(HUGE) == 0
        finally:
            browser.close()


SPOOF = "Zhang\u202eexe.gpj"  # displays as 'Zhangjpg.exe' where the override works
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def test_bidi_controls_in_a_name_are_shown_not_obeyed_in_markdown():
    from app.formats import md

    assert md(SPOOF) == "Zhang\ufffdexe\\.gpj"
    assert md("A\u2066B\u2069C\u200fD") == "A\ufffdB\ufffdC\ufffdD"


def test_bidi_controls_in_a_name_are_shown_not_obeyed_in_tables_and_charts(app_env):
    import duckdb

    con = duckdb.connect(str(app_env))
    con.execute("UPDATE reps SET name = ? WHERE rep_id = 1", [SPOOF])
    con.close()
    at = open_page("pages/action_review.py", "en", check=True)
    cells = [
        v
        for frame in at.dataframe
        for col in frame.value.columns
        for v in frame.value[col]
        if isinstance(v, str)
    ]
    charts = [s for e in at.get("plotly_chart") for s in strings_of(json.loads(e.proto.spec))]
    assert "Zhang\ufffdexe.gpj" in cells and any("Zhang\ufffdexe.gpj" in c for c in charts)
    assert [c for c in cells + charts if BIDI.search(c)] == []
