"""The field meeting of module 3, around one project or client: the parties of the project's chain
(design institute, steel-structure firm, construction company, owner) and who covers them, the
deal history, the visits and the open actions; and the search for what a meeting can be about.

Scope rule: that of `salesmgmt.metrics.meetings` (every function takes a Filters and returns
nothing outside it: a fact belongs to a rep, and only reps in the filter are read).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypedDict

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.i18n import t
from salesmgmt.measures import COLD_ACCOUNT_DAYS
from salesmgmt.metrics.project_chain import CHAIN_TYPES
from salesmgmt.metrics.team_meeting import plain_dates, planned_visits, row_mask
from salesmgmt.query import compose, run
from salesmgmt.text import name_key


class FieldSubjects(TypedDict):
    """What a field meeting can be about: the best matches of a search."""

    #: project, deals, clients, open_amount, won_amount, open_deals, first_created.
    projects: pd.DataFrame
    #: client_id, client, client_type, key_account, code, deals, open_amount.
    clients: pd.DataFrame
    #: Every project matching (not only those returned).
    projects_found: int
    #: Every client matching.
    clients_found: int


class FieldView(TypedDict):
    """Everything about one project or client (see `field_view`); empty frames when nothing."""

    opportunities: pd.DataFrame
    parties: pd.DataFrame
    history: pd.DataFrame
    visits: pd.DataFrame
    actions: pd.DataFrame


#: Subjects offered at once: the best matches of a search, or the most relevant ones.
FIELD_SUBJECTS_SHOWN = 50

#: Projects of deals in the filter whose name (or a deal's code) contains $q ('' for all): the
#: exact match first, then names starting with it, then live projects with the most open
#: business. `matching` counts every match, not only the $limit returned.
PROJECTS_SQL = compose(
    """
WITH o AS (
    SELECT o.project, o.opp_id, o.client_id, o.status, o.amount, o.created_date
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.project IS NOT NULL AND trim(o.project) <> '' AND {where}
),
found AS (
    SELECT o.project, count(*) AS deals,
           CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'open'), 0) AS DOUBLE) AS open_amount,
           CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'won'), 0) AS DOUBLE) AS won_amount,
           count(*) FILTER (WHERE o.status = 'open') AS open_deals,
           min(o.created_date) AS first_created
    FROM o
    GROUP BY 1
    HAVING $q = '' OR contains(lower(o.project), $q) OR bool_or(contains(lower(o.opp_id), $q))
),
best AS (
    SELECT * FROM (SELECT *, count(*) OVER () AS matching FROM found)
    ORDER BY {order} LIMIT $limit
),
clients AS (   -- counted for the shown projects only
    SELECT o.project, count(DISTINCT o.client_id) AS clients
    FROM o SEMI JOIN best b ON b.project = o.project
    GROUP BY 1
)
SELECT project, deals, clients, open_amount, won_amount, open_deals, first_created, matching
FROM best JOIN clients USING (project)
ORDER BY {order}
""",
    order="lower(project) = $q DESC, starts_with(lower(project), $q) DESC, "
    "open_deals > 0 DESC, open_amount DESC, project",
)

#: Clients with deals in the filter whose name or code contains $q; ranked like projects.
CLIENTS_SQL = """
WITH deals AS (
    SELECT o.client_id, count(*) AS deals,
           CAST(coalesce(sum(o.amount) FILTER (WHERE o.status = 'open'), 0) AS DOUBLE) AS open_amount
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE {where}
    GROUP BY 1
),
found AS (
    SELECT c.client_id, c.name AS client, c.client_type, c.key_account, c.code, d.deals,
           d.open_amount, coalesce(c.name_key, lower(c.name)) AS name_key,
           lower(coalesce(c.code, '')) AS code_key
    FROM deals d JOIN clients c ON c.client_id = d.client_id
)
SELECT client_id, client, client_type, key_account, code, deals, open_amount,
       count(*) OVER () AS matching
FROM found
WHERE $q = '' OR contains(name_key, $q) OR contains(code_key, $q)
ORDER BY name_key = $q OR code_key = $q DESC, starts_with(name_key, $q) DESC, open_amount DESC,
         client, client_id
