"""The weekly brief's content (issue 15), checked by hand on the tiny company (tests/tiny.py) as of
Sunday 31 May 2026, the week of 25-31 May, plus one win of the Tiger team in that week (王强 Wang,
30,000 at 西部业主 on 27 May) so that a Dragon brief has another team's names to leak.

Dragon in May: won 100,000 (O1 60,000 on 10 May, O2 40,000 on 20 May) against 300,000 (张伟
100,000 + 李娜 200,000): 33%. Behind on the plan that week: 李娜 (nothing won against 200,000
pro rata, the whole month gone; no visit that week) and 张伟 (no visit that week, only a call on
26 May; his 100,000 is on pace). 华东设计院, 张伟's key account, was last visited on 1 March:
91 days before 31 May, over the 60 days of "going cold"."""

from __future__ import annotations

from datetime import date

import pytest

from salesmgmt import auth
from salesmgmt.delivery.audience import Audience
from salesmgmt.delivery.brief import Brief, build
from salesmgmt.errors import SalesmgmtError
from salesmgmt.periods import Period
from tests import tiny

DAY = tiny.AS_OF
DRAGON_REPS = {name for _, name, team, *_ in tiny.REPS if team == "Dragon"}
LINK = "http://127.0.0.1:8501/team-meeting?team=Dragon"


@pytest.fixture
def con(tiny_con):
    tiny_con.execute(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, created_date,"
        " expected_close_date, close_date) VALUES ('T1', 3, 3, 'won', 'won', 30000, DATE '2026-04-01',"
        " DATE '2026-05-27', DATE '2026-05-27')"
    )
    return tiny_con


def brief(con, kind: str, key: str | None = None, lang: str = "en", day: date = DAY) -> Brief:
    return build(con, Audience.parse(kind, key), day, lang)


def figures(b: Brief, block: int = 0) -> dict[str, tuple[str, str]]:
    return {f.label: (f.value, f.note) for f in b.blocks[block].figures}


def section(b: Brief, key: str) -> list[str]:
    return next(s.lines for s in b.sections if s.key == key)


def test_a_teams_brief_shows_its_won_amount_against_its_target_checked_by_hand(con):
    b = brief(con, "team", "Dragon")
    assert b.title == "Weekly brief · Dragon"
    assert figures(b)["Won"] == ("CNY 100,000", "of target CNY 300,000")
    assert figures(b)["Attainment"][0] == "33%"
    assert "Chance of making target" in figures(b)  # the glossary's attainment_probability
    assert b.filters_text == "Team: Dragon · May 2026 and Q2 2026 so far · as of 2026-05-31"
    assert b.week_text == "Week of 2026-05-25 to 2026-05-31"


def test_the_brief_says_who_is_behind_on_the_plan_and_why_most_behind_first(con):
    assert section(brief(con, "team", "Dragon"), "behind") == [
        "李娜 Li: won behind the month's pace; visits below the norm this week "
        "(won CNY 0, pro-rata target CNY 200,000)",
        "张伟 Zhang: visits below the norm this week (won CNY 100,000, pro-rata target CNY 100,000)",
    ]


def test_a_key_account_unvisited_for_91_days_is_going_cold(con):
    assert section(brief(con, "team", "Dragon"), "cold") == [
        "华东设计院 (张伟 Zhang): 91 days ago, open pipeline CNY 50,000"
    ]


def test_the_weeks_wins_are_the_audiences_own(con):
    assert section(brief(con, "company"), "wins") == ["2026-05-27 王强 Wang: 西部业主, CNY 30,000"]
    assert section(brief(con, "team", "Tiger"), "wins") == ["2026-05-27 王强 Wang: 西部业主, CNY 30,000"]
    assert section(brief(con, "team", "Dragon"), "wins") == []


def test_a_teams_brief_never_names_another_teams_reps_or_clients(con):
    company = brief(con, "company")
    assert "王强 Wang" in company.rep_names() and "王强 Wang" in company.text()  # there is one to leak
    for lang in ("en", "zh"):
        b = brief(con, "team", "dragon", lang)
        assert b.rep_names() <= DRAGON_REPS
        assert b.team_names() == {"Dragon"}
        for shown in (b.text(), b.markdown(), b.html()):
            assert "王强" not in shown and "Wang" not in shown
            assert "西部业主" not in shown and "Tiger" not in shown


