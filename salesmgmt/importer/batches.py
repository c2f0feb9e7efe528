"""Writing a validated file into the database: one transaction, one upload batch, an audit of
every row it changed, and undo.

Everything here is set-based: the rows of a file are registered with DuckDB as a table and
matched, compared, updated and inserted by a handful of statements, whatever the row count.
Values only ever reach SQL as bound parameters or through a registered DataFrame; the only
identifiers spelled into SQL are our own table and column names (from the schema itself).

The audit (`upload_changes`) holds, for every row the batch inserted, its key, and for every row it
updated, its key and its whole previous state as JSON. Undo deletes the inserted rows and puts the
previous states back. See docs/importing.md for the rules of undo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t
from salesmgmt.importer.dates import period_months, split_amount
from salesmgmt.importer.preview import ImportRefused, Preview, Progress
from salesmgmt.importer.validate import RowError
from salesmgmt.text import name_key

# entity -> (table, key columns). The entity names are what upload_changes records.
ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rep": ("reps", ("rep_id",)),
    "client": ("clients", ("client_id",)),
    "opportunity": ("opportunities", ("opp_id",)),
    "opportunity_history": ("opportunity_history", ("opp_id", "valid_from")),
    "visit": ("visits", ("visit_key",)),
    "target": ("targets", ("month", "scope_kind", "scope_key")),
}
#: Undo works through the entities in this order: facts before the reps and clients they name.
UNDO_ORDER = ("opportunity_history", "opportunity", "visit", "target", "client", "rep")

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

#: Names of created reps and clients shown in a summary (all of them are in `ImportResult`).
SHOWN_NAMES = 20

_SEQUENCES = {
    "reps": ("rep_seq", "rep_id"),
    "clients": ("client_seq", "client_id"),
    "visits": ("visit_seq", "visit_key"),
    "uploads": ("upload_seq", "upload_id"),
}


@dataclass
class ImportResult:
    """What an import did. Counts are rows of the file; `refused` counts rows not imported."""

    upload_id: int | None
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    created_reps: list[str] = field(default_factory=list)
    created_clients: list[str] = field(default_factory=list)
    #: True when nothing was kept (a test run): the counts say what an import would do.
    dry_run: bool = False
    #: Rows refused while matching against the database (ambiguous names, out-of-date as-of).
    errors: list[RowError] = field(default_factory=list)

    def summary(self, lang: str = "en") -> str:
        key = "import.summary_dry_run" if self.dry_run else "import.summary"
        text = t(
            key,
            lang,
            batch=self.upload_id,
            kind=t(f"import.kind.{self.kind}", lang),
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            refused=self.refused,
        )
        for key, names in (
            ("import.created_reps", self.created_reps),
            ("import.created_clients", self.created_clients),
        ):
            if names:
                shown = ", ".join(names[:SHOWN_NAMES])
                if len(names) > SHOWN_NAMES:
                    shown += " " + t("import.more_errors", lang, count=len(names) - SHOWN_NAMES)
                text += "\n" + t(key, lang, count=len(names), names=shown)
        return text


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


# ----------------------------------------------------------------------------------------
# Schema helpers


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return {name: dtype for name, dtype in rows}


def _q(name: str) -> str:
    return db.quote_ident(name)


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


def _key_from_change(entity: str, types: dict[str, str], alias: str = "c") -> list[str]:
    """SQL expressions giving back each key column from upload_changes.entity_key."""
    _table, keys = ENTITIES[entity]
    if len(keys) == 1:
        return [f"CAST({alias}.entity_key AS {types[keys[0]]}) AS {_q(keys[0])}"]
    return [f"CAST(json_extract_string({alias}.entity_key, '$.{k}') AS {types[k]}) AS {_q(k)}" for k in keys]


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


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """A DataFrame made visible to SQL as `name`, handed over as an Arrow table: DuckDB scans
    Arrow columns without converting each value, and Arrow-backed text columns (what the
    importer keeps) pass without a copy. Cut into batches (views, not copies) so that the scan
    runs on every core; DuckDB keeps their order."""
    import pyarrow as pa

    table = pa.Table.from_pandas(_for_duckdb(frame), preserve_index=False)
    con.register(
        name, pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), schema=table.schema)
    )


def _drop(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop a work table; quietly when the transaction has failed (a rollback drops it anyway)."""
    try:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    except duckdb.Error:
        pass


