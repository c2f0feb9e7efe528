"""Key products and services (module 2, part 5): sales, pipeline and win rate per product, over
time and by region, client type and team; which products grow or shrink against last year;
average deal size and cycle per product.

Every figure is a `deals` figure (module 1's won / lost / open definitions) grouped by product;
a deal belongs to its rep, and only deals of reps in the Filters count.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.measures import Measure
from salesmgmt.metrics.core import _ratio, first_days
from salesmgmt.metrics.deals import deal_figures, month_ends, monthly_deal_figures, pipeline_at
from salesmgmt.metrics.overview import same_days_before
from salesmgmt.periods import Period

#: Change against the same period last year beyond which a product is growing or shrinking.
GROWTH_BAND = 0.10

#: Dimensions a product can be broken down by on the page.
BREAKDOWNS = ("region", "client_type", "team")

MEASURES: list[Measure] = [
    Measure(
        "product_direction",
        "Growing or shrinking",
        "增长或下滑",
        "number",
        f"A product is growing when its won_growth is above +{GROWTH_BAND:.0%}, shrinking "
        f"when below -{GROWTH_BAND:.0%}, steady in between, and new when nothing of it was "
        "won in the same days a year earlier but something is now. In the first days of a "
        "period (first_days) no direction is judged (a few days' sales say nothing of it): the "
        "page judges the last complete period instead.",
    ),
]


def _direction(growth: float, won_now: float, won_before: float, early: bool) -> str:
    if early:
        return "early"
    if won_before <= 0:
        return "new" if won_now > 0 else "none"
    if growth > GROWTH_BAND:
        return "growing"
    if growth < -GROWTH_BAND:
        return "shrinking"
    return "steady"


def product_table(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """One row per product sold or in the pipeline in the period (or the same days last year).

    Columns: product, won_amount, won_count, lost_count, win_rate, avg_deal_size,
    sales_cycle_days, open_amount (expected to close in the period), pipeline_amount (open at
    as_of, any close date), won_amount_last_year (the same days of the period a year earlier:
    1-3 December 2025 for December 2026 as of the 3rd), won_growth, direction ('early' in the
    first days of the period), won_mix. Ordered by won_amount, largest first.
    """
    now = deal_figures(con, period, filters, ("product",))
    before = deal_figures(con, same_days_last_year(period, as_of), filters, ("product",))
    pipe = pipeline_at(con, filters, (as_of,), ("product",))
    out = now.merge(
        before[["product", "won_amount"]].rename(columns={"won_amount": "won_amount_last_year"}),
        on="product",
        how="outer",
    )
    out = out.merge(pipe[["product", "pipeline_amount"]], on="product", how="outer")
    for col in ("won_amount", "lost_amount", "open_amount", "won_amount_last_year", "pipeline_amount"):
        out[col] = out[col].fillna(0.0).astype("float64")
    for col in ("won_count", "lost_count", "open_count"):
        out[col] = out[col].fillna(0).astype("int64")
    out["win_rate"] = _ratio(out["won_count"], out["won_count"] + out["lost_count"])
    out["avg_deal_size"] = _ratio(out["won_amount"], out["won_count"])
    out["won_growth"] = _ratio(out["won_amount"], out["won_amount_last_year"]) - 1
    early = first_days(period, as_of)
    out["direction"] = [
        _direction(g, a, b, early)
        for g, a, b in zip(out["won_growth"], out["won_amount"], out["won_amount_last_year"])
    ]
    total = out["won_amount"].sum()
    out["won_mix"] = out["won_amount"] / total if total > 0 else np.nan
    columns = [
        "product",
        "won_amount",
        "won_count",
        "lost_count",
        "win_rate",
        "avg_deal_size",
        "sales_cycle_days",
        "open_amount",
        "pipeline_amount",
        "won_amount_last_year",
        "won_growth",
        "direction",
        "won_mix",
    ]
    return (
        out[columns]
        .sort_values(["won_amount", "pipeline_amount", "product"], ascending=[False, False, True])
        .reset_index(drop=True)
    )


def same_days_last_year(period: Period, as_of: date) -> Period:
    """The same period a year earlier cut to the days of `period` elapsed at `as_of`, what a
    product's won amount is compared with (won_growth)."""
    return same_days_before(period, as_of, period.same_last_year())


def product_trend(
    con: duckdb.DuckDBPyConnection, filters: Filters, last: Period, as_of: date, months: int = 12
) -> pd.DataFrame:
    """Per product and month (the `months` months ending with `last`): won_amount, won_count,
    lost_count, win_rate and pipeline_amount, the open pipeline at the month's end (at as_of for
    the month of as_of; empty for months after it)."""
    monthly = monthly_deal_figures(con, filters, last, months, ("product",))
    ends = month_ends(last, months, as_of)
    pipe = pipeline_at(con, filters, ends, ("product",))
    pipe["month"] = pd.Series([date(d.year, d.month, 1) for d in pipe["at"]], index=pipe.index, dtype=object)
    out = monthly.merge(pipe[["product", "month", "pipeline_amount"]], on=["product", "month"], how="outer")
    for col in ("won_amount", "lost_amount", "open_amount"):
        out[col] = out[col].fillna(0.0)
    for col in ("won_count", "lost_count"):
        out[col] = out[col].fillna(0).astype("int64")
    counted = {date(d.year, d.month, 1) for d in ends}
    out["pipeline_amount"] = [
        (p if p == p else 0.0) if m in counted else np.nan
        for p, m in zip(out["pipeline_amount"], out["month"])
    ]
    out["win_rate"] = _ratio(out["won_count"], out["won_count"] + out["lost_count"])
    columns = ["product", "month", "won_amount", "won_count", "lost_count", "win_rate", "pipeline_amount"]
    return out[columns].sort_values(["product", "month"]).reset_index(drop=True)


def product_breakdown(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, by: str
) -> pd.DataFrame:
    """Per product and `by` (region, client_type or team): won_amount, win_rate, open_amount,
    avg_deal_size, and won_mix, the product's share of that group's won amount (the product mix
    of a team when by='team')."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    frame = deal_figures(con, period, filters, ("product", by))
    group_won = frame.groupby(by)["won_amount"].transform("sum")
    frame["won_mix"] = _ratio(frame["won_amount"], group_won)
    return frame[
        [
            "product",
            by,
            "won_amount",
            "won_count",
            "lost_count",
            "win_rate",
            "open_amount",
            "avg_deal_size",
            "won_mix",
        ]
    ]
