"""The time frame of the demo, the monthly targets, and the won plan: how much each engineer
wins each quarter, set against the targets so that attainment tells the scripted stories."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import numpy as np

from salesmgmt.demo.company import BEHIND_TEAM, DEMO_STORIES, STAR_TEAM
from salesmgmt.demo.reps import Rep, engineers_by_team
from salesmgmt.periods import Period

#: Share of the annual quota per calendar month: slow around Spring Festival, a year-end push.
_SEASON = np.array([0.85, 0.55, 0.95, 1.0, 1.05, 1.1, 1.0, 0.95, 1.1, 0.9, 1.15, 1.4])


@dataclass
class Frame:
    """The time frame of the demo."""

    as_of: date
    start: date
    """First day of history: the start of the quarter two years before as-of."""
    months: list[date]
    """Target months: from `start` to December of the as-of year."""
    quarters: list[Period]
    """Quarters with history: from `start` to the as-of quarter."""

    def elapsed(self, month: date) -> float:
        """Share of a month that lies on or before as-of."""
        last = calendar.monthrange(month.year, month.month)[1]
        if month > self.as_of:
            return 0.0
        if (month.year, month.month) == (self.as_of.year, self.as_of.month):
            return self.as_of.day / last
        return 1.0


def time_frame(as_of: date, years: int = 2) -> Frame:
    start = Period.containing(date(as_of.year - years, as_of.month, 1), "quarter").start
    months, m = [], start
    while m <= date(as_of.year, 12, 1):
        months.append(m)
        m = Period.month_of(m).end
    quarters, q = [], Period.containing(start, "quarter")
    while q.start <= as_of:
        quarters.append(q)
        q = q.shift(1)
    return Frame(as_of, start, months, quarters)


def monthly_targets(reps: list[Rep], frame: Frame) -> dict[tuple[int, date], int]:
    """Monthly target per engineer, CNY rounded to 万: the quota grows ~8% a year and follows
    the construction season."""
    out: dict[tuple[int, date], int] = {}
    for r in reps:
        if r.role != "sales_engineer":
            continue
        for m in frame.months:
            quota = r.quota * 1.08 ** (m.year - frame.as_of.year)
            out[(r.rep_id, m)] = int(round(quota / 12 * _SEASON[m.month - 1], -4))
    return out


def _team_factors(rng: np.random.Generator, n_quarters: int, n_teams: int) -> np.ndarray:
    """Attainment of each team in each quarter (teams x quarters)."""
    f = np.empty((n_teams, n_quarters))
    for t in range(n_teams):
        for j in range(n_quarters):
            recent = j >= n_quarters - 2
            if t == BEHIND_TEAM:
                # Wolf slides from about target to ~70% in the last two quarters.
                f[t, j] = rng.uniform(0.68, 0.72) if recent else rng.uniform(0.86, 1.0)
            elif recent:
                f[t, j] = rng.uniform(0.97, 1.07)
            else:
                f[t, j] = rng.uniform(0.93, 1.08) + (0.02 if t == STAR_TEAM else 0.0)
    return f


def won_plan(
    rng: np.random.Generator,
    reps: list[Rep],
    frame: Frame,
    targets: dict[tuple[int, date], int],
    n_teams: int,
) -> dict[tuple[int, int], float]:
    """Amount each engineer wins in each quarter (to as-of), CNY."""
    team_f = _team_factors(rng, len(frame.quarters), n_teams)
    plan: dict[tuple[int, int], float] = {}
    n_q = len(frame.quarters)
    by_team = engineers_by_team(reps, n_teams)
    for t in range(n_teams):
        engineers = by_team[t]
        for j, q in enumerate(frame.quarters):
            due = {
                r.rep_id: sum(targets[(r.rep_id, m)] * frame.elapsed(m) for m in q.month_starts())
                for r in engineers
            }
            fixed: dict[int, float] = {}
            for r in engineers:
                late = j >= n_q - 4
                if r.name == DEMO_STORIES["star_rep"]:
                    fixed[r.rep_id] = 1.5 if late else 1.25
                elif r.name == DEMO_STORIES["struggling_rep"]:
                    fixed[r.rep_id] = 0.4 if late else 0.65
            raw = {
                r.rep_id: r.skill * float(np.exp(rng.normal(0, 0.22)))
                for r in engineers
                if r.rep_id not in fixed
            }
            wanted = team_f[t, j] * sum(due.values())
            rest = wanted - sum(due[k] * v for k, v in fixed.items())
            scale = rest / max(1.0, sum(due[k] * v for k, v in raw.items()))
            for r in engineers:
                factor = fixed.get(r.rep_id, raw.get(r.rep_id, 1.0) * scale)
                plan[(r.rep_id, j)] = due[r.rep_id] * factor
    return plan