def _new_ids(con: duckdb.DuckDBPyConnection, table: str, n: int) -> list[int] | np.ndarray:
    """`n` fresh ids from the table's sequence, skipping ids already used by rows written
    without it (a generator or a test may insert explicit ids)."""
    if n <= 0:
        return []
    seq, col = _SEQUENCES[table]
    top = con.execute(f"SELECT coalesce(max({_q(col)}), 0) FROM {_q(table)}").fetchone()[0]
    first = con.execute(f"SELECT nextval('{seq}')").fetchone()[0]
    if first <= top:
        con.execute(f"SELECT max(nextval('{seq}')) FROM range(?)", [int(top - first)])
        first = con.execute(f"SELECT nextval('{seq}')").fetchone()[0]
    if n == 1:
        return [int(first)]
    rest = con.execute(f"SELECT nextval('{seq}') AS id FROM range(?)", [n - 1]).fetchnumpy()["id"]
    return np.concatenate([[first], np.asarray(rest, dtype="int64")]).astype("int64")


# ----------------------------------------------------------------------------------------
# The context of one import


class _Ctx:
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
        if table not in self._types:
            self._types[table] = _columns(self.con, table)
        return self._types[table]

    def name(self, stem: str) -> str:
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
        n = self.con.execute(
            f"INSERT INTO upload_changes (upload_id, seq, entity, entity_key, action, before_json) "
            f"SELECT ?, ? + {seq_sql}, ?, {_key_sql(entity, 't')}, ?, {before_sql} "
            f"FROM ({source_sql}) t",
            [self.upload_id, self.seq, entity, action, *params],
        ).fetchone()[0]
        self.seq += n
        return n


# ----------------------------------------------------------------------------------------
# The generic upsert


