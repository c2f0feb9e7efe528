"""The demo's calendar: working days, weekends, Spring Festival and the national holidays, as
day weights for activity and as snapping and ranking of dates on working days. Days are
counted as epoch days (`EPOCH`: days since 1970-01-01) in the vectorised code."""

from __future__ import annotations

from datetime import date

import numpy as np

#: Chinese New Year's day. The table covers the years a demo is likely to be asked for;
#: other years fall back to 1 February (close enough for a dip in a chart).
SPRING_FESTIVALS: dict[int, date] = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}


EPOCH = date(1970, 1, 1).toordinal()


class Calendar:
    """Day weights for activity (1 on a working day, near 0 on weekends and holidays) and
    snapping of dates to working days, over a fixed span of days."""

    def __init__(self, start: date, end: date) -> None:
        self.offset = start.toordinal() - EPOCH
        days = np.arange(self.offset, end.toordinal() - EPOCH + 1)
        self.days = days
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        factor = np.where(weekday < 5, 1.0, 0.04)
        for year in range(start.year, end.year + 1):
            cny = SPRING_FESTIVALS.get(year, date(year, 2, 1)).toordinal() - EPOCH
            # A dip of about two weeks: winding down before, the holiday, a slow restart.
            for lo, hi, f in ((-7, -2, 0.5), (-1, 7, 0.02), (8, 12, 0.45)):
                mask = (days >= cny + lo) & (days <= cny + hi)
                factor = np.where(mask, np.minimum(factor, f), factor)
            for m, d0, d1, f in ((1, 1, 1, 0.05), (5, 1, 5, 0.1), (10, 1, 7, 0.05)):
                lo_o = date(year, m, d0).toordinal() - EPOCH
                hi_o = date(year, m, d1).toordinal() - EPOCH
                mask = (days >= lo_o) & (days <= hi_o)
                factor = np.where(mask, np.minimum(factor, f), factor)
        self.factor = factor
        self.workday = (weekday < 5) & (factor >= 0.4)
        idx = np.arange(len(days))
        prev = np.maximum.accumulate(np.where(self.workday, idx, -1))
        self._prev = np.where(prev < 0, idx, prev)
        nxt = np.minimum.accumulate(np.where(self.workday, idx, len(days))[::-1])[::-1]
        self._next = np.where(nxt >= len(days), idx, nxt)
        # Working-day ranks let schedules advance in working days, so a holiday pauses them
        # instead of piling their dates onto the first day back.
        self._rank = np.maximum(np.cumsum(self.workday) - 1, 0)
        self._workday_idx = np.nonzero(self.workday)[0]
        #: Working days of a month up to a date, with their draw weights (see `close_day`).
        self.close_days: dict[tuple[date, date], tuple[list[date], list[float]]] = {}

    def _index(self, d: date) -> int:
        return min(max(d.toordinal() - EPOCH - self.offset, 0), len(self.days) - 1)

    def prev_workday(self, d: date) -> date:
        """The working day on or before `d`."""
        return date.fromordinal(int(self.days[self._prev[self._index(d)]]) + EPOCH)

    def next_workday(self, d: date) -> date:
        return date.fromordinal(int(self.days[self._next[self._index(d)]]) + EPOCH)

    def prev_workday_days(self, days: np.ndarray) -> np.ndarray:
        """`prev_workday` for an array of epoch days."""
        i = np.clip(days - self.offset, 0, len(self.days) - 1)
        out: np.ndarray = self.days[self._prev[i]]
        return out

    def factor_days(self, days: np.ndarray) -> np.ndarray:
        i = np.clip(days - self.offset, 0, len(self.days) - 1)
        out: np.ndarray = self.factor[i]
        return out

    def rank(self, d: date) -> int:
        """Rank of the working day on or before `d` among all working days."""
        return int(self._rank[self._index(d)])

    def rank_days(self, days: np.ndarray) -> np.ndarray:
        i = np.clip(days - self.offset, 0, len(self.days) - 1)
        out: np.ndarray = self._rank[i]
        return out

    def at_rank_days(self, ranks: np.ndarray) -> np.ndarray:
        """Epoch days of the working days with these ranks."""
        i = np.clip(ranks, 0, len(self._workday_idx) - 1)
        out: np.ndarray = self.days[self._workday_idx[i]]
        return out

    def at_rank(self, rank: int) -> date:
        rank = min(max(rank, 0), len(self._workday_idx) - 1)
        return date.fromordinal(int(self.days[self._workday_idx[rank]]) + EPOCH)

    def prev_workday_day(self, day: int) -> int:
        """`prev_workday_days` for one epoch day."""
        i = min(max(day - self.offset, 0), len(self.days) - 1)
        return int(self.days[self._prev[i]])

    def workdays(self, lo: date, hi: date) -> list[date]:
        """Working days in [lo, hi]."""
        i, j = self._index(lo), self._index(hi)
        picked = self.days[i : j + 1][self.workday[i : j + 1]]
        return [date.fromordinal(int(o) + EPOCH) for o in picked]