def test_in_chinese_money_is_in_wan_yuan(con):
    b = brief(con, "team", "Dragon", "zh")
    assert b.title == "销售周报 · Dragon"
    assert figures(b)["赢单"] == ("10.0 万元", "目标 30.0 万元")
    assert "华东设计院（张伟 Zhang）：91 天前，在途商机 5.0 万元" in section(b, "cold")
    assert "赢单：**10.0 万元**（目标 30.0 万元）" in b.markdown()


def test_a_users_audience_is_that_users_scope(con):
    auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    mine = brief(con, "user", "chen")
    assert figures(mine) == figures(brief(con, "team", "Dragon"))
    assert mine.rep_names() <= DRAGON_REPS


def test_a_team_outside_the_readers_scope_is_refused_and_their_own_is_not(con):
    auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    scope = auth.get_user(con, "chen").scope()
    with pytest.raises(SalesmgmtError, match="outside their scope"):
        Audience.parse("team", "Tiger").within(con, scope, "chen")
    with pytest.raises(SalesmgmtError, match="only a director may"):
        Audience.parse("company").within(con, scope, "chen")
    within = Audience.parse("team", "Dragon").within(con, scope, "chen")
    assert within.teams == ("Dragon",) and within.scope_teams == ("Dragon",)


def test_an_unknown_team_region_or_user_lists_the_valid_ones(con):
    with pytest.raises(SalesmgmtError, match=r"No team 'Lion'\. Teams: Dragon, Tiger\."):
        Audience.parse("team", "Lion").filters(con)
    with pytest.raises(SalesmgmtError, match=r"No region 'North'\. Regions: East, West\."):
        Audience.parse("region", "North").filters(con)
    auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    with pytest.raises(SalesmgmtError, match=r"'nobody' is not an active user\. Active users: chen\."):
        Audience.parse("user", "nobody").filters(con)
    with pytest.raises(SalesmgmtError, match="needs the team's name"):
        Audience.parse("team")
    with pytest.raises(SalesmgmtError, match="Kinds: team, region, company, user"):
        Audience.parse("planet", "Mars")


def test_a_long_list_is_cut_to_fit_4096_bytes_with_more_in_the_app_and_the_link(con):
    con.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, created_date,"
        " expected_close_date, close_date) VALUES (?, 1, 1, 'won', 'won', ?, DATE '2026-04-01', ?, ?)",
        [(f"W{i:03d}", 1_000 + i, date(2026, 5, 25 + i % 7), date(2026, 5, 25 + i % 7)) for i in range(120)],
    )
    for lang, more in (("en", "more in the app"), ("zh", "更多内容请在应用中查看")):
        b = brief(con, "team", "Dragon", lang)
        assert len(section(b, "wins")) == 120
        whole = b.text()
        assert whole.count("华东设计院") >= 120  # e-mail: every win
        md = b.markdown(link=LINK)
        assert len(md.encode("utf-8")) <= 4096 < len(b.markdown(max_bytes=100_000).encode("utf-8"))
        assert more in md and f"]({LINK})" in md
        shown = [line for line in md.splitlines() if line.startswith("- 2026-05-")]
        assert 0 < len(shown) < 120
        assert b.t("brief.more", n=120 - len(shown)) in md
        tiny_md = b.markdown(max_bytes=600, link=LINK)
        assert len(tiny_md.encode("utf-8")) <= 600 and tiny_md.endswith(f"]({LINK})")


# ------------------------------------------------------------------------------------------
# The first days of a month: 1 December 2026 is a Tuesday, so 1-13 December are the first days.
# Targets: 100,000 for 张伟 (Dragon) and 王强 (Tiger) in November and December: 200,000 a month.
# November: 张伟 won 20,000 on 2 November and 80,000 on 20 November, 100,000 in all (50%).

DEC = Period.parse("2026-12")