def _upsert(
    ctx: _Ctx,
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
    _register(con, inc, work)
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


# ----------------------------------------------------------------------------------------
# Reps and clients: matching by code, else by name


@dataclass
class _People:
    table: str
    #: Per frame row: the record's id (a negative placeholder for a record still to create).
    ids: pd.Series
    #: Records to create: placeholder id -> (name, name_key, code).
    new: dict[int, tuple[str, str, str | None]]
    #: Frame rows whose name matches several records.
    ambiguous: pd.Index


_AMBIGUOUS = -(10**12)


def _resolve(
    con: duckdb.DuckDBPyConnection,
    table: str,
    names: pd.Series | None,
    codes: pd.Series | None,
    index: pd.Index,
) -> _People:
    """Match each row's (code, name) to a rep or client: by code when given (a record without a
    code and the same name counts as the same person), else by name key; a name matching
    several records is ambiguous; anything unmatched is a record to create.

    The work is per distinct (code, name) pair; rows get their id through factor codes. Pairs
    whose code is stored already are matched at once; only the others (new codes, rows without
    a code) are looked at one by one, in the order of the file, and only they need name keys.
    """
    id_col = _SEQUENCES[table][1]
    none = pd.Series(None, index=index, dtype=object)
    names = none if names is None else names
    codes = none if codes is None else codes
    name_codes, name_uniques = pd.factorize(names, use_na_sentinel=True)
    code_codes, code_uniques = pd.factorize(codes, use_na_sentinel=True)
    width = len(name_uniques) + 1
    pair_codes, pairs_seen = pd.factorize((code_codes.astype("int64") + 1) * width + (name_codes + 1))
    pair_code_index, pair_name_index = np.divmod(np.asarray(pairs_seen, dtype="int64"), width)
    # Plain lists: one element at a time from a pandas (Arrow) array costs microseconds each.
    name_list, code_list = name_uniques.tolist(), code_uniques.tolist()

    existing = con.execute(
        f"SELECT {_q(id_col)}, name_key, code FROM {_q(table)} ORDER BY {_q(id_col)}"
    ).fetchall()
    by_code = {code: rid for rid, _nk, code in existing if code is not None}
    lookup = np.full(len(pairs_seen), np.nan)
    stored = (
        pd.Index(list(by_code), dtype=object).get_indexer(code_list)
        if code_list
        else np.array([], dtype="int64")
    )
    stored_ids = np.array(list(by_code.values()), dtype="float64")
    has_code = pair_code_index > 0
    code_at = np.where(has_code, pair_code_index - 1, 0)
    known = has_code & (stored[code_at] >= 0 if len(stored) else False)
    lookup[known] = stored_ids[stored[code_at[known]]]

    rest_with_code = np.flatnonzero(has_code & ~known)
    rest_by_name = np.flatnonzero(~has_code & (pair_name_index > 0))
    new: dict[int, tuple[str, str, str | None]] = {}
    if len(rest_with_code) or len(rest_by_name):
        nocode_by_nk: dict[str, list[int]] = {}
        all_by_nk: dict[str, list[int]] = {}
        for rid, nk, code in existing:
            all_by_nk.setdefault(nk, []).append(rid)
            if code is None:
                nocode_by_nk.setdefault(nk, []).append(rid)
        keys: dict[int, str] = {}

        def pair(i: int) -> tuple[str | None, str | None, str | None]:
            """(code, name key, name) of pair i."""
            ci, ni = int(pair_code_index[i]), int(pair_name_index[i])
            name = name_list[ni - 1] if ni else None
            name = name if isinstance(name, str) else None
            if ni and ni not in keys:
                keys[ni] = name_key(name_list[ni - 1])
            return (code_list[ci - 1] if ci else None), (keys[ni] if ni else None), name

        claimed: set[int] = set()
        for i in rest_with_code.tolist():
            code, nk, name = pair(i)
            if code in by_code:
                lookup[i] = by_code[code]
                continue
            candidates = [r for r in nocode_by_nk.get(nk, []) if r not in claimed] if nk else []
            if len(candidates) == 1:
                claimed.add(candidates[0])
                by_code[code] = lookup[i] = candidates[0]
                continue
            if len(candidates) > 1:
                lookup[i] = _AMBIGUOUS
                continue
            placeholder = -(len(new) + 1)
            key = nk or name_key(code)
            new[placeholder] = (name if name is not None else code, key, code)
            by_code[code] = lookup[i] = placeholder
            all_by_nk.setdefault(key, []).append(placeholder)
        for i in rest_by_name.tolist():
            _code, nk, name = pair(i)
            candidates = all_by_nk.get(nk, [])
            if len(candidates) == 1:
                lookup[i] = candidates[0]
            elif len(candidates) > 1:
                lookup[i] = _AMBIGUOUS
            else:
                placeholder = -(len(new) + 1)
                new[placeholder] = (name, nk, None)
                all_by_nk[nk] = [placeholder]
                lookup[i] = placeholder
    values = lookup[pair_codes] if len(pair_codes) else np.array([], dtype=float)
    ambiguous_mask = values == _AMBIGUOUS
    values[ambiguous_mask] = np.nan
    ids = pd.Series(values, index=index).astype("Int64")
    return _People(table, ids, new, index[ambiguous_mask])


def _finalise_people(
    ctx: _Ctx, people: _People, keep_rows: pd.Index, entity: str, list_created: bool
) -> pd.Series:
    """Create the records still needed by the rows kept and return the final ids per row."""
    ids = _kept(people.ids, keep_rows)
    needed = sorted((int(i) for i in pd.unique(ids[ids < 0].dropna())), reverse=True)
    fresh = _new_ids(ctx.con, people.table, len(needed))
    remap = dict(zip(needed, fresh))
    if needed:
        id_col = _SEQUENCES[people.table][1]
        frame = pd.DataFrame(
            {
                id_col: fresh,
                "name": [people.new[p][0] for p in needed],
                "name_key": [people.new[p][1] for p in needed],
                "code": [people.new[p][2] for p in needed],
                "_new": True,
            }
        )
        _upsert(ctx, entity, frame, ["name", "name_key", "code"])
        if list_created:
            ctx.created[people.table].extend(frame["name"].tolist())
    return _remap(ids, remap)


def _remap(ids: pd.Series, remap: dict[int, int]) -> pd.Series:
    """Placeholder ids (negative: -1, -2, ...) replaced by real ones; Int64, NA for no reference."""
    values = ids.to_numpy(dtype="float64", na_value=np.nan).copy()
    if remap:
        table = np.full(max(-k for k in remap) + 1, np.nan)
        for placeholder, real in remap.items():
            table[-placeholder] = real
        negative = values < 0
        values[negative] = table[(-values[negative]).astype("int64")]
    return pd.Series(values, index=ids.index).astype("Int64")


def _ambiguity(ctx: _Ctx, people: _People, frame: pd.DataFrame, name_field: str) -> None:
    if len(people.ambiguous):
        for row in people.ambiguous:
            ctx.errors.append(
                RowError(
                    int(row),
                    ctx.col_of.get(name_field, ""),
                    "import.ambiguous_name",
                    {"name": frame.at[row, name_field]},
                )
            )


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame else None


# ----------------------------------------------------------------------------------------
# Kinds


def _plan_people(
    ctx: _Ctx, rows: pd.DataFrame, table: str, name_field: str, code_field: str | None
) -> _People | None:
    if name_field not in rows and (code_field is None or code_field not in rows):
        return None
    people = _resolve(
        ctx.con, table, _col(rows, name_field), _col(rows, code_field) if code_field else None, rows.index
    )
    _ambiguity(ctx, people, rows, name_field)
    return people


def _date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date.astype(object).where(series.notna(), None)


def _apply_reps(ctx: _Ctx, rows: pd.DataFrame) -> pd.Series:
    people = _plan_people(ctx, rows, "reps", "rep", "rep_code")
    _same_record(ctx, people.ids, "rep")
    keep = _keep(ctx, rows)
    rows = _kept(rows, keep)
    ids = _kept(people.ids, keep)
    needed = sorted((int(i) for i in pd.unique(ids[ids < 0].dropna())), reverse=True)
    remap = dict(zip(needed, _new_ids(ctx.con, "reps", len(needed))))
    frame = pd.DataFrame(
        {
            "rep_id": _remap(ids, remap).astype("int64"),
            "name": rows["rep"],
            "name_key": rows["rep"].map(name_key),
        },
        index=rows.index,
    )
    frame["_new"] = (ids < 0).to_numpy(dtype=bool)
    set_cols = ["name", "name_key"]
    for f, c in (
        ("rep_code", "code"),
        ("team", "team"),
        ("region", "region"),
        ("role", "role"),
        ("manager", "manager"),
    ):
        if f in rows:
            frame[c] = rows[f]
            set_cols.append(c)
    return _upsert(
        ctx, "rep", frame, set_cols, keep_if_null=("code", "role"), defaults={"role": "sales_engineer"}
    )


def _apply_clients(ctx: _Ctx, rows: pd.DataFrame) -> pd.Series:
    people = _plan_people(ctx, rows, "clients", "client", "client_code")
    owners = _plan_people(ctx, rows, "reps", "owner", None) if "owner" in rows else None
    _same_record(ctx, people.ids, "client")
    keep = _keep(ctx, rows)
    rows = _kept(rows, keep)
    ids = _kept(people.ids, keep)
    owner_ids = _finalise_people(ctx, owners, keep, "rep", True) if owners else None
    needed = sorted((int(i) for i in pd.unique(ids[ids < 0].dropna())), reverse=True)
    remap = dict(zip(needed, _new_ids(ctx.con, "clients", len(needed))))
    frame = pd.DataFrame(
        {
            "client_id": _remap(ids, remap).astype("int64"),
            "name": rows["client"],
            "name_key": rows["client"].map(name_key),
        },
        index=rows.index,
    )
    frame["_new"] = (ids < 0).to_numpy(dtype=bool)
    set_cols = ["name", "name_key"]
    for f, c in (
        ("client_code", "code"),
        ("client_type", "client_type"),
        ("key_account", "key_account"),
        ("relationship_level", "relationship_level"),
        ("region", "region"),
    ):
        if f in rows:
            frame[c] = rows[f]
            set_cols.append(c)
    if owner_ids is not None:
        frame["owner_rep_id"] = owner_ids.astype(object)
        set_cols.append("owner_rep_id")
    return _upsert(
        ctx,
        "client",
        frame,
        set_cols,
        keep_if_null=("code", "client_type", "key_account"),
        defaults={"client_type": "other", "key_account": False},
    )


def _same_record(ctx: _Ctx, keys: pd.Series, field_name: str) -> None:
    """Rows of one file that turn out to name the same record (a code in one row, the name in
    another) cannot both be applied: each is refused, naming the other."""
    keys = keys.dropna()
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return
    column = ctx.col_of.get(field_name, "")
    for _key, rows in keys[dup].groupby(keys[dup], sort=False).groups.items():
        rows = [int(r) for r in rows]
        for row in rows:
            other = rows[1] if row == rows[0] else rows[0]
            ctx.errors.append(RowError(row, column, "import.same_record", {"other": other}))


def _kept(data: pd.DataFrame | pd.Series, keep: pd.Index) -> pd.DataFrame | pd.Series:
    """`data` restricted to the rows `keep` (a subset of its index, in order): the same object
    when every row is kept, so that a million-row file is not copied for nothing."""
    return data if len(keep) == len(data) else data.loc[keep]


def _keep(ctx: _Ctx, rows: pd.DataFrame) -> pd.Index:
    """The rows not refused while matching against the database."""
    bad = {e.row for e in ctx.errors}
    return rows.index[~rows.index.isin(list(bad))]


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


def _apply_opportunities(ctx: _Ctx, rows: pd.DataFrame) -> pd.Series:
    con = ctx.con
    reps = _plan_people(ctx, rows, "reps", "rep", "rep_code")
    clients = _plan_people(ctx, rows, "clients", "client", "client_code")

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

    # Opportunities whose tracked state changes at as_of must not be dated before their last change.
    tracked_change = pd.Series(False, index=rows.index)
    if exists.any():
        old = stored.reindex(frame["opp_id"])
        old.index = frame.index
        for c in TRACKED:
            if c == "rep_id":
                new = reps.ids if reps else None
            elif c == "client_id":
                new = clients.ids if clients else None
            else:
                new = frame[c] if c in frame else None
            if new is None:
                continue
            if c == "status":
                new = new.where(new.notna(), old[c])
            tracked_change |= _differs(old[c], new) & exists
        latest = pd.to_datetime(old["latest"])
        stale = tracked_change & (latest > pd.Timestamp(ctx.as_of)).fillna(False)
        for row in rows.index[stale.to_numpy()]:
            ctx.errors.append(
                RowError(
                    int(row),
                    ctx.col_of.get("opportunity_id", ""),
                    "import.stale_as_of",
                    {
                        "id": frame.at[row, "opp_id"],
                        "latest": latest.at[row].date().isoformat(),
                        "as_of": ctx.as_of.isoformat(),
                    },
                )
            )

    keep = _keep(ctx, rows)
    frame = _kept(frame, keep)
    if reps:
        frame["rep_id"] = _finalise_people(ctx, reps, keep, "rep", True).astype(object)
        set_cols.append("rep_id")
    if clients:
        frame["client_id"] = _finalise_people(ctx, clients, keep, "client", True).astype(object)
        set_cols.append("client_id")
    frame["_new"] = ~frame["opp_id"].isin(stored.index)
    changed_hist = frame.loc[tracked_change.loc[keep].to_numpy() & ~frame["_new"].to_numpy(), ["opp_id"]]

    # History of opportunities that change: the before-state for one that has no history yet,
    # then (after the update) close the current interval and open one from as_of.
    hist = ctx.name("hist")
    con.register(hist, changed_hist.reset_index(drop=True))
    try:
        con.execute(f"CREATE TEMP TABLE {hist}_t AS SELECT DISTINCT opp_id FROM {hist}")
    finally:
        con.unregister(hist)
    hist = f"{hist}_t"
    as_of = ctx.as_of
    hcols = ", ".join(_q(c) for c in TRACKED)
    # 1. no history yet: keep the stored state as an interval up to as_of
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
        f"INSERT INTO opportunity_history (opp_id, valid_from, valid_to, {hcols}, upload_id) "
        f"SELECT opp_id, valid_from, valid_to, {hcols}, ? FROM {hist}_first",
        [ctx.upload_id],
    )
    ctx.record("opportunity_history", "insert", f"SELECT * FROM {hist}_first", [], before=False)
    con.execute(f"DROP TABLE {hist}_first")

    outcome = _upsert(
        ctx, "opportunity", frame, set_cols, keep_if_null=("status",), defaults={"status": "open"}
    )

    # 2. the current interval: closed at as_of, or (same day) rewritten in place
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
    # 3. a new interval from as_of (changed) or from the creation date (new opportunities)
    new_name = ctx.name("newopp")
    con.register(new_name, frame.loc[frame["_new"], ["opp_id"]].reset_index(drop=True))
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
        f"INSERT INTO opportunity_history (opp_id, valid_from, {hcols}, upload_id) "
        f"SELECT opp_id, valid_from, {hcols}, ? FROM {opened}",
        [ctx.upload_id],
    )
    ctx.record("opportunity_history", "insert", f"SELECT * FROM {opened}", [], before=False)
    con.execute(f"DROP TABLE {opened}")
    con.execute(f"DROP TABLE {hist}")
    return outcome


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _differs(old: pd.Series, new: pd.Series) -> pd.Series:
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


