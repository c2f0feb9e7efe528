"""The sales school: behaviour per rep on the tiny company (checked by hand), the statistics on
small arrays (checked by hand, and against scipy when it is installed), and a made-up team of
sixteen where the top performers visit more: the one difference that is there is found, the
others are not claimed, and ten reps are too few to claim anything."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.metrics import school
from salesmgmt.text import name_key
from tests import tiny


def test_the_window_is_whole_months_ending_with_the_last_complete_one():
    assert school.window_for(date(2026, 5, 31), 3).start == date(2026, 3, 1)
    window = school.window_for(date(2026, 5, 20), 6)
    assert (window.start, window.end) == (date(2025, 11, 1), date(2026, 5, 1))
    assert school.window_label(window, "en") == "2025-11 – 2026-04"
    assert school.window_label(window, "zh") == "2025年11月–2026年4月"


def test_behaviour_per_rep_on_the_tiny_company(tiny_con):
    window = school.window_for(tiny.AS_OF, 3)  # March to May 2026
    reps = school.behaviour_by_rep(tiny_con, window, Filters(), tiny.AS_OF).set_index("rep_id")
    assert sorted(reps.index) == [1, 2, 3], "sales engineers only"
    zhang = reps.loc[1]
    # Target April 80,000 + May 100,000; won 60,000 + 40,000 in May.
    assert zhang.attainment == pytest.approx(100_000 / 180_000)
    assert bool(zhang.top) and not reps.loc[2, "top"] and not reps.loc[3, "top"], "ceil(3 / 4) = 1"
    # Client visits 1 March (华东设计院) and seven in May (江苏钢构); the 26 May call is no visit.
    assert zhang.client_visits == 8
    assert zhang.design_institute_share == pytest.approx(1 / 8)
    assert zhang.owner_share == 0
    assert np.isnan(zhang.planned_share), "the tiny visits carry no planned flag"
    # One ride-along (4 May with his manager 陈总 Chen) in three months.
    assert zhang.ride_alongs_per_month == pytest.approx(1 / 3)
    # core.figures: 13 weeks from Monday 2 March; visits in them 7 (1 March is a Sunday).
    assert zhang.visits_per_week == pytest.approx(7 / 13)
    assert np.isnan(zhang.days_between_stages), "one history row per deal: no stage change"


def test_ten_data_points_are_too_few_for_any_claim(tiny_con):
    found = school.school(tiny_con, school.window_for(tiny.AS_OF, 3), Filters(), tiny.AS_OF)
    assert set(found["comparison"]["verdict"]) == {"too_few"}
    assert found["steps"].empty
    assert school.verdict(5, 5, 1.0, 2.0, 0.001) == "too_few", "10 reps: below the minimum of 12"
    assert school.verdict(4, 20, 1.0, 2.0, 0.001) == "too_few", "4 top performers are too few"
    assert school.verdict(5, 7, 1.0, 2.0, 0.001) == "clear"


def test_effect_size_interval_and_p_value_by_hand():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0, 7.0])
    # Means 2 and 5.5; variances 1 and 5/3; pooled sd sqrt((2 + 5) / 5); correction 1 - 3/19.
    assert school.hedges_g(a, b) == pytest.approx(-3.5 / math.sqrt(7 / 5) * (1 - 3 / 19))
    # U = 0 of 12; sigma = sqrt(3 x 4 / 12 x 8); z = (6 - 0.5) / sigma.
    assert school.mann_whitney_p(a, b) == pytest.approx(math.erfc((5.5 / math.sqrt(8)) / math.sqrt(2)))
    low, high = school.bootstrap_interval(a, b)
    # A resampled mean of a lies in [1, 3], one of b in [4, 7]: the difference in [-6, -1].
    assert -6.0 <= low < -3.5 < high <= -1.0
    assert school.bootstrap_interval(a, b) == (low, high), "seeded: the same every time"


def test_one_matrix_of_resamples_serves_every_behaviour():
    nan = float("nan")
    top = np.array([[1.0, 10.0, nan], [2.0, nan, nan], [3.0, 30.0, nan]])
    rest = np.array([[4.0, 40.0, 1.0], [5.0, 50.0, 2.0], [6.0, nan, 3.0], [7.0, 70.0, 4.0]])
    (low0, high0), (low1, high1), third = school.bootstrap_intervals(top, rest)
    # A behaviour every rep has is resampled exactly as on its own (same seed, same draws).
    assert (low0, high0) == school.bootstrap_interval(top[:, 0], rest[:, 0])
    # With gaps, a resample's mean is over the drawn reps who have a value: top in [10, 30],
    # rest in [40, 70], so the difference lies in [-60, -10].
    assert -60.0 <= low1 < high1 <= -10.0
    assert all(math.isnan(v) for v in third), "no top performer has a value: no interval"
    assert school.bootstrap_intervals(top, rest)[:2] == [(low0, high0), (low1, high1)], "seeded"


def test_each_rep_gets_the_clear_steps_first_then_the_biggest_gap():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "rep_id": [1, 2, 3],
            "rep": ["甲", "乙", "丙"],
            "team": ["T"] * 3,
            "top": [True, False, False],
            "visits_per_week": [3.0, 1.0, float("nan")],
            "owner_share": [0.3, 0.0, 0.4],
            "chain_coverage": [0.2, 0.5, 0.1],
            "planned_share": [0.9, 0.1, 0.1],
            "days_between_stages": [5.0, 50.0, 9.0],
        }
    )
    comparison = pd.DataFrame(
        {
            "behaviour": [
                "visits_per_week",
                "owner_share",
                "chain_coverage",
                "planned_share",
                "days_between_stages",
            ],
            "verdict": ["clear", "suggestive", "clear", "no_difference", "clear"],
            "difference": [1.0, 0.1, -0.2, 0.5, -10.0],
            "median_top": [3.0, 0.3, 0.2, 0.9, 5.0],
            "pooled_sd": [1.0, 0.1, 0.1, 0.2, 0.0],
        }
    )
    steps = school.rep_steps(frame, comparison)
    # 乙: chain coverage (top performers lower: 0.5 -> 0.2, 3 sd) and visits (1 -> 3, 2 sd) are
    # clear; owners (0 -> 0.3, 3 sd) only suggestive, so last. No difference and a zero spread
    # give no step. 丙 has no visits figure and is already past the top on the other two.
    assert steps["rep"].tolist() == ["乙"] * 3
    assert steps["behaviour"].tolist() == ["chain_coverage", "visits_per_week", "owner_share"]
    assert steps["gap_sd"].tolist() == pytest.approx([3.0, 2.0, 3.0])
    assert steps["goal"].tolist() == pytest.approx([0.2, 3.0, 0.3])
    assert school.rep_steps(frame, comparison, steps=2)["behaviour"].tolist() == [
        "chain_coverage",
        "visits_per_week",
    ]


def test_the_statistics_agree_with_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    a, b = rng.normal(1, 1, 9).round(1), rng.normal(0, 1, 23).round(1)
    expected = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic").pvalue
    assert school.mann_whitney_p(a, b) == pytest.approx(expected)


# ------------------------------------------------------------------------------------------
# A made-up team of sixteen sales engineers, March to May 2026 (13 weeks from Monday 2 March).

MONDAYS = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(13)]


def sixteen(con, reps: int = 16) -> None:
    """Reps 1-4 win 150,000 of a 100,000 target and visit 3 clients a week (one week in four
    only 2); the others win 50,000 and visit 1 a week (one in four 2). Half of everyone's
    visits go to design institutes and everyone has one ride-along, so those do not differ."""
    con.execute(
        "INSERT INTO clients (client_id, name, name_key, client_type) VALUES"
        " (1, '设计院', 'di', 'design_institute'), (2, '业主', 'owner', 'owner')"
    )
    for rep in range(1, reps + 1):
        name = f"R{rep:02d}"
        con.execute(
            "INSERT INTO reps (rep_id, name, name_key, team, region, manager)"
            " VALUES (?, ?, ?, 'T', 'E', '经理 M')",
            [rep, name, name_key(name)],
        )
        con.execute("INSERT INTO targets VALUES ('2026-05-01', 'rep', ?, 100000, NULL)", [str(rep)])
        top = rep <= 4
        con.execute(
            "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount,"
            " created_date, close_date) VALUES (?, ?, 1, 'won', 'won', ?, '2026-04-01', '2026-05-20')",
            [f"W{rep}", rep, 150_000 if top else 50_000],
        )
        for i, monday in enumerate(MONDAYS):
            n = (3 if top else 1) + (1 if i % 4 == rep % 4 else 0) * (-1 if top else 1)
            for k in range(n):
                con.execute(
                    "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, accompanied_by)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        rep * 1000 + i * 10 + k,
                        monday + timedelta(days=k),
                        rep,
                        1 + (i % 2),
                        "经理 M" if i == k == 0 else None,
                    ],
                )


@pytest.fixture
def team_of(tmp_path):
    def make(reps: int):
        path = tmp_path / f"team{reps}.duckdb"
        with db.connect(path) as con:
            sixteen(con, reps)
        return path

    return make


def test_the_school_finds_the_difference_that_is_there(team_of):
    with db.connect(team_of(16)) as con:
        found = school.school(con, school.window_for(tiny.AS_OF, 3), Filters(), tiny.AS_OF)
    comparison = found["comparison"].set_index("behaviour")
    visits = comparison.loc["visits_per_week"]
    assert (visits.n_top, visits.n_rest) == (4, 12)
    assert visits.verdict == "too_few", "four top performers: below the minimum group of five"

    with db.connect(team_of(20)) as con:
        found = school.school(con, school.window_for(tiny.AS_OF, 3), Filters(), tiny.AS_OF)
    comparison = found["comparison"].set_index("behaviour")
    visits = comparison.loc["visits_per_week"]
    assert (visits.n_top, visits.n_rest) == (5, 15)
    assert visits.verdict == "clear" and visits.effect_size > 2
    assert comparison.index[0] == "visits_per_week", "the biggest difference comes first"
    assert comparison.loc["design_institute_share", "verdict"] in ("no_difference", "suggestive")
    assert comparison.loc["ride_alongs_per_month", "verdict"] == "no_difference"
    steps = found["steps"]
    assert set(steps["rep_id"]) == set(range(6, 21)), "every rep outside the top group gets a step"
    first = steps[steps["rep_id"] == 6].iloc[0]
    assert first.behaviour == "visits_per_week"
    # Top performers' median: 3 a week less one week in four: 36 / 13 or 35 / 13.
    assert first.goal == pytest.approx(36 / 13) or first.goal == pytest.approx(35 / 13)
    assert first.value < first.goal
