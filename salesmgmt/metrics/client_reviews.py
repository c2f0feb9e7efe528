"""The key-account profile reps prepare before a review (module 2, part 8), and the reviews
themselves: recording one, and the key accounts whose review is due.

Scope rule: that of `salesmgmt.metrics.clients` (a client is in scope when its owner rep is in
the Filters; lists name only people in scope).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypedDict, cast

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.db import transaction
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.metrics.client_health import client_facts, scored
from salesmgmt.metrics.coaching import split_names
from salesmgmt.metrics.deals import as_dates
from salesmgmt.query import run
from salesmgmt.text import name_key

#: A review's next date, when none is given: this many days after the review (quarterly).
REVIEW_INTERVAL_DAYS = 90
#: Reviews due within this many days are listed as due.
REVIEW_DUE_DAYS = 14


class ClientProfile(TypedDict):
    """Everything about one client in scope."""

    #: Its facts and health parts (a row of client_health).
    client: dict[str, Any]
    visits: pd.DataFrame
    deals: pd.DataFrame
    #: Who visited (rep, visits, last_visit) and who went along.
    people: pd.DataFrame
    reviews: pd.DataFrame
    last_review: dict[str, Any] | None
    as_of: date
    next_review_date: date | None
    development_plan: str


#: A client's visits; who made them, who went along and the notes only for reps in the where.
PROFILE_VISITS_SQL = """
WITH v AS (
    SELECT v.*, coalesce({where}, FALSE) AS in_scope, r.name AS rep_name, r.team AS rep_team
    FROM visits v LEFT JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.client_id = $client_id AND v.visit_date <= $as_of
)
SELECT v.visit_date, v.visit_type,
       CASE WHEN v.in_scope THEN v.rep_name END AS rep,
       CASE WHEN v.in_scope THEN coalesce(v.rep_team, '—') END AS team,
       CASE WHEN v.in_scope THEN v.accompanied_by END AS accompanied_by,
       v.purpose, v.outcome, CASE WHEN v.in_scope THEN v.notes END AS notes,
       v.opp_id, o.name AS opportunity, v.in_scope
FROM v LEFT JOIN opportunities o ON o.opp_id = v.opp_id
ORDER BY v.visit_date DESC, v.visit_key DESC
"""

#: A client's deals; the rep only when in the where.
PROFILE_DEALS_SQL = """
SELECT o.opp_id, o.name AS opportunity, o.product, o.project, o.stage, o.status,
       CAST(o.amount AS DOUBLE) AS amount, o.created_date, o.expected_close_date, o.close_date,
       o.lost_reason, CASE WHEN coalesce({where}, FALSE) THEN r.name END AS rep
FROM opportunities o LEFT JOIN reps r ON r.rep_id = o.rep_id
WHERE o.client_id = $client_id
ORDER BY (o.status = 'open') DESC, coalesce(o.close_date, o.expected_close_date) DESC, o.opp_id
"""

REVIEWS_SQL = """
SELECT review_id, review_date, participants, findings, development_plan, next_review_date,
       recorded_by, recorded_at
