"""The monthly plan's records: saving a plan as a new revision, signing it, reading revisions
back with the status of their planned visits; and the rules every plan function keeps.

The rules: a plan is of one rep and one month; the rep must be inside the user's Filters, or the
function raises (`plan.error.rep_out_of_scope`) before reading anything else. A revision is
never changed, except for its two signatures; each party signs once, and only a user whose role
`may_sign` for that party (`plan.error.sign_as_manager`, `plan.error.sign_as_rep`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, TypedDict, cast

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.db import transaction
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.periods import Period
from salesmgmt.query import compose, run

PARTIES = ("manager", "rep")
#: The roles (see auth.ROLES) that may sign a plan as each party.
SIGNING_ROLES: dict[str, tuple[str, ...]] = {"manager": ("manager", "director"), "rep": ("rep",)}


class Rep(TypedDict):
    """A rep as the plan names them; team, region, role and manager may be None."""

    rep_id: int
    name: str
    team: str | None
    region: str | None
    role: str | None
    manager: str | None


class Plan(TypedDict):
    """A saved revision of a rep's monthly plan (a row of monthly_plans) with its visits."""

    plan_id: int
    rep_id: int
    month: date
    """The first day of the month."""
    revision: int
    saved_on: date
    saved_at: datetime | None
    saved_by: str | None
    commitments: str | None
    remedial_actions: str | None
    review_notes: str | None
    manager_signed_by: str | None
    """The name typed when signing."""
    manager_signed_at: datetime | None
    """NaT (not None) while unsigned, as pandas reads a missing time."""
    manager_signed_user: str | None
    """The username signed in when signing; None when the app ran open (no users)."""
    rep_signed_by: str | None
    rep_signed_at: datetime | None
    rep_signed_user: str | None
    visits: pd.DataFrame
    """The planned visits with their status (see `plan_visit_status`)."""


# ------------------------------------------------------------------------------------------
# Scope, the month and who signs

REP_SQL = """
SELECT r.rep_id, r.name, r.team, r.region, r.role, r.manager
FROM reps r WHERE r.rep_id = $rep_id AND {where}
"""

PLAN_REP_SQL = """
SELECT mp.rep_id FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
WHERE mp.plan_id = $plan_id AND {where}
"""


