"""Imports within a user's scope: a manager may import data only for the reps, teams and regions
they see. Checked before anything is written; rows outside the scope become row errors, so the
usual rules apply (the file is refused, or only the valid rows are imported).

Rules, per kind (a director, or no user, has no scope and is never checked):
- visits, opportunities, targets by rep: the row's rep must exist and be in the scope (a manager
  cannot create reps by naming unknown ones: a director imports the reps file first);
- targets by team or region: the team or region must be in the scope;
- reps: the row's team or region must be in the scope;
- clients: the owner, when given, must be a rep in the scope.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.importer.preview import Preview
from salesmgmt.importer.validate import RowError
from salesmgmt.query import run
from salesmgmt.text import name_key

SCOPE_REPS_SQL = "SELECT r.rep_id, r.name_key, r.code, r.team, r.region FROM reps r WHERE {where}"


def _unrestricted(scope: Filters | None) -> bool:
    return scope is None or (
        scope.scope_regions is None and scope.scope_teams is None and scope.scope_rep_ids is None
    )


def scope_errors(con: duckdb.DuckDBPyConnection, preview: Preview, scope: Filters | None) -> list[RowError]:
    """The rows of a prepared file that lie outside `scope`, as row errors."""
    if _unrestricted(scope) or preview.file_error is not None or preview.rows.empty:
        return []
    assert scope is not None
    mine = run(
        con,
        SCOPE_REPS_SQL,
        Filters(
            scope_regions=scope.scope_regions,
            scope_teams=scope.scope_teams,
            scope_rep_ids=scope.scope_rep_ids,
        ),
    )
    teams = set(mine["team"].dropna()) | set(scope.scope_teams or ())
    regions = set(mine["region"].dropna()) | set(scope.scope_regions or ())
    by_code = set(mine["code"].dropna())
    by_name = set(mine["name_key"])
    rows = preview.rows
    columns = preview.field_columns
    errors: list[RowError] = []

    def cell(i: int, field: str) -> Any:
        """The row's value of `field`, None when the file has no such column."""
        return rows.at[i, field] if field in rows.columns else None

    def rep_ok(i: int) -> bool | None:
        code, name = cell(i, "rep_code"), cell(i, "rep")
        if isinstance(code, str) and code.strip():
            return code.strip() in by_code
        if isinstance(name, str) and name.strip():
            return name_key(name) in by_name
        return None  # no rep on the row

    def add(i: int, field: str, key: str, value: Any) -> None:
        value = None if not isinstance(value, str) and pd.isna(value) else value  # NaN: no text
        errors.append(RowError(int(i), columns.get(field, field), key, {"value": value}))

    kind = preview.kind
    for i in rows.index.tolist():
        if kind in ("visits", "opportunities") or (kind == "targets" and rep_ok(i) is not None):
            ok = rep_ok(i)
            if ok is False or (ok is None and kind == "visits"):
                field = "rep_code" if pd.notna(cell(i, "rep_code")) else "rep"
                add(i, field, "import.out_of_scope_rep", rows.at[i, field] if field in rows.columns else "")
        elif kind == "targets":
            team, region = cell(i, "team"), cell(i, "region")
            if isinstance(team, str) and team and team not in teams:
                add(i, "team", "import.out_of_scope_team", team)
            elif isinstance(region, str) and region and region not in regions:
                add(i, "region", "import.out_of_scope_region", region)
        elif kind == "reps":
            team, region = cell(i, "team"), cell(i, "region")
            if not (
                (isinstance(team, str) and team in teams) or (isinstance(region, str) and region in regions)
            ):
                add(
                    i,
                    "team" if "team" in rows.columns else "rep",
                    "import.out_of_scope_team",
                    team if isinstance(team, str) else (rows.at[i, "rep"] if "rep" in rows.columns else ""),
                )
        elif kind == "clients":
            owner = cell(i, "owner")
            if isinstance(owner, str) and owner.strip() and name_key(owner) not in by_name:
                add(i, "owner", "import.out_of_scope_rep", owner)
    return errors


def within_scope(con: duckdb.DuckDBPyConnection, preview: Preview, scope: Filters | None) -> Preview:
    """The preview with the out-of-scope rows added to its errors (a copy; the input is kept)."""
    extra = scope_errors(con, preview, scope)
    if not extra:
        return preview
    return dataclasses.replace(preview, errors=[*preview.errors, *extra])