FROM client_reviews WHERE client_id = $client_id
ORDER BY review_date DESC, review_id DESC
"""


def client_in_scope(con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters) -> bool:
    """Whether the client is in scope (its owner rep in the filter)."""
    frame = run(
        con,
        "SELECT c.client_id FROM clients c LEFT JOIN reps r ON r.rep_id = "
        "c.owner_rep_id WHERE c.client_id = $client_id AND {where}",
        filters,
        {"client_id": int(client_id)},
    )
    return len(frame) == 1


def client_profile(
    con: duckdb.DuckDBPyConnection, client_id: int, filters: Filters, as_of: date
) -> ClientProfile | None:
    """Everything about one client in scope (see ClientProfile), or None when it is not in
    scope."""
    facts = client_facts(con, filters, as_of, int(client_id))
    if facts.empty:
        return None
    client = cast(dict[str, Any], scored(facts).iloc[0].to_dict())
    named = {"client_id": int(client_id), "as_of": as_of}
    visits = as_dates(run(con, PROFILE_VISITS_SQL, filters, named), "visit_date")
    deals = as_dates(
        run(con, PROFILE_DEALS_SQL, filters, {"client_id": int(client_id)}),
        "created_date",
        "expected_close_date",
        "close_date",
    )
    reviews = as_dates(
        con.execute(REVIEWS_SQL, {"client_id": int(client_id)}).df(), "review_date", "next_review_date"
    )
    last = cast(dict[str, Any], reviews.iloc[0].to_dict()) if len(reviews) else None
    return ClientProfile(
        client=client,
        visits=visits,
        deals=deals,
        people=_people(visits),
        reviews=reviews,
        last_review=last,
        as_of=as_of,
        next_review_date=_next_review(last),
        development_plan=(last or {}).get("development_plan") or "",
    )


def _next_review(last: dict[str, Any] | None) -> date | None:
    """The next review date of the last review: as given, else REVIEW_INTERVAL_DAYS after it."""
    if last is None:
        return None
    given = last.get("next_review_date")
    if given is not None and not pd.isna(given):
        return cast(date, given)
    return cast(date, last["review_date"]) + timedelta(days=REVIEW_INTERVAL_DAYS)


def _people(visits: pd.DataFrame) -> pd.DataFrame:
    """Who visited the client: each rep in scope with their visits and last visit (role 'rep'),
    each person who went along on those visits (role 'along'), and one row for all visits by
    reps outside the scope (role 'outside', no name)."""
    columns = ["person", "role", "visits", "last_visit"]
    if visits.empty:
        return pd.DataFrame(columns=columns)
    mine = visits[visits["in_scope"].astype(bool)]
    parts = []
    if len(mine):
        reps = (
            mine.groupby("rep")
            .agg(visits=("visit_date", "size"), last_visit=("visit_date", "max"))
            .reset_index()
            .rename(columns={"rep": "person"})
        )
        parts.append(reps.assign(role="rep"))
        along = mine.dropna(subset=["accompanied_by"])
        names = [
            (name, day)
            for text, day in zip(along["accompanied_by"], along["visit_date"])
            for name in split_names(text)
        ]
        if names:
            extra = pd.DataFrame(names, columns=["person", "visit_date"])
            extra["key"] = extra["person"].map(name_key)
            extra = (
                extra.groupby("key")
                .agg(
                    person=("person", "first"),
                    visits=("visit_date", "size"),
                    last_visit=("visit_date", "max"),
                )
                .reset_index(drop=True)
            )
            parts.append(extra.assign(role="along"))
    others = visits[~visits["in_scope"].astype(bool)]
    if len(others):
        parts.append(
            pd.DataFrame(
                [
                    {
                        "person": None,
                        "role": "outside",
                        "visits": len(others),
                        "last_visit": max(others["visit_date"]),
                    }
                ]
            )
        )
    order = {"rep": 0, "along": 1, "outside": 2}
    out = pd.concat(parts, ignore_index=True)[columns]
    out["_order"] = out["role"].map(order)
    return (
        out.sort_values(["_order", "visits", "last_visit"], ascending=[True, False, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------------------------------
# Reviews


def record_review(
    con: duckdb.DuckDBPyConnection,
    client_id: int,
    filters: Filters,
    *,
    review_date: date,
    participants: str,
    development_plan: str,
    findings: str = "",
    next_review_date: date | None = None,
    recorded_by: str | None = None,
) -> int:
    """Record a review of a client in scope; returns its review_id.

    The participants and the new development plan are required; the next review date defaults
    to REVIEW_INTERVAL_DAYS after the review and must come after it.
    """
    participants = (participants or "").strip()
    development_plan = (development_plan or "").strip()
    if not participants:
        raise SalesmgmtError("cl.error.no_participants")
    if not development_plan:
        raise SalesmgmtError("cl.error.no_plan")
    if next_review_date is None:
        next_review_date = review_date + timedelta(days=REVIEW_INTERVAL_DAYS)
    if next_review_date <= review_date:
        raise SalesmgmtError("cl.error.next_before", review=str(review_date), next=str(next_review_date))
    if not client_in_scope(con, client_id, filters):
        raise SalesmgmtError("cl.error.not_in_scope", client=str(client_id))
    with transaction(con):
        (review_id,) = cast(tuple[int], con.execute("SELECT nextval('review_seq')").fetchone())
        con.execute(
            "INSERT INTO client_reviews (review_id, client_id, review_date, participants, findings,"
            " development_plan, next_review_date, recorded_by) VALUES (?,?,?,?,?,?,?,?)",
            [
                review_id,
                int(client_id),
                review_date,
                participants,
                (findings or "").strip() or None,
                development_plan,
                next_review_date,
                recorded_by,
            ],
        )
    return int(review_id)


REVIEW_STATUS_SQL = """
WITH cl AS (
    SELECT c.client_id, c.name AS client, c.client_type, r.name AS owner, r.team
    FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
    WHERE c.key_account AND {where}
),
last AS (
    SELECT client_id, arg_max(review_date, review_id) AS last_review_date,
           arg_max(next_review_date, review_id) AS next_given
    FROM (SELECT cr.* FROM client_reviews cr JOIN cl USING (client_id)
          WHERE cr.review_date <= $as_of)
    GROUP BY client_id
)
SELECT cl.*, last.last_review_date,
       coalesce(last.next_given, last.last_review_date + INTERVAL (CAST($interval AS INTEGER)) DAY)
           AS next_review_date
FROM cl LEFT JOIN last USING (client_id)
"""


def reviews_due(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, within_days: int = REVIEW_DUE_DAYS
) -> pd.DataFrame:
    """Key accounts in scope never reviewed or whose next review is due by as_of + within_days,
    never reviewed and most overdue first. days_to_review < 0 means overdue."""
    frame = run(con, REVIEW_STATUS_SQL, filters, {"as_of": as_of, "interval": REVIEW_INTERVAL_DAYS})
    as_dates(frame, "last_review_date", "next_review_date")
    frame["days_to_review"] = [
        (d - as_of).days if d is not None else np.nan for d in frame["next_review_date"]
    ]
    due = frame[frame["days_to_review"].isna() | (frame["days_to_review"] <= within_days)]
    return due.sort_values(["days_to_review", "client"], na_position="first").reset_index(drop=True)
