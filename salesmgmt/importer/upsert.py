"""Writing rows of a file into a table: the generic upsert and its audit, one upload batch at a time.

Everything here is set-based: the rows of a file are registered with DuckDB as a table and
matched, compared, updated and inserted by a handful of statements, whatever the row count.
Values only ever reach SQL as bound parameters or through a registered DataFrame; the only
identifiers spelled into SQL are our own table and column names (from the schema itself).

The audit (`upload_changes`) holds, for every row the batch inserted, its key, and for every row it
updated, its key and its whole previous state as JSON (see `undoing`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from salesmgmt import db
from salesmgmt.db import quote_ident as _q
from salesmgmt.importer.validate import RowError

# entity -> (table, key columns). The entity names are what upload_changes records.


ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rep": ("reps", ("rep_id",)),
    "client": ("clients", ("client_id",)),
    "opportunity": ("opportunities", ("opp_id",)),
    "opportunity_history": ("opportunity_history", ("opp_id", "valid_from")),
    "visit": ("visits", ("visit_key",)),
    "target": ("targets", ("month", "scope_kind", "scope_key")),
    "checkin": ("checkins", ("checkin_key",)),
}


#: table -> (its id sequence, its id column).
SEQUENCES = {
    "reps": ("rep_seq", "rep_id"),
    "clients": ("client_seq", "client_id"),
    "visits": ("visit_seq", "visit_key"),
    "uploads": ("upload_seq", "upload_id"),
    "checkins": ("checkin_seq", "checkin_key"),
}


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """A table's columns and their SQL types, in the table's order."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def _key_sql(entity: str, alias: str) -> str:
    """The SQL of upload_changes.entity_key for a row of `entity` aliased `alias`."""
    _table, keys = ENTITIES[entity]
    if len(keys) == 1:
        return f"CAST({alias}.{_q(keys[0])} AS VARCHAR)"
    parts = []
    for k in keys:
        value = f"{alias}.{_q(k)}"
        if k in ("month", "valid_from"):
            value = f"strftime({value}, '%Y-%m-%d')"
        parts.append(f"'{k}', {value}")
    return f"CAST(json_object({', '.join(parts)}) AS VARCHAR)"


