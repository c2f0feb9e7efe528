"""Rankings and recognitions on the tiny company (tests/tiny.py), every number checked by hand.

Extra rows are added per test where a figure needs them (a deal last year for growth, a deal of
Li's for movement, a streak for the recognitions); the comments give the arithmetic.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import rankings
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")


def by(frame, column, value):
    rows = frame[frame[column] == value]
    assert len(rows) == 1, f"expected one row with {column}={value}"
    return rows.iloc[0]


def add_deal(con, opp_id, rep, client, amount, close, status="won"):
    con.execute(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, created_date,"
        " expected_close_date, close_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [opp_id, rep, client, status, status, amount, date(close.year, 1, 1), close, close],
    )


@pytest.fixture
def with_last_year(tiny_con):
    # Zhang won 50,000 on 15 May 2025: his growth is 100,000 / 50,000 - 1 = +100%.
    add_deal(tiny_con, "LY1", 1, 2, 50_000, date(2025, 5, 15))
    return tiny_con


def test_reps_are_ranked_within_their_team_on_the_documented_composite(with_last_year):
    reps = rankings.rep_rankings(with_last_year, MAY, Filters(), tiny.AS_OF)
    assert set(reps["rep_id"]) == {1, 2, 3}, "sales engineers only: the manager is not ranked"
    zhang = by(reps, "rep_id", 1)
    assert zhang.attainment == 1.0  # 100,000 of 100,000
    assert zhang.growth == pytest.approx(1.0)  # 100,000 vs 50,000
    # Complete weeks to Sunday 31 May: 4; his visits in them 2 + 1 + 3 + 0 = 6 -> 1.5 a week.
    assert zhang.visits_per_week == pytest.approx(1.5)
    assert zhang.visits_vs_norm == pytest.approx(0.75)
    assert zhang.closed_count == 3 and zhang.win_rate == pytest.approx(2 / 3)
    # Components: attainment 1.0, growth 2.0 capped at 1.5, visits 0.75, win rate 2/3 against
    # Dragon's 2/3 = 1.0 -> 100 x (0.4 + 0.2 x 1.5 + 0.2 x 0.75 + 0.2 x 1.0) = 105.
    assert zhang.composite == pytest.approx(105.0)
    li = by(reps, "rep_id", 2)
    # No deal closed (no win rate), nothing last year (no growth): attainment 0 and visits
    # 4 / 4 weeks = 1.0 -> 0.5, reweighted: 100 x 0.2 x 0.5 / 0.6.
    assert li.composite == pytest.approx(100 * 0.1 / 0.6)
    assert (zhang["rank"], li["rank"]) == (1, 2)
    wang = by(reps, "rep_id", 3)
    assert wang.team == "Tiger" and wang["rank"] == 1, "ranked within his own team"
    assert wang.composite == 0.0
    assert np.isnan(wang.score_win_rate), "one closed deal is too few for a win rate"


def test_teams_are_ranked_on_their_own_targets(with_last_year):
    teams = rankings.team_rankings(with_last_year, MAY, Filters(), tiny.AS_OF)
    assert list(teams["team"]) == ["Dragon", "Tiger"]
    dragon = by(teams, "team", "Dragon")
    assert dragon.attainment == pytest.approx(1 / 3)  # 100,000 of 300,000
    # Engineers' visits in complete weeks: Zhang 6 + Li 4 over 2 engineers x 4 weeks.
    assert dragon.visits_per_week == pytest.approx(1.25)
    # Dragon 2 of 3 closed against everyone's 2 of 4: 0.667 / 0.5 = 1.333.
    assert dragon.score_win_rate == pytest.approx(4 / 3)
    assert dragon.composite == pytest.approx(100 * (0.4 / 3 + 0.2 * 1.5 + 0.2 * 0.625 + 0.2 * 4 / 3))
    tiger = by(teams, "team", "Tiger")
    assert tiger.target == 150_000, "Tiger's own target, not the sum of its reps'"
    assert tiger.composite == 0.0 and tiger["rank"] == 2


def test_movement_compares_with_the_rank_computed_seven_days_earlier(with_last_year):
    # Li wins 150,000 on 12 May. As of Sunday 17 May:
    #   Zhang: won 60,000 (O1) -> 0.6; closed 2 (too few); growth 60,000 / 50,000 -> 1.2;
    #          visits in 2 complete weeks 2 + 1 = 3 -> 0.75; 100 x (0.24 + 0.24 + 0.15) / 0.8
    #   Li:    won 150,000 -> 0.75; visits 4 / 2 weeks -> 1.0; 100 x (0.3 + 0.2) / 0.6
    # As of Sunday 10 May: Zhang 60,000 -> 0.6, no growth yet (the 2025 deal was on 15 May),
    #   visits 2 / 1 week -> 1.0: 100 x (0.24 + 0.2) / 0.6; Li 0 and 2 visits / 1 week -> 33.3.
    add_deal(with_last_year, "O10", 2, 2, 150_000, date(2026, 5, 12))
    reps = rankings.rep_rankings(with_last_year, MAY, Filters(teams=("Dragon",)), date(2026, 5, 17))
    zhang, li = by(reps, "rep_id", 1), by(reps, "rep_id", 2)
    assert zhang.composite == pytest.approx(78.75)
    assert li.composite == pytest.approx(100 * 0.5 / 0.6)
    assert (li["rank"], li.rank_last_week, li.movement) == (1, 2, 1)
    assert (zhang["rank"], zhang.rank_last_week, zhang.movement) == (2, 1, -1)


def test_last_week_in_the_previous_month_is_ranked_in_that_month(tiny_con):
    # As of 3 May the rank a week earlier (26 April) is April's: nobody is ranked in April
    # except Zhang (the only April target), so Li has no earlier rank.
    reps = rankings.rep_rankings(tiny_con, MAY, Filters(), date(2026, 5, 3))
    assert by(reps, "rep_id", 1).rank_last_week == 1
    assert pd.isna(by(reps, "rep_id", 2).rank_last_week)


def test_rankings_stay_inside_the_filter(with_last_year):
    reps = rankings.rep_rankings(with_last_year, MAY, Filters(teams=("Tiger",)), tiny.AS_OF)
    assert list(reps["rep_id"]) == [3]
    assert rankings.rep_rankings(
        with_last_year, MAY, Filters(teams=("Tiger",)), tiny.AS_OF, team="Dragon"
    ).empty
    scoped = Filters(scope_rep_ids=(2,))
    assert list(rankings.rep_rankings(with_last_year, MAY, scoped, tiny.AS_OF)["rep_id"]) == [2]
    teams = rankings.team_rankings(with_last_year, MAY, Filters(regions=("West",)), tiny.AS_OF)
    assert list(teams["team"]) == ["Tiger"]


@pytest.fixture
def with_achievements(tiny_con):
    con = tiny_con
    # A streak for Zhang: March target 50,000 won 50,000; April 80,000 won 80,000; May 100%.
    con.execute("INSERT INTO targets VALUES ('2026-03-01', 'rep', '1', 50000, NULL)")
    add_deal(con, "S3", 1, 2, 50_000, date(2026, 3, 20))
    add_deal(con, "S4", 1, 2, 80_000, date(2026, 4, 15))
    # January target, nothing won: his Dec-Feb attainment is 0, Mar-May 230,000 / 230,000.
    con.execute("INSERT INTO targets VALUES ('2026-01-01', 'rep', '1', 100000, NULL)")
    # A big win for Wang: 1,600,000 on 25 May (Tiger's target is 150,000).
    add_deal(con, "BIG", 3, 3, 1_600_000, date(2026, 5, 25))
    return con


def test_recognitions_and_what_goes_to_head_office(with_achievements):
    found = rankings.recognitions(with_achievements, MAY, Filters(), tiny.AS_OF)
    kinds = {(row.kind, row.rep_id if pd.notna(row.rep_id) else row.team) for row in found.itertuples()}
    assert kinds == {
        ("three_months_over_target", 1),
        ("outstanding_attainment", 3),  # 1,600,000 / 100,000
        ("big_win", 3),
        ("team_over_target", "Tiger"),  # 1,600,000 / 150,000
        ("first_design_institute", 1),  # O1 at 华东设计院, nobody won there before
        ("most_improved", 1),  # 0% -> 100%
    }
    streak = by(found, "kind", "three_months_over_target")
    assert streak.value == 1.0 and streak.when == "2026-05"
    first = by(found, "kind", "first_design_institute")
    assert first.client == "华东设计院" and first.when == "2026-05-10" and first.value == 60_000
    assert by(found, "kind", "most_improved").value == pytest.approx(1.0)
    assert by(found, "kind", "outstanding_attainment").value == pytest.approx(16.0)
    report = rankings.head_office_report(with_achievements, MAY, Filters(), tiny.AS_OF)
    assert set(report["kind"]) == {
        "three_months_over_target",
        "outstanding_attainment",
        "big_win",
        "team_over_target",
    }


def test_a_second_deal_with_the_same_design_institute_is_not_a_first(tiny_con):
    add_deal(tiny_con, "EARLY", 2, 1, 10_000, date(2025, 12, 1))
    found = rankings.recognitions(tiny_con, MAY, Filters(), tiny.AS_OF)
    assert "first_design_institute" not in set(found["kind"])


def test_recognitions_stay_inside_the_filter(with_achievements):
    found = rankings.recognitions(with_achievements, MAY, Filters(teams=("Dragon",)), tiny.AS_OF)
    assert set(found["team"]) == {"Dragon"}
