"""The sales school's deal-level view (the default) on the made-up team of eight whose won deals
start at the design institute and are followed up within 4 days (tests/domain/test_school_deals):
the playbook reads as steps, most important first, in both languages; one rep is too few deals."""

from __future__ import annotations

import pytest
import streamlit as st

from salesmgmt import db
from tests.app import support
from tests.app.support import markdown_text, page_downloads
from tests.domain.test_school_deals import AS_OF, planted


@pytest.fixture
def team_env(tmp_path, monkeypatch):
    path = tmp_path / "deals.duckdb"
    with db.connect(path) as con:
        planted(con)
    monkeypatch.setenv("SALESMGMT_DB", str(path))
    monkeypatch.setenv("SALESMGMT_TODAY", AS_OF.isoformat())
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def steps_of(at) -> list[str]:
    shown = [m.value.replace("\\", "") for m in at.get("markdown")]
    return [text for text in shown if text.startswith(("1.", "2.", "3."))]


def test_the_playbook_reads_as_steps_most_important_first(team_env):
    at = support.open_page("pages/sales_school.py", "en", check=True)
    steps = steps_of(at)
    assert steps[0].startswith(
        "1. Visit the design institute first: 100% of won deals started there, 0% of lost deals"
    )
    assert steps[0].endswith("(difference +100 points, interval 100 to 100; clear)")
    assert steps[1].startswith(
        "2. Follow up the quote quickly: won deals were visited 4.0 days after the quote"
    )
    assert steps[1].endswith("14.0 for lost deals (difference -10.0, interval -10.0 to -10.0; clear)")
    assert len(steps) == 2, "the planted sameness (ride-alongs, parties, pace) is no step"
    assert any(
        "48 lost" not in c.value and "24 won and 24 lost deals of 8 reps" in c.value for c in at.caption
    )
    assert any("This rep's deals follow every step" in s.value for s in at.success)
    assert len(page_downloads(at)) == 2, "the playbook in Excel and printable"


def test_the_playbook_in_chinese(team_env):
    at = support.open_page("pages/sales_school.py", "zh", check=True)
    steps = steps_of(at)
    assert steps[0].startswith("1. 先拜访设计院：100%的赢单从设计院开始，输单为0%")
    assert "明确" in steps[0]


def test_two_top_performers_are_too_few_deals_and_the_rep_view_still_opens(team_env):
    at = support.open_page("pages/sales_school.py", "en", check=True, sd_against="others")
    assert any("Too few deals to tell: 6 against 18" in w.value for w in at.warning)
    assert steps_of(at) == [], "no verdict, no step"
    at = support.open_page("pages/sales_school.py", "zh", check=True, sd_against="others")
    assert any("商机太少" in w.value for w in at.warning)
    at.segmented_control(key="ss_level").set_value("rep").run()
    assert not at.exception
    assert "先拜访设计院" not in markdown_text(at)
