"""The weekly forecast call on the tiny company (tests/tiny.py), every figure checked by hand.

May 2026. Computed figures (test_metrics_core.py): 张伟 Zhang forecast 130,000, won 100,000,
target 100,000; 李娜 Li forecast 90,000, won 0, target 200,000; 王强 Wang forecast 0, won 0,
target 100,000. Dragon (East: Zhang, Li and the manager Chen) forecast 220,000, won 100,000,
target 300,000; Tiger (West: Wang) forecast 0, won 0, target 150,000 (its own). East = Dragon,
West = Tiger; the company: forecast 220,000, won 100,000, target 450,000.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesmgmt.auth import User
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.metrics import calls
from salesmgmt.metrics.call_records import Unit, period_weeks, resolve_unit, submit_call, week_of
from salesmgmt.periods import Period

MAY = Period.parse("2026-05")
WEEK = date(2026, 5, 18)  # the week of Monday 18 May
TODAY = date(2026, 5, 20)

ZHANG = User("zhang", "张伟", "rep", rep_id=1)
LI = User("li", "李娜", "rep", rep_id=2)
WANG = User("wang", "王强", "rep", rep_id=3)
CHEN = User("chen", "陈总", "manager", teams=("Dragon",))
BOSS = User("boss", "老板", "director")

REP_ZHANG, REP_LI, REP_WANG = (
    Unit("rep", "1", "张伟 Zhang"),
    Unit("rep", "2", "李娜 Li"),
    Unit("rep", "3", "王强 Wang"),
)
DRAGON, TIGER = Unit("team", "Dragon", "Dragon"), Unit("team", "Tiger", "Tiger")
EAST, COMPANY = Unit("region", "East", "East"), Unit("company", "", "")


def call(con, user, unit, commit, best, note=None, today=TODAY, period=MAY):
    return submit_call(con, user, period, unit, commit, best, note=note, today=today)


def count(con) -> int:
    return con.execute("SELECT count(*) FROM forecast_calls").fetchone()[0]


def row(board, level, unit):
    found = board[(board["level"] == level) & (board["unit"] == unit)]
    assert len(found) == 1, f"expected one {level} row {unit}"
    return found.iloc[0]


@pytest.fixture
def week_of_calls(tiny_con):
    """The week of 18 May: Zhang calls 120,000 / 150,000; Li calls 60,000 then 70,000 (the later
    supersedes); the manager Chen adjusts Li to 90,000 and calls Dragon 200,000; the director
    calls East 210,000 and the company 250,000. Wang, Tiger and West do not call."""
    call(tiny_con, ZHANG, REP_ZHANG, 120_000, 150_000)
    call(tiny_con, LI, REP_LI, 60_000, 100_000)
    call(tiny_con, LI, REP_LI, 70_000, 110_000, note="O9 may slip")
    call(tiny_con, CHEN, REP_LI, 90_000, 120_000, note="O5 signs this week")
    call(tiny_con, CHEN, DRAGON, 200_000, 260_000)
    call(tiny_con, BOSS, EAST, 210_000, 280_000)
    call(tiny_con, BOSS, COMPANY, 250_000, 350_000)
    return tiny_con


def test_the_week_of_a_call_is_the_monday_and_a_month_spans_the_weeks_that_touch_it():
    assert week_of(date(2026, 5, 20)) == date(2026, 5, 18)
    assert week_of(date(2026, 5, 18)) == date(2026, 5, 18)
    assert week_of(date(2026, 5, 24)) == date(2026, 5, 18), "Sunday closes the week"
    # 1 May 2026 is a Friday: week 1 of May begins on Monday 27 April.
    assert period_weeks(MAY) == [
        date(2026, 4, 27),
        date(2026, 5, 4),
        date(2026, 5, 11),
        date(2026, 5, 18),
        date(2026, 5, 25),
    ]


def test_the_team_rolls_up_its_reps_with_the_managers_adjusted_figure_in_place_of_the_reps_own(week_of_calls):
    board = calls.week_board(week_of_calls, MAY, Filters(), WEEK, TODAY)
    li = row(board, "rep", "李娜 Li")
    assert li.commit == 70_000 and li.best_case == 110_000, "the later call of the week supersedes"
    assert li.note == "O9 may slip" and li.submitted_by == "li"
    assert li.adjusted_commit == 90_000 and li.adjusted_by == "chen"
    assert li.adjustment_note == "O5 signs this week"
    dragon = row(board, "team", "Dragon")
    assert dragon.commit == 200_000 and dragon.submitted_by == "chen"
    assert dragon.below_commit == 120_000 + 90_000, "Zhang's own call + Li as adjusted"
    assert dragon.adjustment == 200_000 - 210_000
    assert (dragon.forecast, dragon.won_amount, dragon.target) == (pytest.approx(220_000), 100_000, 300_000)


def test_a_region_rolls_up_its_teams_and_the_company_its_regions(week_of_calls):
    board = calls.week_board(week_of_calls, MAY, Filters(), WEEK, TODAY)
    east = row(board, "region", "East")
    assert (east.commit, east.below_commit, east.adjustment) == (210_000, 200_000, 10_000)
    company = row(board, "company", "")
    assert company.below_commit == 210_000, "West has no call: it counts nothing"
    assert company.adjustment == 40_000
    assert (company.forecast, company.won_amount, company.target) == (
        pytest.approx(220_000),
        100_000,
        450_000,
    )
    tiger = row(board, "team", "Tiger")
    assert tiger.commit != tiger.commit and tiger.below_commit != tiger.below_commit, "no call, nothing below"
    assert tiger.target == 150_000


def test_each_sum_below_says_how_many_of_the_units_below_have_called(week_of_calls):
    board = calls.week_board(week_of_calls, MAY, Filters(), WEEK, TODAY)
    # Dragon: Zhang called, Li called (and was adjusted): 2 of 2. Tiger: Wang did not: 0 of 1.
    # East (Dragon alone): 1 of 1. The company: East called, West (Tiger's region) not: 1 of 2.
    assert (row(board, "team", "Dragon").below_called, row(board, "team", "Dragon").below_units) == (2, 2)
    assert (row(board, "team", "Tiger").below_called, row(board, "team", "Tiger").below_units) == (0, 1)
    assert (row(board, "region", "East").below_called, row(board, "region", "East").below_units) == (1, 1)
    assert (row(board, "company", "").below_called, row(board, "company", "").below_units) == (1, 2)
    zhang = row(board, "rep", "张伟 Zhang")
    assert pd.isna(zhang.below_called) and pd.isna(zhang.below_units), "nothing is below a rep"


def test_a_rep_row_has_nothing_below_it_and_shows_its_computed_figures(week_of_calls):
    board = calls.week_board(week_of_calls, MAY, Filters(), WEEK, TODAY)
    zhang = row(board, "rep", "张伟 Zhang")
    assert zhang.commit == 120_000 and zhang.below_commit != zhang.below_commit
    assert (zhang.forecast, zhang.won_amount, zhang.target) == (pytest.approx(130_000), 100_000, 100_000)
    assert zhang.unit_key == "1" and zhang.parent == "Dragon"
    assert list(board["level"]) == ["company", "region", "region", "team", "team", "rep", "rep", "rep"]


def test_who_has_not_submitted_this_week_is_listed(week_of_calls):
    board = calls.week_board(week_of_calls, MAY, Filters(), WEEK, TODAY)
    missing = calls.not_submitted(board)
    assert list(zip(missing["level"], missing["unit"])) == [
        ("region", "West"),
        ("team", "Tiger"),
        ("rep", "王强 Wang"),
    ]


def test_another_week_shows_no_calls_but_every_submission_stays_in_the_table(week_of_calls):
    board = calls.week_board(week_of_calls, MAY, Filters(), date(2026, 5, 11), TODAY)
    assert board["commit"].isna().all()
    assert count(week_of_calls) == 7, "Li's first call is kept, superseded"


def test_a_manager_sees_their_reps_and_teams_and_a_rep_only_their_own_row(week_of_calls):
    manager = calls.week_board(week_of_calls, MAY, CHEN.scope(), WEEK, TODAY)
    assert list(zip(manager["level"], manager["unit"])) == [
        ("team", "Dragon"),
        ("rep", "张伟 Zhang"),
        ("rep", "李娜 Li"),
    ]
    assert row(manager, "team", "Dragon").below_commit == 210_000
    rep = calls.week_board(week_of_calls, MAY, ZHANG.scope(), WEEK, TODAY)
    assert list(rep["unit"]) == ["张伟 Zhang"]


def test_the_sidebar_picks_rows_but_a_units_figures_stay_its_own(week_of_calls):
    only_li = calls.week_board(week_of_calls, MAY, Filters(rep_ids=(2,)), WEEK, TODAY)
    assert list(zip(only_li["level"], only_li["unit"])) == [
        ("region", "East"),
        ("team", "Dragon"),
        ("rep", "李娜 Li"),
    ]
    assert row(only_li, "team", "Dragon").forecast == pytest.approx(220_000)


@pytest.mark.parametrize(
    ("user", "unit"),
    [
        (ZHANG, REP_LI),  # a rep for another rep
        (ZHANG, DRAGON),  # a rep for their team
        (CHEN, TIGER),  # a manager for a team outside their scope
        (CHEN, REP_WANG),  # a manager adjusting a rep outside their scope
        (CHEN, EAST),  # a manager for a region
        (CHEN, COMPANY),
    ],
)
def test_a_call_outside_the_users_scope_is_refused_and_writes_nothing(tiny_con, user, unit):
    with pytest.raises(SalesmgmtError) as refused:
        call(tiny_con, user, unit, 100, 100)
    assert refused.value.key == "calls.error.not_allowed"
    assert count(tiny_con) == 0


def test_who_calls_and_who_adjusts(tiny_con):
    assert call(tiny_con, ZHANG, REP_ZHANG, 1, 1).kind == "call"
    assert call(tiny_con, CHEN, REP_LI, 1, 1).kind == "adjustment"
    assert call(tiny_con, CHEN, DRAGON, 1, 1).kind == "call"
    assert call(tiny_con, BOSS, TIGER, 1, 1).kind == "adjustment"
    assert call(tiny_con, BOSS, EAST, 1, 1).kind == "call"
    assert call(tiny_con, None, COMPANY, 1, 1).submitted_by == "(open)", "the app running open"


@pytest.mark.parametrize(
    ("commit", "best", "week", "period", "key"),
    [
        (-1, 10, None, MAY, "calls.error.amount"),
        (float("nan"), 10, None, MAY, "calls.error.amount"),
        (100, 90, None, MAY, "calls.error.best_below_commit"),
        (100, 100, date(2026, 5, 15), MAY, "calls.error.past_week"),
        (100, 100, date(2026, 5, 25), MAY, "calls.error.future_week"),
        (100, 100, None, Period.parse("2026-07"), "calls.error.week_outside"),
        (100, 100, None, Period.parse("2026"), "calls.error.period"),
    ],
)
def test_a_bad_call_is_refused_with_its_reason_and_writes_nothing(tiny_con, commit, best, week, period, key):
    with pytest.raises(SalesmgmtError) as refused:
        submit_call(tiny_con, ZHANG, period, REP_ZHANG, commit, best, week=week, today=TODAY)
    assert refused.value.key == key
    assert count(tiny_con) == 0


def test_a_quarter_takes_calls_and_a_best_case_equal_to_the_commit_is_fine(tiny_con):
    made = submit_call(
        tiny_con, ZHANG, "2026-Q2", REP_ZHANG, 300_000, 300_000, week=date(2026, 5, 22), today=TODAY
    )
    assert (made.period, made.week, made.commit) == ("2026-Q2", WEEK, 300_000)


def test_units_are_found_by_name_code_or_one_word(tiny_con):
    assert resolve_unit(tiny_con, "rep", "李娜 li") == REP_LI
    assert resolve_unit(tiny_con, "team", "dragon") == DRAGON
    assert resolve_unit(tiny_con, "region", "East") == EAST
    with pytest.raises(SalesmgmtError) as unknown:
        resolve_unit(tiny_con, "team", "Panda")
    assert unknown.value.key == "calls.error.unknown_team"


def test_the_history_shows_each_weeks_call_beside_the_forecast_as_it_stood(week_of_calls):
    call(week_of_calls, CHEN, DRAGON, 150_000, 200_000, today=date(2026, 5, 5))
    history = calls.call_history(week_of_calls, MAY, Filters(), "team", "Dragon", TODAY)
    assert list(history["week"]) == [
        date(2026, 4, 27),
        date(2026, 5, 4),
        date(2026, 5, 11),
        date(2026, 5, 18),
    ]
    assert list(history["commit"].fillna(-1)) == [-1, 150_000, -1, 200_000]
    # Won to date: O1 60,000 closed 10 May, O2 40,000 on 20 May (today, the current week's day).
    assert list(history["won_amount"]) == [0, 60_000, 60_000, 100_000]
    # Open, weighted, every week: Zhang's O4 50,000 x 60% + Li's O5 100,000 x 80% + O9 100,000 x 10%.
    assert list(history["forecast"]) == pytest.approx([120_000, 180_000, 180_000, 220_000])
    assert (history["target"] == 300_000).all()


def test_a_rep_cannot_read_anothers_history(week_of_calls):
    with pytest.raises(SalesmgmtError):
        calls.call_history(week_of_calls, MAY, ZHANG.scope(), "rep", "2", TODAY)


def test_the_accuracy_of_a_closed_period_says_who_sandbags_and_who_is_optimistic(tiny_con):
    call(tiny_con, ZHANG, REP_ZHANG, 80_000, 100_000, today=date(2026, 4, 29))  # week 1
    call(tiny_con, ZHANG, REP_ZHANG, 110_000, 120_000, today=date(2026, 5, 13))  # week 3
    call(tiny_con, LI, REP_LI, 50_000, 60_000, today=date(2026, 5, 13))  # Li won nothing
    call(tiny_con, CHEN, DRAGON, 150_000, 200_000, today=date(2026, 5, 6))  # week 2
    assert calls.call_accuracy(tiny_con, MAY, Filters(), date(2026, 5, 31)).empty, "May is not over"
    accuracy = calls.call_accuracy(tiny_con, MAY, Filters(), date(2026, 6, 10))
    zhang = accuracy[accuracy["submitted_by"] == "zhang"]
    assert list(zhang["week_number"]) == [1, 3]
    assert list(zhang["call_error"]) == pytest.approx([80_000 / 100_000 - 1, 110_000 / 100_000 - 1])
    chen = accuracy[accuracy["submitted_by"] == "chen"].iloc[0]
    assert chen.call_error == pytest.approx(150_000 / 100_000 - 1)
    people = calls.accuracy_by_person(accuracy).set_index("submitted_by")
    assert people.loc["zhang", "call_bias"] == pytest.approx((-0.2 + 0.1) / 2)
    assert people.loc["zhang", "call_abs_error"] == pytest.approx((0.2 + 0.1) / 2)
    assert people.loc["chen", "call_bias"] == pytest.approx(0.5), "optimistic"
    assert "li" not in people.index, "nothing won: nothing to judge Li's call by"
    assert list(people.index) == ["chen", "zhang"], "the most optimistic first"