@pytest.fixture
def winter(tiny_con):
    tiny_con.executemany(
        "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)",
        [(m, "rep", key, 100_000) for m in (date(2026, 11, 1), DEC.start) for key in ("1", "3")],
    )
    tiny_con.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, created_date,"
        " expected_close_date, close_date) VALUES (?, 1, 1, 'won', 'won', ?, DATE '2026-10-01', ?, ?)",
        [
            ("N1", 20_000, date(2026, 11, 2), date(2026, 11, 2)),
            ("N2", 80_000, date(2026, 11, 20), date(2026, 11, 20)),
        ],
    )
    return tiny_con


def test_a_brief_on_the_1st_compares_nothing_and_shows_last_months_result_instead(winter):
    month = brief(winter, "company", day=date(2026, 12, 1)).blocks[0]
    assert month.notes == [
        "It is day 1 of Dec 2026: too early to judge the pace or to compare. "
        "Nov 2026 ended at CNY 100,000 won, 50% of its target CNY 200,000."
    ]
    assert "Same days" not in brief(winter, "company", day=date(2026, 12, 1)).text().split("Q4 2026")[0]


def test_after_the_first_complete_week_the_month_is_compared_with_the_same_days_before(winter):
    month = brief(winter, "company", day=date(2026, 12, 14)).blocks[0]
    assert month.notes == ["Same days last period (2026-11-01 – 2026-11-14): CNY 20,000 won; change -100%."]


def test_a_name_cannot_inject_a_link_or_markup_into_the_message(con):
    con.execute(
        "INSERT INTO clients (client_id, name, name_key, client_type, region, key_account, owner_rep_id)"
        " VALUES (9, '*Win* [here](http://x.example) <b>', 'x', 'owner', 'East', TRUE, 1)"
    )
    b = brief(con, "team", "Dragon")
    md = b.markdown(link=LINK)
    assert "＊Win＊ ［here］(http://x.example) ＜b＞" in md and "](http://x.example)" not in md
    assert "*Win* [here](http://x.example) &lt;b&gt;" in b.html()  # escaped as HTML, not markdown


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from salesmgmt import db
    from salesmgmt.demo import generate_demo

    path = tmp_path_factory.mktemp("brief") / "demo.duckdb"
    with db.connect(path) as con:
        generate_demo(con, as_of=date(2026, 12, 3), seed=7)
    return path


def test_on_the_demo_company_each_teams_brief_names_only_its_own_reps(demo):
    from salesmgmt import db

    with db.connect(demo, read_only=True) as con:
        reps = con.execute("SELECT name, team FROM reps WHERE team IS NOT NULL").fetchall()
        teams = sorted({team for _, team in reps})
        assert len(teams) == 4
        for team in teams:
            for lang in ("zh", "en"):
                b = build(con, Audience.parse("team", team), date(2026, 12, 3), lang)
                own = {name for name, t in reps if t == team}
                others = {name for name, t in reps if t != team}
                assert b.team_names() == {team} and b.rep_names() and b.rep_names() <= own
                shown = b.text() + b.markdown() + b.html()
                assert not [name for name in others if name in shown]
                assert not [other for other in teams if other != team and other in shown]


def test_the_forecast_call_line_says_how_many_below_have_called(con):
    assert brief(con, "team", "Dragon").call == [
        "Dragon: no call this week yet; computed forecast CNY 220,000. 0 of 2 sales engineers have called."
    ]
    assert brief(con, "company").call[0].endswith(" 0 of 2 regions have called.")


def test_the_brief_shows_the_call_the_manager_made_that_week(con):
    from salesmgmt.metrics import call_records

    chen = auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    li = auth.add_user(con, "li", "rep", "pw", rep="李娜 Li")
    for user, level, name, commit, best in (
        (chen, "team", "Dragon", 250_000, 300_000),
        (li, "rep", "李娜 Li", 90_000, 120_000),
    ):
        unit = call_records.resolve_unit(con, level, name)
        call_records.submit_call(con, user, "2026-05", unit, commit, best, week=DAY, today=DAY)
    assert brief(con, "team", "Dragon").call == [
        "Dragon: commit CNY 250,000, best case CNY 300,000; computed forecast CNY 220,000. "
        "1 of 2 sales engineers have called."
    ]
