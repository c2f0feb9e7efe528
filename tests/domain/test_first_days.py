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

import pandas as pd
import pytest

from salesmgmt import pack
from salesmgmt.filters import Filters
from salesmgmt.metrics import actions, core, operations, overview, products, rankings
from salesmgmt.periods import Period
from tests.domain.test_pack import open_deck

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


# ------------------------------------------------------------------------------------------
# Products, sales operations, recognitions and the meeting pack in the first days (issue 14).
#
# On top of the company above: products on the won deals, December 2025 for the year before,
# and lost deals. Checked by hand:
#   Skylight:   won 10,000 on 1 Dec 2025 and 90,000 on 20 Dec 2025; N1 and N2 in November;
#               D1 5,000 on 2 Dec 2026.
#   Ventilator: won 40,000 on 15 Dec 2025; D3 8,000 on 1 Dec 2026.
#   Lost: N3 on 1 November, N4 on 3 November, D4 on 1 December (all 张伟, 10,000 each).


@pytest.fixture
def deals_company(company):
    con = company
    won, lost = "won", "lost"
    con.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, product, stage, status, amount,"
        " created_date, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (key, 1, 1, product, status, status, amount, date(2025, 10, 1), day, day)
            for key, product, status, amount, day in [
                ("L1", "Skylight", won, 10_000, date(2025, 12, 1)),
                ("L2", "Skylight", won, 90_000, date(2025, 12, 20)),
                ("L3", "Ventilator", won, 40_000, date(2025, 12, 15)),
                ("D3", "Ventilator", won, 8_000, date(2026, 12, 1)),
                ("N3", "Skylight", lost, 10_000, date(2026, 11, 1)),
                ("N4", "Skylight", lost, 10_000, date(2026, 11, 3)),
                ("D4", "Skylight", lost, 10_000, date(2026, 12, 1)),
            ]
        ],
    )
    con.execute("UPDATE opportunities SET product = 'Skylight' WHERE opp_id IN ('N1', 'N2', 'D1', 'D2')")
    return con


def by_product(frame):
    return {row.product: row for row in frame.itertuples()}


def test_on_the_3rd_a_product_is_compared_with_the_1st_to_the_3rd_of_last_years_month(deals_company):
    table = by_product(products.product_table(deals_company, DEC, Filters(), date(2026, 12, 3)))
    # Skylight: 5,000 against 10,000 on 1-3 December 2025 (not the whole month's 100,000).
    assert table["Skylight"].won_amount == 5_000 and table["Skylight"].won_amount_last_year == 10_000
    assert table["Skylight"].won_growth == pytest.approx(-0.5)
    # Ventilator: nothing won on 1-3 December 2025 (its 40,000 came on the 15th): no growth.
    assert table["Ventilator"].won_amount_last_year == 0 and pd.isna(table["Ventilator"].won_growth)
    # Three days say nothing of a product's direction: not judged yet.
    assert {row.direction for row in table.values()} == {"early"}


def test_once_the_first_week_is_over_the_direction_is_judged_on_the_same_days(deals_company):
    table = by_product(products.product_table(deals_company, DEC, Filters(), date(2026, 12, 16)))
    # 1-16 December 2025: Skylight 10,000, Ventilator 40,000.
    assert table["Skylight"].won_growth == pytest.approx(-0.5)
    assert table["Ventilator"].won_growth == pytest.approx(8_000 / 40_000 - 1)
    assert table["Skylight"].direction == "shrinking" and table["Ventilator"].direction == "shrinking"
    # The month over: the whole of December 2025 (Skylight 100,000).
    whole = by_product(products.product_table(deals_company, DEC, Filters(), date(2027, 1, 5)))
    assert whole["Skylight"].won_amount_last_year == 100_000


def test_the_same_days_of_last_years_period_are_as_many_days_from_its_start():
    last_year = DEC.same_last_year()
    assert overview.same_days_before(DEC, date(2026, 12, 3), last_year) == Period(
        "month", date(2025, 12, 1), date(2025, 12, 4)
    )
    assert overview.same_days_before(DEC, date(2026, 12, 31), last_year) == last_year


def test_sales_operations_compare_the_period_so_far_with_the_same_days_before(deals_company):
    # 1 December is compared with 1 November: N3 lost, nothing won (0%), not with the whole of
    # November (N1 and N2 won, N3 and N4 lost: 50%).
    before = operations.figures_same_days_before(deals_company, DEC, Filters(), date(2026, 12, 1)).iloc[0]
    assert (before["won_count"], before["lost_count"], before["win_rate"]) == (0, 1, 0)
    # 3 December: D1 and D3 won, D4 lost (2 of 3); 1-3 November: N1 won, N3 and N4 lost (1 of 3).
    now = operations.operation_figures(deals_company, DEC, Filters(), date(2026, 12, 3)).iloc[0]
    before = operations.figures_same_days_before(deals_company, DEC, Filters(), date(2026, 12, 3)).iloc[0]
    assert now["win_rate"] == pytest.approx(2 / 3) and before["win_rate"] == pytest.approx(1 / 3)
    assert before["won_amount"] == 20_000 and before["avg_deal_size"] == 20_000
    # Open deals: those open on 3 November (the tiny company's O4, O5, O8 and O9).
    assert before["open_deals"] == 4


