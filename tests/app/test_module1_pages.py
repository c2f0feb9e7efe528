"""Module 1's pages on the tiny company (May 2026, as of May 31) through Streamlit's AppTest: the
figures they show are the hand-checked ones, and the monthly plan saves and signs through the
page."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.metrics import plan_document, plans
from salesmgmt.periods import Period
from tests import tiny
from tests.app import support
from tests.app.support import metrics, page_downloads

MAY = Period.parse("2026-05")


def open_page(page: str, lang: str, **state) -> AppTest:
    """A page of May 2026 unless told otherwise, with no exception."""
    return support.open_page(page, lang, check=True, **{"f_period": "2026-05", **state})


def table(at: AppTest, first_column: str, nth: int = 0):
    """The `nth` table whose first column is `first_column` (st.dataframe has no key in AppTest)."""
    found = [d.value for d in at.dataframe if list(d.value.columns)[:1] == [first_column]]
    return found[nth]


def test_the_forecast_page_shows_won_commit_and_target(app_env):
    at = open_page("pages/forecast.py", "en")
    values = metrics(at)
    assert values["Won (CNY)"] == "100,000"
    assert values["Commit (CNY)"] == "200,000"  # 100,000 won + Li's O5 (100,000 at 80%)
    assert values["Target (CNY)"] == "450,000"
    assert values["Gap (CNY)"] == "350,000"
    teams = table(at, "team")
    assert list(teams["team"]) == ["Dragon", "Tiger"]
    assert len(page_downloads(at)) == 1, "the scorecard downloads from the page"
    zh = open_page("pages/forecast.py", "zh")
    assert metrics(zh)["已赢单（万元）"] == "10.0"


def test_the_forecast_page_lists_the_deals_behind_a_movement(app_env):
    at = open_page("pages/forecast.py", "en", fc_from=date(2026, 5, 1), fc_to=date(2026, 5, 31))
    deals = table(at, "opportunity")
    # O9 was created on May 2: the only change, under "new" (the first bar, shown first).
    assert list(deals["opportunity"]) == ["O9"]
    assert list(deals["change"]) == [100_000]


def test_the_monthly_plan_shows_the_report_and_actions_when_the_chance_is_low(app_env):
    at = open_page("pages/monthly_plan.py", "en", mp_rep=2)
    values = metrics(at)
    assert values["Chance to make it"] == "8%"
    assert values["Target (CNY)"] == "200,000"
    text = " ".join(w.value for w in at.warning)
    assert "The chance of making the month is low (8%)" in text
    actions = [m.value for m in at.markdown if m.value[:2] in ("1.", "2.", "3.")]
    assert len(actions) == 3
    assert actions[0].startswith("1. Advance “O9” at 江苏钢构")
    deals = table(at, "opportunity")
    assert len(deals) == 2


def test_the_plan_is_saved_and_signed_from_the_page(app_env):
    at = open_page("pages/monthly_plan.py", "zh", mp_rep=2)
    at.text_area(key="mp_commit_2_2026-05_0").input("5月25日前签下O5")
    at.button(key="mp_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with db.connect(app_env) as con:
        plan = plans.plan_detail(con, 2, MAY, Filters(), tiny.AS_OF)
    assert plan["revision"] == 1 and plan["commitments"] == "5月25日前签下O5"
    assert plan["saved_on"] == tiny.AS_OF
    assert plan["remedial_actions"].startswith("1. 推进"), "the page proposes the actions"

    at = open_page("pages/monthly_plan.py", "zh", mp_rep=2)
    assert at.text_input(key="mp_signer_rep_2_2026-05_1").value == "李娜 Li"
    at.button(key="mp_sign_button_rep").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with db.connect(app_env) as con:
        plan = plans.plan_detail(con, 2, MAY, Filters(), tiny.AS_OF)
    assert plan["rep_signed_by"] == "李娜 Li" and plan["manager_signed_by"] is None
    at = open_page("pages/monthly_plan.py", "zh", mp_rep=2)
    signed = " ".join(m.value for m in at.markdown)
    assert "李娜 Li 签字" in signed


def test_the_action_review_lists_engineers_below_the_norm(app_env):
    at = open_page("pages/action_review.py", "en", ar_streak=4)
    below = table(at, "rep")
    assert list(below["rep"]) == ["王强 Wang"], "no visit in any of May's four weeks"
    values = metrics(at)
    assert values["Client visits"] == "12"


def test_the_regional_review_shows_each_region_against_its_target(app_env):
    at = open_page("pages/regional_review.py", "en")
    regions = table(at, "region").set_index("region")
    assert regions.loc["East", "target"] == 300_000 and regions.loc["West", "target"] == 150_000
    assert round(regions.loc["East", "attainment"], 4) == 33.3333  # percent, shown as 33%
    assert regions.loc["East", "growth_prev"] == 100  # vs April's 50,000
    reps = table(at, "rep")
    assert set(reps["rep"]) <= {"张伟 Zhang", "李娜 Li", "陈总 Chen"}
    assert len(page_downloads(at)) == 1


def test_no_export_file_is_built_while_a_page_runs_only_when_its_button_is_clicked(app_env, monkeypatch):
    from salesmgmt import scorecard

    def not_now(*args, **kwargs):
        raise AssertionError("an export file was built on a page run")

    monkeypatch.setattr(scorecard, "export", not_now)
    monkeypatch.setattr(plan_document, "export_file", not_now)
    for page, state in (
        ("pages/forecast.py", {}),
        ("pages/regional_review.py", {}),
        ("pages/monthly_plan.py", {"mp_rep": 2}),
    ):
        at = open_page(page, "en", **state)
        assert len(page_downloads(at)) >= 1, page


def test_a_large_selection_charts_teams_or_the_strongest_and_weakest_with_a_caption(app_env, monkeypatch):
    from app import blocks as pageparts
    from app.charts import heatmaps

    # As if two were already too many rows for a chart (the large company has 1,092 engineers).
    monkeypatch.setattr(heatmaps, "MAX_ROWS", 2)
    monkeypatch.setattr(pageparts, "CHART_ROWS", 2)
    monkeypatch.setattr(pageparts, "CHART_ENDS", 1)
    at = open_page("pages/action_review.py", "en")
    captions = " ".join(c.value for c in at.caption)
    assert (
        "3 engineers in this selection: each row is a team, each cell its engineers' average visits that week"
    ) in captions
    # Visits followed by progress: Zhang, Li and Wang visited; the best and the worst are shown.
    assert "Showing the 1 strongest and 1 weakest of 3 engineers" in captions
    zh = open_page("pages/action_review.py", "zh")
    assert "当前筛选共 3 名工程师：每行是一个团队" in " ".join(c.value for c in zh.caption)

    monkeypatch.setattr(pageparts, "CHART_ROWS", 1)
    at = open_page("pages/forecast.py", "en")
    assert "Showing the 1 strongest and 1 weakest of 2 teams" in " ".join(c.value for c in at.caption)
    assert list(table(at, "team")["team"]) == ["Dragon", "Tiger"], "the table keeps every team"