_VISIT_FIELDS = (
    ("type", "visit_type"),
    ("planned", "planned"),
    ("accompanied_by", "accompanied_by"),
    ("opportunity", "opp_id"),
    ("purpose", "purpose"),
    ("outcome", "outcome"),
    ("notes", "notes"),
)


def _apply_visits(ctx: _Ctx, rows: pd.DataFrame) -> pd.Series:
    con = ctx.con
    reps = _plan_people(ctx, rows, "reps", "rep", "rep_code")
    clients = _plan_people(ctx, rows, "clients", "client", "client_code")
    keep = _keep(ctx, rows)
    rows = _kept(rows, keep)
    frame = pd.DataFrame(
        {
            "visit_date": rows["date"],
            "rep_id": _finalise_people(ctx, reps, keep, "rep", True).astype("Int64"),
            "client_id": _finalise_people(ctx, clients, keep, "client", True).astype("Int64"),
        },
        index=rows.index,
    )
    frame["visit_id"] = rows["visit_id"] if "visit_id" in rows else None
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
    _register(con, inc, frame[["_pos", "visit_id", "visit_date", "rep_id", "client_id", "visit_type"]])
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
    keys[new] = _new_ids(con, "visits", int(new.sum()))
    frame["visit_key"] = keys.astype("int64")
    frame["_new"] = new
    return _upsert(
        ctx, "visit", frame, set_cols, keep_if_null=("visit_id",), defaults={"visit_type": "visit"}
    )


