"""Pipeline inspection (商机巡检): what changed in the period's pipeline since an earlier day, and
which deals are at risk.

One row per opportunity of the period: its state on the as-of day is compared with its state on
`since` (by default a week earlier), both read from `opportunity_history` (a state is valid from
`valid_from` inclusive to `valid_to` exclusive, NULL while current, as in `forecast`). An
opportunity is of the period when, on either day, it is open with an expected close date in the
period, or when on the as-of day it is won or lost with a close date in the period and was not so
already on `since`. Each row carries the change flags (CHANGES) and the risk flags (RISKS) defined
in MEASURES, and `pushed_count`, the `push_count` of operations.

Scope: a deal belongs to the rep of its state on the as-of day; only deals of reps in the Filters
are listed. The usual time in a stage and the visits that keep a deal warm are those of the whole
scope the user may see (`Filters.scope_only`), so neither changes when one rep is picked.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.measures import INSPECTION_DAYS, NO_VISIT_DAYS, Measure
from salesmgmt.metrics import operations
from salesmgmt.metrics.deals import as_dates
from salesmgmt.periods import Period
from salesmgmt.query import compose, run

#: What changed between `since` and the as-of day, in the order the page and the exports show them.
CHANGES = ("new", "amount_up", "amount_down", "pushed", "pulled_in", "stage_back", "slipped", "won", "lost")
#: What puts an open deal at risk on the as-of day.
RISKS = ("stalled", "no_recent_visit", "overdue")
FLAGS = CHANGES + RISKS


def _flag(key: str, en: str, zh: str, rule: str) -> Measure:
    return Measure(
        key,
        en,
        zh,
        "count",
        f"Pipeline inspection flag, true or false per opportunity (counted on the page: the deals "
        f"with the flag). {rule}",
    )


MEASURES: list[Measure] = [
    _flag("new", "New", "新增", "The opportunity has no state on `since` (it first appears after that day)."),
    _flag(
        "amount_up",
        "Amount up",
        "金额上调",
        "It existed on `since` and its amount on the as-of day is larger than on `since`.",
    ),
    _flag(
        "amount_down",
        "Amount down",
        "金额下调",
        "It existed on `since` and its amount on the as-of day is smaller than on `since`.",
    ),
    _flag(
        "pushed",
        "Pushed",
        "推迟",
        "Open on both days and its expected close date on the as-of day is later than on `since` "
        "(push_count counts every such move over the whole history, as `pushed_count`).",
    ),
    _flag(
        "pulled_in",
        "Pulled in",
        "提前",
        "Open on both days and its expected close date on the as-of day is earlier than on `since`.",
    ),
    _flag(
        "stage_back",
        "Stage back",
        "阶段倒退",
        "Open on both days and its stage on the as-of day comes earlier in the funnel (lead, "
        "qualified, solution, quote, negotiation) than on `since`; a stage outside that list is "
        "never compared.",
    ),
    _flag(
        "slipped",
        "Slipped out",
        "滑出本期",
        "Open on `since` with an expected close date in the period, still open on the as-of day "
        "with an expected close date after the period's last day.",
    ),
    _flag("won", "Won", "赢单", "Won on the as-of day and not won on `since` (or not existing then)."),
    _flag("lost", "Lost", "输单", "Lost on the as-of day and not lost on `since` (or not existing then)."),
    _flag(
        "stalled",
        "Stalled",
        "停滞",
        "Open on the as-of day and a stalled_deal: its days_in_stage exceed the usual_stage_days "
        "of its stage.",
    ),
    _flag(
        "no_recent_visit",
        "No recent visit",
        "近期未拜访",
        f"Open on the as-of day and no visit (of any type, by any rep the user may see) on the "
        f"deal or on its client dated in the {NO_VISIT_DAYS} days up to the as-of day.",
    ),
    _flag(
        "overdue",
        "Overdue",
        "逾期未关单",
        "Open on the as-of day with an expected close date before the as-of day.",
    ),
]

#: The state on d0 and d1 of each opportunity of the period whose rep on d1 is in the filter, with
#: its stay in the current stage and its pushes (both up to d1 = $as_of), worked out for those
#: deals only.
DEALS_SQL = compose(
    """
