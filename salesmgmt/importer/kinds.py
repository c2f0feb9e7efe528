"""Writing each kind of file: reps, clients, opportunities, visits, targets and check-ins (see
`checkins`). Each applier takes the batch and the file's valid rows (columns named by field)
and returns each row's outcome: 'added', 'updated' or 'unchanged'.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesmgmt.importer.checkins import LOCATION_COLUMNS, apply_checkins, client_locations
from salesmgmt.importer.dates import period_months, split_amount
from salesmgmt.importer.history import keep_states_before, open_intervals, tracked_changes
from salesmgmt.importer.matching import (
    People,
    finalise_people,
    match_people,
    placeholders,
    plan_people,
    replace_placeholders,
    same_record,
)
from salesmgmt.importer.upsert import SEQUENCES, Batch, kept, kept_rows, new_ids, register, upsert
from salesmgmt.importer.validate import RowError
from salesmgmt.text import name_key


def _date(series: pd.Series) -> pd.Series:
    """A date column as `datetime.date` objects (None where empty), as the upsert compares them."""
    return pd.to_datetime(series).dt.date.astype(object).where(series.notna(), None)


_REP_FIELDS = (
    ("rep_code", "code"),
    ("team", "team"),
    ("region", "region"),
    ("role", "role"),
    ("manager", "manager"),
)
_CLIENT_FIELDS = (
    ("client_code", "code"),
    ("client_type", "client_type"),
    ("key_account", "key_account"),
    ("relationship_level", "relationship_level"),
    ("region", "region"),
)


def _people_records(
    ctx: Batch,
    rows: pd.DataFrame,
    people: People,
    keep: pd.Index,
    name_field: str,
    fields: tuple[tuple[str, str], ...],
) -> tuple[pd.DataFrame, list[str]]:
    """The rows kept of a reps or clients file as records of their table (a new record gets its
    id here), and the columns to set: the name, its key and those of `fields` (field, column)
    the file has."""
    rows = kept(rows, keep)
    ids = kept(people.ids, keep)
    needed = placeholders(ids)
    remap = dict(zip(needed, new_ids(ctx.con, people.table, len(needed))))
    frame = pd.DataFrame(
        {
            SEQUENCES[people.table][1]: replace_placeholders(ids, remap).astype("int64"),
            "name": rows[name_field],
            "name_key": rows[name_field].map(name_key),
        },
        index=rows.index,
    )
    frame["_new"] = (ids < 0).to_numpy(dtype=bool)
    set_cols = ["name", "name_key"]
    for f, c in fields:
        if f in rows:
            frame[c] = rows[f]
            set_cols.append(c)
    return frame, set_cols


def _apply_reps(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    people = match_people(ctx, rows, "reps", "rep", "rep_code")
    same_record(ctx, people.ids, "rep")
    frame, set_cols = _people_records(ctx, rows, people, kept_rows(ctx, rows), "rep", _REP_FIELDS)
    return upsert(
        ctx, "rep", frame, set_cols, keep_if_null=("code", "role"), defaults={"role": "sales_engineer"}
    )


def _apply_clients(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    people = match_people(ctx, rows, "clients", "client", "client_code")
    owners = plan_people(ctx, rows, "reps", "owner", None) if "owner" in rows else None
    same_record(ctx, people.ids, "client")
    located = client_locations(ctx, rows, people.ids)
    keep = kept_rows(ctx, rows)
    owner_ids = finalise_people(ctx, owners, keep, "rep", True) if owners else None
    frame, set_cols = _people_records(ctx, rows, people, keep, "client", _CLIENT_FIELDS)
    if owner_ids is not None:
        frame["owner_rep_id"] = owner_ids.astype(object)
        set_cols.append("owner_rep_id")
    if located is not None:
        for column in LOCATION_COLUMNS:
            frame[column] = kept(located[column], keep)
            set_cols.append(column)
    return upsert(
        ctx,
        "client",
        frame,
        set_cols,
        keep_if_null=(
            "code",
            "client_type",
            "key_account",
            *(LOCATION_COLUMNS if located is not None else ()),
        ),
        defaults={"client_type": "other", "key_account": False},
    )


_OPP_FIELDS = (
    ("opportunity_name", "name"),
    ("product", "product"),
    ("project", "project"),
    ("stage", "stage"),
    ("status", "status"),
    ("amount", "amount"),
    ("probability", "probability"),
    ("created_date", "created_date"),
    ("expected_close_date", "expected_close_date"),
    ("close_date", "close_date"),
    ("lost_reason", "lost_reason"),
)


def _apply_opportunities(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    con = ctx.con
    reps = plan_people(ctx, rows, "reps", "rep", "rep_code")
    clients = plan_people(ctx, rows, "clients", "client", "client_code")

    frame = pd.DataFrame({"opp_id": rows["opportunity_id"].astype(object)}, index=rows.index)
    set_cols: list[str] = []
    for f, c in _OPP_FIELDS:
        if f in rows:
            frame[c] = rows[f]
            set_cols.append(c)
    for c in ("created_date", "expected_close_date", "close_date"):
        if c in frame:
            frame[c] = _date(frame[c])

    # What is stored now for these ids, and since when its current state holds.
    ids_name = ctx.name("ids")
    con.register(ids_name, frame[["opp_id"]].reset_index(drop=True))
    try:
        stored = con.execute(
            f"SELECT o.*, h.latest FROM opportunities o JOIN {ids_name} i ON o.opp_id = i.opp_id "
            f"LEFT JOIN (SELECT opp_id, max(valid_from) AS latest FROM opportunity_history "
            f"GROUP BY opp_id) h ON h.opp_id = o.opp_id"
        ).df()
    finally:
        con.unregister(ids_name)
    stored = stored.set_index("opp_id")
    exists = frame["opp_id"].isin(stored.index)
    tracked_change = tracked_changes(ctx, frame, stored, exists, reps, clients)

    keep = kept_rows(ctx, rows)
    frame = kept(frame, keep)
    if reps:
        frame["rep_id"] = finalise_people(ctx, reps, keep, "rep", True).astype(object)
        set_cols.append("rep_id")
    if clients:
        frame["client_id"] = finalise_people(ctx, clients, keep, "client", True).astype(object)
        set_cols.append("client_id")
    frame["_new"] = ~frame["opp_id"].isin(stored.index)
    changed_hist = frame.loc[tracked_change.loc[keep].to_numpy() & ~frame["_new"].to_numpy(), ["opp_id"]]

    hist = keep_states_before(ctx, changed_hist)
    outcome = upsert(
        ctx, "opportunity", frame, set_cols, keep_if_null=("status",), defaults={"status": "open"}
    )
    open_intervals(ctx, hist, frame.loc[frame["_new"], ["opp_id"]])
    return outcome


_VISIT_FIELDS = (
    ("type", "visit_type"),
    ("planned", "planned"),
    ("accompanied_by", "accompanied_by"),
    ("opportunity", "opp_id"),
    ("purpose", "purpose"),
    ("outcome", "outcome"),
    ("notes", "notes"),
)


def _apply_visits(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    con = ctx.con
    reps = match_people(ctx, rows, "reps", "rep", "rep_code")
    clients = match_people(ctx, rows, "clients", "client", "client_code")
    keep = kept_rows(ctx, rows)
    rows = kept(rows, keep)
    frame = pd.DataFrame(
        {
            "visit_date": rows["date"],
            "rep_id": finalise_people(ctx, reps, keep, "rep", True).astype("Int64"),
            "client_id": finalise_people(ctx, clients, keep, "client", True).astype("Int64"),
        },
        index=rows.index,
    )
    frame["visit_id"] = rows.get("visit_id")
    set_cols = ["visit_date", "rep_id", "client_id"]
    if "visit_id" in rows:
        set_cols.append("visit_id")
    for f, c in _VISIT_FIELDS:
        if f in rows:
            frame[c] = rows[f]
            set_cols.append(c)
    frame["_pos"] = np.arange(len(frame))

    # Match: by visit id, else by (date, rep, client, type) among visits without a clashing id.
    inc = ctx.name("vis")
    register(con, inc, frame[["_pos", "visit_id", "visit_date", "rep_id", "client_id", "visit_type"]])
    try:
        matches = con.execute(f"""
            WITH i AS (SELECT _pos, CAST(visit_id AS VARCHAR) AS visit_id,
                              CAST(visit_date AS DATE) AS visit_date, rep_id, client_id,
                              CAST(visit_type AS VARCHAR) AS visit_type FROM {inc}),
            by_id AS (SELECT i._pos, v.visit_key FROM i JOIN visits v ON v.visit_id = i.visit_id),
            by_tuple AS (
                SELECT i._pos, min(v.visit_key) AS visit_key FROM i JOIN visits v
                  ON v.visit_date = i.visit_date AND v.rep_id = i.rep_id
                 AND v.client_id = i.client_id AND v.visit_type = i.visit_type
                 AND (i.visit_id IS NULL OR v.visit_id IS NULL)
                WHERE i._pos NOT IN (SELECT _pos FROM by_id)
                GROUP BY i._pos)
            SELECT _pos, visit_key FROM by_id UNION ALL SELECT _pos, visit_key FROM by_tuple
            ORDER BY _pos""").df()
    finally:
        con.unregister(inc)
    # An existing visit is claimed by the first row that matches it; later rows are new visits.
    matches = matches.drop_duplicates("visit_key", keep="first").drop_duplicates("_pos")
    key_of = pd.Series(matches["visit_key"].to_numpy(), index=matches["_pos"].to_numpy())
    keys = frame["_pos"].map(key_of).to_numpy(dtype="float64", copy=True)
    new = np.isnan(keys)
    keys[new] = new_ids(con, "visits", int(new.sum()))
    frame["visit_key"] = keys.astype("int64")
    frame["_new"] = new
    return upsert(ctx, "visit", frame, set_cols, keep_if_null=("visit_id",), defaults={"visit_type": "visit"})


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _apply_targets(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    con = ctx.con
    reps = plan_people(ctx, rows, "reps", "rep", "rep_code")
    none = pd.Series(None, index=rows.index, dtype=object)
    rep_ids = reps.ids if reps else none
    team = rows.get("team", none)
    region = rows.get("region", none)
    # One record per month of each row's period; the scope is the most specific one given.
    records = []
    for row in rows.index:
        rid: Any = rep_ids.at[row]
        scope: tuple[str, int | str]
        if not _isna(rid):
            scope = ("rep", int(rid))
        elif not _isna(team.at[row]):
            scope = ("team", str(team.at[row]))
        elif not _isna(region.at[row]):
            scope = ("region", str(region.at[row]))
        else:
            continue  # an ambiguous rep: refused already
        period: Any = rows.at[row, "period"]
        total: Any = rows.at[row, "amount"]
        months = period_months(period)
        for month, amount in zip(months, split_amount(float(total), len(months))):
            records.append((row, month, scope[0], scope[1], amount))
    frame = pd.DataFrame(records, columns=["_row", "month", "scope_kind", "scope_key", "amount"])
    # A name in one row and a code in another may turn out to be the same rep for one month.
    same = frame.duplicated(["month", "scope_kind", "scope_key"], keep=False)
    if same.any():
        column = ctx.col_of.get("period", "")
        pairs: set[tuple[int, int]] = set()
        for _key, group in frame[same].groupby(["month", "scope_kind", "scope_key"])["_row"]:
            rows_in = sorted({int(r) for r in group})
            pairs.update((a, b) for a in rows_in for b in rows_in if a != b)
        for row, other in sorted(pairs):
            if not any(e.row == row and e.key == "import.same_record" for e in ctx.errors):
                ctx.errors.append(RowError(row, column, "import.same_record", {"other": other}))
    keep = kept_rows(ctx, rows)
    frame = frame[frame["_row"].isin(list(keep))].reset_index(drop=True)
    if reps:
        final = finalise_people(ctx, reps, keep, "rep", True)
        is_rep = frame["scope_kind"] == "rep"
        frame.loc[is_rep, "scope_key"] = final.reindex(frame.loc[is_rep, "_row"]).to_numpy()
    frame["scope_key"] = frame["scope_key"].astype(str)
    if frame.empty:
        return pd.Series([], dtype=object)
    found_name = ctx.name("tk")
    register(con, found_name, frame[["month", "scope_kind", "scope_key"]])
    try:
        found = con.execute(
            f"SELECT i.month, i.scope_kind, i.scope_key FROM {found_name} i "
            f"JOIN targets t ON t.month = CAST(i.month AS DATE) AND t.scope_kind = i.scope_kind "
            f"AND t.scope_key = i.scope_key"
        ).fetchall()
    finally:
        con.unregister(found_name)
    found_set = {(pd.Timestamp(m).date(), k, s) for m, k, s in found}
    frame["_new"] = [
        (m, k, s) not in found_set for m, k, s in zip(frame["month"], frame["scope_kind"], frame["scope_key"])
    ]
    outcome = upsert(ctx, "target", frame, ["amount"])
    per_row = pd.DataFrame({"row": frame["_row"].to_numpy(), "o": outcome.to_numpy()})
    rank = {"added": 2, "updated": 1, "unchanged": 0}
    return per_row.groupby("row")["o"].agg(lambda s: max(s, key=lambda o: rank[o]))


APPLIERS = {
    "reps": _apply_reps,
    "clients": _apply_clients,
    "opportunities": _apply_opportunities,
    "visits": _apply_visits,
    "targets": _apply_targets,
    "checkins": apply_checkins,
}
