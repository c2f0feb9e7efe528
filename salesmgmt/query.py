"""The one way to run scoped SQL: `run(con, sql, filters, params)`.

A query names where the user's filters go with placeholders such as `{where}`; each placeholder
is given the alias of the reps table it narrows (`{where}` -> `r` unless told otherwise, several
per query allowed: `scopes={"where_visit": "vr", "where_owner": "cr"}`). The filters compile to a
condition with named parameters (`salesmgmt.filters.Filters.where`); the query's own values are
named parameters too (`$start`). Nothing of the user's ever becomes SQL text, and a query that
forgets a placeholder, or a placeholder left unfilled, is an error instead of an unscoped query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from salesmgmt.filters import Filters

#: The default: one `{where}` on the reps table aliased `r`.
DEFAULT_SCOPES: Mapping[str, str] = {"where": "r"}
_PLACEHOLDER = re.compile(r"\{(where\w*)\}")


def compile_sql(
    sql: str,
    filters: Filters,
    params: Mapping[str, Any] | None = None,
    scopes: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """`sql` with every scope placeholder filled, and all of its named parameters."""
    named = dict(params or {})
    for placeholder, alias in (scopes or DEFAULT_SCOPES).items():
        token = "{" + placeholder + "}"
        if token not in sql:
            raise ValueError(f"the query has no {token} for its filters")
        where = filters.where(alias, prefix=placeholder)
        clash = named.keys() & where.params.keys()
        if clash:
            raise ValueError(f"parameter names used twice: {sorted(clash)}")
        sql = sql.replace(token, where.sql)
        named.update(where.params)
    left = _PLACEHOLDER.search(sql)
    if left:
        raise ValueError(f"the query's {left.group(0)} was not given a scope")
    return sql, named


def run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    filters: Filters,
    params: Mapping[str, Any] | None = None,
    scopes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Run `sql` narrowed by `filters` (see the module's docstring); the result as a DataFrame."""
    text, named = compile_sql(sql, filters, params, scopes)
    return con.execute(text, named).df()