WITH alive AS (
    SELECT h.opp_id, h.rep_id, h.client_id, h.stage, h.status,
           CAST(coalesce(h.amount, 0) AS DOUBLE) AS amount, h.expected_close_date, h.close_date,
           h.valid_from <= $since AND (h.valid_to IS NULL OR h.valid_to > $since) AS at0,
           h.valid_from <= $as_of AND (h.valid_to IS NULL OR h.valid_to > $as_of) AS at1
    FROM opportunity_history h
    WHERE h.valid_from <= $as_of AND (h.valid_to IS NULL OR h.valid_to > $since)
),
s0 AS (SELECT * FROM alive WHERE at0),
cur AS (
    SELECT s1.opp_id, s1.rep_id, s1.client_id, s1.stage, s1.status, s1.amount,
           s1.expected_close_date, s1.close_date, s0.opp_id IS NOT NULL AS existed0,
           s0.status AS status0, s0.amount AS amount0, s0.stage AS stage0,
           s0.expected_close_date AS expected_close_date0
    FROM alive s1
    LEFT JOIN s0 ON s0.opp_id = s1.opp_id
    JOIN reps r ON r.rep_id = s1.rep_id
    WHERE s1.at1 AND {where}
      AND ((s1.status = 'open' AND s1.expected_close_date BETWEEN $start AND $last)
           OR (s0.status = 'open' AND s0.expected_close_date BETWEEN $start AND $last)
           OR (s1.status IN ('won', 'lost') AND s1.close_date BETWEEN $start AND $last
               AND s0.status IS DISTINCT FROM s1.status))
),
{spells},
pushes AS (
    SELECT opp_id, count(*) FILTER (WHERE expected_close_date > prev_expected) AS pushed_count
    FROM (SELECT opp_id, expected_close_date,
                 lag(expected_close_date) OVER (PARTITION BY opp_id ORDER BY valid_from) AS prev_expected
          FROM h)
    GROUP BY opp_id
)
SELECT cur.opp_id, coalesce(o.name, cur.opp_id) AS opportunity, cur.rep_id, rp.name AS rep,
       coalesce(rp.team, '—') AS team, cur.client_id, c.name AS client, cur.stage, cur.status,
       cur.amount, cur.amount0 AS amount_before, cur.amount - coalesce(cur.amount0, 0) AS change,
       cur.stage0 AS stage_before, cur.expected_close_date,
       cur.expected_close_date0 AS close_expected_before,
       CASE WHEN cur.status = 'open' THEN date_diff('day', s.entered, $as_of) END AS days_in_stage,
       coalesce(p.pushed_count, 0) AS pushed_count,
       NOT cur.existed0 AS new,
       coalesce(cur.existed0 AND cur.amount > cur.amount0, FALSE) AS amount_up,
       coalesce(cur.existed0 AND cur.amount < cur.amount0, FALSE) AS amount_down,
       coalesce(cur.status = 'open' AND cur.status0 = 'open'
                AND cur.expected_close_date > cur.expected_close_date0, FALSE) AS pushed,
       coalesce(cur.status = 'open' AND cur.status0 = 'open'
                AND cur.expected_close_date < cur.expected_close_date0, FALSE) AS pulled_in,
       coalesce(cur.status = 'open' AND cur.status0 = 'open' AND {rank_now} < {rank_before}, FALSE)
           AS stage_back,
       coalesce(cur.status = 'open' AND cur.status0 = 'open'
                AND cur.expected_close_date0 BETWEEN $start AND $last
                AND cur.expected_close_date > $last, FALSE) AS slipped,
       cur.status = 'won' AND cur.status0 IS DISTINCT FROM 'won' AS won,
       cur.status = 'lost' AND cur.status0 IS DISTINCT FROM 'lost' AS lost,
       coalesce(cur.status = 'open' AND cur.expected_close_date < $as_of, FALSE) AS overdue
