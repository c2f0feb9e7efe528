"""Products & services on a small company whose every figure is checked by hand.

Two reps: 1 (Dragon, East) and 2 (Tiger, West). Period: 2026-Q2, as of 2026-06-30.

Panel:      P1 won  100,000 on 20 Apr (created 10 Jan: 100 days)         rep 1
            P2 won  300,000 on 31 May (created 1 Mar: 91 days)           rep 2
            P3 lost  50,000 on 10 Jun                                    rep 1
            P4 open  70,000, created 1 Jun, expected 1 Aug (after Q2)    rep 1
            PL won  200,000 on 10 May 2025 (last year)                   rep 1
Skylight:   S1 won  200,000 on 15 Jun (created 16 May: 30 days)          rep 2
            S2 lost  80,000 on 5 Apr, S3 lost 20,000 on 5 May            rep 2
            SL won  250,000 on 1 Jun 2025                                rep 2
Ventilator: V1 open 120,000, expected 20 Jun (in Q2)                     rep 1
            VL won  100,000 on 1 Apr 2025                                rep 1
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.metrics import core, deals, products
from salesmgmt.periods import Period
from tests.scenario import Company

Q2 = Period.parse("2026-Q2")
AS_OF = date(2026, 6, 30)
PANEL, SKY, VENT = "Panel", "Skylight", "Ventilator"


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "products.duckdb") as con:
        c = Company(con)
        c.rep(1, "A", "Dragon", "East")
        c.rep(2, "B", "Tiger", "West")
        c.client(1, "Institute", "design_institute", owner=1)
        c.client(2, "Steel", "steel_structure", owner=2)
        c.deal(
            "P1",
            1,
            1,
            [
                (date(2026, 1, 10), "lead", 100_000, date(2026, 4, 30)),
                (date(2026, 4, 20), "won", 100_000, date(2026, 4, 30)),
            ],
            PANEL,
        )
        c.deal(
            "P2",
            2,
            2,
            [
                (date(2026, 3, 1), "solution", 300_000, date(2026, 5, 31)),
                (date(2026, 5, 31), "won", 300_000, date(2026, 5, 31)),
            ],
            PANEL,
        )
        c.deal(
            "P3",
            1,
            1,
            [
                (date(2026, 2, 1), "qualified", 50_000, date(2026, 6, 30)),
                (date(2026, 6, 10), "lost", 50_000, date(2026, 6, 30)),
            ],
            PANEL,
        )
        c.deal("P4", 1, 1, [(date(2026, 6, 1), "lead", 70_000, date(2026, 8, 1))], PANEL)
        c.deal(
            "PL",
            1,
            1,
            [
                (date(2025, 3, 1), "quote", 200_000, date(2025, 5, 10)),
                (date(2025, 5, 10), "won", 200_000, date(2025, 5, 10)),
            ],
            PANEL,
        )
        c.deal(
            "S1",
            2,
            2,
            [
                (date(2026, 5, 16), "quote", 200_000, date(2026, 6, 15)),
                (date(2026, 6, 15), "won", 200_000, date(2026, 6, 15)),
            ],
            SKY,
        )
        c.deal(
            "S2",
            2,
            2,
            [
                (date(2026, 1, 5), "lead", 80_000, date(2026, 4, 5)),
                (date(2026, 4, 5), "lost", 80_000, date(2026, 4, 5)),
            ],
            SKY,
        )
        c.deal(
            "S3",
            2,
            2,
            [
                (date(2026, 1, 5), "lead", 20_000, date(2026, 5, 5)),
                (date(2026, 5, 5), "lost", 20_000, date(2026, 5, 5)),
            ],
            SKY,
        )
        c.deal(
            "SL",
            2,
            2,
            [
                (date(2025, 4, 1), "quote", 250_000, date(2025, 6, 1)),
                (date(2025, 6, 1), "won", 250_000, date(2025, 6, 1)),
            ],
            SKY,
        )
        c.deal(
            "V1",
            1,
            1,
            [
                (date(2026, 4, 1), "lead", 120_000, date(2026, 6, 20)),
                (date(2026, 5, 15), "quote", 120_000, date(2026, 6, 20)),
            ],
            VENT,
        )
        c.deal(
            "VL",
            1,
            1,
            [
                (date(2025, 1, 1), "quote", 100_000, date(2025, 4, 1)),
                (date(2025, 4, 1), "won", 100_000, date(2025, 4, 1)),
            ],
            VENT,
        )
        yield con


def row(frame, **where):
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row with {where}, got {len(rows)}"
    return rows.iloc[0]


def test_each_product_has_its_sales_win_rate_size_and_cycle(con):
    table = products.product_table(con, Q2, Filters(), AS_OF)
    assert list(table["product"]) == [PANEL, SKY, VENT], "largest won first"
    panel = row(table, product=PANEL)
    assert panel.won_amount == 400_000 and panel.won_count == 2 and panel.lost_count == 1
    assert panel.win_rate == pytest.approx(2 / 3)
    assert panel.avg_deal_size == 200_000
    assert panel.sales_cycle_days == pytest.approx((100 + 91) / 2)
    assert panel.won_mix == pytest.approx(400 / 600)
    sky = row(table, product=SKY)
    assert sky.win_rate == pytest.approx(1 / 3) and sky.sales_cycle_days == 30


def test_open_pipeline_follows_module_1_and_the_pipeline_at_the_date_counts_every_open_deal(con):
    table = products.product_table(con, Q2, Filters(), AS_OF)
    panel, vent = row(table, product=PANEL), row(table, product=VENT)
    assert panel.open_amount == 0, "P4 is expected to close in August, outside Q2"
    assert panel.pipeline_amount == 70_000, "but it is open on 30 June"
    assert vent.open_amount == 120_000 and vent.pipeline_amount == 120_000
    assert np.isnan(vent.win_rate) and np.isnan(vent.avg_deal_size)


def test_products_grow_or_shrink_against_the_same_period_last_year(con):
    table = products.product_table(con, Q2, Filters(), AS_OF)
    panel, sky, vent = (row(table, product=p) for p in (PANEL, SKY, VENT))
    assert panel.won_amount_last_year == 200_000
    assert panel.won_growth == pytest.approx(1.0) and panel.direction == "growing"
    assert sky.won_growth == pytest.approx(-0.2) and sky.direction == "shrinking"
    assert vent.won_growth == pytest.approx(-1.0) and vent.direction == "shrinking"


def test_the_trend_gives_won_and_the_pipeline_at_each_month_end(con):
    trend = products.product_trend(con, Filters(), Period.parse("2026-06"), AS_OF, months=3)
    panel = trend[trend["product"] == PANEL].set_index("month")
    assert list(panel["won_amount"]) == [100_000, 300_000, 0]
    assert panel.loc[date(2026, 6, 1), "win_rate"] == 0, "June: P3 lost, nothing won"
    # 30 Apr: P2 300,000 + P3 50,000 open; 31 May: P2 won that day, P3 still open; 30 Jun: P4.
    assert list(panel["pipeline_amount"]) == [350_000, 50_000, 70_000]
    vent = trend[trend["product"] == VENT].set_index("month")
    assert list(vent["pipeline_amount"]) == [120_000, 120_000, 120_000]


def test_a_month_after_the_as_of_date_has_no_pipeline_yet(con):
    trend = products.product_trend(con, Filters(), Period.parse("2026-06"), date(2026, 5, 20), 3)
    panel = trend[trend["product"] == PANEL].set_index("month")
    assert np.isnan(panel.loc[date(2026, 6, 1), "pipeline_amount"])
    assert panel.loc[date(2026, 5, 1), "pipeline_amount"] == 350_000, "at 20 May: P2 and P3"


def test_the_product_mix_of_each_team(con):
    mix = products.product_breakdown(con, Q2, Filters(), "team")
    assert row(mix, product=PANEL, team="Tiger").won_mix == pytest.approx(0.6)  # 300 of 500
    assert row(mix, product=SKY, team="Tiger").won_mix == pytest.approx(0.4)
    assert row(mix, product=PANEL, team="Dragon").won_mix == 1.0
    assert row(mix, product=PANEL, team="Dragon").win_rate == 0.5
    by_type = products.product_breakdown(con, Q2, Filters(), "client_type")
    assert row(by_type, product=SKY, client_type="steel_structure").lost_count == 2


def test_a_filter_narrows_every_product_figure(con):
    table = products.product_table(con, Q2, Filters(teams=("Dragon",)), AS_OF)
    assert set(table["product"]) == {PANEL, VENT}, "no skylight was sold by Dragon, now or last year"
    assert row(table, product=PANEL).won_amount == 100_000
    assert products.product_table(con, Q2, Filters(scope_rep_ids=()), AS_OF).empty


def test_deal_figures_summed_over_products_equal_module_1s_totals(con):
    table = deals.deal_figures(con, Q2, Filters(), ("product",))
    total = core.totals(con, Q2, Filters(), AS_OF, with_probability=False)
    assert table["won_amount"].sum() == total["won_amount"] == 600_000
    assert table["won_count"].sum() == total["won_count"]
    assert table["lost_count"].sum() == total["lost_count"] == 3  # P3, S2, S3
    assert table["open_amount"].sum() == total["open_amount"] == 120_000
