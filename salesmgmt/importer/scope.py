"""Imports within a user's scope: a manager may import data only for the reps, teams and regions
they see, and may neither change nor take over a record of someone else's. Checked before
anything is written (and again inside the import's transaction, see `applying.apply`); rows
outside the scope become row errors, so the usual rules apply (the file is refused, or only the
valid rows are imported).

Rules, per kind (a director, or no user, has no scope and is never checked). "Yours" means in
the scope: a rep whose team or region is in it, a record whose rep (owner) is such a rep.
- visits: the row's rep must exist and be yours (a manager cannot create reps by naming
  unknown ones: a director imports the reps file first); a stored visit the row's visit id
  names must be yours;
- opportunities: the row's rep, when given, must be yours; a stored opportunity of that id must
  be yours; a new opportunity, or a row that empties the rep of a stored one, needs a rep of yours;
- targets: by rep, the rep must be yours; by team, the team (or the region all its reps are in)
  must be in the scope; by region, the region must be in the scope;
- reps: every stored rep the row may match (by code, else by name) must be yours, and the rep
  with the row's team and region (the stored ones for a column the file lacks) must be too;
- clients: every stored client the row may match must be owned by a rep of yours; the owner,
  when given, must be yours, and a row may not empty the owner of a stored client.

Everything is a handful of set-wise statements over the file's rows (registered with DuckDB),
whatever their number; only the rows in error come back to Python.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.importer.preview import Preview
from salesmgmt.importer.upsert import register
from salesmgmt.importer.validate import RowError
from salesmgmt.query import compile_sql, compose
from salesmgmt.text import name_key

#: The file's rows as the statements below read them (one row per spreadsheet row `_row`).
_ROW_COLUMNS = (
    "rep_code",
    "rep_key",
    "team",
    "region",
    "owner_key",
    "client_code",
    "client_key",
    "opp_id",
    "visit_id",
)

#: Reps in the scope, and whether the rep a row names (by code, else by name) is one of them:
#: TRUE, FALSE, or NULL when the row names no rep.
_MINE = """
mine AS (SELECT r.rep_id, r.code, r.name_key FROM reps r WHERE {where}),
f AS (
    SELECT f.*,
           CASE WHEN f.rep_code IS NOT NULL THEN coalesce(f.rep_code IN (SELECT code FROM mine
                                                         WHERE code IS NOT NULL), FALSE)
                WHEN f.rep_key IS NOT NULL THEN coalesce(f.rep_key IN (SELECT name_key FROM mine), FALSE)
           END AS rep_ok
    FROM {rows} f)"""

#: Each row's error: (row, field, message key, the value, the record, its owner, team, region).
_OUT = "_row, field, msg, value, record, owner, team, region"

_VISITS_SQL = """
WITH {mine}
SELECT f._row AS _row,
       CASE WHEN v.visit_key IS NOT NULL AND NOT coalesce(v.rep_id IN (SELECT rep_id FROM mine), FALSE)
            THEN 'visit_id' WHEN f.rep_code IS NOT NULL THEN 'rep_code' ELSE 'rep' END AS field,
       CASE WHEN v.visit_key IS NOT NULL AND NOT coalesce(v.rep_id IN (SELECT rep_id FROM mine), FALSE)
            THEN 'import.not_yours_visit' ELSE 'import.out_of_scope_rep' END AS msg,
       coalesce(f.rep_code, f.rep_name) AS value, f.visit_id AS record,
       vr.name AS owner, vr.team AS team, vr.region AS region
FROM f LEFT JOIN visits v ON v.visit_id = f.visit_id LEFT JOIN reps vr ON vr.rep_id = v.rep_id
WHERE NOT coalesce(f.rep_ok, FALSE)
   OR (v.visit_key IS NOT NULL AND NOT coalesce(v.rep_id IN (SELECT rep_id FROM mine), FALSE))
"""

_OPPORTUNITIES_SQL = """
WITH {mine},
o AS (SELECT f._row, f.rep_ok, f.rep_code, f.rep_name, f.opp_id, s.opp_id IS NOT NULL AS stored,
             coalesce(s.rep_id IN (SELECT rep_id FROM mine), FALSE) AS stored_ok,
             sr.name AS owner, sr.team, sr.region
      FROM f LEFT JOIN opportunities s ON s.opp_id = f.opp_id LEFT JOIN reps sr ON sr.rep_id = s.rep_id)
SELECT _row,
       CASE WHEN stored AND NOT stored_ok THEN 'opportunity_id'
            WHEN rep_code IS NOT NULL THEN 'rep_code' ELSE 'rep' END AS field,
       CASE WHEN stored AND NOT stored_ok THEN 'import.not_yours_opportunity'
            WHEN rep_ok IS NULL THEN 'import.needs_own_rep' ELSE 'import.out_of_scope_rep' END AS msg,
       coalesce(rep_code, rep_name) AS value, opp_id AS record, owner, team, region
FROM o
WHERE (stored AND NOT stored_ok) OR NOT rep_ok
   OR (rep_ok IS NULL AND (NOT stored OR $has_rep))