LIMIT $limit
"""


def field_subjects(
    con: duckdb.DuckDBPyConnection, filters: Filters, search: str = "", limit: int = FIELD_SUBJECTS_SHOWN
) -> FieldSubjects:
    """What a field meeting can be about, never all of a national company at once: 'projects'
    (project, deals, clients, open_amount, won_amount, open_deals, first_created) and 'clients'
    (client_id, client, client_type, key_account, code, deals, open_amount; with deals in
    scope), each the `limit` best matches of `search` (part of a name, or a code: a deal's for a
    project, the client's own), the most relevant first (see PROJECTS_SQL); without a search the
    live ones with the most open business. 'projects_found' and 'clients_found' count every
    match."""
    named = {"q": name_key(search) if search else "", "limit": int(limit)}
    projects = plain_dates(run(con, PROJECTS_SQL, filters, named), "first_created")
    clients = run(con, CLIENTS_SQL, filters, named)
    return FieldSubjects(
        projects=projects.drop(columns="matching"),
        clients=clients.drop(columns="matching"),
        projects_found=int(projects["matching"].iloc[0]) if len(projects) else 0,
        clients_found=int(clients["matching"].iloc[0]) if len(clients) else 0,
    )


SUBJECT_OPPS_SQL = """
SELECT o.opp_id, o.name, o.project, o.product, o.client_id, c.name AS client, c.client_type,
       o.rep_id, r.name AS rep, r.team, o.stage, o.status, CAST(o.amount AS DOUBLE) AS amount,
       o.created_date, o.expected_close_date, o.close_date, o.lost_reason
FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id LEFT JOIN clients c ON c.client_id = o.client_id
WHERE {where} AND (
      ($project IS NOT NULL AND o.project = $project)
   OR ($client IS NOT NULL AND (o.client_id = $client OR o.project IN (
          SELECT p.project FROM opportunities p WHERE p.client_id = $client AND p.project IS NOT NULL))))
ORDER BY o.created_date, o.opp_id
"""

SUBJECT_VISITS_SQL = """
SELECT v.visit_date, v.visit_type, v.client_id, c.name AS client, c.client_type, v.rep_id,
       r.name AS rep, v.accompanied_by, v.planned, v.purpose, v.outcome, v.opp_id
FROM visits v JOIN reps r ON r.rep_id = v.rep_id LEFT JOIN clients c ON c.client_id = v.client_id
WHERE {where} AND v.client_id IN (SELECT unnest($clients))
  AND (v.opp_id IS NULL OR v.opp_id IN (SELECT unnest($opps)))
  AND v.visit_date >= $first
ORDER BY v.visit_date DESC, v.visit_key DESC
"""

SUBJECT_HISTORY_SQL = """
SELECT h.opp_id, h.valid_from, h.valid_to, h.stage, h.status, CAST(h.amount AS DOUBLE) AS amount,
       h.expected_close_date,
       lag(h.stage) OVER (PARTITION BY h.opp_id ORDER BY h.valid_from) AS previous_stage
FROM opportunity_history h WHERE h.opp_id IN (SELECT unnest($opps))
ORDER BY h.valid_from, h.opp_id
"""

OWNERS_SQL = """
SELECT c.client_id, r.name AS owner FROM clients c JOIN reps r ON r.rep_id = c.owner_rep_id
WHERE c.client_id IN (SELECT unnest($clients)) AND {where}
"""

FUTURE_SCHEDULE_SQL = """
SELECT v.visit_date AS planned_date, v.rep_id, r.name AS rep, v.client_id, c.name AS client,
       c.client_type, v.purpose
FROM visits v JOIN reps r ON r.rep_id = v.rep_id LEFT JOIN clients c ON c.client_id = v.client_id
WHERE v.planned AND v.visit_date > $as_of AND v.client_id IN (SELECT unnest($clients)) AND {where}
ORDER BY v.visit_date
"""


def field_view(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: date,
    project: str | None = None,
    client_id: int | None = None,
) -> FieldView:
    """Everything about one project (or one client and the projects it is part of) on one screen:

    - opportunities: its deals (reps in the filter);
    - parties: one row per party of the chain (CHAIN_TYPES, then any other client type present):
      client_type, client_id, client, covered_by (the reps with deals there, else the client's
      owner), visits, last_visit, days_since_visit; a chain type with no client is a row with no
      client (nobody covers it);
    - history: the deals' stage changes (from opportunity_history);
    - visits: visits to the parties (unlinked, or linked to these deals), newest first;
    - actions: open actions (kind, client, date, detail): planned visits still to come, open deals
      past their expected close date, parties not visited for COLD_ACCOUNT_DAYS days while deals
      are open, chain parties nobody covers.
    """
    empty = FieldView(
        opportunities=pd.DataFrame(),
        parties=pd.DataFrame(),
        history=pd.DataFrame(),
        visits=pd.DataFrame(),
        actions=pd.DataFrame(),
    )
    if project is None and client_id is None:
        return empty
    opps = plain_dates(
        run(con, SUBJECT_OPPS_SQL, filters, {"project": project, "client": client_id}),
        "created_date",
        "expected_close_date",
        "close_date",
    )
    if opps.empty:
        return empty
    opp_ids = opps["opp_id"].tolist()
    clients = sorted(
        {int(c) for c in opps["client_id"].dropna()} | ({int(client_id)} if client_id is not None else set())
    )
    first = (
        min(d for d in opps["created_date"] if d is not None)
        if opps["created_date"].notna().any()
        else as_of - timedelta(days=365)
    )
    first = min(first, as_of - timedelta(days=COLD_ACCOUNT_DAYS))
    visits = plain_dates(
        run(con, SUBJECT_VISITS_SQL, filters, {"clients": clients, "opps": opp_ids, "first": first}),
        "visit_date",
    )
    visits = visits[row_mask(visits["visit_date"], lambda d: d is not None and d <= as_of)]
    history = plain_dates(
        con.execute(SUBJECT_HISTORY_SQL, {"opps": opp_ids}).df(),
        "valid_from",
        "valid_to",
        "expected_close_date",
    )
    history = history[row_mask(history["valid_from"], lambda d: d is not None and d <= as_of)]
    history = history[(history["previous_stage"].isna()) | (history["stage"] != history["previous_stage"])]
    history = history.merge(opps[["opp_id", "name", "client", "rep"]], on="opp_id", how="left")
    owners = run(con, OWNERS_SQL, filters, {"clients": clients}).set_index("client_id")["owner"]

    party_rows: list[dict[str, Any]] = []
    names = opps.drop_duplicates("client_id").set_index("client_id")
    if client_id is not None and client_id not in names.index:
        return empty
    by_type: dict[Any, list[int]] = {}
    for cid in clients:
        by_type.setdefault(names.loc[cid, "client_type"] if cid in names.index else "other", []).append(cid)
    for ctype in list(CHAIN_TYPES) + sorted(other for other in by_type if other not in CHAIN_TYPES):
        if ctype not in by_type:
            if ctype in CHAIN_TYPES:
                party_rows.append(
                    dict(
                        client_type=ctype,
                        client_id=None,
                        client=None,
                        covered_by=None,
                        visits=0,
                        last_visit=None,
                        days_since_visit=None,
                        open_deals=0,
                    )
                )
            continue
        for cid in by_type[ctype]:
            reps = sorted(set(opps.loc[opps["client_id"] == cid, "rep"]))
            seen = visits[visits["client_id"] == cid]
            last = max(seen["visit_date"]) if len(seen) else None
            party_rows.append(
                dict(
                    client_type=ctype,
                    client_id=cid,
                    client=names.loc[cid, "client"],
                    covered_by=", ".join(reps) if reps else owners.get(cid),
                    visits=int((seen["visit_type"] != "call").sum()),
                    last_visit=last,
                    days_since_visit=(as_of - last).days if last else None,
                    open_deals=int(((opps["client_id"] == cid) & (opps["status"] == "open")).sum()),
                )
            )
    parties = pd.DataFrame(party_rows)
    parties["client_id"] = parties["client_id"].astype("Int64")

    action_rows: list[dict[str, Any]] = []
    p: Any
    o: Any
    future = planned_visits(con, filters, as_of + timedelta(days=1), as_of + timedelta(days=121), as_of)
    future = future[future["client_id"].isin(clients)]
    if future.empty:
        future = plain_dates(
            run(con, FUTURE_SCHEDULE_SQL, filters, {"as_of": as_of, "clients": clients}), "planned_date"
        )
    for p in future.itertuples():
        action_rows.append(
            dict(kind="planned_visit", client=p.client, date=p.planned_date, detail=p.rep, purpose=p.purpose)
        )
    for o in opps[(opps["status"] == "open")].itertuples():
        if o.expected_close_date is not None and o.expected_close_date < as_of:
            action_rows.append(
                dict(
                    kind="overdue_deal",
                    client=o.client,
                    date=o.expected_close_date,
                    detail=o.name or o.opp_id,
                    purpose=o.rep,
                )
            )
    live = opps["status"].eq("open").any()
    for p in parties.itertuples():
        if p.client_id is None or pd.isna(p.client_id):
            if live:
                action_rows.append(
                    dict(kind="uncovered_party", client=None, date=None, detail=p.client_type, purpose=None)
                )
        elif (
            live
            and p.open_deals > 0
            and (
                p.days_since_visit is None
                or pd.isna(p.days_since_visit)
                or p.days_since_visit >= COLD_ACCOUNT_DAYS
            )
        ):
            action_rows.append(
                dict(
                    kind="visit_party", client=p.client, date=p.last_visit, detail=p.covered_by, purpose=None
                )
            )
    actions = pd.DataFrame(action_rows, columns=["kind", "client", "date", "detail", "purpose"])
    return FieldView(
        opportunities=opps,
        parties=parties,
        history=history.reset_index(drop=True),
        visits=visits.reset_index(drop=True),
        actions=actions,
    )


def action_text(row: Any, lang: str, escape: Callable[[str], str] = str) -> str:
    """An open action of `field_view` in words."""
    day = row.date.isoformat() if isinstance(row.date, date) else "–"
    detail = row.detail if isinstance(row.detail, str) else ""
    if row.kind == "uncovered_party":
        detail = t(f"client_type.{detail}", lang)
    return t(
        f"fm.action.{row.kind}",
        lang,
        client=escape(row.client) if isinstance(row.client, str) else "",
        date=day,
        detail=escape(detail),
        purpose=escape(row.purpose) if isinstance(row.purpose, str) else "",
    )