def without_nan(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    """The row with None for every float NaN (how pandas hands back a missing number)."""
    return {
        str(k): (None if v is None or (isinstance(v, float) and np.isnan(v)) else v) for k, v in row.items()
    }


def rep_in_scope(con: duckdb.DuckDBPyConnection, rep_id: int, filters: Filters) -> Rep:
    """The rep (rep_id, name, team, region, role, manager) if inside `filters`, else an error."""
    frame = run(con, REP_SQL, filters, {"rep_id": int(rep_id)})
    if frame.empty:
        raise SalesmgmtError("plan.error.rep_out_of_scope", rep=rep_id)
    return cast(Rep, without_nan(frame.iloc[0].to_dict()))


def rep_only(filters: Filters, rep_id: int) -> Filters:
    """The rep alone, still inside the user's scope."""
    return replace(filters, regions=(), teams=(), rep_ids=(int(rep_id),), labels=())


def plan_month(period: Period) -> Period:
    """`period` if it is a month (a plan is monthly), else an error."""
    if period.kind != "month":
        raise SalesmgmtError("plan.error.not_a_month", period=str(period))
    return period


def as_date(value: Any) -> date:
    """A date from a date, datetime, Timestamp or ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return date.fromisoformat(str(value).strip()[:10])


def may_sign(party: str, role: str | None) -> bool:
    """Whether a user of `role` may sign a plan as `party`: a manager or a director signs as the
    manager, a rep as the sales engineer. `role` None is the app running open (it has no users,
    nobody signs in): then anyone may sign as either."""
    if party not in PARTIES:
        raise ValueError(party)
    return role is None or role in SIGNING_ROLES[party]


def plan_weeks(month: Period) -> list[tuple[date, bool]]:
    """The Monday-to-Sunday weeks that touch the month, each with whether the plan must meet the
    visit norm in it: only when the whole working week (Monday to Friday) lies in the month, as
    a plan can only name days of its month."""
    monday = month.start - timedelta(days=month.start.weekday())
    weeks = []
    while monday < month.end:
        weeks.append((monday, monday >= month.start and monday + timedelta(days=4) < month.end))
        monday += timedelta(days=7)
    return weeks


def weeks_below_norm(
    planned_dates: Iterable[date], month: Period, norm: int = VISIT_NORM_PER_WEEK
) -> list[tuple[date, int]]:
    """(Monday, planned visits) of each counted week of the month with fewer than `norm`."""
    counts: dict[date, int] = {}
    for d in planned_dates:
        d = as_date(d)
        monday = d - timedelta(days=d.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    return [
        (monday, counts.get(monday, 0))
        for monday, counted in plan_weeks(month)
        if counted and counts.get(monday, 0) < norm
    ]


# ------------------------------------------------------------------------------------------
# Saving, signing and reading plans

REVISIONS_SQL = """
SELECT mp.plan_id, mp.revision, mp.saved_on, mp.saved_at, mp.saved_by,
       mp.manager_signed_by, mp.manager_signed_at, mp.rep_signed_by, mp.rep_signed_at,
       mp.manager_signed_user, mp.rep_signed_user,
       (SELECT count(*) FROM plan_visits pv WHERE pv.plan_id = mp.plan_id) AS planned_visits
FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
WHERE mp.rep_id = $rep_id AND mp.month = $month AND {where}
ORDER BY mp.revision DESC
"""

PLAN_SQL = """
SELECT mp.* FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
WHERE mp.rep_id = $rep_id AND mp.month = $month AND {where}
  AND ($revision IS NULL OR mp.revision = $revision)
ORDER BY mp.revision DESC LIMIT 1
"""


def _planned_visits(con: duckdb.DuckDBPyConnection, month: Period, visits: Iterable[Any]) -> list[tuple]:
    """(client_id, planned_date, purpose) of each visit with a client, checked: every date in
    the month, every client known (else the error names the first wrong one)."""
    rows = []
    for item in visits:
        if isinstance(item, dict):
            client_id, planned, purpose = item.get("client_id"), item.get("planned_date"), item.get("purpose")
        else:
            client_id, planned, purpose = (list(item) + [None])[:3]
        if client_id is None or (isinstance(client_id, float) and np.isnan(client_id)):
            continue
        if planned is None or (not isinstance(planned, (str, date)) and pd.isna(planned)):
            raise SalesmgmtError("plan.error.visit_without_date", client=client_id)
        planned = as_date(planned)
        if not month.start <= planned < month.end:
            raise SalesmgmtError("plan.error.date_outside_month", date=str(planned), month=str(month))
        purpose = (
            None
            if purpose is None or (isinstance(purpose, float) and np.isnan(purpose))
            else str(purpose).strip() or None
        )
        rows.append((int(client_id), planned, purpose))
    if rows:
        ids = sorted({r[0] for r in rows})
        found = {
            r[0]
            for r in con.execute(
                f"SELECT client_id FROM clients WHERE client_id IN ({', '.join('?' for _ in ids)})", ids
            ).fetchall()
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise SalesmgmtError("plan.error.unknown_client", client=missing[0])
    return rows


def save_plan(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    *,
    visits: Iterable[Any],
    commitments: str | None = None,
    remedial_actions: str | None = None,
    review_notes: str | None = None,
    saved_by: str | None = None,
    saved_on: date,
) -> int:
    """Save the plan as the next revision of (rep, month); return its plan_id.

    `visits` holds (client_id, planned_date, purpose) tuples or dicts with those keys; every date
    must lie in the month and every client exist. A new revision starts unsigned: both sign what
    they agreed. Fewer than VISIT_NORM_PER_WEEK visits in a week is allowed (the page warns; see
    `weeks_below_norm`).
    """
    month = plan_month(month)
    rep_in_scope(con, rep_id, filters)
    rows = _planned_visits(con, month, visits)

    def text(value: str | None) -> str | None:
        return (value or "").strip() or None

    with transaction(con):
        revision = con.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM monthly_plans WHERE rep_id = ? AND month = ?",
            [int(rep_id), month.start],
        ).fetchone()[0]  # type: ignore[index]
        plan_id = con.execute("SELECT nextval('plan_seq')").fetchone()[0]  # type: ignore[index]
        con.execute(
            "INSERT INTO monthly_plans (plan_id, rep_id, month, revision, saved_on, commitments,"
            " remedial_actions, review_notes, saved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                plan_id,
                int(rep_id),
                month.start,
                revision,
                saved_on,
                text(commitments),
                text(remedial_actions),
                text(review_notes),
                text(saved_by),
            ],
        )
        if rows:
            con.executemany(
                "INSERT INTO plan_visits (plan_id, client_id, planned_date, purpose) VALUES (?, ?, ?, ?)",
                [(plan_id, *r) for r in sorted(rows, key=lambda r: (r[1], r[0]))],
            )
    return int(plan_id)


def sign_plan(
    con: duckdb.DuckDBPyConnection,
    plan_id: int,
    party: str,
    name: str,
    filters: Filters,
    at: datetime | None = None,
    *,
    signer_role: str | None,
    signer_user: str | None = None,
) -> datetime:
    """Sign a saved revision as `party` ('manager' or 'rep'); the name typed, the signed-in
    user's username (`signer_user`) and the time are kept.

    The signer's role must allow it (`may_sign`; role and user None when the app runs open,
    without users). A party signs a revision once; a new revision is signed anew. Returns the time
    recorded.
    """
    if not may_sign(party, signer_role):
        raise SalesmgmtError(f"plan.error.sign_as_{party}")
    name = (name or "").strip()
    if not name:
        raise SalesmgmtError("plan.error.no_signer_name")
    if run(con, PLAN_REP_SQL, filters, {"plan_id": int(plan_id)}).empty:
        raise SalesmgmtError("plan.error.no_plan", plan=plan_id)
    at = (at or datetime.now()).replace(microsecond=0)
    # From PARTIES (may_sign refused anything else): never user text.
    by_col, at_col, user_col = f"{party}_signed_by", f"{party}_signed_at", f"{party}_signed_user"
    with transaction(con):
        done = con.execute(
            f"SELECT {by_col}, {at_col} FROM monthly_plans WHERE plan_id = ?", [int(plan_id)]
        ).fetchone()
        if done is not None and done[0] is not None:
            raise SalesmgmtError("plan.error.already_signed", name=done[0], at=str(done[1])[:16])
        con.execute(
            f"UPDATE monthly_plans SET {by_col} = ?, {at_col} = ?, {user_col} = ? WHERE plan_id = ?",
            [name, at, signer_user, int(plan_id)],
        )
    return at


def plan_revisions(
    con: duckdb.DuckDBPyConnection, rep_id: int, month: Period, filters: Filters
) -> pd.DataFrame:
    """Every saved revision of the rep's plan for the month, newest first, with its signatures."""
    month = plan_month(month)
    rep_in_scope(con, rep_id, filters)
    frame = run(con, REVISIONS_SQL, rep_only(filters, rep_id), {"rep_id": int(rep_id), "month": month.start})
    frame["saved_on"] = pd.to_datetime(frame["saved_on"]).dt.date
    return frame