def _for_duckdb(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of Python objects as typed columns, which DuckDB scans without converting each
    value (Arrow strings, nullable integers...)."""
    out = frame.copy(deep=False)  # copy-on-write: the columns converted below are new ones
    for column in out.columns:
        if out[column].dtype != object:
            continue
        kind = pd.api.types.infer_dtype(out[column], skipna=True)
        if kind in ("string", "empty"):
            out[column] = out[column].astype("string[pyarrow]")
        elif kind == "integer":
            out[column] = out[column].astype("Int64")
        elif kind in ("floating", "mixed-integer-float", "decimal"):
            out[column] = pd.to_numeric(out[column]).astype("float64")
        elif kind == "boolean":
            out[column] = out[column].astype("boolean")
        elif kind in ("date", "datetime", "datetime64"):
            out[column] = pd.to_datetime(out[column]).astype("datetime64[s]")
    return out


#: Rows per Arrow batch handed to DuckDB (its own row-group size).
_BATCH_ROWS = 122_880


def register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """A DataFrame made visible to SQL as `name`, handed over as an Arrow table: DuckDB scans
    Arrow columns without converting each value, and Arrow-backed text columns (what the
    importer keeps) pass without a copy. Cut into batches (views, not copies) so that the scan
    runs on every core; DuckDB keeps their order."""
    import pyarrow as pa

    table = pa.Table.from_pandas(_for_duckdb(frame), preserve_index=False)
    con.register(
        name, pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), schema=table.schema)
    )


def new_ids(con: duckdb.DuckDBPyConnection, table: str, n: int) -> npt.NDArray[np.int64]:
    """`n` fresh ids from the table's sequence, skipping ids already used by rows written
    without it (a generator or a test may insert explicit ids)."""
    if n <= 0:
        return np.array([], dtype="int64")
    seq, col = SEQUENCES[table]
    top = int(db.scalar(con, f"SELECT coalesce(max({_q(col)}), 0) FROM {_q(table)}"))
    first = db.next_id_above(con, seq, top)
    if n == 1:
        return np.array([first], dtype="int64")
    rest = con.execute(f"SELECT nextval('{seq}') AS id FROM range(?)", [n - 1]).fetchnumpy()["id"]
    return np.concatenate([[first], np.asarray(rest, dtype="int64")]).astype("int64")


def new_id(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """One fresh id from the table's sequence (see `new_ids`)."""
    return int(new_ids(con, table, 1)[0])


class Batch:
    """One upload batch being written: its connection and id, the as-of date of the file, the
    file's column of each field (for errors), the rows refused while matching against the
    database, the reps and clients created, and the audit's running sequence number."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, upload_id: int, as_of: date, col_of: dict[str, str]
    ) -> None:
        self.con = con
        self.upload_id = upload_id
        self.as_of = as_of
        self.col_of = col_of
        self.seq = 0
        self.errors: list[RowError] = []
        self.created: dict[str, list[str]] = {"reps": [], "clients": []}
        self._types: dict[str, dict[str, str]] = {}
        self._n = 0

    def types(self, table: str) -> dict[str, str]:
        """A table's columns and their SQL types (read once per batch)."""
        if table not in self._types:
            self._types[table] = table_columns(self.con, table)
        return self._types[table]

    def name(self, stem: str) -> str:
        """A fresh name for a work table or a registered frame of this batch."""
        self._n += 1
        return f"_imp_{stem}_{self._n}"

    def record(
        self,
        entity: str,
        action: str,
        source_sql: str,
        params: list[Any],
        before: bool,
        number: str | None = None,
    ) -> int:
        """Append audit rows for every row of `source_sql` (a SELECT yielding `t`, the row).
        `number`: a column of `t` numbering its rows 1, 2, 3... (saves numbering them here)."""
        before_sql = "to_json(t)::VARCHAR" if before else "NULL"
        seq_sql = f"t.{_q(number)}" if number else "row_number() OVER ()"
        n: int = db.scalar(
            self.con,
            f"INSERT INTO upload_changes (upload_id, seq, entity, entity_key, action, before_json) "
            f"SELECT ?, ? + {seq_sql}, ?, {_key_sql(entity, 't')}, ?, {before_sql} "
            f"FROM ({source_sql}) t",
            [self.upload_id, self.seq, entity, action, *params],
        )
        self.seq += n
        return n


def upsert(
    ctx: Batch,
    entity: str,
    frame: pd.DataFrame,
    set_cols: list[str],
    keep_if_null: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
) -> pd.Series:
    """Insert the rows of `frame` with `_new` True, update the others where a value differs.

    `frame` holds the complete key of every row (existing or freshly allocated) and `set_cols`;
    a column in `keep_if_null` keeps its stored value when the file's cell is empty (and takes
    `defaults` on insert). Returns each frame row's outcome: 'added', 'updated' or 'unchanged'.
    """
    con = ctx.con
    table, keys = ENTITIES[entity]
    types = ctx.types(table)
    defaults = defaults or {}
    if frame.empty:
        return pd.Series([], dtype=object)
    is_new = frame["_new"].to_numpy(dtype=bool)
    # _n: the number of each new row among the new rows (its audit sequence).
    work = frame[[*keys, *set_cols, "_new"]].assign(_pos=np.arange(len(frame)), _n=np.cumsum(is_new))
    inc = ctx.name("inc")
    register(con, inc, work)
    # The incoming rows typed as the table's columns: read straight from the registered Arrow
    # table by each statement below (no copy of the file's rows inside DuckDB).
    casts = ", ".join(f"CAST({_q(c)} AS {types[c]}) AS {_q(c)}" for c in (*keys, *set_cols))
    view = f"(SELECT {casts}, _new, _pos, _n FROM {inc})"
    try:
        on = " AND ".join(f"t.{_q(k)} = i.{_q(k)}" for k in keys)

        def value(c: str, src: str = "i", dst: str = "t") -> str:
            if c in keep_if_null:
                return f"coalesce({src}.{_q(c)}, {dst}.{_q(c)})"
            return f"{src}.{_q(c)}"

        differs = " OR ".join(f"{value(c)} IS DISTINCT FROM t.{_q(c)}" for c in set_cols) or "FALSE"
        changed = ctx.name("chg")
        con.execute(
            f"CREATE TEMP TABLE {changed} AS SELECT i.* FROM {view} i "
            f"JOIN {_q(table)} t ON {on} WHERE NOT i._new AND ({differs})"
        )
        on_c = " AND ".join(f"t.{_q(k)} = c.{_q(k)}" for k in keys)
        ctx.record(
            entity, "update", f"SELECT t.* FROM {_q(table)} t JOIN {changed} c ON {on_c}", [], before=True
        )
        if set_cols:
            sets = ", ".join(f"{_q(c)} = {value(c, 'c', _q(table))}" for c in set_cols)
            on_u = " AND ".join(f"{_q(table)}.{_q(k)} = c.{_q(k)}" for k in keys)
            con.execute(
                f"UPDATE {_q(table)} SET {sets}, upload_id = ? FROM {changed} c WHERE {on_u}", [ctx.upload_id]
            )
        cols = [*keys, *set_cols]
        exprs = []
        params: list[Any] = []
        for c in cols:
            if c in defaults:
                exprs.append(f"coalesce({_q(c)}, CAST(? AS {types[c]}))")
                params.append(defaults[c])
            else:
                exprs.append(_q(c))
        col_list = ", ".join(_q(c) for c in cols)
        con.execute(
            f"INSERT INTO {_q(table)} ({col_list}, upload_id) "
            f"SELECT {', '.join(exprs)}, ? FROM {view} WHERE _new",
            [*params, ctx.upload_id],
        )  # in the file's order: scans keep their order
        key_list = ", ".join(_q(k) for k in keys)
        ctx.record(
            entity, "insert", f"SELECT {key_list}, _n FROM {view} WHERE _new", [], before=False, number="_n"
        )
        changed_pos = {r[0] for r in con.execute(f"SELECT _pos FROM {changed}").fetchall()}
        con.execute(f"DROP TABLE {changed}")
    finally:
        con.unregister(inc)
    outcome = np.where(is_new, "added", "unchanged").astype(object)
    if changed_pos:
        outcome[np.fromiter(changed_pos, dtype="int64")] = "updated"
    return pd.Series(outcome, index=frame.index, dtype=object)


_Rows = TypeVar("_Rows", pd.DataFrame, pd.Series)


def kept(data: _Rows, keep: pd.Index) -> _Rows:
    """`data` restricted to the rows `keep` (a subset of its index, in order): the same object
    when every row is kept, so that a million-row file is not copied for nothing."""
    return data if len(keep) == len(data) else data.loc[keep]


def kept_rows(ctx: Batch, rows: pd.DataFrame) -> pd.Index:
    """The rows not refused while matching against the database."""
    bad = {e.row for e in ctx.errors}
    return rows.index[~rows.index.isin(list(bad))]
