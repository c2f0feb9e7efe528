"""The Forecast page's figures, checked by hand: gap and pipeline needed on the tiny company
(tests/tiny.py), movement and accuracy on a small hand-made history for June 2026."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import forecast
from salesmgmt.periods import Period
from tests import tiny

MAY, JUNE = Period.parse("2026-05"), Period.parse("2026-06")
D0, D1 = date(2026, 6, 1), date(2026, 6, 15)


def add_opportunity(con, opp_id: str, rep_id: int, intervals: list[tuple]) -> None:
    """History rows (valid_from, valid_to, stage, status, amount, probability, expected close,
    close date) and the current state (the last interval) in `opportunities`."""
    for valid_from, valid_to, stage, status, amount, p, expected, closed in intervals:
        con.execute(
            "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, rep_id, client_id, stage,"
            " status, amount, probability, expected_close_date, close_date)"
            " VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            [opp_id, valid_from, valid_to, rep_id, stage, status, amount, p, expected, closed],
        )
    first, last = intervals[0], intervals[-1]
    con.execute(
        "INSERT INTO opportunities (opp_id, name, rep_id, client_id, stage, status, amount,"
        " probability, created_date, expected_close_date, close_date)"
        " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
        [opp_id, f"Deal {opp_id}", rep_id, last[2], last[3], last[4], last[5], first[0], last[6], last[7]],
    )


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def moving(tiny_con):
    """The tiny company plus deals whose June history shows every kind of movement.

    On D0 (June 1) the June pipeline is O8 20,000 (tiny) + M3..M9 = 355,000; on D1 (June 15)
    it is 216,000. Every open deal below is at 50%.
    """
    con = tiny_con
    add_opportunity(con, "M1", 1, [(d(6, 5), None, "lead", "open", 10_000, 0.5, d(6, 20), None)])
    add_opportunity(
        con,
        "M2",
        1,
        [
            (d(5, 1), d(6, 10), "quote", "open", 20_000, 0.5, d(7, 15), None),
            (d(6, 10), None, "quote", "open", 20_000, 0.5, d(6, 25), None),
        ],
    )
    add_opportunity(
        con,
        "M3",
        1,
        [
            (d(5, 1), d(6, 12), "quote", "open", 30_000, 0.5, d(6, 20), None),
            (d(6, 12), None, "quote", "open", 30_000, 0.5, d(7, 20), None),
        ],
    )
    add_opportunity(
        con,
        "M4",
        1,
        [
            (d(5, 1), d(6, 8), "quote", "open", 40_000, 0.5, d(6, 28), None),
            (d(6, 8), None, "quote", "open", 45_000, 0.5, d(6, 28), None),
        ],
    )
    add_opportunity(
        con,
        "M5",
        1,
        [
            (d(5, 1), d(6, 3), "quote", "open", 50_000, 0.5, d(6, 18), None),
            (d(6, 3), None, "quote", "open", 35_000, 0.5, d(6, 18), None),
        ],
    )
    add_opportunity(
        con,
        "M6",
        1,
        [
            (d(5, 1), d(6, 11), "quote", "open", 60_000, 0.5, d(6, 30), None),
            (d(6, 11), None, "won", "won", 60_000, None, d(6, 30), d(6, 11)),
        ],
    )
    add_opportunity(
        con,
        "M7",
        1,
        [
            (d(5, 1), d(6, 2), "quote", "open", 70_000, 0.5, d(6, 15), None),
            (d(6, 2), None, "lost", "lost", 70_000, None, d(6, 15), d(6, 2)),
        ],
    )
    # Changes after D1 do not count.
    add_opportunity(
        con,
        "M8",
        1,
        [
            (d(5, 1), d(6, 20), "quote", "open", 80_000, 0.5, d(6, 22), None),
            (d(6, 20), None, "won", "won", 80_000, None, d(6, 22), d(6, 20)),
        ],
    )
    # Reassigned from Wang (Tiger) to Zhang (Dragon) on June 5.
    add_opportunity(con, "M9", 3, [(d(5, 1), d(6, 5), "quote", "open", 5_000, 0.5, d(6, 10), None)])
    con.execute(
        "INSERT INTO opportunity_history (opp_id, valid_from, rep_id, client_id, stage, status,"
        " amount, probability, expected_close_date) VALUES ('M9', ?, 1, 1, 'quote', 'open',"
        " 5000, 0.5, ?)",
        [d(6, 5), d(6, 10)],
    )
    con.execute(
        "UPDATE opportunity_history SET valid_to = ? WHERE opp_id = 'M9' AND valid_from = ?",
        [d(6, 5), d(5, 1)],
    )
    con.execute("UPDATE opportunities SET rep_id = 1 WHERE opp_id = 'M9'")
    # Recorded on D1 itself: the state on D1 includes it.
    add_opportunity(con, "M11", 1, [(d(6, 15), None, "lead", "open", 1_000, 0.5, d(6, 30), None)])
    # Pulled in after D1: in neither state.
    add_opportunity(
        con,
        "M12",
        1,
        [
            (d(5, 1), d(6, 16), "quote", "open", 9_000, 0.5, d(7, 5), None),
            (d(6, 16), None, "quote", "open", 9_000, 0.5, d(6, 29), None),
        ],
    )
    return con


def steps_of(movement) -> dict[str, tuple[float, int]]:
    return {row.category: (row.amount, row.deals) for row in movement["steps"].itertuples()}


def test_movement_sorts_each_changed_deal_into_one_category(moving):
    movement = forecast.forecast_movement(moving, JUNE, Filters(), D0, D1)
    assert movement["start"] == 355_000
    assert movement["end"] == 216_000
    assert steps_of(movement) == {
        "new": (11_000, 2),  # M1, and M11 recorded on D1
        "pulled_in": (20_000, 1),  # M2: July -> June
        "amount_up": (5_000, 1),  # M4: 40,000 -> 45,000
        "amount_down": (-15_000, 1),  # M5: 50,000 -> 35,000
        "pushed_out": (-30_000, 1),  # M3: June -> July
        "won": (-60_000, 1),  # M6
        "lost": (-70_000, 1),  # M7
    }
    total = movement["start"] + movement["steps"]["amount"].sum()
    assert total == movement["end"], "start + changes = end"
    deals = movement["deals"]
    assert set(deals["opp_id"]) == {"M1", "M11", "M2", "M4", "M5", "M3", "M6", "M7"}
    m3 = deals[deals["opp_id"] == "M3"].iloc[0]
    assert m3.close_expected_before == d(6, 20) and m3.close_expected_after == d(7, 20)
    assert m3.amount_before == 30_000 and m3.amount_after == 0


def test_a_deal_reassigned_into_the_filter_is_an_other_change(moving):
    dragon = Filters(teams=("Dragon",))
    movement = forecast.forecast_movement(moving, JUNE, dragon, D0, D1)
    steps = steps_of(movement)
    assert steps["other"] == (5_000, 1), "M9 came from Wang (Tiger)"
    assert movement["start"] == 355_000 - 20_000 - 5_000  # without Wang's O8 and M9
    tiger = forecast.forecast_movement(moving, JUNE, Filters(teams=("Tiger",)), D0, D1)
    assert steps_of(tiger) == {"other": (-5_000, 1)}
    assert tiger["start"] == 25_000 and tiger["end"] == 20_000


def test_dates_given_backwards_are_swapped(moving):
    a = forecast.forecast_movement(moving, JUNE, Filters(), D1, D0)
    assert a["start"] == 355_000 and a["end"] == 216_000


def test_forecast_accuracy_compares_the_forecast_on_the_first_day_with_what_was_won(moving):
    frame = forecast.forecast_accuracy(moving, JUNE, Filters(), date(2026, 6, 30), count=1)
    june = frame.iloc[0]
    assert june.period == "2026-06"
    # On June 1: O8 20,000 at the solution default 40% + M3..M9 (335,000) at 50%.
    assert june.forecast_at_start == pytest.approx(8_000 + 167_500)
    assert june.won_amount == 140_000  # M6 and M8 won in June
    assert june.forecast_accuracy == pytest.approx(1 - 35_500 / 140_000)
    assert np.isnan(june.target), "the tiny company has no June targets"


def test_accuracy_covers_the_periods_that_ended_by_the_as_of_date(tiny_con):
    frame = forecast.forecast_accuracy(tiny_con, MAY, Filters(), tiny.AS_OF, count=3)
    assert list(frame["period"]) == ["2026-03", "2026-04", "2026-05"]
    march, april, may = (frame.iloc[i] for i in range(3))
    assert march.forecast_at_start == 0 and np.isnan(march.forecast_accuracy), "nothing won"
    # Tiny's history holds each deal's final state from its creation: O6 won from Feb 1.
    assert april.forecast_at_start == 50_000 and april.forecast_accuracy == 1.0
    assert april.target == 80_000
    # May 1: O1 + O2 already won (100,000) + O4 50,000 x 60% + O5 100,000 x 80%.
    assert may.forecast_at_start == pytest.approx(210_000)
    assert may.forecast_accuracy == 0.0, "off by more than what was won: floored at 0"
    assert may.target == 450_000
    early = forecast.forecast_accuracy(
        tiny_con, Period.parse("2026-01"), Filters(), date(2026, 1, 31), count=2
    )
    assert early["forecast_at_start"].isna().all(), "before the history begins"


def test_pipeline_needed_uses_the_win_rate_of_the_twelve_months_before(tiny_con):
    reps = forecast.gap_analysis(tiny_con, MAY, Filters(), tiny.AS_OF)
    li = reps[reps["rep_id"] == 2].iloc[0]
    # Li won O6 (April 30) and lost nothing in May 2025 - April 2026.
    assert li.historical_win_rate == 1.0
    assert li.gap == 200_000 and li.pipeline_needed == 200_000
    assert li.pipeline_shortfall == 0 and li.pipeline_coverage == pytest.approx(1.0)
    zhang = reps[reps["rep_id"] == 1].iloc[0]
    assert np.isnan(zhang.historical_win_rate), "nothing closed before May"
    assert zhang.pipeline_needed == 0, "target reached"
    assert np.isnan(zhang.pipeline_coverage)
    total = forecast.gap_totals(tiny_con, MAY, Filters(), tiny.AS_OF)
    assert total["gap"] == 350_000
    assert total["pipeline_needed"] == 350_000
    assert total["open_amount"] == 250_000
    assert total["pipeline_shortfall"] == 100_000
    assert total["pipeline_coverage"] == pytest.approx(250_000 / 350_000)
    june = forecast.gap_analysis(tiny_con, JUNE, Filters(), tiny.AS_OF, level="team")
    dragon = june[june["team"] == "Dragon"].iloc[0]
    assert dragon.historical_win_rate == pytest.approx(3 / 4)  # O1, O2, O6 won; O3 lost


def test_every_forecast_figure_stays_inside_the_filter(moving):
    nobody = Filters(scope_rep_ids=())
    movement = forecast.forecast_movement(moving, JUNE, nobody, D0, D1)
    assert movement["start"] == 0 and movement["deals"].empty
    frame = forecast.forecast_accuracy(moving, JUNE, nobody, date(2026, 6, 30), count=2)
    assert (frame["won_amount"] == 0).all()
    assert forecast.gap_analysis(moving, JUNE, nobody, date(2026, 6, 30)).empty