"""

#: The stored records (reps or clients) a row may match: by its code; by its name when it has
#: no code, or a code not stored yet (a record without a code and the same name may be it).
_CANDIDATES = """
cand AS (
    SELECT f._row, t.* FROM f JOIN {table} t ON t.code = f.{code}
    UNION ALL
    SELECT f._row, t.* FROM f JOIN {table} t ON t.name_key = f.{key}
    WHERE f.{code} IS NULL
       OR (t.code IS NULL AND f.{code} NOT IN (SELECT code FROM {table} WHERE code IS NOT NULL)))"""

_CLIENTS_SQL = """
WITH {mine}, {candidates},
bad AS (SELECT c._row, arg_min(c.name, c.client_id) AS record, arg_min(r.name, c.client_id) AS owner,
               arg_min(r.team, c.client_id) AS team, arg_min(r.region, c.client_id) AS region
        FROM cand c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
        WHERE NOT coalesce(c.owner_rep_id IN (SELECT rep_id FROM mine), FALSE)
        GROUP BY c._row)
SELECT f._row,
       CASE WHEN b._row IS NOT NULL THEN 'client' ELSE 'owner' END AS field,
       CASE WHEN b._row IS NOT NULL THEN 'import.not_yours_client'
            WHEN f.owner_key IS NULL THEN 'import.needs_own_rep' ELSE 'import.out_of_scope_rep' END AS msg,
       f.owner_name AS value, b.record, b.owner, b.team, b.region
FROM f LEFT JOIN bad b ON b._row = f._row
WHERE b._row IS NOT NULL
   OR (f.owner_key IS NOT NULL AND f.owner_key NOT IN (SELECT name_key FROM mine))
   OR (f.owner_key IS NULL AND $has_owner AND f._row IN (SELECT _row FROM cand))
"""

_REPS_SQL = """
WITH {mine}, {candidates},
bad AS (SELECT c._row, arg_min(c.name, c.rep_id) AS record, arg_min(c.team, c.rep_id) AS team,
               arg_min(c.region, c.rep_id) AS region
        FROM cand c WHERE c.rep_id NOT IN (SELECT rep_id FROM mine) GROUP BY c._row),
a AS (SELECT f._row, (SELECT min(rep_id) FROM cand c WHERE c._row = f._row) AS rep_id,
             CASE WHEN $has_team THEN f.team ELSE (SELECT min(team) FROM cand c WHERE c._row = f._row)
             END AS team,
             CASE WHEN $has_region THEN f.region
                  ELSE (SELECT min(region) FROM cand c WHERE c._row = f._row) END AS region
      FROM f)
SELECT a._row,
       CASE WHEN b._row IS NOT NULL THEN 'rep' WHEN $has_team THEN 'team' ELSE 'rep' END AS field,
       CASE WHEN b._row IS NOT NULL THEN 'import.not_yours_rep' ELSE 'import.out_of_scope_team' END AS msg,
       coalesce(a.team, a.region, f.rep_name) AS value, b.record, NULL AS owner,
       b.team, b.region
FROM a JOIN f ON f._row = a._row LEFT JOIN bad b ON b._row = a._row
WHERE b._row IS NOT NULL OR NOT coalesce({where_after}, FALSE)
"""

#: A team's region when all its reps are in one (a region's manager manages its teams).
_TARGETS_SQL = """
WITH {mine},
team_region AS (SELECT team, min(region) AS region FROM reps WHERE team IS NOT NULL
                GROUP BY team HAVING count(DISTINCT region) = 1),
g AS (SELECT f._row, f.rep_ok, f.rep_code, f.rep_name,
             CASE WHEN f.rep_ok IS NULL THEN f.team END AS team,
             CASE WHEN f.rep_ok IS NULL AND f.team IS NOT NULL THEN tr.region
                  WHEN f.rep_ok IS NULL THEN f.region END AS region,
             NULL::INTEGER AS rep_id,
             f.team IS NULL AND f.rep_ok IS NULL AS by_region, f.region AS row_region
      FROM f LEFT JOIN team_region tr ON tr.team = f.team)
SELECT _row,
       CASE WHEN rep_ok IS NOT NULL THEN (CASE WHEN rep_code IS NOT NULL THEN 'rep_code' ELSE 'rep' END)
            WHEN by_region THEN 'region' ELSE 'team' END AS field,
       CASE WHEN rep_ok IS NOT NULL THEN 'import.out_of_scope_rep'
            WHEN by_region THEN 'import.out_of_scope_region' ELSE 'import.out_of_scope_team' END AS msg,
       CASE WHEN g.rep_ok IS NOT NULL THEN coalesce(g.rep_code, g.rep_name)
            WHEN g.by_region THEN g.row_region ELSE g.team END AS value,
       NULL AS record, NULL AS owner, NULL AS team, NULL AS region
