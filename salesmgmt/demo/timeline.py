"""One opportunity's life: its amount split from the plan, the stages it passes, the dates
of its changes, its expected close date moving, and the change intervals that become
`opportunity_history` rows."""

from __future__ import annotations

import bisect
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from salesmgmt.demo.clients import Client
from salesmgmt.demo.company import MAX_DEAL, MIN_DEAL
from salesmgmt.demo.draws import choice_cdf
from salesmgmt.demo.reps import Rep
from salesmgmt.demo.workdays import Calendar
from salesmgmt.stages import LOST, OPEN_STAGES, WON

OPEN_KEYS = [key for key, _ in OPEN_STAGES]


_KEEP_STAGE_P = {"qualified": 0.9, "solution": 0.85, "quote": 0.95, "negotiation": 0.7}


_CYCLE_DAYS = {
    "design_institute": (100, 260),
    "steel_structure": (45, 160),
    "construction": (45, 160),
    "owner": (60, 200),
    "other": (30, 120),
}


FIELDS = ("stage", "status", "amount", "probability", "expected_close_date", "close_date")


@dataclass
class Opp:
    seq: int
    rep_id: int
    outcome: str
    """'won', 'lost' or 'open'."""
    amount: int
    """Final (current) amount, CNY."""
    final_stage: str
    """The stage reached (lost: the stage it was lost in; open: the current stage)."""
    close: date | None = None
    client_id: int = 0
    client_type: str = ""
    team: int = 0
    created: date = date.min
    """date.min until the timeline is built."""
    lost_reason: str | None = None
    product: str = ""
    project: str = ""
    opp_id: str = ""
    cold: bool = False
    events: list[tuple[date, dict[str, Any]]] = field(default_factory=list)
    transitions: list[tuple[date, str]] = field(default_factory=list)
    """(date, stage entered) for creation and every stage change: visits precede them."""