def _apply_targets(ctx: _Ctx, rows: pd.DataFrame) -> pd.Series:
    con = ctx.con
    reps = _plan_people(ctx, rows, "reps", "rep", "rep_code")
    none = pd.Series(None, index=rows.index, dtype=object)
    rep_ids = reps.ids if reps else none
    team = rows["team"] if "team" in rows else none
    region = rows["region"] if "region" in rows else none
    # One record per month of each row's period; the scope is the most specific one given.
    records = []
    for row in rows.index:
        rid = rep_ids.at[row]
        if not _isna(rid):
            scope = ("rep", int(rid))
        elif not _isna(team.at[row]):
            scope = ("team", str(team.at[row]))
        elif not _isna(region.at[row]):
            scope = ("region", str(region.at[row]))
        else:
            continue  # an ambiguous rep: refused already
        months = period_months(rows.at[row, "period"])
        for month, amount in zip(months, split_amount(float(rows.at[row, "amount"]), len(months))):
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
    keep = _keep(ctx, rows)
    frame = frame[frame["_row"].isin(list(keep))].reset_index(drop=True)
    if reps:
        final = _finalise_people(ctx, reps, keep, "rep", True)
        is_rep = frame["scope_kind"] == "rep"
        frame.loc[is_rep, "scope_key"] = final.reindex(frame.loc[is_rep, "_row"]).to_numpy()
    frame["scope_key"] = frame["scope_key"].astype(str)
    if frame.empty:
        return pd.Series([], dtype=object)
    found_name = ctx.name("tk")
    _register(con, found_name, frame[["month", "scope_kind", "scope_key"]])
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
    outcome = _upsert(ctx, "target", frame, ["amount"])
    per_row = pd.DataFrame({"row": frame["_row"].to_numpy(), "o": outcome.to_numpy()})
    rank = {"added": 2, "updated": 1, "unchanged": 0}
    return per_row.groupby("row")["o"].agg(lambda s: max(s, key=rank.get))


