"""The history of opportunities (`opportunity_history`): an interval per state of the tracked
columns, the current one open (valid_to NULL). An import that changes a tracked column closes the
current interval at the file's as-of date and opens one from it; a new opportunity's first
interval starts at its creation date. Every row written is recorded in the batch's audit.
"""

from __future__ import annotations

from datetime import date
from typing import cast

import pandas as pd

from salesmgmt.db import quote_ident as _q
from salesmgmt.importer.matching import People
from salesmgmt.importer.upsert import Batch
from salesmgmt.importer.validate import RowError

#: The columns of an opportunity whose change opens a new history interval.
TRACKED = (
    "client_id",
    "rep_id",
    "product",
    "stage",
    "status",
    "amount",
    "probability",
    "expected_close_date",
    "close_date",
)


_HCOLS = ", ".join(_q(c) for c in TRACKED)


def tracked_changes(
    ctx: Batch,
    frame: pd.DataFrame,
    stored: pd.DataFrame,
    exists: pd.Series,
    reps: People | None,
    clients: People | None,
) -> pd.Series:
    """Per row of `frame` (the file's opportunities, columns named as the table's): does it
    change a tracked column of the stored opportunity (`stored`: by opp_id, with `latest`, the
    start of its current history interval)? A change dated (as_of) before the opportunity's last
    recorded change is refused: history is written forwards only."""
    tracked_change = pd.Series(False, index=frame.index)
    if exists.any():
        old = stored.reindex(frame["opp_id"])
        old.index = frame.index
        for c in TRACKED:
            if c == "rep_id":
                new = reps.ids if reps else None
            elif c == "client_id":
                new = clients.ids if clients else None
            else:
                new = frame.get(c)
            if new is None:
                continue
            if c == "status":
                new = new.where(new.notna(), old[c])
            tracked_change |= differs(old[c], new) & exists
        latest = pd.to_datetime(old["latest"])
        stale = tracked_change & (latest > pd.Timestamp(ctx.as_of)).fillna(False)
        for row in frame.index[stale.to_numpy()]:
            ctx.errors.append(
                RowError(
                    int(row),
                    ctx.col_of.get("opportunity_id", ""),
                    "import.stale_as_of",
                    {
                        "id": frame.at[row, "opp_id"],
                        "latest": cast(pd.Timestamp, latest.at[row]).date().isoformat(),
                        "as_of": ctx.as_of.isoformat(),
                    },
                )
            )
    return tracked_change


def keep_states_before(ctx: Batch, changed: pd.DataFrame) -> str:
    """Before the opportunities `changed` (a frame of opp_id) are updated: the stored state of
    one that has no history yet becomes an interval up to as_of. Returns the work table of their
    ids, for `open_intervals`."""
    con = ctx.con
    hist = ctx.name("hist")
    con.register(hist, changed.reset_index(drop=True))
    try:
        con.execute(f"CREATE TEMP TABLE {hist}_t AS SELECT DISTINCT opp_id FROM {hist}")
    finally:
        con.unregister(hist)
    hist = f"{hist}_t"
    as_of = ctx.as_of
    con.execute(
        f"CREATE TEMP TABLE {hist}_first AS SELECT o.opp_id, "
        f"least(coalesce(o.created_date, ?::DATE), ?::DATE) AS valid_from, ?::DATE AS valid_to, "
        f"{', '.join('o.' + _q(c) for c in TRACKED)} FROM opportunities o "
        f"JOIN {hist} h ON h.opp_id = o.opp_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM opportunity_history x WHERE x.opp_id = o.opp_id) "
        f"AND least(coalesce(o.created_date, ?::DATE), ?::DATE) < ?::DATE",
        [as_of, as_of, as_of, as_of, as_of, as_of],
    )
    con.execute(
        f"INSERT INTO opportunity_history (opp_id, valid_from, valid_to, {_HCOLS}, upload_id) "
        f"SELECT opp_id, valid_from, valid_to, {_HCOLS}, ? FROM {hist}_first",
        [ctx.upload_id],
    )
    ctx.record("opportunity_history", "insert", f"SELECT * FROM {hist}_first", [], before=False)
    con.execute(f"DROP TABLE {hist}_first")
    return hist


