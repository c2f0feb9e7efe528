"""Module 1's figures on the tiny company, every number checked by hand (see tests/tiny.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import core, overview
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")


def by(frame, column, value):
    rows = frame[frame[column] == value]
    assert len(rows) == 1, f"expected one row with {column}={value}"
    return rows.iloc[0]


def test_a_reps_won_lost_and_win_rate_count_deals_closed_in_the_period(tiny_con):
    reps = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF)
    zhang = by(reps, "rep_id", 1)
    # O1 60,000 + O2 40,000 won in May; O3 lost in May; O6 (April) is outside.
    assert zhang.won_amount == 100_000
    assert zhang.won_count == 2 and zhang.lost_count == 1
    assert zhang.win_rate == pytest.approx(2 / 3)
    li = by(reps, "rep_id", 2)
    assert li.won_amount == 0 and np.isnan(li.win_rate), "no closed deal: win rate is empty"


def test_weighted_pipeline_uses_the_stage_default_when_a_deal_has_no_probability(tiny_con):
    reps = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF)
    zhang = by(reps, "rep_id", 1)
    assert zhang.open_amount == 50_000
    assert zhang.weighted_amount == pytest.approx(30_000)  # quote stage: 60%
    li = by(reps, "rep_id", 2)
    # O5 100,000 x 0.8 (its own) + O9 100,000 x 0.1 (lead default)
    assert li.open_amount == 200_000
    assert li.weighted_amount == pytest.approx(90_000)
    wang = by(reps, "rep_id", 3)
    assert wang.open_amount == 0, "O8 is expected to close in June"


def test_forecast_commit_and_best_case_follow_the_probability_bands(tiny_con):
    reps = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF)
    zhang, li = by(reps, "rep_id", 1), by(reps, "rep_id", 2)
    assert zhang.forecast == pytest.approx(130_000)
    assert zhang.commit_amount == 100_000  # 60% is below the commit band
    assert zhang.best_case_amount == 150_000  # but inside best case
    assert li.forecast == pytest.approx(90_000)
    assert li.commit_amount == 100_000  # O5 at 80%
    assert li.best_case_amount == 100_000  # O9 at 10% counts in neither


def test_attainment_and_the_probability_of_making_the_target(tiny_con):
    reps = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF)
    zhang, li, wang = by(reps, "rep_id", 1), by(reps, "rep_id", 2), by(reps, "rep_id", 3)
    assert zhang.attainment == 1.0 and zhang.attainment_probability == 1.0
    assert li.attainment == 0 and li.gap == 200_000
    # Li needs both open deals to close: 0.8 x 0.1
    assert li.attainment_probability == pytest.approx(0.08)
    assert wang.attainment_probability == 0.0, "no pipeline left: out of reach"
    manager = by(reps, "rep_id", 4)
    assert np.isnan(manager.target) and np.isnan(manager.attainment)


def test_a_teams_own_target_overrides_the_sum_of_its_reps(tiny_con):
    teams = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF, level="team")
    assert by(teams, "team", "Dragon").target == 300_000  # 100,000 + 200,000
    assert by(teams, "team", "Tiger").target == 150_000  # own target, not Wang's 100,000
    total = core.totals(tiny_con, MAY, Filters(), tiny.AS_OF)
    assert total["target"] == 450_000
    assert total["won_amount"] == 100_000
    assert total["attainment"] == pytest.approx(100_000 / 450_000)
    assert total["win_rate"] == pytest.approx(0.5)  # 2 won, 2 lost


def test_team_probability_combines_every_open_deal_of_the_team(tiny_con):
    teams = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF, level="team")
    # Dragon needs 200,000 more from 50k@0.6, 100k@0.8, 100k@0.1: only both 100k deals do it.
    assert by(teams, "team", "Dragon").attainment_probability == pytest.approx(0.08)


def test_a_rep_filter_ignores_team_targets_and_narrows_every_figure(tiny_con):
    only_wang = Filters(rep_ids=(3,))
    total = core.totals(tiny_con, MAY, only_wang, tiny.AS_OF)
    assert total["target"] == 100_000
    assert total["lost_count"] == 1 and total["won_count"] == 0
    assert total["visits"] == 0


def test_visits_and_weeks_meeting_the_norm(tiny_con):
    assert core.week_window(MAY, tiny.AS_OF) == (date(2026, 5, 4), date(2026, 6, 1), 4)
    reps = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF)
    zhang = by(reps, "rep_id", 1)
    assert zhang.visits == 7, "the call does not count; the 1 May visit does"
    assert zhang.weeks_meeting_norm == 2  # weeks of 4 May (2) and 18 May (3)
    assert zhang.visits_per_week == pytest.approx(6 / 4), "1 May lies before the first week"
    teams = core.figures(tiny_con, MAY, Filters(), tiny.AS_OF, level="team")
    dragon = by(teams, "team", "Dragon")
    assert dragon.visits == 12  # the manager's visit counts as a visit
    assert dragon.engineers == 2
    assert dragon.visits_per_week == pytest.approx(10 / 8)  # engineers only
    assert dragon.norm_share == pytest.approx(4 / 8)


def test_weeks_not_yet_begun_are_not_counted():
    assert core.week_window(MAY, date(2026, 5, 12)) == (date(2026, 5, 4), date(2026, 5, 18), 2)
    assert core.week_window(MAY, date(2026, 5, 2))[2] == 0


def test_the_monthly_trend_uses_the_same_target_rule(tiny_con):
    trend = overview.monthly_trend(tiny_con, Filters(), MAY, months=3)
    assert list(trend["month"]) == [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    may = trend.iloc[2]
    assert may.target == 450_000 and may.won_amount == 100_000 and may.visits == 12
    april = trend.iloc[1]
    assert april.target == 80_000 and april.won_amount == 50_000


def test_attention_lists_the_team_behind_the_cold_key_account_and_reps_below_norm(tiny_con):
    items = overview.attention(tiny_con, MAY, Filters(), tiny.AS_OF)
    assert set(items["teams_behind"]["team"]) == {"Dragon", "Tiger"}
    assert list(items["reps_below_norm"]["rep_id"]) == [3]
    cold = items["cold_accounts"]
    assert list(cold["client"]) == ["华东设计院"]
    assert cold.iloc[0].days_since_visit == 91  # last visit 1 March


def test_the_exact_and_the_sampled_probability_agree():
    rng = np.random.default_rng(1)
    amounts = rng.integers(10_000, 100_000, 24).astype(float)
    probs = rng.random(24)
    gap = amounts.sum() * 0.5
    sampled = core._attainment_probability(amounts, probs, gap)
    exact_small = core._attainment_probability(amounts[:12], probs[:12], amounts[:12].sum() * 0.5)
    assert 0 < exact_small < 1
    # The sample of 24 deals against an exact computation by convolution over cents is costly;
    # instead check against the normal approximation within its error.
    mean = (amounts * probs).sum()
    sd = np.sqrt((amounts**2 * probs * (1 - probs)).sum())
    from math import erf, sqrt

    approx = 0.5 * (1 - erf((gap - mean) / (sd * sqrt(2))))
    assert sampled == pytest.approx(approx, abs=0.08)


class _CountingRng:
    """np.random.default_rng that counts the draws (rows) asked of it."""

    def __init__(self, monkeypatch):
        self.rows = 0
        real = np.random.default_rng

        def make(seed):
            generator = real(seed)
            outer = self

            class Counting:
                def random(self, shape, dtype=np.float64):
                    outer.rows += shape[0]
                    return generator.random(shape, dtype=dtype)

            return Counting()

        monkeypatch.setattr(core.np.random, "default_rng", make)


def test_a_chance_far_in_either_tail_is_decided_by_the_bound_without_drawing(monkeypatch):
    rng = _CountingRng(monkeypatch)
    amounts = np.full(100, 10_000.0)
    probs = np.full(100, 0.1)
    # Mean 100,000; Hoeffding: P(S >= 500,000) <= exp(-2 * 400,000^2 / (100 * 10,000^2)) = e^-32.
    assert core._attainment_probability(amounts, probs, 500_000) == 0.0
    # And P(S < 20,000) <= exp(-2 * 80,000^2 / 1e10) = e^-1.28 is not negligible: it draws.
    assert 0.99 < core._attainment_probability(amounts, probs, 20_000) < 1.0
    assert rng.rows > 0
    drawn = rng.rows
    # With 90% chances, 500,000 is far below the mean of 900,000: certain.
    assert core._attainment_probability(amounts, np.full(100, 0.9), 500_000) == 1.0
    assert rng.rows == drawn


def test_the_sampling_stops_once_its_standard_error_is_that_of_200000_draws_at_even_odds(monkeypatch):
    rng = _CountingRng(monkeypatch)
    amounts = np.full(40, 10_000.0)
    probs = np.full(40, 0.5)
    # P(Binomial(40, .5) >= 20) = 0.5627. 200,000 plain draws would have a standard error of
    # 0.0011; 12 of the deals are summed exactly for each draw of the other 28, which leaves
    # less spread, so fewer whole batches of 10,000 reach it.
    chance = core._attainment_probability(amounts, probs, 200_000)
    assert chance == pytest.approx(0.5627, abs=0.0035)
    assert rng.rows % 10_000 == 0 and 10_000 <= rng.rows < 200_000
    # P(Binomial(40, .5) >= 26) = 0.0403.
    rng.rows = 0
    assert core._attainment_probability(amounts, probs, 260_000) == pytest.approx(0.0403, abs=0.0035)
    assert rng.rows % 10_000 == 0 and rng.rows < 200_000


def test_the_conditioned_sampling_agrees_with_the_exact_chance_of_uneven_deals():
    rng = np.random.default_rng(3)
    amounts = rng.integers(10_000, 500_000, 19).astype(float)
    probs = rng.choice([0.1, 0.2, 0.4, 0.6, 0.8], 19)
    gap = float(amounts @ probs)
    # 19 deals: one more than is enumerated; the exact value by enumerating all 2^19.
    totals, weights = core._enumerate(amounts, probs)
    exact = float(weights[totals >= gap - 1e-6].sum())
    assert core._attainment_probability(amounts, probs, gap) == pytest.approx(exact, abs=0.0035)
