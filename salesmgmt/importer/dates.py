"""Dates and target periods as exports write them: 2024-05-06, 2024年5月6日, 5/6/2024 (the order
of a/b/yyyy decided per column), Excel serial numbers, 'May 6, 2024'; 2024-05, 2024-Q2, 2024年第二季度.

Like every parser of cell values (see `values`), each distinct cell is parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from salesmgmt.importer.values import Bad, Parsed, fold, parse_each_distinct
from salesmgmt.periods import Period

EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2100


# ----------------------------------------------------------------------------------------
# Dates

_TIME_TAIL = re.compile(r"(?:[ T]|\s+)\s*(?:上午|下午|晚上|中午)?\s*\d{1,2}\s*[:时].*$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_AB_Y = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{4,5}(\.\d+)?$")
_NAMED_FORMATS = (
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%b-%d",
    "%d-%B-%Y",
    "%b-%d-%Y",
    "%a, %d %b %Y",
    "%A, %B %d, %Y",
)


def _date_text(cell: str) -> str:
    return _TIME_TAIL.sub("", fold(cell)).strip()


def _make_date(year: int, month: int, day: int) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Bad("import.bad_date_year", min=MIN_YEAR, max=MAX_YEAR)
    try:
        return date(year, month, day)
    except ValueError:
        raise Bad("import.bad_date") from None


def _serial_date(number: float) -> date:
    # Excel counts days from 1899-12-30 (its 1900 leap-year bug included); 20000..80000 covers
    # 1954..2119 and keeps plain numbers such as amounts from passing for dates.
    if not 20_000 <= number <= 80_000:
        raise Bad("import.bad_date")
    return EXCEL_EPOCH + timedelta(days=int(number))


def date_order_votes(raw: pd.Series) -> tuple[int, int]:
    """Evidence for the order of a/b/yyyy dates in a column: (month-first votes, day-first votes).

    10/20/2016 is a vote for month-first; 20/10/2016 for day-first; 5/6/2016 for neither.
    """
    month_first = day_first = 0
    for cell in pd.unique(raw.dropna()):
        if not isinstance(cell, str):
            continue
        m = _AB_Y.match(_date_text(cell))
        if m:
            a, b = int(m[1]), int(m[2])
            month_first += b > 12 >= a
            day_first += a > 12 >= b
    return month_first, day_first


def has_ambiguous_dates(raw: pd.Series) -> bool:
    """Does the column hold an a/b/yyyy date that reads as two different days (5/6/2024)?"""
    for cell in pd.unique(raw.dropna()):
        if (
            isinstance(cell, str)
            and (m := _AB_Y.match(_date_text(cell)))
            and int(m[1]) <= 12
            and int(m[2]) <= 12
            and m[1] != m[2]
        ):
            return True
    return False


def parse_date_cell(cell: Any, day_first: bool = False) -> date:
    """One cell as a date; `day_first` decides a/b/yyyy (decided per column by the caller)."""
    if isinstance(cell, datetime):
        return _make_date(cell.year, cell.month, cell.day)
    if isinstance(cell, date):
        return _make_date(cell.year, cell.month, cell.day)
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        return _serial_date(float(cell))
    if not isinstance(cell, str):
        raise Bad("import.bad_date")
    text = _date_text(cell)
    if m := _YMD.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _AB_Y.match(text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000
        month, day = (b, a) if day_first else (a, b)
        return _make_date(year, month, day)
    if m := _COMPACT.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if _SERIAL.match(text):
        return _serial_date(float(text))
    if re.search(r"[A-Za-z]", text):
        cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
        for fmt in _NAMED_FORMATS:
            try:
                d = datetime.strptime(cleaned, fmt).date()
            except ValueError:
                continue
            return _make_date(d.year, d.month, d.day)
    raise Bad("import.bad_date")


def parse_dates(raw: pd.Series, day_first: bool = False) -> Parsed:
    """A date column as datetime64 (time of day dropped)."""
    return parse_each_distinct(
        raw, lambda c: np.datetime64(parse_date_cell(c, day_first), "s"), dtype="datetime64[s]"
    )


# ----------------------------------------------------------------------------------------
# Periods

_Q_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^(\d{4})\s*[-/.]?\s*q([1-4])$"), lambda m: f"{m[1]}-Q{m[2]}"),
    (re.compile(r"^q([1-4])\s*[-/.]?\s*(\d{4})$"), lambda m: f"{m[2]}-Q{m[1]}"),
    (re.compile(r"^(\d{4})年?第?([一二三四1-4])季度?$"), lambda m: f"{m[1]}-Q{_Q_WORDS[m[2]]}"),
    (re.compile(r"^(\d{4})年?q([1-4])$"), lambda m: f"{m[1]}-Q{m[2]}"),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(份)?$"), lambda m: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"^(\d{4})(\d{2})$"), lambda m: f"{m[1]}-{m[2]}"),
    (re.compile(r"^(\d{4})\s*(年|年度|fy)?$"), lambda m: m[1]),
    (re.compile(r"^fy\s*(\d{4})$"), lambda m: m[1]),
]


def parse_period_cell(cell: Any) -> str:
    """A target period as its canonical label: '2024-05', '2024-Q2' or '2024'.

    Accepts 2024-05, 2024/5, 2024年5月, 202405, 2024-Q2, Q2 2024, 2024年第二季度, 2024, 2024年,
    a date in the month (2024-05-01, an Excel date cell), or 'May 2024'.
    """
    if isinstance(cell, (datetime, date)):
        return f"{cell.year:04d}-{cell.month:02d}"
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        number = float(cell)
        if number.is_integer() and MIN_YEAR <= number <= MAX_YEAR:
            return str(int(number))
        if number.is_integer() and 190001 <= number <= 210012:
            cell = str(int(number))
        else:
            raise Bad("import.bad_period")
    text = fold(str(cell)).casefold()
    for pattern, label in _PERIOD_FORMS:
        if m := pattern.match(text):
            result = label(m)
            break
    else:
        try:
            d = parse_date_cell(cell)
        except Bad:
            for fmt in ("%b %Y", "%B %Y", "%b-%Y", "%b-%y", "%Y-%b"):
                try:
                    d = datetime.strptime(text.title(), fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise Bad("import.bad_period") from None
        result = f"{d.year:04d}-{d.month:02d}"
    try:
        period = Period.parse(result)
    except Exception:
        raise Bad("import.bad_period") from None
    if not MIN_YEAR <= period.start.year <= MAX_YEAR:
        raise Bad("import.bad_period")
    return result


def parse_periods(raw: pd.Series) -> Parsed:
    return parse_each_distinct(raw, parse_period_cell)


def period_months(label: str) -> list[date]:
    """The first day of every month of a period label: '2024-Q2' -> Apr, May, Jun 2024."""
    period = Period.parse(label)
    months = []
    d = period.start
    while d < period.end:
        months.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return months


def split_amount(amount: float, parts: int) -> list[float]:
    """An amount split evenly into `parts` (in cents); the last part takes the rounding rest, so
    the parts add up to the amount exactly."""
    cents = round(amount * 100)
    each = cents // parts
    shares = [each] * parts
    shares[-1] += cents - each * parts
    return [s / 100 for s in shares]
