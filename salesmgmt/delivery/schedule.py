"""When a subscription is due: "mon 08:00" (every Monday), "daily 08:00", "day 1 08:00" (the 1st
of each month). Chinese weekday names (周一 .. 周日, 星期一 .. 星期日) are understood too.

Times are the server's local wall-clock time, as cron reads them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from salesmgmt.errors import SalesmgmtError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Chinese names of the weekdays, Monday first (周日 and 星期天 both mean Sunday).
ZH_WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
_ZH_WEEKDAY = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Schedule:
    """A repeating moment: weekly on `weekday`, daily, or monthly on `day`, at `at`."""

    kind: str
    """'weekly', 'daily' or 'monthly'."""
    at: time
    weekday: int | None = None
    """0 = Monday .. 6 = Sunday; weekly only."""
    day: int | None = None
    """1..31; monthly only. A month without that day sends on its last day."""

    def text(self) -> str:
        """The canonical spelling, as stored: 'mon 08:00', 'daily 08:00', 'day 1 08:00'."""
        clock = self.at.strftime("%H:%M")
        if self.kind == "weekly":
            return f"{WEEKDAYS[self.weekday or 0]} {clock}"
        if self.kind == "monthly":
            return f"day {self.day} {clock}"
        return f"daily {clock}"

    def latest(self, moment: datetime) -> datetime:
        """The last scheduled moment at or before `moment`."""
        today = moment.date()
        if self.kind == "daily":
            candidate = datetime.combine(today, self.at)
            return candidate if candidate <= moment else candidate - timedelta(days=1)
        if self.kind == "weekly":
            back = (today.weekday() - (self.weekday or 0)) % 7
            candidate = datetime.combine(today - timedelta(days=back), self.at)
            return candidate if candidate <= moment else candidate - timedelta(days=7)
        candidate = datetime.combine(self._monthly(today.year, today.month), self.at)
        if candidate <= moment:
            return candidate
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return datetime.combine(self._monthly(year, month), self.at)

    def _monthly(self, year: int, month: int) -> date:
        return date(year, month, min(self.day or 1, calendar.monthrange(year, month)[1]))


def _weekday(word: str) -> int | None:
    """0..6 for 'mon', 'Monday', '周一', '星期一' (Sunday also '周天'); None for anything else."""
    word = word.strip().lower()
    english = [name.lower() for name in calendar.day_name]
    if word in WEEKDAYS or word in english:
        return WEEKDAYS.index(word[:3])
    found = _ZH_WEEKDAY.match(word)
    if found:
        return 6 if found.group(1) == "天" else ZH_WEEKDAYS.index(found.group(1))
    return None


def parse(text: str) -> Schedule:
    """A schedule from its spelling; a clear error naming the accepted forms otherwise."""
    words = (text or "").split()
    clock = _TIME.match(words[-1]) if words else None
    if clock is not None:
        at = time(int(clock.group(1)), int(clock.group(2)))
        head = words[:-1]
        if len(head) == 1 and head[0].lower() in ("daily", "每天"):
            return Schedule("daily", at)
        if len(head) == 1 and _weekday(head[0]) is not None:
            return Schedule("weekly", at, weekday=_weekday(head[0]))
        if len(head) == 2 and head[0].lower() == "day" and head[1].isdigit() and 1 <= int(head[1]) <= 31:
            return Schedule("monthly", at, day=int(head[1]))
    raise SalesmgmtError("delivery.error.schedule", value=text)