def plan_detail(
    con: duckdb.DuckDBPyConnection,
    rep_id: int,
    month: Period,
    filters: Filters,
    as_of: date,
    revision: int | None = None,
) -> Plan | None:
    """A revision of the plan (the latest when `revision` is None) with its visits and their
    status as of `as_of` (see the plan_visit_done measure); None when nothing was saved."""
    month = plan_month(month)
    rep_in_scope(con, rep_id, filters)
    only = rep_only(filters, rep_id)
    found = run(con, PLAN_SQL, only, {"rep_id": int(rep_id), "month": month.start, "revision": revision})
    if found.empty:
        return None
    plan = without_nan(found.iloc[0].to_dict())
    for col in ("saved_at", "manager_signed_at", "rep_signed_at"):
        if plan.get(col) is not None:
            plan[col] = pd.Timestamp(plan[col]).to_pydatetime()
    plan["saved_on"] = as_date(plan["saved_on"])
    plan["month"] = as_date(plan["month"])
    plan["visits"] = plan_visit_status(con, month, only, as_of, plan_id=int(plan["plan_id"]))
    return cast(Plan, plan)


#: Planned visits with the date the rep made them (None when not done). `{plans}` picks the
#: plan revisions: one plan_id, or the latest revision of every plan of a month in the window.
PLANNED_VISITS_SQL = """
WITH chosen AS ({plans}),
planned AS (
    SELECT ch.plan_id, ch.rep_id, pv.client_id, pv.planned_date, pv.purpose,
           CAST(date_trunc('week', pv.planned_date) AS DATE) AS week
    FROM chosen ch JOIN plan_visits pv ON pv.plan_id = ch.plan_id
    WHERE pv.planned_date >= $start AND pv.planned_date < $end
)
SELECT p.plan_id, p.rep_id, r.name AS rep, r.team, p.client_id, c.name AS client,
       coalesce(c.client_type, 'other') AS client_type, p.planned_date, p.purpose, p.week,
       min(v.visit_date) AS done_on
FROM planned p
JOIN reps r ON r.rep_id = p.rep_id
LEFT JOIN clients c ON c.client_id = p.client_id
LEFT JOIN visits v
  ON v.rep_id = p.rep_id AND v.client_id = p.client_id AND v.visit_type = 'visit'
 AND v.visit_date >= p.week AND v.visit_date < p.week + INTERVAL 7 DAY AND v.visit_date <= $as_of
GROUP BY ALL
ORDER BY p.planned_date, r.name, c.name
"""