FROM g
WHERE NOT coalesce(g.rep_ok, TRUE)
   OR (g.rep_ok IS NULL AND (g.team IS NOT NULL OR g.region IS NOT NULL)
       AND NOT coalesce({where_target}, FALSE))
"""


def unrestricted(scope: Filters | None) -> bool:
    """True for no user, a director, or the command line without --as-user: nothing to check."""
    return scope is None or not scope.scope_only()._scope()


def _text(rows: pd.DataFrame, field: str) -> pd.Series:
    """A column of the file as text (the file's cells are stripped already, NA when empty), all
    NA where the file lacks it; Arrow-backed, so handing it to DuckDB copies nothing per cell."""
    if field not in rows.columns:
        return pd.Series(np.nan, index=rows.index, dtype="str")
    column = rows[field]
    return column if column.dtype == "str" else column.astype("str")


def _keys(names: pd.Series) -> pd.Series:
    """The name key of each name (computed once per distinct name)."""
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    keys = pd.array([name_key(u) for u in uniques], dtype="str")
    return pd.Series(keys.take(codes, allow_fill=True), index=names.index)


def _rows_frame(preview: Preview) -> pd.DataFrame:
    rows = preview.rows
    columns = {
        "rep_code": _text(rows, "rep_code"),
        "rep_name": _text(rows, "rep"),
        "team": _text(rows, "team"),
        "region": _text(rows, "region"),
        "owner_name": _text(rows, "owner"),
        "client_code": _text(rows, "client_code"),
        "opp_id": _text(rows, "opportunity_id"),
        "visit_id": _text(rows, "visit_id"),
    }
    columns["rep_key"] = _keys(columns["rep_name"])
    columns["owner_key"] = _keys(columns["owner_name"])
    # Only a clients file matches its rows' clients (elsewhere a client is never the check).
    columns["client_key"] = _keys(_text(rows, "client" if preview.kind == "clients" else ""))
    frame = pd.DataFrame({"_row": rows.index.to_numpy(dtype="int64"), **columns}, index=rows.index)
    assert set(_ROW_COLUMNS) <= set(frame.columns)
    return frame


def _statement(kind: str, rows_name: str) -> tuple[str, dict[str, str]]:
    """The kind's statement with its pieces, and the aliases its scope placeholders narrow."""
    mine = compose(_MINE, rows=rows_name)
    if kind in ("visits", "checkins"):  # a check-in's rep decides, as a visit's does
        return compose(_VISITS_SQL, mine=mine), {"where": "r"}
    if kind == "opportunities":
        return compose(_OPPORTUNITIES_SQL, mine=mine), {"where": "r"}
    if kind == "clients":
        cand = compose(_CANDIDATES, table="clients", code="client_code", key="client_key")
        return compose(_CLIENTS_SQL, mine=mine, candidates=cand), {"where": "r"}
    if kind == "reps":
        cand = compose(_CANDIDATES, table="reps", code="rep_code", key="rep_key")
        return compose(_REPS_SQL, mine=mine, candidates=cand), {"where": "r", "where_after": "a"}
    return compose(_TARGETS_SQL, mine=mine), {"where": "r", "where_target": "g"}


def scope_errors(con: duckdb.DuckDBPyConnection, preview: Preview, scope: Filters | None) -> list[RowError]:
    """The rows of a prepared file that lie outside `scope`, or would change a record outside
    it, as row errors (one per row at most, in the order of the file)."""
    if unrestricted(scope) or preview.file_error is not None or preview.rows.empty or preview.kind is None:
        return []
    assert scope is not None
    rows = preview.rows
    rows_name = "_imp_scope_rows"
    sql, scopes = _statement(preview.kind, rows_name)
    params = {
        name: flag
        for name, flag in (
            ("has_rep", "rep" in rows.columns or "rep_code" in rows.columns),
            ("has_owner", "owner" in rows.columns),
            ("has_team", "team" in rows.columns),
            ("has_region", "region" in rows.columns),
        )
        if "$" + name in sql
    }
    text, named = compile_sql(sql, scope.scope_only(), params, scopes)
    con.complete()  # a caller's unread result would keep the rows from being registered
    register(con, rows_name, _rows_frame(preview))
    try:
        found = con.execute(text + " ORDER BY 1", named).fetchall()
    finally:
        con.unregister(rows_name)
    columns = preview.field_columns
    errors = []
    for row, field, key, value, record, owner, team, region in found:
        values: dict[str, Any] = {"value": value, "record": record, "owner": owner or "–"}
        values.update(team=team or "–", region=region or "–")
        errors.append(RowError(int(row), columns.get(field, field), key, values))
    return errors


def within_scope(con: duckdb.DuckDBPyConnection, preview: Preview, scope: Filters | None) -> Preview:
    """The preview with the out-of-scope rows added to its errors (a copy; the input is kept;
    an error already there is not added twice)."""
    known = {(e.row, e.key) for e in preview.errors}
    extra = [e for e in scope_errors(con, preview, scope) if (e.row, e.key) not in known]
    if not extra:
        return preview
    return dataclasses.replace(preview, errors=[*preview.errors, *extra])
