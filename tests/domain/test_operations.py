"""Sales operations on a small company whose every figure is checked by hand.

Period: May 2026, as of 31 May. Reps 1 (Dragon) and 2 (Tiger); client 1 is rep 1's, client 2 rep 2's.

Closed in May (the funnel's cohort):
  D1 rep 1 won  100,000 on 10 May: lead 1 Mar, qualified 20 Mar, negotiation 20 Apr (70 days)
  D2 rep 1 lost  50,000 on 15 May: lead 1 Apr, solution 15 Apr                  reason "Price"
  D3 rep 2 won  200,000 on 20 May: quote 11 Mar (70 days)
  D4 rep 2 lost  30,000 on 25 May: lead 1 May                                    no reason
Open on 31 May:
  E1 rep 1 qualified since 1 Feb (119 days), expected close moved 30 Apr -> 31 May -> 30 Jun
     (pushed twice; an amount change on 5 May is no push), 90,000
  E2 rep 2 quote since 20 May, 40,000
  E3 rep 2 negotiation since 1 Apr (60 days), expected 20 May -> 10 Jun (pushed) -> 30 May
     (earlier: no push), 60,000
Completed stays in open stages: lead 19 (D1), 14 (D2), 24 (D4), 31 (E1); qualified 31 (D1);
negotiation 20 (D1); solution 30 (D2); quote 70 (D3).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.metrics import core, operations
from salesmgmt.periods import Period
from tests.scenario import Company

MAY = Period.parse("2026-05")
AS_OF = date(2026, 5, 31)


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "operations.duckdb") as con:
        c = Company(con)
        c.rep(1, "A", "Dragon", "East")
        c.rep(2, "B", "Tiger", "West")
        c.client(1, "One", owner=1)
        c.client(2, "Two", owner=2)
        exp = date(2026, 5, 31)
        c.deal(
            "D1",
            1,
            1,
            [
                (date(2026, 3, 1), "lead", 100_000, exp),
                (date(2026, 3, 20), "qualified", 100_000, exp),
                (date(2026, 4, 20), "negotiation", 100_000, exp),
                (date(2026, 5, 10), "won", 100_000, exp),
            ],
        )
        c.deal(
            "D2",
            1,
            1,
            [
                (date(2026, 4, 1), "lead", 50_000, exp),
                (date(2026, 4, 15), "solution", 50_000, exp),
                (date(2026, 5, 15), "lost", 50_000, exp),
            ],
            lost_reason="Price",
        )
        c.deal(
            "D3", 2, 2, [(date(2026, 3, 11), "quote", 200_000, exp), (date(2026, 5, 20), "won", 200_000, exp)]
        )
        c.deal(
            "D4", 2, 2, [(date(2026, 5, 1), "lead", 30_000, exp), (date(2026, 5, 25), "lost", 30_000, exp)]
        )
        c.deal(
            "E1",
            1,
            1,
            [
                (date(2026, 1, 1), "lead", 80_000, date(2026, 4, 30)),
                (date(2026, 2, 1), "qualified", 80_000, date(2026, 4, 30)),
                (date(2026, 3, 1), "qualified", 80_000, date(2026, 5, 31)),
                (date(2026, 4, 10), "qualified", 80_000, date(2026, 6, 30)),
                (date(2026, 5, 5), "qualified", 90_000, date(2026, 6, 30)),
            ],
        )
        c.deal("E2", 2, 2, [(date(2026, 5, 20), "quote", 40_000, date(2026, 6, 15))])
        c.deal(
            "E3",
            2,
            2,
            [
                (date(2026, 4, 1), "negotiation", 60_000, date(2026, 5, 20)),
                (date(2026, 5, 10), "negotiation", 60_000, date(2026, 6, 10)),
                (date(2026, 5, 20), "negotiation", 60_000, date(2026, 5, 30)),
            ],
        )
        c.visit(date(2026, 5, 12), 1, 1)
        c.visit(date(2026, 5, 28), 2, 1)  # not E1's owner: not E1's last visit
        c.visit(date(2026, 5, 2), 2, 2, visit_type="call")
        c.visit(date(2026, 6, 3), 2, 2)  # after the as-of date
        yield con


def test_the_funnel_counts_how_far_the_deals_closed_in_the_period_got(con):
    funnel = operations.stage_conversion(con, MAY, Filters()).set_index("stage")
    assert list(funnel.index) == ["lead", "qualified", "solution", "quote", "negotiation", "won"]
    # D1 skipped solution and quote but was won: it reached them. D2 got to solution, D4 to lead.
    assert list(funnel["reached"]) == [4, 3, 3, 2, 2, 2]
    assert list(funnel["conversion"].iloc[:5]) == pytest.approx([3 / 4, 1, 2 / 3, 1, 1])
    assert np.isnan(funnel.loc["won", "conversion"])


def test_the_conversions_multiply_to_module_1s_win_rate(con):
    funnel = operations.stage_conversion(con, MAY, Filters())
    total = core.totals(con, MAY, Filters(), AS_OF, with_probability=False)
    assert np.prod(funnel["conversion"].iloc[:5]) == pytest.approx(total["win_rate"]) == 0.5
    assert funnel["share_of_first"].iloc[-1] == 0.5


def test_the_funnel_per_team(con):
    teams = operations.stage_conversion(con, MAY, Filters(), by_team=True)
    tiger = teams[teams["team"] == "Tiger"].set_index("stage")
    assert list(tiger["reached"]) == [2, 1, 1, 1, 1, 1]  # D3 won, D4 lost at lead


def test_the_funnel_in_total_and_per_team_at_once_are_the_same_figures(con):
    both = operations.funnel_conversions(con, MAY, Filters())
    pd.testing.assert_frame_equal(both["total"], operations.stage_conversion(con, MAY, Filters()))
    pd.testing.assert_frame_equal(both["teams"], operations.conversion_by_team(con, MAY, Filters()))


def test_open_deals_by_stage_at_the_as_of_date(con):
    funnel = operations.open_funnel(con, Filters(), AS_OF).set_index("stage")
    assert list(funnel["open_count"]) == [0, 1, 0, 1, 1]
    assert funnel.loc["qualified", "open_amount"] == 90_000, "E1's amount of 5 May"
    earlier = operations.open_funnel(con, Filters(), date(2026, 4, 30)).set_index("stage")
    # 30 Apr: E1 qualified; D1 and E3 negotiation; D2 solution; D3 quote.
    assert list(earlier["open_count"]) == [0, 1, 1, 1, 2]


def test_pipeline_velocity_is_open_deals_times_win_rate_times_size_over_cycle(con):
    total = operations.operation_figures(con, MAY, Filters(), AS_OF).iloc[0]
    assert total.open_deals == 3 and total.win_rate == 0.5
    assert total.avg_deal_size == 150_000 and total.sales_cycle_days == 70
    assert total.pipeline_velocity == pytest.approx(3 * 0.5 * 150_000 / 70)
    teams = operations.operation_figures(con, MAY, Filters(), AS_OF, ("team",)).set_index("team")
    assert teams.loc["Dragon", "pipeline_velocity"] == pytest.approx(1 * 0.5 * 100_000 / 70)
    assert teams.loc["Tiger", "pipeline_velocity"] == pytest.approx(2 * 0.5 * 200_000 / 70)


def test_the_trend_reads_each_month_as_it_stood(con):
    trend = operations.operations_trend(con, Filters(), MAY, AS_OF, months=2).set_index("month")
    april, may = trend.loc[date(2026, 4, 1)], trend.loc[date(2026, 5, 1)]
    assert april.open_deals == 5 and april.won_count == 0
    assert np.isnan(april.pipeline_velocity), "nothing closed in April: no win rate"
    assert may.open_deals == 3 and may.pipeline_velocity == pytest.approx(3214.2857, rel=1e-6)


def test_the_usual_time_in_a_stage_is_a_percentile_of_completed_stays(con):
    usual = operations.usual_stage_days(con, Filters(), AS_OF, min_spells=1).set_index("stage")
    assert usual.loc["lead", "spells"] == 4
    # 14, 19, 24, 31: the 75% point lies a quarter of the way from 24 to 31.
    assert usual.loc["lead", "usual_days"] == pytest.approx(25.75)
    assert usual.loc["qualified", "usual_days"] == 31
    # With too few stays per stage (the default needs 5), every stage takes the overall 75%
    # point of 14, 19, 20, 24, 30, 31, 31, 70 = 31.
    usual = operations.usual_stage_days(con, Filters(), AS_OF).set_index("stage")
    assert set(usual["source"]) == {"all_stages"} and set(usual["usual_days"]) == {31}
    usual90 = operations.usual_stage_days(con, Filters(), AS_OF, 0.9)
    assert usual90["usual_days"].iloc[0] == pytest.approx(31 + 0.3 * 39)


def test_stalled_deals_are_in_their_stage_longer_than_usual_with_owner_and_last_visit(con):
    stalled = operations.stalled_deals(con, Filters(), AS_OF)
    assert list(stalled["opp_id"]) == ["E1", "E3"], "119 and 60 days against 31; E2 11 days"
    e1 = stalled.iloc[0]
    assert e1.days_in_stage == 119 and e1.stage_entered == date(2026, 2, 1)
    assert e1.owner == "A" and e1.last_visit == date(2026, 5, 12) and e1.days_since_visit == 19
    e3 = stalled.iloc[1]
    assert e3.last_visit == date(2026, 5, 2), "the call counts; the June visit is after as-of"
    assert e3.over_usual == pytest.approx(60 / 31)


def test_the_usual_time_ignores_the_users_narrowing_but_not_the_scope(con):
    narrowed = operations.usual_stage_days(con, Filters(rep_ids=(2,)), AS_OF)
    assert set(narrowed["usual_days"]) == {31}, "the norm is the company's, not rep 2's"
    scoped = operations.usual_stage_days(con, Filters(scope_rep_ids=(2,)), AS_OF)
    # Only rep 2's stays: quote 70, lead 24 — too few: the fallback of 60 days.
    assert set(scoped["source"]) == {"default"} and set(scoped["usual_days"]) == {60}
    assert list(operations.stalled_deals(con, Filters(rep_ids=(2,)), AS_OF)["opp_id"]) == ["E3"]


def test_deals_pushed_twice_or_more(con):
    pushed = operations.pushed_deals(con, Filters(), AS_OF)
    assert list(pushed["opp_id"]) == ["E1"], "E3 moved later once, then earlier"
    assert pushed.iloc[0].push_count == 2 and pushed.iloc[0].days_pushed == 61  # 30 Apr -> 30 Jun
    deals = operations.open_deals_at(con, Filters(), AS_OF).set_index("opp_id")
    assert deals.loc["E3", "push_count"] == 1


def test_the_stuck_deals_at_once_are_the_stalled_and_the_pushed_ones(con):
    stuck = operations.stuck_deals(con, Filters(), AS_OF)
    assert list(stuck["stalled"]["opp_id"]) == ["E1", "E3"]
    assert list(stuck["pushed"]["opp_id"]) == ["E1"]
    assert set(stuck["usual"]["usual_days"]) == {31}
    pd.testing.assert_frame_equal(stuck["stalled"], operations.stalled_deals(con, Filters(), AS_OF))


def test_lost_reasons_of_the_period(con):
    reasons = operations.lost_reasons(con, MAY, Filters())
    assert list(reasons["lost_reason"]) == ["Price", ""]
    assert list(reasons["lost_amount"]) == [50_000, 30_000]
    assert list(reasons["lost_reason_share"]) == [0.5, 0.5]
    by_team = operations.lost_reasons(con, MAY, Filters(), ("team",))
    assert by_team[by_team["team"] == "Tiger"]["lost_reason_share"].tolist() == [1.0]


def test_nothing_outside_the_scope(con):
    assert operations.open_deals_at(con, Filters(scope_rep_ids=()), AS_OF).empty
    assert operations.lost_reasons(con, MAY, Filters(scope_teams=("Tiger",)))["lost_reason"].tolist() == [""]
    assert operations.operation_figures(con, MAY, Filters(scope_rep_ids=(1,)), AS_OF).iloc[0].open_deals == 1
