"""The weekly forecast call's records: who may call for which unit, the week and period a call is
for, and submitting one (never updating or deleting: `forecast_calls` is append-only).

The rules (issue 13):
- a unit is a rep (its rep_id as text), a team, a region or the company ('');
- a rep calls only for themselves; a manager calls for the teams of their scope and adjusts the
  reps of their scope (a row of kind 'adjustment' on the rep, beside the rep's own call); a
  director adjusts reps and teams and calls for regions and the company. Anything else is
  refused (`calls.error.not_allowed`) before anything is written;
- the week is the Monday of the day given (default today); only the current week takes calls
  (a past week is closed, a later one not open yet), and only for a month or quarter the week
  touches;
- amounts are at least 0 and the best case is at least the commit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from salesmgmt import clock
from salesmgmt.auth import User
from salesmgmt.db import transaction
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.periods import Period
from salesmgmt.query import run
from salesmgmt.text import name_key

LEVELS = ("rep", "team", "region", "company")
#: What `submitted_by` records while the app runs open (no users: nobody signs in).
OPEN_SUBMITTER = "(open)"
#: The longest note kept with a call, in characters.
NOTE_MAX = 500


@dataclass(frozen=True)
class Unit:
    """What a call is for."""

    level: str
    """'rep', 'team', 'region' or 'company'."""
    unit: str
    """The rep_id as text, the team's or region's name, '' for the company."""
    name: str
    """How it is shown: the rep's name, the team's or region's name, '' for the company."""


@dataclass(frozen=True)
class Submitted:
    """A call as written (a row of forecast_calls)."""

    call_id: int
    period: str
    week: date
    """The Monday of the call's week."""
    level: str
    unit: str
    kind: str
    """'call' (the unit's owner) or 'adjustment' (a manager or director above it)."""
    commit: float
    best_case: float
    note: str | None
    submitted_by: str
    submitted_at: datetime


def week_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def period_weeks(period: Period) -> list[date]:
    """The Mondays of the weeks that touch the period, from the week holding its first day."""
    monday, last = week_of(period.start), period.last_day
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def call_period(period: Period | str) -> Period:
    """`period` if it is a month or a quarter (calls are for those), else an error."""
    parsed = Period.parse(period) if isinstance(period, str) else period
    if parsed.kind not in ("month", "quarter"):
        raise SalesmgmtError("calls.error.period", period=str(parsed))
    return parsed


# ------------------------------------------------------------------------------------------
# Units

REPS_SQL = "SELECT r.rep_id, r.name, r.code, r.name_key, r.team, r.region FROM reps r WHERE {where}"


def resolve_unit(con: duckdb.DuckDBPyConnection, level: str, name: str | None) -> Unit:
    """The unit named `name` at `level`: a rep by code or name, a team or region by its name or
    one word of it ('Dragon' for '龙 Dragon'), case-insensitive; the company needs no name."""
    if level == "company":
        return Unit("company", "", "")
    if level not in LEVELS:
        raise ValueError(level)
    text = (name or "").strip()
    reps = run(con, REPS_SQL, Filters())
    if level == "rep":
        found = reps[(reps["code"] == text) | (reps["name_key"] == name_key(text))]
        if len(found) != 1:
            raise SalesmgmtError(
                "calls.error.unknown_rep" if found.empty else "calls.error.rep_twice", rep=text
            )
        row = found.iloc[0]
        return Unit("rep", str(int(row["rep_id"])), str(row["name"]))
    names = sorted(str(n) for n in reps[level].dropna().unique())
    wanted = text.casefold()
    exact = [n for n in names if n.casefold() == wanted]
    partial = [n for n in names if wanted in (w.casefold() for w in n.split())]
    chosen = exact or (partial if len(partial) == 1 else [])
    if not chosen:
        raise SalesmgmtError(f"calls.error.unknown_{level}", name=text)
    return Unit(level, chosen[0], chosen[0])


def _in_scope(con: duckdb.DuckDBPyConnection, scope: Filters, unit: Unit) -> bool:
    """Whether the user's scope holds the rep, or at least one rep of the team."""
    narrowed = Filters(
        rep_ids=(int(unit.unit),) if unit.level == "rep" else (),
        teams=(unit.unit,) if unit.level == "team" else (),
        scope_regions=scope.scope_regions,
        scope_teams=scope.scope_teams,
        scope_rep_ids=scope.scope_rep_ids,
    )
    return not run(con, REPS_SQL, narrowed).empty


