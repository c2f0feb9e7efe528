"""Reporting periods: a month `YYYY-MM`, a quarter `YYYY-Qn` or a year `YYYY`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from salesmgmt.errors import SalesmgmtError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")

#: The years a period or a day may fall in: comparisons reach years back and forward from it,
#: and Python's dates end at 9999 (issue 18, finding 12).
FIRST_YEAR = 1970
LAST_YEAR = 2099


def check_year(year: int, text: str) -> None:
    """Refuse `year` (read from `text`) outside FIRST_YEAR..LAST_YEAR, naming the range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise SalesmgmtError("error.period_out_of_range", value=text, first=FIRST_YEAR, last=LAST_YEAR)


def parse_day(text: str) -> date:
    """A day `YYYY-MM-DD` within the years a period may take; else a SalesmgmtError saying what
    is accepted."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise SalesmgmtError("error.bad_date", value=text) from None
    check_year(day.year, text)
    return day


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar period; `start` is inclusive and `end` exclusive."""

    kind: str  # 'month' | 'quarter' | 'year'
    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip()
        if m := _MONTH.match(text) or _QUARTER.match(text) or _YEAR.match(text):
            check_year(int(m[1]), text)
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            if 1 <= month <= 12:
                start = date(year, month, 1)
                return cls("month", start, _add_months(start, 1))
        if m := _QUARTER.match(text):
            start = date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
            return cls("quarter", start, _add_months(start, 3))
        if m := _YEAR.match(text):
            start = date(int(m[1]), 1, 1)
            return cls("year", start, date(start.year + 1, 1, 1))
        raise SalesmgmtError("error.bad_period", value=text)

    @classmethod
    def month_of(cls, d: date) -> Period:
        start = date(d.year, d.month, 1)
        return cls("month", start, _add_months(start, 1))

    @classmethod
    def containing(cls, d: date, kind: str) -> Period:
        if kind == "month":
            return cls.month_of(d)
        if kind == "quarter":
            return cls.parse(f"{d.year}-Q{(d.month - 1) // 3 + 1}")
        return cls.parse(str(d.year))

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def as_of(self, today: date) -> date:
        """The day the period's figures are read at: today, or the last day once it is over."""
        return min(today, self.last_day)

    def shift(self, n: int) -> Period:
        """The period `n` periods later (negative: earlier) of the same kind."""
        start = _add_months(self.start, n * self.months)
        return Period(self.kind, start, _add_months(start, self.months))

    def previous(self) -> Period:
        return self.shift(-1)

    def same_last_year(self) -> Period:
        start = date(self.start.year - 1, self.start.month, 1)
        return Period(self.kind, start, _add_months(start, self.months))

    def month_starts(self) -> list[date]:
        return [_add_months(self.start, i) for i in range(self.months)]

    def weeks(self) -> int:
        """Whole and part weeks the period spans, counted in days / 7 (for the visit norm)."""
        return max(1, round((self.end - self.start).days / 7))

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def label(self, lang: str) -> str:
        y, m = self.start.year, self.start.month
        if self.kind == "month":
            return f"{y}年{m}月" if lang == "zh" else self.start.strftime("%b %Y")
        if self.kind == "quarter":
            q = (m - 1) // 3 + 1
            return f"{y}年第{q}季度" if lang == "zh" else f"Q{q} {y}"
        return f"{y}年" if lang == "zh" else str(y)


def recent_periods(today: date, kind: str, count: int) -> list[Period]:
    """The current period of `kind` and the `count - 1` before it, newest first."""
    current = Period.containing(today, kind)
    return [current.shift(-i) for i in range(count)]
