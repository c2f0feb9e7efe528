"""Coverage of the construction project chain (module 2, part 8): each project's clients by link
(design institute, steel-structure firm, construction company, owner) and whether they were
visited since the project began.

Scope rule: that of `salesmgmt.metrics.clients`: a project is in scope through the deals of reps
in scope; its chain is the clients of those deals; a visit counts when its rep is in scope or its
client is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.metrics.deals import as_dates
from salesmgmt.query import run

#: The four client types of the construction project chain, in the order work flows.
CHAIN_TYPES = ("design_institute", "steel_structure", "construction", "owner")
#: A visit to a chain client counts for a project from this many days before its first deal.
PROJECT_LEAD_DAYS = 90

PROJECT_MEMBERS_SQL = """
WITH po AS (
    SELECT trim(o.project) AS project, o.opp_id, o.client_id, o.status, o.amount, o.created_date
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE o.project IS NOT NULL AND trim(o.project) <> '' AND {where_deal}
),
proj AS (
    SELECT project, min(created_date) AS started,
           count(*) FILTER (WHERE status = 'open') AS open_count,
           CAST(coalesce(sum(amount) FILTER (WHERE status = 'open'), 0) AS DOUBLE) AS open_amount,
           count(*) AS deals
    FROM po GROUP BY project
    -- only the projects listed: their members' visits are the costly part
    HAVING count(*) FILTER (WHERE status = 'open') > 0 OR NOT $open_only
),
members AS (
    SELECT DISTINCT po.project, po.client_id, c.name AS client,
           coalesce(c.client_type, 'other') AS client_type
    FROM po SEMI JOIN proj USING (project) JOIN clients c ON c.client_id = po.client_id
),
seen AS (
    SELECT m.project, m.client_id, count(*) AS visits, max(v.visit_date) AS last_visit
    FROM members m
    JOIN proj p USING (project)
    JOIN visits v ON v.client_id = m.client_id AND v.visit_type = 'visit'
     AND v.visit_date <= $as_of
     AND (p.started IS NULL OR v.visit_date >= p.started - INTERVAL (CAST($lead AS INTEGER)) DAY)
    LEFT JOIN reps vr ON vr.rep_id = v.rep_id
    LEFT JOIN clients vc ON vc.client_id = v.client_id
    LEFT JOIN reps cr ON cr.rep_id = vc.owner_rep_id
    WHERE ({where_visit}) OR ({where_owner})
    GROUP BY ALL
)
SELECT p.project, p.started, p.open_count, p.open_amount, p.deals,
       m.client_id, m.client, m.client_type,
       coalesce(seen.visits, 0) AS visits, seen.last_visit
FROM proj p
JOIN members m USING (project)
LEFT JOIN seen ON seen.project = m.project AND seen.client_id = m.client_id
WHERE p.open_count > 0 OR NOT $open_only
ORDER BY p.open_amount DESC, p.project, m.client_type, m.client
"""


def project_members(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, open_only: bool = True
) -> pd.DataFrame:
    """Each project's chain, one row per client on its deals: the project's start, open deals and
    amount, the client, its type, and its visits since the project began (see the glossary's
    project_chain_coverage)."""
    frame = run(
        con,
        PROJECT_MEMBERS_SQL,
        filters,
        {"as_of": as_of, "lead": PROJECT_LEAD_DAYS, "open_only": open_only},
        scopes={"where_deal": "r", "where_visit": "vr", "where_owner": "cr"},
    )
    frame["visits"] = frame["visits"].astype("int64")
    return as_dates(frame, "started", "last_visit")


def project_coverage(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: date, open_only: bool = True
) -> pd.DataFrame:
    """One row per project: project, started, open_count, open_amount, deals; for each chain
    type (design_institute, steel_structure, construction, owner) `<type>` ('visited',
    'not_visited' or 'none'), `<type>_clients` (names) and `<type>_last_visit`; then
    links_known, links_visited and chain_coverage. Largest open amount first."""
    members = project_members(con, filters, as_of, open_only)
    head = ["project", "started", "open_count", "open_amount", "deals"]
    if members.empty:
        columns = head + [f"{t}{s}" for t in CHAIN_TYPES for s in ("", "_clients", "_last_visit")]
        return pd.DataFrame(columns=columns + ["links_known", "links_visited", "chain_coverage"])
    out = members[head].drop_duplicates("project").set_index("project")
    # Every project's links at once (a groupby per link with Python lambdas cost seconds at
    # 10,000 projects): names sorted and joined, visited, last visit.
    keys = ["project", "client_type"]
    chain = members[members["client_type"].isin(CHAIN_TYPES)]
    names = (
        chain.drop_duplicates(keys + ["client"])
        .sort_values(keys + ["client"])
        .groupby(keys, sort=False)["client"]
        .agg("、".join)
    )
    visited = chain.groupby(keys)["visits"].sum() > 0
    latest = pd.to_datetime(chain["last_visit"]).groupby([chain["project"], chain["client_type"]]).max()
    days: list[Any] = list(latest)
    last = pd.Series([None if d is pd.NaT else d.date() for d in days], index=latest.index, dtype=object)

    def link(series: pd.Series, kind: str) -> pd.Series:
        """A (project, client_type) series' values of one link, per project of `out`."""
        if kind not in series.index.get_level_values("client_type"):
            return pd.Series(None, index=out.index, dtype=object)
        return series.xs(kind, level="client_type").reindex(out.index)

    for kind in CHAIN_TYPES:
        clients_of = link(names, kind)
        out[kind] = np.where(
            clients_of.isna(),
            "none",
            np.where(link(visited, kind).fillna(False).astype(bool), "visited", "not_visited"),
        )
        out[f"{kind}_clients"] = clients_of
        out[f"{kind}_last_visit"] = link(last, kind)
    out["links_known"] = (out[list(CHAIN_TYPES)] != "none").sum(axis=1)
    out["links_visited"] = (out[list(CHAIN_TYPES)] == "visited").sum(axis=1)
    out["chain_coverage"] = out["links_visited"] / len(CHAIN_TYPES)
    return (
        out.reset_index()
        .sort_values(["open_amount", "project"], ascending=[False, True])
        .reset_index(drop=True)
    )
