"""Column mappings remembered per user and set of headers: a file with the same headers as one
the same user mapped by hand before is read the same way (see `headers.headers_signature`). A
mapping is the user's own: a manager's choice is never applied to the director's file."""

from __future__ import annotations

import json

import duckdb


def _owner(user: str | None) -> str:
    """Who a mapping belongs to: the username, or '' while the app runs without users."""
    return (user or "").strip().lower()


def remember_mapping(
    con: duckdb.DuckDBPyConnection,
    signature: str,
    mapping: dict[str, str | None],
    kind: str | None = None,
    user: str | None = None,
) -> None:
    """Keep `user`'s column mapping for files with the same headers."""
    con.execute(
        "INSERT OR REPLACE INTO import_mappings (signature, username, kind, mapping_json, saved_at) "
        "VALUES (?, ?, ?, ?, current_localtimestamp())",
        [signature, _owner(user), kind, json.dumps(mapping, ensure_ascii=False, sort_keys=True)],
    )


def remembered_mapping(
    con: duckdb.DuckDBPyConnection, signature: str, user: str | None = None
) -> dict[str, str | None] | None:
    """The mapping `user` last used for files with these headers (see `headers_signature`), or
    None: another user's mapping is never returned."""
    row = con.execute(
        "SELECT mapping_json FROM import_mappings WHERE signature = ? AND username = ?",
        [signature, _owner(user)],
    ).fetchone()
    return json.loads(row[0]) if row else None
