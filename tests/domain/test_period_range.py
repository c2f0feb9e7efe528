"""Periods and days outside the years the product handles are refused with a message naming the
range, never a ValueError or OverflowError from the calendar (issue 18, finding 12)."""

from __future__ import annotations

from datetime import date

import pytest

from salesmgmt.errors import SalesmgmtError
from salesmgmt.periods import FIRST_YEAR, LAST_YEAR, Period, parse_day


@pytest.mark.parametrize("text", ["0001", "9999", "9999-12", "0001-01", "9999-Q4", "1969-12"])
def test_a_period_out_of_range_is_refused_naming_the_range(text):
    with pytest.raises(SalesmgmtError) as error:
        Period.parse(text)
    assert error.value.message("en") == (
        f"'{text}' is out of range: periods and days must fall in the years {FIRST_YEAR} to {LAST_YEAR}."
    )


def test_the_first_and_last_years_give_periods_that_can_look_back_and_forward():
    first, last = Period.parse(f"{FIRST_YEAR}-01"), Period.parse(f"{LAST_YEAR}-Q4")
    assert first.same_last_year().start == date(FIRST_YEAR - 1, 1, 1)
    assert last.shift(1).start == date(LAST_YEAR + 1, 1, 1)


def test_a_day_is_read_within_the_same_range():
    assert parse_day(" 2026-05-31 ") == date(2026, 5, 31)
    for text, key in (
        ("9999-12-31", "out of range"),
        ("0001-01-01", "out of range"),
        ("31.5.2026", "not a date"),
    ):
        with pytest.raises(SalesmgmtError) as error:
            parse_day(text)
        assert key in error.value.message("en")