#: What each role submits at each level: its own call, or an adjustment of a unit below it.
#: A manager's rep and team must be in their scope besides; a level not listed is refused.
ROLE_LEVELS: dict[str, dict[str, str]] = {
    "director": {"company": "call", "region": "call", "team": "adjustment", "rep": "adjustment"},
    "manager": {"team": "call", "rep": "adjustment"},
    "rep": {"rep": "call"},
}


def role_levels(user: User | None) -> dict[str, str]:
    """The levels `user` may submit for, each with 'call' or 'adjustment' (see ROLE_LEVELS);
    `user` None is the app running open (no users): it may do what a director does."""
    return ROLE_LEVELS["director" if user is None else user.role]


def call_kind(con: duckdb.DuckDBPyConnection, user: User | None, unit: Unit) -> str:
    """'call' when `user` owns the unit's call, 'adjustment' when they may adjust it; otherwise
    refused (a rep for anyone but themselves, a manager outside their scope)."""
    kind = role_levels(user).get(unit.level)
    if user is None or user.role == "director":
        allowed = kind is not None
    elif user.role == "rep":
        allowed = kind is not None and user.rep_id is not None and unit.unit == str(user.rep_id)
    else:
        allowed = kind is not None and _in_scope(con, user.scope(), unit)
    if not allowed or kind is None:
        assert user is not None
        raise SalesmgmtError("calls.error.not_allowed", user=user.username, unit=unit.name or unit.level)
    return kind


# ------------------------------------------------------------------------------------------
# Submitting


def _amount(value: float, field: str) -> float:
    number = float(value)
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise SalesmgmtError("calls.error.amount", field=field, value=value)
    return round(number, 2)


INSERT_SQL = """
INSERT INTO forecast_calls (period, week, level, unit, kind, commit_amount, best_case_amount, note,
                            submitted_by)
VALUES ($period, $week, $level, $unit, $kind, $commit, $best_case, $note, $by)
RETURNING call_id, submitted_at
"""


def submit_call(
    con: duckdb.DuckDBPyConnection,
    user: User | None,
    period: Period | str,
    unit: Unit,
    commit: float,
    best_case: float,
    note: str | None = None,
    week: date | None = None,
    today: date | None = None,
) -> Submitted:
    """Record `user`'s call (or adjustment, see `call_kind`) for `unit` and `period` in the week
    holding `week` (default today). Every check comes before the write: a refused call writes
    nothing. A later call of the same week supersedes this one for display; both stay."""
    period = call_period(period)
    commit_value = _amount(commit, "commit")
    best_value = _amount(best_case, "best_case")
    if best_value < commit_value:
        raise SalesmgmtError("calls.error.best_below_commit", commit=commit_value, best_case=best_value)
    today = today or clock.today()
    monday = week_of(week or today)
    if monday < week_of(today):
        raise SalesmgmtError("calls.error.past_week", week=monday.isoformat())
    if monday > week_of(today):
        raise SalesmgmtError("calls.error.future_week", week=monday.isoformat())
    if monday not in period_weeks(period):
        raise SalesmgmtError("calls.error.week_outside", week=monday.isoformat(), period=str(period))
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_MAX:
        raise SalesmgmtError("calls.error.note_long", length=len(text), most=NOTE_MAX)
    kind = call_kind(con, user, unit)
    by = OPEN_SUBMITTER if user is None else user.username
    named = {
        "period": str(period),
        "week": monday,
        "level": unit.level,
        "unit": unit.unit,
        "kind": kind,
        "commit": commit_value,
        "best_case": best_value,
        "note": text,
        "by": by,
    }
    with transaction(con):
        row = con.execute(INSERT_SQL, named).fetchone()
    assert row is not None
    return Submitted(
        call_id=int(row[0]),
        period=str(period),
        week=monday,
        level=unit.level,
        unit=unit.unit,
        kind=kind,
        commit=commit_value,
        best_case=best_value,
        note=text,
        submitted_by=by,
        submitted_at=row[1],
    )