def split_amount(rng: np.random.Generator, total: float, deal_factor: float = 1.0) -> list[int]:
    """Deals (CNY, rounded to thousands) that add up to `total`: mostly one or two at the
    standard deal size."""
    total_k = int(round(total, -3))
    if total_k < MIN_DEAL:
        return []  # a few days into a quarter: nothing signed yet
    k_min = -(-total_k // MAX_DEAL)
    k = max(k_min, int(round(total_k / rng.uniform(450_000 * deal_factor, 1_100_000 * deal_factor))))
    for _ in range(100):
        if k == 1:
            return [total_k]
        parts = np.round(rng.dirichlet(np.full(k, 3.0)) * total_k, -3).astype(int)
        parts[-1] = total_k - parts[:-1].sum()
        if parts.min() >= MIN_DEAL and parts.max() <= MAX_DEAL:
            return [int(x) for x in parts]
        k = max(k_min, k - 1)
    raise RuntimeError(f"cannot split {total_k} into deals")  # not reached for sane totals


def deal_amount(rng: np.random.Generator, median: float) -> int:
    return int(np.clip(round(float(np.exp(rng.normal(np.log(median), 0.6))), -3), MIN_DEAL, MAX_DEAL))


def months_for(
    deals: list[tuple[Rep, int, Client | None]], months: list[date], due: list[float]
) -> list[date]:
    """The month each of a team's won deals of a quarter closes in, so that every month's total
    follows its share of the target: the team's story shows in a month's view as in the
    quarter's. Largest deals first, each to the month furthest behind its share."""
    total = sum(amount for _, amount, _ in deals)
    need = np.array(due) / sum(due) * total
    out: list[date] = [months[0]] * len(deals)
    for i in sorted(range(len(deals)), key=lambda i: (-deals[i][1], i)):
        k = int(np.argmax(np.where(np.array(due) > 0, need, -np.inf)))
        need[k] -= deals[i][1]
        out[i] = months[k]
    return out


def close_day(rng: np.random.Generator, cal: Calendar, m: date, as_of: date) -> date:
    last = min(date(m.year, m.month, calendar.monthrange(m.year, m.month)[1]), as_of)
    found = cal.close_days.get((m, last))
    if found is None:
        days = cal.workdays(m, last) or [last]
        # Deals cluster towards month end, when customers sign and reps chase the number.
        w = np.linspace(1.0, 2.0, len(days))
        found = cal.close_days[(m, last)] = (days, choice_cdf(w / w.sum()))
    days, cdf = found
    return days[bisect.bisect_right(cdf, rng.random())]


def _stage_path(rng: np.random.Generator, final: str) -> list[str]:
    """Open stages passed through up to `final`, some skipped as real deals do."""
    last = OPEN_KEYS.index(final)
    first = 0 if (last == 0 or rng.random() < 0.75) else 1
    path = []
    for i in range(first, last + 1):
        key = OPEN_KEYS[i]
        if i in (first, last) or rng.random() < _KEEP_STAGE_P[key]:
            path.append(key)
    return path


def _transition_dates(
    rng: np.random.Generator, cal: Calendar, created: date, end: date, path: list[str], end_is_event: bool
) -> list[tuple[date, str]]:
    """Dates of the stage changes after creation, strictly increasing working days in
    (created, end]; when `end_is_event` the last stage in `path` changes exactly on `end`."""
    n = len(path) - 1
    if n <= 0:
        return []
    # Spread in working days: nobody moves a deal over Spring Festival.
    r0, r1 = cal.rank(created), cal.rank(end)
    cuts = np.cumsum(rng.dirichlet(np.full(n + (0 if end_is_event else 1), 2.0)))[:n]
    out: list[tuple[date, str]] = []
    prev = r0
    for i, stage in enumerate(path[1:]):
        if end_is_event and i == n - 1:
            d = end
        else:
            r = max(r0 + int(round(cuts[i] * (r1 - r0))), prev + 1)
            if r >= r1:
                continue  # no room left: the deal skipped this stage
            d = cal.at_rank(r)
            prev = r
        out.append((d, stage))
    return out


_Event = tuple[date, dict[str, Any]]


def _created_event(opp: Opp, stage: str, amount: int, expected: date) -> _Event:
    """The state a deal is created in: open, at its first stage, amount and expected close."""
    return (
        opp.created,
        {
            "stage": stage,
            "status": "open",
            "amount": amount,
            "probability": None,
            "expected_close_date": expected,
            "close_date": None,
        },
    )


def _closed_changes(
    rng: np.random.Generator, cal: Calendar, opp: Opp, path: list[str], lo: int, hi: int
) -> tuple[list[tuple[date, str]], int]:
    """A won or lost deal: its creation a sales cycle before its close (shorter the earlier it
    was lost), its stage changes up to the close, and the cycle it was planned with (days)."""
    assert opp.close is not None
    cycle = int(rng.integers(lo, hi + 1))
    if opp.outcome == LOST:
        cycle = max(14, int(cycle * (0.35 + 0.65 * (OPEN_KEYS.index(opp.final_stage) + 1) / 5)))
    if opp.created == date.min:
        opp.created = cal.prev_workday(opp.close - timedelta(days=cycle))
    cycle = (opp.close - opp.created).days
    changes = _transition_dates(rng, cal, opp.created, opp.close, path + [opp.outcome], True)
    return changes, int(cycle * rng.uniform(0.6, 1.1))


def _open_changes(
    rng: np.random.Generator, cal: Calendar, opp: Opp, path: list[str], as_of: date, lo: int, hi: int
) -> tuple[list[tuple[date, str]], int]:
    """An open deal: its creation (older the further it got), its stage changes up to its last
    change, and the cycle it was planned with (days)."""
    if opp.created == date.min:
        base = {"lead": 30, "qualified": 60, "solution": 90, "quote": 120, "negotiation": 140}
        age = int(base[opp.final_stage] * rng.uniform(0.5, 1.7)) + 7
        opp.created = cal.prev_workday(as_of - timedelta(days=age))
    age = (as_of - opp.created).days
    # Most deals moved lately; some have been stuck for a while.
    share = rng.uniform(0, 0.25) if rng.random() < 0.9 else rng.uniform(0.3, 0.6)
    stale = int(share * age)
    last_change = cal.prev_workday(as_of - timedelta(days=stale))
    if last_change <= opp.created:
        last_change = cal.next_workday(opp.created + timedelta(days=1))
    changes = _transition_dates(rng, cal, opp.created, last_change, path, True)
    changes = [(d, s) for d, s in changes if d <= as_of]
    return changes, int((lo + hi) / 2 * rng.uniform(0.6, 1.1))


def _first_amount(
    rng: np.random.Generator, opp: Opp, changes: list[tuple[date, str]]
) -> tuple[int, date | None]:
    """The amount a deal started at and the day it changed to its final amount (None: it never
    changed): discounted late in the deal, or the scope grew."""
    amount0 = opp.amount
    change_p = 0.35 if opp.outcome == WON else 0.25
    if not (rng.random() < change_p and changes):
        return amount0, None
    if rng.random() < 0.8:
        amount0 = int(min(MAX_DEAL, round(opp.amount * rng.uniform(1.08, 1.35), -3)))  # discounted
    else:
        amount0 = int(max(MIN_DEAL, round(opp.amount * rng.uniform(0.7, 0.92), -3)))  # scope grew
    late = [d for d, s in changes if s in ("quote", "negotiation")]
    return amount0, late[0] if late else changes[0][0]


def _stage_events(rng: np.random.Generator, changes: list[tuple[date, str]]) -> list[_Event]:
    """The stage changes as events; now and then a rep sets the probability by hand."""
    events: list[_Event] = []
    explicit_p = rng.random() < 0.15
    for d, stage in changes:
        ev: dict[str, Any] = {"stage": stage}
        if stage in (WON, LOST):
            ev.update(status=stage, close_date=d, probability=None)
        elif explicit_p and stage == "quote":
            ev["probability"] = float(rng.choice([0.3, 0.5, 0.7]))
        elif explicit_p and stage == "negotiation":
            ev["probability"] = float(rng.choice([0.7, 0.85, 0.9]))
        events.append((d, ev))
    return events


def _closed_slip(rng: np.random.Generator, opp: Opp, expected0: date) -> list[_Event]:
    """A closed deal expected well before it closed was mostly pushed out once."""
    assert opp.close is not None
    end = opp.close
    if not (expected0 < end - timedelta(days=20) and rng.random() < 0.6):
        return []
    push = min(
        max(expected0 - timedelta(days=int(rng.integers(0, 11))), opp.created + timedelta(days=1)),
        end - timedelta(days=1),
    )
    slipped = end + timedelta(days=int(rng.integers(-7, 22)))
    return [(push, {"expected_close_date": slipped})]


def _open_expected(rng: np.random.Generator, opp: Opp, created: _Event, as_of: date) -> list[_Event]:
    """An open deal's expected close: mostly in the coming four months, some overdue, some
    pushed (sets it on the `created` event; returns the push, if any)."""
    age = (as_of - opp.created).days
    if rng.random() < 0.12:  # overdue: nobody updated it, sometimes for months
        final_expected = max(
            as_of - timedelta(days=int(rng.integers(5, 91))), opp.created + timedelta(days=14)
        )
    else:
        final_expected = as_of + timedelta(days=int(rng.integers(3, 126)))
    if final_expected > as_of and rng.random() < 0.3 and age > 30:
        first = max(
            opp.created + timedelta(days=14), final_expected - timedelta(days=int(rng.integers(20, 76)))
        )
        created[1]["expected_close_date"] = first
        push = min(
            max(first - timedelta(days=int(rng.integers(0, 15))), opp.created + timedelta(days=1)), as_of
        )
        return [(push, {"expected_close_date": final_expected})]
    created[1]["expected_close_date"] = final_expected
    return []


def build_timeline(rng: np.random.Generator, cal: Calendar, opp: Opp, as_of: date) -> None:
    """Fill `opp.created`, `opp.events` and `opp.transitions` from its outcome and dates."""
    lo, hi = _CYCLE_DAYS.get(opp.client_type, (45, 160))
    path = _stage_path(rng, opp.final_stage)
    closed = opp.outcome in (WON, LOST)
    if closed:
        changes, planned_cycle = _closed_changes(rng, cal, opp, path, lo, hi)
    else:
        changes, planned_cycle = _open_changes(rng, cal, opp, path, as_of, lo, hi)
    amount0, amount_change_at = _first_amount(rng, opp, changes)
    expected0 = opp.created + timedelta(days=max(14, planned_cycle))
    created = _created_event(opp, path[0], amount0, expected0)
    events = [created]
    if amount_change_at is not None:
        events.append((amount_change_at, {"amount": opp.amount}))
    events += _stage_events(rng, changes)
    events += _closed_slip(rng, opp, expected0) if closed else _open_expected(rng, opp, created, as_of)
    opp.events = sorted(events, key=lambda e: e[0])  # stable: same-day events keep their order
    opp.transitions = [(opp.created, path[0])] + changes


def change_intervals(opp: Opp) -> list[tuple[date, date | None, dict[str, Any]]]:
    """Change intervals: a new one only on a day when something changed."""
    state: dict[str, Any] = {}
    out: list[tuple[date, date | None, dict[str, Any]]] = []
    for d, changes in opp.events:
        new = {**state, **changes}
        if out and out[-1][0] == d:
            out[-1] = (d, None, new)
        elif new != state:
            out.append((d, None, new))
        state = new
    # Drop intervals that ended up equal to the one before (a same-day merge undid a change).
    merged: list[tuple[date, date | None, dict[str, Any]]] = []
    for item in out:
        if merged and merged[-1][2] == item[2]:
            continue
        merged.append(item)
    ends = [m[0] for m in merged[1:]] + [None]
    return [(d, end, st) for (d, _, st), end in zip(merged, ends)]


def script_cold_timeline(
    rng: np.random.Generator,
    cal: Calendar,
    opp: Opp,
    quiet: date,
    peak: int,
    cold_last: date,
    extra: list[tuple[date, dict[str, Any]]],
) -> None:
    """A cold-account deal: stages move until `quiet`, then only the scripted `extra` changes."""
    opp.created = cal.prev_workday(quiet - timedelta(days=int(rng.integers(100, 220))))
    path = _stage_path(rng, opp.final_stage)
    changes = _transition_dates(rng, cal, opp.created, quiet, path, True)
    # Before it went quiet the deal was expected to close soon after the last visit.
    expected0 = cold_last + timedelta(days=int(rng.integers(25, 60)))
    events = [_created_event(opp, path[0], peak, expected0)]
    events += [(d, {"stage": s}) for d, s in changes]
    opp.events = sorted(events + extra, key=lambda e: e[0])
    opp.transitions = [(opp.created, path[0])] + changes