def open_intervals(ctx: Batch, hist: str, created: pd.DataFrame) -> None:
    """After the opportunities are written: the current interval of each changed one (`hist`,
    from `keep_states_before`) is closed at as_of, or rewritten in place when it starts that
    day; a new interval opens from as_of for a changed one, and from its creation date for one
    `created` (a frame of opp_id)."""
    con = ctx.con
    as_of = ctx.as_of
    cur = (
        f"SELECT x.* FROM opportunity_history x JOIN {hist} h ON h.opp_id = x.opp_id WHERE x.valid_to IS NULL"
    )
    ctx.record("opportunity_history", "update", cur, [], before=True)
    sets = ", ".join(f"{_q(c)} = o.{_q(c)}" for c in TRACKED)
    con.execute(
        f"UPDATE opportunity_history SET {sets}, upload_id = ? FROM opportunities o, {hist} h "
        f"WHERE opportunity_history.opp_id = o.opp_id AND o.opp_id = h.opp_id "
        f"AND opportunity_history.valid_to IS NULL AND opportunity_history.valid_from = ?::DATE",
        [ctx.upload_id, as_of],
    )
    con.execute(
        f"UPDATE opportunity_history SET valid_to = ?::DATE, upload_id = ? FROM {hist} h "
        f"WHERE opportunity_history.opp_id = h.opp_id AND opportunity_history.valid_to IS NULL "
        f"AND opportunity_history.valid_from < ?::DATE",
        [as_of, ctx.upload_id, as_of],
    )
    new_name = ctx.name("newopp")
    con.register(new_name, created.reset_index(drop=True))
    try:
        src = (
            f"SELECT o.opp_id, ?::DATE AS valid_from, {', '.join('o.' + _q(c) for c in TRACKED)} "
            f"FROM opportunities o JOIN {hist} h ON h.opp_id = o.opp_id "
            f"WHERE NOT EXISTS (SELECT 1 FROM opportunity_history x WHERE x.opp_id = o.opp_id "
            f"AND x.valid_from = ?::DATE) "
            f"UNION ALL "
            f"SELECT o.opp_id, least(coalesce(o.created_date, ?::DATE), ?::DATE) AS valid_from, "
            f"{', '.join('o.' + _q(c) for c in TRACKED)} "
            f"FROM opportunities o JOIN (SELECT DISTINCT opp_id FROM {new_name}) n "
            f"ON n.opp_id = o.opp_id"
        )
        params = [as_of, as_of, as_of, as_of]
        opened = ctx.name("opened")
        con.execute(f"CREATE TEMP TABLE {opened} AS {src}", params)
    finally:
        con.unregister(new_name)
    con.execute(
        f"INSERT INTO opportunity_history (opp_id, valid_from, {_HCOLS}, upload_id) "
        f"SELECT opp_id, valid_from, {_HCOLS}, ? FROM {opened}",
        [ctx.upload_id],
    )
    ctx.record("opportunity_history", "insert", f"SELECT * FROM {opened}", [], before=False)
    con.execute(f"DROP TABLE {opened}")
    con.execute(f"DROP TABLE {hist}")


def differs(old: pd.Series, new: pd.Series) -> pd.Series:
    """Per row: does the incoming value differ from the stored one (empty equals empty; dates
    by day; numbers to the cent)?"""
    old = old.astype(object).where(old.notna(), None)
    new = new.astype(object).where(new.notna(), None)
    old_na, new_na = old.isna(), new.isna()
    both = ~old_na & ~new_na
    out = old_na != new_na
    if both.any():
        a, b = old[both], new[both]
        first = a.iloc[0]
        if isinstance(first, (pd.Timestamp, date)) or hasattr(first, "isoformat"):
            diff = pd.to_datetime(a).dt.normalize() != pd.to_datetime(b).dt.normalize()
        elif isinstance(first, (int, float)) or type(first).__name__ == "Decimal":
            diff = (pd.to_numeric(a).astype(float) - pd.to_numeric(b).astype(float)).abs() >= 0.005
        else:
            diff = a.astype(str) != b.astype(str)
        out[both] = diff.to_numpy()
    return out.astype(bool)