ONE_PLAN = """
    SELECT mp.plan_id, mp.rep_id FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
    WHERE mp.plan_id = $plan_id AND {where}"""

LATEST_PLANS = """
    SELECT mp.plan_id, mp.rep_id FROM monthly_plans mp JOIN reps r ON r.rep_id = mp.rep_id
    WHERE mp.month >= $first_month AND mp.month < $end AND {where}
    QUALIFY row_number() OVER (PARTITION BY mp.rep_id, mp.month ORDER BY mp.revision DESC) = 1"""


def plan_visit_status(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, plan_id: int | None = None
) -> pd.DataFrame:
    """Planned visits dated in `period`, each with done_on and status ('done', 'missed' or
    'upcoming'): of one plan revision, or of the latest revision of every plan in `filters`."""
    plans = ONE_PLAN if plan_id is not None else LATEST_PLANS
    named: dict[str, Any] = {"start": period.start, "end": period.end, "as_of": as_of}
    if plan_id is not None:
        named["plan_id"] = int(plan_id)
    else:
        named["first_month"] = Period.month_of(period.start).start
    frame = run(con, compose(PLANNED_VISITS_SQL, plans=plans), filters, named)
    for col in ("planned_date", "week", "done_on"):
        frame[col] = pd.to_datetime(frame[col]).dt.date.astype(object)
    frame["done_on"] = frame["done_on"].where(frame["done_on"].notna(), None)
    over = frame["week"].map(lambda w: w + timedelta(days=6) < as_of)
    frame["status"] = np.where(frame["done_on"].notna(), "done", np.where(over, "missed", "upcoming"))
    return frame