_APPLIERS = {
    "reps": _apply_reps,
    "clients": _apply_clients,
    "opportunities": _apply_opportunities,
    "visits": _apply_visits,
    "targets": _apply_targets,
}


# ----------------------------------------------------------------------------------------
# The public operations


def apply(
    con: duckdb.DuckDBPyConnection,
    preview: Preview,
    skip_invalid: bool = False,
    user: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Write a prepared file in one transaction as one upload batch.

    Refused (SalesmgmtError, nothing written) when the file could not be read, or when any row
    is invalid and `skip_invalid` is False. With `skip_invalid`, invalid rows are left out and
    counted as refused. `dry_run` does everything and rolls it back: the counts say what an
    import would do. `progress(fraction, step_key)` is called as the work advances.
    """
    progress = progress or (lambda _fraction, _step: None)
    if preview.file_error is not None:
        raise preview.file_error
    if preview.errors and not skip_invalid:
        raise ImportRefused(preview.file_name, preview.errors)
    rows = preview.valid_rows
    if rows.empty:
        raise ImportRefused(preview.file_name, preview.errors, key="import.nothing_valid")
    kind = preview.kind
    assert kind is not None
    result = ImportResult(upload_id=None, kind=kind, dry_run=dry_run)
    try:
        with db.transaction(con):
            upload_id = _new_ids(con, "uploads", 1)[0]
            con.execute(
                "INSERT INTO uploads (upload_id, file_name, file_hash, kind, encoding, as_of, "
                "rows_total, user_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    upload_id,
                    preview.file_name,
                    preview.file_hash,
                    kind,
                    preview.encoding or (f"xlsx:{preview.sheet}" if preview.sheet else None),
                    preview.as_of,
                    preview.rows_total,
                    user,
                ],
            )
            ctx = _Ctx(con, upload_id, preview.as_of, preview.field_columns)
            progress(0.1, "import.step_writing")
            outcome = _APPLIERS[kind](ctx, rows)
            progress(0.9, "import.step_saving")
            if ctx.errors and not skip_invalid:
                raise ImportRefused(preview.file_name, ctx.errors)
            if outcome.empty:
                raise ImportRefused(
                    preview.file_name, [*preview.errors, *ctx.errors], key="import.nothing_valid"
                )
            counts = outcome.value_counts()
            result.upload_id = upload_id
            result.added = int(counts.get("added", 0))
            result.updated = int(counts.get("updated", 0))
            result.unchanged = int(counts.get("unchanged", 0)) + len(preview.repeats)
            refused_rows = preview.error_rows | {e.row for e in ctx.errors}
            result.refused = len(refused_rows)
            result.created_reps = ctx.created["reps"]
            result.created_clients = ctx.created["clients"]
            result.errors = ctx.errors
            con.execute(
                "UPDATE uploads SET rows_added = ?, rows_updated = ?, rows_unchanged = ?, "
                "rows_refused = ?, created_reps = ?, created_clients = ? WHERE upload_id = ?",
                [
                    result.added,
                    result.updated,
                    result.unchanged,
                    result.refused,
                    len(result.created_reps),
                    len(result.created_clients),
                    upload_id,
                ],
            )
            if preview.user_mapping:
                remember_mapping(con, preview.signature, preview.user_mapping, kind, user)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.upload_id = None
    progress(1.0, "import.step_done")
    return result


def remember_mapping(
    con: duckdb.DuckDBPyConnection,
    signature: str,
    mapping: dict[str, str | None],
    kind: str | None = None,
    user: str | None = None,
) -> None:
    """Keep a user's column mapping for files with the same headers."""
    con.execute(
        "INSERT OR REPLACE INTO import_mappings (signature, kind, mapping_json, saved_at, saved_by) "
        "VALUES (?, ?, ?, current_localtimestamp(), ?)",
        [signature, kind, json.dumps(mapping, ensure_ascii=False, sort_keys=True), user],
    )


def remembered_mapping(con: duckdb.DuckDBPyConnection, signature: str) -> dict[str, str | None] | None:
    """The mapping last used for files with these headers (see `headers_signature`), or None."""
    row = con.execute("SELECT mapping_json FROM import_mappings WHERE signature = ?", [signature]).fetchone()
    return json.loads(row[0]) if row else None


_LATER_SQL = """
SELECT DISTINCT c2.upload_id
FROM upload_changes c1
JOIN upload_changes c2 ON c2.entity = c1.entity AND c2.entity_key = c1.entity_key
                      AND c2.upload_id > c1.upload_id
JOIN uploads u ON u.upload_id = c2.upload_id AND u.undone_at IS NULL
WHERE c1.upload_id = ?
ORDER BY 1
"""

LIST_UPLOADS_SQL = """
WITH blocked AS (
    SELECT c1.upload_id, list(DISTINCT c2.upload_id ORDER BY c2.upload_id) AS blocked_by
    FROM upload_changes c1
    JOIN upload_changes c2 ON c2.entity = c1.entity AND c2.entity_key = c1.entity_key
                          AND c2.upload_id > c1.upload_id
    JOIN uploads u2 ON u2.upload_id = c2.upload_id AND u2.undone_at IS NULL
    GROUP BY c1.upload_id
)
SELECT u.upload_id, u.created_at, u.file_name, u.file_hash, u.kind, u.as_of, u.encoding,
       u.rows_total, u.rows_added, u.rows_updated, u.rows_unchanged, u.rows_refused,
       u.created_reps, u.created_clients, u.user_name, u.undone_at, u.undone_by,
       CASE WHEN u.undone_at IS NULL THEN coalesce(b.blocked_by, []) ELSE [] END AS blocked_by,
       u.undone_at IS NULL AND b.blocked_by IS NULL AS can_undo
FROM uploads u LEFT JOIN blocked b ON b.upload_id = u.upload_id
ORDER BY u.upload_id DESC
"""


def list_uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload batch, newest first, with its counts, who and when, whether it was undone,
    and `blocked_by`: later batches that changed the same rows (undo those first)."""
    return con.execute(LIST_UPLOADS_SQL).df()


def _referencing_columns(con: duckdb.DuckDBPyConnection, entity: str) -> list[tuple[str, str]]:
    """(table, column) pairs that hold a rep's or a client's id, found in the schema itself so
    that tables added later (reviews, users...) are covered: columns named rep_id, client_id or
    ending in _rep_id, _client_id, outside the entity's own table."""
    own_table, (key,) = ENTITIES[entity]
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE (column_name = ? OR suffix(column_name, ?)) AND table_name <> ? "
        "ORDER BY table_name, column_name",
        [key, "_" + key, own_table],
    ).fetchall()
    return [(t, c) for t, c in rows if not t.startswith("_imp_")]