def test_in_the_first_days_nobody_is_scored_either(company):
    # 1 December: everyone at 0% of the month's target would score 0 of 100.
    teams = rankings.team_rankings(company, DEC, Filters(), date(2026, 12, 1))
    assert teams["composite"].isna().all()
    assert teams[[f"score_{name}" for name in rankings.COMPOSITE_WEIGHTS]].isna().all().all()
    later = rankings.team_rankings(company, DEC, Filters(), date(2026, 12, 14))
    assert later["composite"].notna().all()


def test_in_the_first_days_the_recognitions_are_the_last_complete_periods(company):
    assert rankings.ranked_period(DEC, date(2026, 12, 3)) == (NOV, date(2026, 11, 30))
    assert rankings.ranked_period(DEC, date(2026, 12, 14)) == (DEC, date(2026, 12, 14))
    # December so far: Dragon has 5,000 of 100,000, nobody earned anything.
    assert rankings.recognitions(company, DEC, Filters(), date(2026, 12, 3)).empty
    # November: Dragon won 100,000 of its 100,000 (over target; below 110%, so not for head office).
    period, day = rankings.ranked_period(DEC, date(2026, 12, 3))
    found = rankings.recognitions(company, period, Filters(), day)
    assert list(zip(found["kind"], found["team"], found["head_office"])) == [
        ("team_over_target", "Dragon", False)
    ]


def slide_titled(deck, title: str):
    return next(
        s for s in deck.slides if any(sh.has_text_frame and sh.text_frame.text == title for sh in s.shapes)
    )


def texts_on(slide) -> list[str]:
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found.append(shape.text_frame.text)
        if shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


@pytest.fixture
def manager_deck_3_december(company):
    return open_deck(pack.build_deck(company, DEC, as_of=date(2026, 12, 3), lang="en"))


def test_in_the_first_days_the_packs_ranking_is_the_last_complete_periods(manager_deck_3_december):
    slide = slide_titled(manager_deck_3_december, "Rankings")
    texts = texts_on(slide)
    # November ranked (Dragon 100% of target first, Tiger 0% second), not three December days.
    assert texts[texts.index("Dragon") - 2] == "1" and texts[texts.index("Tiger") - 2] == "2"
    assert any("First days of Dec 2026" in t and "Nov 2026" in t for t in texts)
    bars = next(sh.chart for sh in slide.shapes if sh.has_chart)
    assert list(bars.plots[0].categories) == ["Tiger", "Dragon"]  # drawn bottom up


def test_in_the_first_days_the_packs_recognitions_are_the_last_complete_periods(manager_deck_3_december):
    texts = texts_on(slide_titled(manager_deck_3_december, "Recognitions"))
    assert any("Team Dragon: 100% of target in 2026-11" in t for t in texts)
    assert any("Nov 2026" in t and "the last complete period" in t for t in texts)


def test_in_the_first_days_the_packs_trend_ends_with_the_last_complete_month(manager_deck_3_december):
    slide = slide_titled(manager_deck_3_december, "Each team's trend")
    trend = next(sh.chart for sh in slide.shapes if sh.has_chart)
    assert list(trend.plots[0].categories)[-1] == "2026-11"
    assert any("Dec 2026" in t for t in texts_on(slide))


def test_in_the_first_days_the_packs_key_figures_show_the_last_complete_period_beside(
    manager_deck_3_december,
):
    texts = " ".join(texts_on(slide_titled(manager_deck_3_december, "Key figures")))
    assert "First days of Dec 2026" in texts
    # November: 100,000 won of 200,000 (50%).
    assert "Nov 2026" in texts and "CNY 100,000" in texts and "50%" in texts


def test_the_period_so_far_earns_no_recognition_of_the_months_before_it(company):
    # 张伟 is at 100% of target in September, October and November too: three months over target,
    # a recognition of the complete months, which December so far has not earned of its own.
    company.executemany(
        "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)",
        [(date(2026, m, 1), "rep", "1", 50_000) for m in (9, 10)],
    )
    company.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount,"
        " created_date, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (f"S{m}", 1, 1, "won", "won", 50_000, date(2026, 8, 1), date(2026, m, 5), date(2026, m, 5))
            for m in (9, 10)
        ],
    )
    found = rankings.recognitions(company, DEC, Filters(), date(2026, 12, 3))
    assert list(zip(found["kind"], found["rep"])) == [("three_months_over_target", "张伟 Zhang")]
    assert rankings.recognitions_so_far(company, DEC, Filters(), date(2026, 12, 3)).empty
    november = rankings.recognitions(company, NOV, Filters(), NOV.last_day)
    assert "three_months_over_target" in set(november["kind"])
