"""Which client visits are ride-alongs: visits on which the rep's manager went along.

A ride-along is a client visit (type 'visit') whose `accompanied_by` names the rep's manager:
`reps.manager` holds the manager's name, and one of the names in `accompanied_by` (split at
, ， 、 ; ； / | & +) must have the same `salesmgmt.text.name_key` (so '陈总 Chen', ' 陈总　Chen'
and '陈总 chen' match; a nickname or a title alone does not). Anyone else going along (a product
manager, a colleague) is not a ride-along.

Which names match is decided in Python over the distinct (accompanied_by, manager) pairs, a few
hundred at most; every count is then made in DuckDB, joining the view `ride_pairs` registers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.query import run
from salesmgmt.text import name_key

_SEPARATORS = re.compile(r"[,，、;；/|&+\n]")


def split_names(accompanied_by: str | None) -> list[str]:
    """The people named in an accompanied_by text, trimmed ('Liu、陈总 Chen' -> two names)."""
    if not accompanied_by:
        return []
    return [part.strip() for part in _SEPARATORS.split(str(accompanied_by)) if part.strip()]


def is_ride_along(accompanied_by: str | None, manager: str | None) -> bool:
    """True when one of the names in `accompanied_by` is `manager` (normalised)."""
    if not accompanied_by or not manager:
        return False
    wanted = name_key(manager)
    return bool(wanted) and any(name_key(part) == wanted for part in split_names(accompanied_by))


PAIRS_SQL = """
SELECT DISTINCT v.accompanied_by, r.manager
FROM visits v JOIN reps r ON r.rep_id = v.rep_id
WHERE v.visit_type = 'visit' AND v.accompanied_by IS NOT NULL AND r.manager IS NOT NULL
  AND {where}
"""


@contextmanager
def ride_pairs(con: duckdb.DuckDBPyConnection, filters: Filters) -> Iterator[str]:
    """A temporary view of the (accompanied_by, manager) pairs that are ride-alongs; its name."""
    pairs = run(con, PAIRS_SQL, filters)
    keep = [is_ride_along(a, m) for a, m in zip(pairs["accompanied_by"], pairs["manager"])]
    matched = (
        pairs[keep]
        if len(pairs)
        else pd.DataFrame({"accompanied_by": pd.Series(dtype=str), "manager": pd.Series(dtype=str)})
    )
    name = f"ride_pairs_{uuid.uuid4().hex[:10]}"
    con.register(name, matched.reset_index(drop=True))
    try:
        yield name
    finally:
        con.unregister(name)
