"""Undo of an upload batch: every row it changed put back as it was, in one transaction.

The audit (`upload_changes`, written by `upsert.Batch.record`) holds, for every row the batch
inserted, its key, and for every row it updated, its key and its whole previous state as JSON.
Undo deletes the inserted rows and puts the previous states back. See docs/importing.md for the
rules of undo.
"""

from __future__ import annotations

import contextlib

import duckdb

from salesmgmt import db
from salesmgmt.db import quote_ident as _q
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.importer.scope import unrestricted
from salesmgmt.importer.uploads import batches_in_scope
from salesmgmt.importer.upsert import ENTITIES, table_columns

#: Undo works through the entities in this order: facts before the reps and clients they name.
UNDO_ORDER = ("checkin", "opportunity_history", "opportunity", "visit", "target", "client", "rep")


_LATER_SQL = """
SELECT DISTINCT c2.upload_id
FROM upload_changes c1
JOIN upload_changes c2 ON c2.entity = c1.entity AND c2.entity_key = c1.entity_key
                      AND c2.upload_id > c1.upload_id
JOIN uploads u ON u.upload_id = c2.upload_id AND u.undone_at IS NULL
WHERE c1.upload_id = ?
ORDER BY 1
"""


def _key_from_change(entity: str, types: dict[str, str], alias: str = "c") -> list[str]:
    """SQL expressions giving back each key column from upload_changes.entity_key."""
    _table, keys = ENTITIES[entity]
    if len(keys) == 1:
        return [f"CAST({alias}.entity_key AS {types[keys[0]]}) AS {_q(keys[0])}"]
    return [f"CAST(json_extract_string({alias}.entity_key, '$.{k}') AS {types[k]}) AS {_q(k)}" for k in keys]


def _drop(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop a work table; quietly when the transaction has failed (a rollback drops it anyway)."""
    with contextlib.suppress(duckdb.Error):
        con.execute(f"DROP TABLE IF EXISTS {table}")


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


def undo(
    con: duckdb.DuckDBPyConnection, upload_id: int, user: str | None = None, scope: Filters | None = None
) -> None:
    """Restore every row an upload changed to its state before the upload, in one transaction.

    Refused when the batch does not exist, was undone already, when a later batch (not undone)
    changed some of the same rows (undo that one first), or when a rep or client the batch
    created is used by data added since (undo or remove that first). With a manager's `scope`,
    refused too when the batch changed any row outside it (see `uploads.batches_in_scope`;
    `user`: who undoes it, recorded).
    """
    row = con.execute("SELECT undone_at FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
    if row is None:
        raise SalesmgmtError("import.undo_unknown", batch=upload_id)
    if (
        scope is not None
        and not unrestricted(scope)
        and upload_id not in batches_in_scope(con, scope, user, upload_id)
    ):
        raise SalesmgmtError("import.undo_not_yours", batch=upload_id)
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
                types = table_columns(con, table)
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
        if not db.scalar(con, f"SELECT count(*) FROM ({removed})"):
            continue
        checks = [(t, f"{_q(c)} IN ({removed})") for t, c in _referencing_columns(con, entity)]
        if entity == "rep":
            checks.append(
                ("targets", f"scope_kind = 'rep' AND TRY_CAST(scope_key AS INTEGER) IN ({removed})")
            )
        users: list[str] = []
        batches: set[int] = set()
        for ref_table, condition in checks:
            has_upload = "upload_id" in table_columns(con, ref_table)
            sel = "count(*)" + (", list(DISTINCT upload_id)" if has_upload else "")
            found = con.execute(f"SELECT {sel} FROM {_q(ref_table)} WHERE {condition}").fetchone()
            assert found is not None  # an aggregate: always one row
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
