"""Module 3's pages on the tiny company (AppTest): what each shows, and presentation mode
(`?present=1`: one section at a time, rotating on a timer)."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from salesmgmt.i18n import t
from tests.app import support
from tests.app.support import ROOT, markdown_text, page_downloads
from tests.app.support import table_with as table


def open_page(page: str, lang: str, present: bool = False, **state) -> AppTest:
    return support.open_page(page, lang, present=present, check=True, **state)


def test_rankings_show_both_teams_and_the_first_design_institute_deal(app_env):
    at = open_page("pages/rankings.py", "zh", f_period="2026-05")
    teams = table(at, "team", "composite")
    assert list(teams["team"]) == ["Dragon", "Tiger"]
    assert "华东设计院" in markdown_text(at), "Zhang's first deal with the design institute"
    assert [s.value for s in at.subheader] == ["团队之间", "团队内销售之间", "表彰"]


def test_the_team_meeting_shows_the_weeks_win_and_its_case(app_env):
    at = open_page(
        "pages/team_meeting.py", "en", f_period="2026-05", tm_team="Dragon", tm_day=date(2026, 5, 20)
    )
    assert {m.label: m.value for m in at.metric}["Deals won"] == "1"
    wins = table(at, "client", "cycle_days")
    assert list(wins["client"]) == ["江苏钢构"]
    assert "张伟 Zhang" in markdown_text(at), "the case names who won it"
    behind = table(at, "rep", "why")
    assert "李娜 Li" in list(behind["rep"])


def test_the_manager_meeting_escalates_the_teams_behind(app_env):
    at = open_page("pages/manager_meeting.py", "en", f_period="2026-05")
    assert list(table(at, "team", "key_account_coverage")["team"]) == ["Dragon", "Tiger"]
    assert "Teams behind target" not in markdown_text(at), "only the open tab runs"
    at = open_page("pages/manager_meeting.py", "en", f_period="2026-05", mm_tab=t("mm.section.issues", "en"))
    assert "Teams behind target" in markdown_text(at)
    assert not at.get("plotly_chart"), "the teams' chart is another tab's"


def test_every_tab_of_the_manager_meeting_renders_in_both_languages(app_env):
    for lang in ("zh", "en"):
        for section in ("teams", "trends", "practices", "issues"):
            at = open_page(
                "pages/manager_meeting.py", lang, f_period="2026-05", mm_tab=t(f"mm.section.{section}", lang)
            )
            assert not at.exception, (lang, section)


def test_the_sales_school_refuses_to_compare_three_reps(app_env):
    at = open_page("pages/sales_school.py", "zh", ss_level="rep")
    assert any("人数太少" in w.value for w in at.warning)


def test_the_field_meeting_shows_a_clients_chain(app_env):
    at = open_page("pages/field_meeting.py", "en", fm_kind="client", fm_client=1)
    text = markdown_text(at)
    assert "华东设计院" in text
    assert table(at, "client", "expected_close_date")["client"].tolist().count("华东设计院") == 3


def test_presentation_mode_shows_one_section_at_a_time(app_env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in {
        "lang": "en",
        "present": "1",
        "team": "Dragon",
        "week": "2026-05-20",
        "period": "2026-05",
    }.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/team_meeting.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [s.value for s in at.subheader] == ["Wins of the week"]
    assert any("1 / 4" in c.value for c in at.caption)
    assert {m.label: m.value for m in at.metric}["Deals won"] == "1", "team and week from the URL"
    assert not page_downloads(at), "no download on the meeting screen"


def test_the_field_meeting_finds_a_client_by_part_of_its_name(app_env):
    at = open_page("pages/field_meeting.py", "en", fm_kind="client")
    assert any("most relevant of 3 clients" in c.value for c in at.caption)
    at.text_input(key="fm_search").input("钢构").run()
    assert not at.exception
    assert at.selectbox(key="fm_client").options == ["江苏钢构 · Steel-structure company"]
    assert any("Clients matching “钢构”: 1; 1 shown" in c.value for c in at.caption)
    at.text_input(key="fm_search").input("nothing like it").run()
    assert any("No client in this selection matches" in i.value for i in at.info)


def test_a_trend_of_a_hundred_teams_draws_the_five_highest_and_lowest():
    import pandas as pd

    from salesmgmt.metrics import meetings

    months = [date(2026, 4, 1), date(2026, 5, 1)]
    few = pd.DataFrame(
        {"team": ["A", "A", "B", "B"], "month": months * 2, "attainment": [0.5, 0.9, 1.2, 0.4]}
    )
    drawn, total = meetings.trend_ends(few)
    assert (drawn is few, total) == (True, 2), "two teams: both drawn"
    # Twenty teams T00..T19; in May team Tk is at k x 10% (T00 has no target: no attainment).
    many = pd.DataFrame(
        {
            "team": [f"T{k:02d}" for k in range(20) for _ in months],
            "month": months * 20,
            "attainment": [v for k in range(20) for v in (1.0, k / 10 or None)],
        }
    )
    drawn, total = meetings.trend_ends(many)
    assert total == 20
    assert sorted(drawn["team"].unique()) == [
        "T01",
        "T02",
        "T03",
        "T04",
        "T05",
        "T15",
        "T16",
        "T17",
        "T18",
        "T19",
    ]
    assert len(drawn) == 20, "both months of each team drawn"


def test_the_school_spread_draws_a_dot_per_rep_only_for_a_readable_number():
    import pandas as pd

    from app.charts import module3 as charts

    def reps(n):
        return pd.DataFrame(
            {
                "rep": [f"R{i}" for i in range(n)],
                "top": [i < n / 4 for i in range(n)],
                "visits_per_week": [float(i % 7) for i in range(n)],
            }
        )

    labels = {"title": "t", "top": "top", "rest": "rest"}
    assert {b.boxpoints for b in charts.school_spread(reps(40), "visits_per_week", labels).data} == {"all"}
    assert {b.boxpoints for b in charts.school_spread(reps(1_100), "visits_per_week", labels).data} == {
        "outliers"
    }
