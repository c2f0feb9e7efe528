"""Who and what exists: the options of the filter bar, within the user's scope."""

from __future__ import annotations

from typing import Any, TypedDict

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.metrics.core import region_of_team
from salesmgmt.query import run

REPS_SQL = """
SELECT r.rep_id, r.name, r.team, r.region, r.role, r.active
FROM reps r WHERE {where}
ORDER BY r.team NULLS LAST, r.role DESC, r.name
"""


class FilterOptions(TypedDict):
    """What the filter widgets offer."""

    regions: list[str]
    #: (team, region) pairs, sorted.
    team_regions: list[tuple[Any, Any]]
    #: The reps visible (REPS_SQL's rows).
    reps: pd.DataFrame


def filter_options(con: duckdb.DuckDBPyConnection, scope: Filters) -> FilterOptions:
    """Regions, (team, region) pairs and reps visible in `scope`, for the filter widgets."""
    reps = run(con, REPS_SQL, scope)
    regions = sorted(reps["region"].dropna().unique().tolist())
    pairs = region_of_team(reps)
    return FilterOptions(regions=regions, team_regions=sorted(pairs.items()), reps=reps)
