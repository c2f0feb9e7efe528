"""The Pipeline inspection page through AppTest, on the hand-checked history of
tests/inspection_history.py (June 2026 on June 15 against June 8), in both languages."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from salesmgmt import db
from tests import inspection_history as history
from tests.app import support
from tests.app.support import metrics, page_downloads


@pytest.fixture
def tiny_db(tmp_path):
    """The database app_env serves: here the tiny company with the inspection's history."""
    path = tmp_path / "inspection.duckdb"
    with db.connect(path) as con:
        history.load(con)
    return path


@pytest.fixture
def inspection_env(app_env, monkeypatch):
    """The app on that database, on June 15."""
    monkeypatch.setenv("SALESMGMT_TODAY", history.AS_OF.isoformat())
    return app_env


def open_page(lang: str, **state) -> AppTest:
    return support.open_page("pages/inspection.py", lang, check=True, **{"f_period": history.PERIOD, **state})


def test_the_page_counts_each_flag_and_lists_every_deal_in_english(inspection_env):
    at = open_page("en")
    values = metrics(at)
    assert values["Pushed"] == "2"  # S1, D1
    assert values["No recent visit"] == "3"  # D1, O8, X1
    assert values["Won"] == "1" and values["New"] == "1" and values["Pulled in"] == "1"
    assert values["Stalled"] == "2" and values["Overdue"] == "2"
    assert len(values) == 12
    table = support.table_with(at, "opportunity", "flags", "amount")
    assert list(table["opportunity"])[:3] == ["Deal P1", "Deal W1", "Deal S1"]
    assert table["flags"].iloc[0] == "Pulled in, Stage back"
    assert len(table) == 10
    assert at.subheader[0].value == "What changed since 2026-06-08"
    assert len(page_downloads(at)) == 1


def test_the_page_in_chinese_shows_money_in_wan(inspection_env):
    at = open_page("zh")
    assert at.title[0].value == "商机巡检"
    assert metrics(at)["推迟"] == "2"
    captions = " ".join(c.value for c in at.caption)
    assert "10.0 万元" in captions  # S1 60,000 + D1 40,000 pushed
    table = support.table_with(at, "opportunity", "flags", "amount")
    assert table["flags"].iloc[0] == "提前、阶段倒退"
    assert table["amount"].iloc[0] == 8.0  # P1 80,000 in 万元


def test_choosing_flags_keeps_the_deals_with_any_of_them(inspection_env):
    at = open_page("en", ins_flags=["won", "lost"])
    table = support.table_with(at, "opportunity", "flags")
    assert list(table["opportunity"]) == ["Deal W1", "Deal L1"]


def test_an_earlier_day_changes_what_counts_as_new(inspection_env):
    # On May 31 neither N1 nor any other June state existed: N1 is still the only new deal,
    # and D1's amount fell from 50,000 then as now.
    at = open_page("en", ins_since=date(2026, 5, 31))
    assert at.subheader[0].value == "What changed since 2026-05-31"
    assert metrics(at)["Amount down"] == "1"


def test_a_flag_no_deal_has_says_so(inspection_env):
    at = open_page("en", f_reps=[3], ins_flags=["won"])
    assert any("No deal of the period has these flags" in i.value for i in at.info)


def test_a_period_without_deals_shows_the_empty_state_in_both_languages(inspection_env):
    at = open_page("en", f_period="2025-01")
    assert any("nothing to inspect" in i.value for i in at.info)
    zh = open_page("zh", f_period="2025-01")
    assert any("无需巡检" in i.value for i in zh.info)