FROM cur
LEFT JOIN opportunities o ON o.opp_id = cur.opp_id
LEFT JOIN clients c ON c.client_id = cur.client_id
LEFT JOIN reps rp ON rp.rep_id = cur.rep_id
LEFT JOIN spells s ON s.opp_id = cur.opp_id AND s.left_on IS NULL
LEFT JOIN pushes p ON p.opp_id = cur.opp_id
ORDER BY cur.opp_id
""",
    spells=compose(operations._SPELLS_CTE_OF, only="AND h.opp_id IN (SELECT opp_id FROM cur)"),
    rank_now=compose(operations._RANK_SQL, col="cur.stage"),
    rank_before=compose(operations._RANK_SQL, col="cur.stage0"),
)

#: The last visit, up to $as_of, on each deal of `{deals_table}` (opp_id, client_id) or on its
#: client, by the reps in the where.
LAST_VISIT_SQL = """
WITH by_deal AS (
    SELECT v.opp_id, max(v.visit_date) AS last_visit
    FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.visit_date <= $as_of AND v.opp_id IN (SELECT opp_id FROM {deals_table}) AND {where}
    GROUP BY v.opp_id
),
by_client AS (
    SELECT v.client_id, max(v.visit_date) AS last_visit
    FROM visits v JOIN reps r ON r.rep_id = v.rep_id
    WHERE v.visit_date <= $as_of AND v.client_id IN (SELECT client_id FROM {deals_table}) AND {where}
    GROUP BY v.client_id
)
SELECT k.opp_id, greatest(d.last_visit, c.last_visit) AS last_visit
FROM {deals_table} k
LEFT JOIN by_deal d ON d.opp_id = k.opp_id
LEFT JOIN by_client c ON c.client_id = k.client_id
"""

#: The columns of `inspection`, in order.
COLUMNS = [
    "opp_id",
    "opportunity",
    "rep_id",
    "rep",
    "team",
    "client_id",
    "client",
    "stage",
    "status",
    "amount",
    "amount_before",
    "change",
    "stage_before",
    "expected_close_date",
    "close_expected_before",
    "days_in_stage",
    "usual_days",
    "last_visit",
    "pushed_count",
    *FLAGS,
]


def default_since(as_of: date) -> date:
    """The earlier day compared when none is given: a week before the as-of day."""
    return as_of - timedelta(days=INSPECTION_DAYS)


def inspection(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, since: date | None = None
) -> pd.DataFrame:
    """One row per opportunity of the period (see the module's docstring), biggest amount first:
    COLUMNS, the flags as booleans. `since` defaults to default_since(as_of) and must be before
    as_of (SalesmgmtError otherwise)."""
    since = default_since(as_of) if since is None else since
    if since >= as_of:
        raise SalesmgmtError("ins.error.since", since=since.isoformat(), as_of=as_of.isoformat())
    named = {"since": since, "as_of": as_of, "start": period.start, "last": period.last_day}
    deals = run(con, DEALS_SQL, filters, named)
    deals["last_visit"] = _last_visits(con, deals, filters, as_of)
    open_now = deals["status"] == "open"
    recent = as_of - timedelta(days=NO_VISIT_DAYS)
    visited = deals["last_visit"].map(lambda v: v is not None and v > recent)
    deals["no_recent_visit"] = open_now & ~visited.astype(bool)
    usual = operations.usual_stage_days(con, filters, as_of)
    with_usual = deals[open_now].merge(usual[["stage", "usual_days"]], on="stage", how="left")
    stalled = operations.stalled_among(with_usual.drop(columns="usual_days"), usual)
    deals["usual_days"] = deals["opp_id"].map(dict(zip(with_usual["opp_id"], with_usual["usual_days"])))
    deals["stalled"] = deals["opp_id"].isin(set(stalled["opp_id"]))
    deals["pushed_count"] = deals["pushed_count"].astype("int64")
    for flag in FLAGS:
        deals[flag] = deals[flag].astype(bool)
    as_dates(deals, "expected_close_date", "close_expected_before")
    return deals[COLUMNS].sort_values(["amount", "opp_id"], ascending=[False, True]).reset_index(drop=True)


def _last_visits(
    con: duckdb.DuckDBPyConnection, deals: pd.DataFrame, filters: Filters, as_of: date
) -> pd.Series:
    name = f"inspection_deals_{id(deals) & 0xFFFFFF}"
    con.register(name, deals[["opp_id", "client_id"]])
    try:
        sql = compose(LAST_VISIT_SQL, deals_table=name)
        visits = run(con, sql, filters.scope_only(), {"as_of": as_of})
    finally:
        con.unregister(name)
    as_dates(visits, "last_visit")
    return deals["opp_id"].map(dict(zip(visits["opp_id"], visits["last_visit"])))


def flag_counts(deals: pd.DataFrame) -> pd.DataFrame:
    """Per flag (FLAGS order): deals (how many rows have it) and amount (their amount on the
    as-of day)."""
    rows = [(flag, int(deals[flag].sum()), float(deals.loc[deals[flag], "amount"].sum())) for flag in FLAGS]
    return pd.DataFrame(rows, columns=["flag", "deals", "amount"])


def with_flags(deals: pd.DataFrame, flags: tuple[str, ...]) -> pd.DataFrame:
    """The rows with at least one of `flags` (all rows when none is given)."""
    if not flags:
        return deals
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown flag(s) {sorted(unknown)}")
    return deals[deals[list(flags)].any(axis=1)]


def biggest_changes(deals: pd.DataFrame, count: int = 10) -> pd.DataFrame:
    """The `count` changed deals that move most money: the rows with a change flag, by the size
    of the change (|change| for a deal whose amount moved, else its amount), largest first."""
    changed = deals[deals[list(CHANGES)].any(axis=1)].copy()
    moved = changed["amount_up"] | changed["amount_down"]
    changed["size"] = np.where(moved, changed["change"].abs(), changed["amount"])
    return (
        changed.sort_values(["size", "opp_id"], ascending=[False, True])
        .head(count)
        .drop(columns="size")
        .reset_index(drop=True)
    )


def flags_of(row: pd.Series, flags: tuple[str, ...] = FLAGS) -> list[str]:
    """The flags a row has, in `flags` order."""
    return [flag for flag in flags if bool(row[flag])]


def flags_text(deals: pd.DataFrame, names: dict[str, str], sep: str = ", ") -> pd.Series:
    """Each row's flags in FLAGS order as one text, named by `names` (a flag -> its words)."""
    marks = deals[list(FLAGS)].to_numpy(dtype=bool)
    words = [names[flag] for flag in FLAGS]
    return pd.Series(
        [sep.join(w for w, on in zip(words, row) if on) for row in marks], index=deals.index, dtype=object
    )


# ------------------------------------------------------------------------------------------
# The exported table (command line and the page's download)

#: The exported table's columns: the command line's contract (opportunity_id, rep, client,
#: amount, pushed_count and every flag as true/false) and what a reader needs beside them.
EXPORT_COLUMNS = [
    "opportunity_id",
    "opportunity",
    "rep",
    "team",
    "client",
    "stage",
    "status",
    "amount",
    "amount_before",
    "expected_close_date",
    "close_expected_before",
    "days_in_stage",
    "last_visit",
    "pushed_count",
    *FLAGS,
]
EXPORT_FORMATS = ("csv", "json", "xlsx")
MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_name(period: Period, since: date, as_of: date, fmt: str) -> str:
    """'inspection-2026-06-2026-06-08-2026-06-15.csv'."""
    return f"inspection-{period}-{since.isoformat()}-{as_of.isoformat()}.{fmt}"


def export_table(deals: pd.DataFrame) -> pd.DataFrame:
    """`inspection`'s rows with EXPORT_COLUMNS: dates as ISO text, amounts in CNY, flags as
    booleans, empty as None."""
    out = deals.rename(columns={"opp_id": "opportunity_id"})[EXPORT_COLUMNS].copy()
    for col in ("expected_close_date", "close_expected_before", "last_visit"):
        out[col] = [None if v is None or v != v else v.isoformat() for v in out[col]]
    for col in ("amount", "amount_before"):
        out[col] = out[col].astype("float64").round(2)
    out["days_in_stage"] = out["days_in_stage"].astype("Int64")
    return out.astype(object).where(out.notna(), None).reset_index(drop=True)


def _cell(value: object) -> object:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


def render(table: pd.DataFrame, fmt: str) -> bytes:
    """export_table's rows as a file: CSV (UTF-8 with a BOM, flags true/false), JSON (a list of
    objects, numbers as numbers, flags as booleans, empty as null) or Excel."""
    import csv
    import io
    import json

    from salesmgmt.scorecard import _inert

    rows = [[_cell(v) for v in row] for row in table.itertuples(index=False)]
    if fmt == "json":
        records = [dict(zip(table.columns, row)) for row in rows]
        return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(list(table.columns))
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else str(v).lower()
                    if isinstance(v, bool)
                    else _inert(v)
                    if isinstance(v, str)
                    else v
                    for v in row
                ]
            )
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        buffer_x = io.BytesIO()
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        with pd.ExcelWriter(buffer_x, engine="xlsxwriter", engine_kwargs={"options": options}) as book:
            pd.DataFrame(rows, columns=table.columns).to_excel(book, sheet_name="inspection", index=False)
        return buffer_x.getvalue()
    raise ValueError(fmt)
