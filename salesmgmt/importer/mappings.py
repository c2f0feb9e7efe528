"""Column mappings remembered per set of headers: a file with the same headers as one mapped by
hand before is read the same way (see `headers.headers_signature`)."""

from __future__ import annotations

import json

import duckdb


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
