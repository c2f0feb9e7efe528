"""The meetings of module 3 on the tiny company (tests/tiny.py), every number checked by hand.

The tiny company's history has one row per deal; the success-case tests give O2 (Zhang's 40,000
win on 20 May at 江苏钢构) a real history and a project, described where it is set up.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesmgmt.filters import ALL, Filters
from salesmgmt.metrics import meetings
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")
WEEK = date(2026, 5, 18)  # Monday


@pytest.fixture
def case_con(tiny_con):
    con = tiny_con
    # O2: lead 1 Mar, quote 1 Apr, an amount-only change 20 Apr (no step), negotiation 5 May,
    # won 20 May. O2, O4 and O5 are one project; Li visited the design institute for O5 on 10 Apr.
    con.execute("DELETE FROM opportunity_history WHERE opp_id = 'O2'")
    con.executemany(
        "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, rep_id, client_id, stage,"
        " status, amount) VALUES ('O2', ?, ?, 1, 2, ?, ?, ?)",
        [
            (date(2026, 3, 1), date(2026, 4, 1), "lead", "open", 50_000),
            (date(2026, 4, 1), date(2026, 4, 20), "quote", "open", 50_000),
            (date(2026, 4, 20), date(2026, 5, 5), "quote", "open", 45_000),
            (date(2026, 5, 5), date(2026, 5, 20), "negotiation", "open", 40_000),
            (date(2026, 5, 20), None, "won", "won", 40_000),
        ],
    )
    con.execute("UPDATE opportunities SET project = '昆山一期厂房' WHERE opp_id IN ('O2', 'O4', 'O5')")
    con.execute(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, visit_type, opp_id,"
        " purpose) VALUES (100, '2026-04-10', 2, 1, 'visit', 'O5', '技术交流')"
    )
    return con


def test_the_weeks_wins_and_who_won_them(tiny_con):
    wins = meetings.week_wins(tiny_con, "Dragon", WEEK, Filters())
    assert list(wins["opp_id"]) == ["O2"]
    win = wins.iloc[0]
    assert (win.rep, win.amount, win.client) == ("张伟 Zhang", 40_000, "江苏钢构")
    assert win.cycle_days == 80  # 1 March to 20 May
    assert list(meetings.week_wins(tiny_con, "Dragon", date(2026, 5, 4), Filters())["opp_id"]) == ["O1"]
    assert meetings.week_wins(tiny_con, "Tiger", WEEK, Filters()).empty
    assert meetings.week_wins(tiny_con, "Dragon", WEEK, Filters(teams=("Tiger",))).empty


def test_a_success_case_is_the_timeline_of_visits_and_stage_changes(case_con):
    steps = meetings.case_timeline(case_con, "O2", Filters())
    got = [(d.isoformat(), k) for d, k in zip(steps["day"], steps["kind"])]
    assert got == [
        ("2026-03-01", "created"),
        ("2026-04-01", "stage"),
        ("2026-04-10", "visit"),  # Li at the design institute, linked to O5 (same project)
        ("2026-05-01", "visit"),
        ("2026-05-04", "visit"),
        ("2026-05-05", "stage"),
        ("2026-05-06", "visit"),
        ("2026-05-12", "visit"),
        ("2026-05-18", "visit"),
        ("2026-05-19", "visit"),
        ("2026-05-20", "visit"),
        ("2026-05-20", "won"),
    ], "the 20 April amount change is no step; the 26 May call came after the win"
    assert list(steps["days_since_previous"]) == [0, 31, 9, 21, 3, 1, 1, 6, 6, 1, 1, 0]
    assert steps["days_from_start"].iloc[-1] == 80
    li = steps.iloc[2]
    assert (li.client, li.client_type, li.rep) == ("华东设计院", "design_institute", "李娜 Li")
    assert steps.iloc[4].accompanied_by == "陈总 Chen"
    stages = meetings.stage_durations(steps)
    assert list(zip(stages["stage"], stages["days"])) == [("lead", 31), ("quote", 34), ("negotiation", 15)]
    summary = meetings.case_summary(steps)
    assert summary == {
        "days_to_close": 80,
        "visits": 8,
        "calls": 0,
        "meetings": 0,
        "ride_alongs": 1,
        "parties_met": ["design_institute", "steel_structure"],
        "stage_changes": 2,
    }


def test_a_deal_first_seen_closed_has_no_stages_to_show(tiny_con):
    # The tiny company's O1 has one history row, already won: opened 1 March, won 10 May.
    steps = meetings.case_timeline(tiny_con, "O1", Filters())
    marks = steps[steps["kind"] != "visit"]
    assert list(zip(marks["kind"], marks["stage"].fillna(""))) == [("created", ""), ("won", "won")]
    assert meetings.stage_durations(steps).empty


def test_a_success_case_shows_only_what_the_filter_allows(case_con):
    assert meetings.case_timeline(case_con, "O2", Filters(teams=("Tiger",))).empty
    zhang_only = meetings.case_timeline(case_con, "O2", Filters(rep_ids=(1,)))
    assert "李娜 Li" not in set(zhang_only["rep"]), "Li's visit is outside the filter"
    cases = meetings.success_cases(case_con, "Dragon", WEEK, Filters())
    assert [c["win"]["opp_id"] for c in cases] == ["O2"]
    assert cases[0]["summary"]["days_to_close"] == 80


@pytest.fixture
def plan_con(tiny_con):
    con = tiny_con
    # Zhang's May plan: revision 1 (superseded) and revision 2, the one that counts.
    con.execute(
        "INSERT INTO monthly_plans (plan_id, rep_id, month, revision, saved_on) VALUES"
        " (1, 1, '2026-05-01', 1, '2026-05-01'), (2, 1, '2026-05-01', 2, '2026-05-08')"
    )
    con.execute(
        "INSERT INTO plan_visits VALUES"
        " (1, 3, '2026-05-06', 'dropped in revision 2'),"
        " (2, 1, '2026-05-13', 'follow up'),"  # week of 11 May: no visit to client 1 -> missed
        " (2, 2, '2026-05-19', 'quote'),"  # visited 18 May -> done
        " (2, 1, '2026-05-27', 'next week')"
    )  # its week is not over on 24 May
    return con


def test_who_is_behind_on_the_plan(plan_con):
    # As of Sunday 24 May: 24 of 31 days of May elapsed.
    behind = meetings.behind_on_plan(plan_con, "Dragon", WEEK, Filters(), tiny.AS_OF)
    assert list(behind["rep_id"]) == [2, 1], "Li (two reasons) before Zhang (one)"
    li = behind.iloc[0]
    assert li.reasons == ("won_behind_pace", "visits_below_norm")
    assert li.expected_by_now == pytest.approx(200_000 * 24 / 31)
    assert li.visits_this_week == 0
    zhang = behind.iloc[1]
    assert zhang.reasons == ("planned_visits_missed",), "won 100,000 and 3 visits this week: on pace"
    assert (zhang.planned_due, zhang.planned_missed) == (2, 1)
    assert meetings.behind_on_plan(plan_con, "Dragon", WEEK, Filters(rep_ids=(1,)), tiny.AS_OF)[
        "rep_id"
    ].tolist() == [1]


def test_on_a_tuesday_the_weeks_visit_norm_is_judged_pro_rata():
    # Monday and Tuesday are 2 of 5 working days: 2 x 2/5 = 0.8, rounded down 0 visits due yet.
    assert meetings.week_norm_so_far(date(2026, 5, 25), date(2026, 5, 26)) == 0
    assert meetings.week_norm_so_far(date(2026, 5, 25), date(2026, 5, 28)) == 1, "Thursday: 1.6 -> 1"
    assert meetings.week_norm_so_far(date(2026, 5, 25), date(2026, 5, 29)) == 2, "Friday: the whole norm"
    assert meetings.week_norm_so_far(date(2026, 5, 25), date(2026, 5, 31)) == 2, "the weekend adds none"


def test_nobody_is_behind_on_the_visits_of_a_week_two_days_old(plan_con):
    behind = meetings.behind_on_plan(plan_con, "Dragon", date(2026, 5, 25), Filters(), date(2026, 5, 26))
    assert all("visits_below_norm" not in reasons for reasons in behind["reasons"])


def test_in_the_months_first_days_nobody_is_behind_its_pace(plan_con):
    # Li has a June target of 200,000 and has won nothing by Tuesday 2 June: 2 of 30 days would
    # expect 13,333 x 80%, but June's first complete week is not over (it ends 7 June).
    plan_con.execute(
        "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES ('2026-06-01', 'rep', '2', 200000)"
    )
    behind = meetings.behind_on_plan(plan_con, "Dragon", date(2026, 6, 1), Filters(), date(2026, 6, 2))
    assert all("won_behind_pace" not in reasons for reasons in behind["reasons"])
    later = meetings.behind_on_plan(plan_con, "Dragon", date(2026, 6, 8), Filters(), date(2026, 6, 9))
    li = later[later["rep_id"] == 2].iloc[0]
    assert "won_behind_pace" in li.reasons, "after the first complete week the pace is judged"


def test_next_weeks_visits_come_from_the_plans_else_from_the_schedule(plan_con):
    plan = meetings.next_week_visits(plan_con, "Dragon", WEEK, Filters())
    assert list(zip(plan["planned_date"], plan["client"], plan["source"])) == [
        (date(2026, 5, 27), "华东设计院", "plan")
    ]
    assert meetings.next_week_visits(plan_con, "Dragon", date(2026, 5, 25), Filters()).empty
    plan_con.execute("DELETE FROM plan_visits")
    plan_con.execute(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, planned)"
        " VALUES (101, '2026-05-28', 2, 2, TRUE)"
    )
    scheduled = meetings.next_week_visits(plan_con, "Dragon", WEEK, Filters())
    assert list(zip(scheduled["rep"], scheduled["source"])) == [("李娜 Li", "schedule")]
    assert meetings.next_week_visits(plan_con, "Dragon", WEEK, Filters(rep_ids=(1,))).empty


def test_teams_side_by_side_on_module_1_and_2_figures(tiny_con):
    teams = meetings.teams_side_by_side(tiny_con, MAY, Filters(), tiny.AS_OF).set_index("team")
    dragon = teams.loc["Dragon"]
    assert dragon.won_amount == 100_000 and dragon.target == 300_000  # module 1, core.figures
    assert dragon.ride_alongs == 1  # Zhang's 4 May visit with his manager 陈总 Chen
    assert dragon.ride_alongs_per_engineer == 0.5
    assert (dragon.key_accounts, dragon.key_accounts_visited) == (2, 1)  # 华东设计院 not in May
    assert dragon.cold_key_accounts == 1  # 华东设计院, last visit 1 March
    tiger = teams.loc["Tiger"]
    assert tiger.key_accounts == 0 and pd.isna(tiger.key_account_coverage)


def test_each_teams_trend_month_by_month(tiny_con):
    trend = meetings.team_trends(tiny_con, Filters(), MAY, tiny.AS_OF, months=2)
    dragon = trend[trend["team"] == "Dragon"].set_index("month")
    assert (
        dragon.loc[date(2026, 4, 1), "target"] == 80_000
        and dragon.loc[date(2026, 4, 1), "won_amount"] == 50_000
    )
    assert dragon.loc[date(2026, 5, 1), "attainment"] == pytest.approx(1 / 3)


def test_issues_to_escalate(tiny_con):
    con = tiny_con
    # A 1,200,000 deal expected on 15 May and still open; a 1,100,000 deal in 'solution' since
    # 1 Feb (119 days; too few stays in the tiny company for a usual time: operations' 60 days).
    con.execute(
        "INSERT INTO opportunities (opp_id, name, rep_id, client_id, stage, status, amount,"
        " created_date, expected_close_date) VALUES"
        " ('BIG1', '大单一', 2, 2, 'quote', 'open', 1200000, '2026-01-10', '2026-05-15'),"
        " ('BIG2', '大单二', 3, 3, 'solution', 'open', 1100000, '2026-01-05', '2026-07-01')"
    )
    con.execute(
        "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, rep_id, client_id,"
        " stage, status, amount, expected_close_date) VALUES"
        " ('BIG1', '2026-01-10', NULL, 2, 2, 'quote', 'open', 1200000, '2026-05-15'),"
        " ('BIG2', '2026-01-05', '2026-02-01', 3, 3, 'lead', 'open', 1100000, '2026-07-01'),"
        " ('BIG2', '2026-02-01', NULL, 3, 3, 'solution', 'open', 1100000, '2026-07-01')"
    )
    issues = meetings.issues_to_escalate(con, MAY, Filters(), tiny.AS_OF)
    kinds = list(zip(issues["kind"], issues["team"]))
    assert ("team_behind", "Tiger") in kinds
    overdue = issues[issues["kind"] == "overdue_deal"].iloc[0]
    assert (overdue.subject, overdue.value) == ("大单一", 16)  # 15 May to 31 May
    stalled = issues[issues["kind"] == "stalled_deal"].iloc[0]
    assert (stalled.subject, stalled.value) == ("大单二", 119)  # 1 Feb to 31 May
    cold = issues[issues["kind"] == "cold_key_accounts"].iloc[0]
    assert (cold.team, cold.value, cold.detail) == ("Dragon", 1, "华东设计院")
    below = issues[issues["kind"] == "below_norm"].iloc[0]
    assert (below.team, below.detail) == ("Tiger", "王强 Wang")
    only_dragon = meetings.issues_to_escalate(con, MAY, Filters(teams=("Dragon",)), tiny.AS_OF)
    assert set(only_dragon["team"]) == {"Dragon"}


def test_a_field_meeting_shows_the_project_chain_and_who_covers_it(case_con):
    view = meetings.field_view(case_con, Filters(), tiny.AS_OF, project="昆山一期厂房")
    assert sorted(view["opportunities"]["opp_id"]) == ["O2", "O4", "O5"]
    parties = view["parties"].set_index("client_type")
    assert list(parties.index) == ["design_institute", "steel_structure", "construction", "owner"]
    assert parties.loc["design_institute", "client"] == "华东设计院"
    assert parties.loc["design_institute", "covered_by"] == "张伟 Zhang"
    assert parties.loc["steel_structure", "covered_by"] == "张伟 Zhang, 李娜 Li"
    assert pd.isna(parties.loc["construction", "client"]), "nobody covers the builder"
    # 江苏钢构: 12 visits and meetings (the 26 May call is not counted), last contact 26 May.
    assert parties.loc["steel_structure", "visits"] == 12
    assert parties.loc["steel_structure", "days_since_visit"] == 5
    # 华东设计院: Zhang on 1 March and Li on 10 April (for O5).
    assert parties.loc["design_institute", "visits"] == 2
    assert parties.loc["design_institute", "days_since_visit"] == 51
    actions = view["actions"]
    # O4 (expected 30 May) and O5 (25 May) are open past their close date; they have no name.
    assert sorted(actions.loc[actions["kind"] == "overdue_deal", "detail"]) == ["O4", "O5"]
    assert sorted(actions.loc[actions["kind"] == "uncovered_party", "detail"]) == ["construction", "owner"]
    assert "visit_party" not in set(actions["kind"]), "51 days is not yet cold (60)"
    stage_changes = view["history"]
    assert list(stage_changes.loc[stage_changes["opp_id"] == "O2", "stage"]) == [
        "lead",
        "quote",
        "negotiation",
        "won",
    ]


def test_a_field_meeting_stays_inside_the_filter(case_con):
    view = meetings.field_view(case_con, Filters(rep_ids=(2,)), tiny.AS_OF, project="昆山一期厂房")
    assert list(view["opportunities"]["opp_id"]) == ["O5"]
    parties = view["parties"].set_index("client_type")
    assert parties.loc["steel_structure", "covered_by"] == "李娜 Li"
    assert pd.isna(parties.loc["design_institute", "client"])
    assert set(view["visits"]["rep"]) == {"李娜 Li"}
    assert meetings.field_view(case_con, Filters(teams=("Tiger",)), tiny.AS_OF, project="昆山一期厂房")[
        "opportunities"
    ].empty


def test_a_field_meeting_about_a_client_takes_in_its_projects(case_con):
    view = meetings.field_view(case_con, Filters(), tiny.AS_OF, client_id=1)
    # 华东设计院's own deals O1, O3, O4, and O2, O5 through the project of O4.
    assert sorted(view["opportunities"]["opp_id"]) == ["O1", "O2", "O3", "O4", "O5"]
    subjects = meetings.field_subjects(case_con, Filters())
    project = subjects["projects"].set_index("project").loc["昆山一期厂房"]
    assert (project.deals, project.clients, project.open_amount, project.won_amount) == (
        3,
        2,
        150_000,
        40_000,
    )


def test_the_field_meeting_offers_the_best_matches_of_a_search_never_everything(case_con):
    con = case_con
    con.execute("UPDATE opportunities SET project = '厂房改造' WHERE opp_id = 'O8'")  # open 20,000
    con.execute("UPDATE opportunities SET project = '苏州老厂' WHERE opp_id = 'O7'")  # lost
    con.execute("UPDATE clients SET code = 'C-003' WHERE client_id = 3")

    def projects(search="", limit=meetings.FIELD_SUBJECTS_SHOWN, filters=ALL):
        found = meetings.field_subjects(con, filters, search, limit)
        return found["projects"]["project"].tolist(), found["projects_found"]

    # No search: live projects with the most open business first (150,000, then 20,000).
    assert projects() == (["昆山一期厂房", "厂房改造", "苏州老厂"], 3)
    assert projects(limit=1) == (["昆山一期厂房"], 3), "one shown, all three counted"
    # A name starting with the search comes before one that only contains it.
    assert projects("厂房") == (["厂房改造", "昆山一期厂房"], 2)
    assert projects("o7") == (["苏州老厂"], 1), "a deal's code, in any case"
    assert projects("厂房", filters=Filters(teams=("Dragon",))) == (["昆山一期厂房"], 1)
    assert projects("不存在") == ([], 0)
    found = meetings.field_subjects(con, Filters(), "Ｃ－００３")  # full-width, as typed in Chinese
    assert (found["clients"]["client"].tolist(), found["clients_found"]) == (["西部业主"], 1)
    assert meetings.field_subjects(con, Filters(), "钢构")["clients"]["client"].tolist() == ["江苏钢构"]


def test_the_managers_pack_reads_every_teams_wins_at_once_and_one_case_per_team(case_con):
    con = case_con
    monday = date(2026, 5, 18)
    # Week of 18 May: O2 (Dragon, 40,000, 20 May); make O1 (Dragon, 60,000) and O7 (Tiger,
    # 10,000) wins of that week too.
    con.execute("UPDATE opportunities SET close_date = '2026-05-21' WHERE opp_id = 'O1'")
    con.execute(
        "UPDATE opportunities SET status = 'won', stage = 'won', close_date = '2026-05-19'"
        " WHERE opp_id = 'O7'"
    )
    wins = meetings.week_wins(con, None, monday, Filters())
    assert list(zip(wins["opp_id"], wins["team"])) == [("O1", "Dragon"), ("O2", "Dragon"), ("O7", "Tiger")]
    assert list(meetings.week_wins(con, "Dragon", monday, Filters())["opp_id"]) == ["O1", "O2"]
    cases = meetings.success_cases(con, None, monday, Filters())
    assert [c["win"]["opp_id"] for c in cases] == ["O1", "O7"], "each team's biggest, biggest first"
    assert [c["win"]["opp_id"] for c in meetings.success_cases(con, None, monday, Filters(), 1)] == ["O1"]
