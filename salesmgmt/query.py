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


_FRAGMENT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def compose(sql: str, **fragments: str) -> str:
    """`sql` with each `{name}` token replaced by `fragments[name]`, in one pass (a piece is not
    searched for tokens again).

    The one way to put a query together from fixed SQL pieces written in this code: a list of
    dimensions from a fixed table, a shared CTE, a registered table's name, a constant. Never
    anything the user typed: their values are named parameters and their filters the
    `{where...}` placeholders, which `compose` leaves for `run` (a fragment may not take such a
    name). A fragment whose token the query lacks, or a token left without a fragment, is an
    error.
    """
    scopes = [name for name in fragments if _PLACEHOLDER.fullmatch("{" + name + "}")]
    if scopes:
        raise ValueError(f"{scopes} are filled by run() with the user's filters, not by compose()")
    found = set(_FRAGMENT.findall(sql))
    unknown = fragments.keys() - found
    if unknown:
        raise ValueError(f"the query has no {{{sorted(unknown)[0]}}} for its fragment")
    missing = {name for name in found - fragments.keys() if not _PLACEHOLDER.fullmatch("{" + name + "}")}
    if missing:
        raise ValueError(f"the query's {{{sorted(missing)[0]}}} was not given a fragment")
    return _FRAGMENT.sub(lambda m: fragments.get(m.group(1), m.group(0)), sql)