def undo(con: duckdb.DuckDBPyConnection, upload_id: int, user: str | None = None) -> None:
    """Restore every row an upload changed to its state before the upload, in one transaction.

    Refused when the batch does not exist, was undone already, when a later batch (not undone)
    changed some of the same rows (undo that one first), or when a rep or client the batch
    created is used by data added since (undo or remove that first).
    """
    row = con.execute("SELECT undone_at FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
    if row is None:
        raise SalesmgmtError("import.undo_unknown", batch=upload_id)
    if row[0] is not None:
        raise SalesmgmtError("import.undo_twice", batch=upload_id, when=str(row[0])[:19])
    later = [r[0] for r in con.execute(_LATER_SQL, [upload_id]).fetchall()]
    if later:
        raise SalesmgmtError("import.undo_later", batch=upload_id, later=", ".join(str(x) for x in later))
    with db.transaction(con):
        changes = "_imp_undo_changes"
        con.execute(
            f"CREATE TEMP TABLE {changes} AS SELECT * FROM upload_changes "
            f"WHERE upload_id = ? QUALIFY row_number() OVER "
            f"(PARTITION BY entity, entity_key ORDER BY seq) = 1",
            [upload_id],
        )
        try:
            for entity in UNDO_ORDER:
                table, keys = ENTITIES[entity]
                types = _columns(con, table)
                key_exprs = ", ".join(_key_from_change(entity, types))
                on = " AND ".join(f"{_q(table)}.{_q(k)} = s.{_q(k)}" for k in keys)
                con.execute(
                    f"DELETE FROM {_q(table)} USING (SELECT {key_exprs} FROM {changes} c "
                    f"WHERE c.entity = ? AND c.action = 'insert') s WHERE {on}",
                    [entity],
                )
                sets = ", ".join(
                    f"{_q(c)} = CAST(json_extract_string(s.before_json, '$.\"{c}\"') AS {dtype})"
                    for c, dtype in types.items()
                    if c not in keys
                )
                con.execute(
                    f"UPDATE {_q(table)} SET {sets} FROM (SELECT {key_exprs}, c.before_json "
                    f"FROM {changes} c WHERE c.entity = ? AND c.action = 'update') s WHERE {on}",
                    [entity],
                )
            _check_dangling(con, changes, upload_id)
        finally:
            _drop(con, changes)
        con.execute(
            "UPDATE uploads SET undone_at = current_localtimestamp(), undone_by = ? WHERE upload_id = ?",
            [user, upload_id],
        )


def _check_dangling(con: duckdb.DuckDBPyConnection, changes: str, upload_id: int) -> None:
    """Refuse (inside the undo's transaction) when a rep or client the batch created, now
    deleted, is still named by other rows: they would point nowhere."""
    for entity in ("rep", "client"):
        removed = (
            f"SELECT CAST(entity_key AS INTEGER) FROM {changes} "
            f"WHERE entity = '{entity}' AND action = 'insert'"
        )
        if not con.execute(f"SELECT count(*) FROM ({removed})").fetchone()[0]:
            continue
        checks = [(t, f"{_q(c)} IN ({removed})") for t, c in _referencing_columns(con, entity)]
        if entity == "rep":
            checks.append(
                ("targets", f"scope_kind = 'rep' AND TRY_CAST(scope_key AS INTEGER) IN ({removed})")
            )
        users: list[str] = []
        batches: set[int] = set()
        for ref_table, condition in checks:
            has_upload = "upload_id" in _columns(con, ref_table)
            sel = "count(*)" + (", list(DISTINCT upload_id)" if has_upload else "")
            found = con.execute(f"SELECT {sel} FROM {_q(ref_table)} WHERE {condition}").fetchone()
            if found[0]:
                users.append(f"{ref_table} ({found[0]})")
                if has_upload:
                    batches.update(b for b in (found[1] or []) if b is not None)
        if users:
            raise SalesmgmtError(
                f"import.undo_{entity}_in_use",
                batch=upload_id,
                users=", ".join(users),
                batches=", ".join(str(b) for b in sorted(batches)) or "–",
            )
