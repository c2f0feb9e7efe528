"""The first days of a period (issue 14): the Overview compares the period so far with the same
days of the previous period and does not call a team behind on one day's won amount.

The fixture is the tiny company plus November and December 2026, checked by hand:
1 December 2026 is a Tuesday, so the first complete week is 7-13 December and 1-12 December are
the first days. Targets: 100,000 for 张伟 (Dragon) and for 王强 (Tiger) in both months, so
200,000 in total. Won: 20,000 on 2 November and 80,000 on 20 November; 5,000 on 2 December.
Open: 100,000 at 90% expected on 20 December (Dragon). Visits: 2 and 3 November, 10 November,
1 and 2 December (张伟).
"""

from __future__ import annotations

from datetime import date

import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import actions, core, overview, rankings
from salesmgmt.periods import Period

DEC = Period.parse("2026-12")
NOV = Period.parse("2026-11")


@pytest.fixture
def company(tiny_con):
    con = tiny_con
    con.executemany(
        "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)",
        [(m, "rep", key, 100_000) for m in (NOV.start, DEC.start) for key in ("1", "3")],
    )
    con.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, probability,"
        " created_date, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            ("N1", 1, 1, "won", "won", 20_000, None, date(2026, 10, 1), date(2026, 11, 2), date(2026, 11, 2)),
            (
                "N2",
                1,
                1,
                "won",
                "won",
                80_000,
                None,
                date(2026, 10, 1),
                date(2026, 11, 20),
                date(2026, 11, 20),
            ),
            ("D1", 1, 1, "won", "won", 5_000, None, date(2026, 11, 1), date(2026, 12, 2), date(2026, 12, 2)),
            ("D2", 1, 1, "negotiation", "open", 100_000, 0.9, date(2026, 11, 1), date(2026, 12, 20), None),
        ],
    )
    con.executemany(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, visit_type) VALUES (?,?,?,?,?)",
        [
            (100 + i, d, 1, 1, "visit")
            for i, d in enumerate(
                [
                    date(2026, 11, 2),
                    date(2026, 11, 3),
                    date(2026, 11, 10),
                    date(2026, 12, 1),
                    date(2026, 12, 2),
                ]
            )
        ],
    )
    return con


def test_the_first_days_last_until_the_first_complete_week_of_the_period_is_over():
    assert [core.complete_weeks(DEC, date(2026, 12, d)) for d in (1, 3, 12, 13, 20, 31)] == [0, 0, 0, 1, 2, 3]
    assert core.first_days(DEC, date(2026, 12, 1)) and core.first_days(DEC, date(2026, 12, 12))
    assert not core.first_days(DEC, date(2026, 12, 13))
    assert not core.first_days(NOV, date(2026, 12, 3))  # a period that is over


def test_the_same_days_of_the_previous_period_are_as_many_days_from_its_start():
    assert overview.same_days_before(DEC, date(2026, 12, 1)) == Period(
        "month", date(2026, 11, 1), date(2026, 11, 2)
    )
    assert overview.same_days_before(DEC, date(2026, 12, 3)) == Period(
        "month", date(2026, 11, 1), date(2026, 11, 4)
    )
    # 31 December: the whole of November (30 days), never into December.
    assert overview.same_days_before(DEC, date(2026, 12, 31)) == NOV
    # A quarter 3 days in: 1-3 July.
    q4 = Period.parse("2026-Q4")
    assert overview.same_days_before(q4, date(2026, 10, 3)) == Period(
        "quarter", date(2026, 7, 1), date(2026, 7, 4)
    )


def test_on_the_3rd_the_period_so_far_is_compared_with_the_1st_to_the_3rd_of_the_previous_one(company):
    now = core.totals(company, DEC, Filters(), date(2026, 12, 3), False)
    before = overview.totals_same_days_before(company, DEC, Filters(), date(2026, 12, 3))
    assert now["won_amount"] == 5_000 and now["target"] == 200_000 and now["attainment"] == 0.025
    # 1-3 November: won 20,000 (not November's 100,000); 2 visits; attainment 20,000 / 200,000.
    assert before["won_amount"] == 20_000 and before["visits"] == 2
    assert before["target"] == 200_000 and before["attainment"] == 0.1
    # Forecast is a whole-period figure: all of November's won, nothing open left in it.
    assert before["forecast"] == 100_000


def test_in_the_first_days_a_team_is_behind_only_on_its_forecast(company):
    # 3 December: Dragon won 5,000 of 100,000 (pace 100,000 x 3/31 x 80% = 7,742 would call it
    # behind) but its forecast is 5,000 + 90% x 100,000 = 95,000, 95% of target: not behind.
    # Tiger has no forecast at all: behind.
    early = overview.attention(company, DEC, Filters(), date(2026, 12, 3))["teams_behind"]
    assert list(early["team"]) == ["Tiger"]
    # 14 December, the first week over: pace 100,000 x 14/31 x 80% = 36,129 > 5,000: Dragon behind too.
    later = overview.attention(company, DEC, Filters(), date(2026, 12, 14))["teams_behind"]
    assert set(later["team"]) == {"Dragon", "Tiger"}


def test_in_the_first_days_no_engineer_is_listed_below_the_norm(company):
    items = overview.attention(company, DEC, Filters(), date(2026, 12, 3))
    assert items["reps_below_norm"].empty


def test_in_the_first_days_nobody_is_ranked_and_nobody_moves(company):
    # 1 December: everyone at zero would tie first with "up 3 since last week".
    teams = rankings.team_rankings(company, DEC, Filters(), date(2026, 12, 1))
    assert teams["rank"].isna().all() and teams["movement"].isna().all()
    assert rankings.last_complete_period(DEC, date(2026, 12, 3)) == NOV
    assert rankings.last_complete_period(DEC, date(2026, 12, 13)) is None


def test_the_last_complete_period_is_ranked_in_their_place(company):
    # November: Dragon won 100,000 of 100,000; Tiger 0 of 100,000.
    teams = rankings.team_rankings(company, NOV, Filters(), NOV.last_day)
    assert list(teams["team"]) == ["Dragon", "Tiger"] and list(teams["rank"]) == [1, 2]
    assert teams.iloc[0].attainment == 1.0


def test_in_the_first_days_the_norm_is_judged_on_the_weeks_of_the_last_complete_period(company):
    # Up to Sunday 29 November: the week of Monday 30 November runs to 6 December, not over yet.
    assert actions.weeks_judged(DEC, date(2026, 12, 3)) == (NOV, date(2026, 11, 29))
    assert actions.weeks_judged(DEC, date(2026, 12, 14)) == (DEC, date(2026, 12, 14))
    weekly = actions.weekly_visits(company, NOV, Filters(), date(2026, 11, 29))
    zhang = weekly[weekly["rep_id"] == 1]
    # The counted weeks start on Mondays 2, 9, 16 and 23 November: 张伟 made 2 visits in the
    # first (2 and 3 November), 1 in the second (10 November), then none.
    assert list(zhang["visits"]) == [2, 1, 0, 0]
    # The norm is 2 a week: 张伟 met it in the first week only (weeks 2-4 below: 3 in a row);
    # 李娜 and 王强 made no visit (4 in a row).
    below = actions.reps_below_norm(company, NOV, Filters(), date(2026, 11, 29), 2)
    assert dict(zip(below["rep_id"], below["longest_streak"])) == {1: 3, 2: 4, 3: 4}
