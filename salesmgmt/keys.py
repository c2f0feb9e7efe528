"""The installation's secret key, kept OUTSIDE the database: a database file or a backup of it
carries nothing that can sign a session or a backup manifest.

Where it lives, first found wins:
- `SALESMGMT_SECRET`: the key itself (at least 32 characters), for deployments that keep secrets
  in the environment (it cannot be rotated by the command line: change the variable);
- `SALESMGMT_KEY_FILE`: a key file's path;
- else the file beside the database, `<database>.key` (`data/salesmgmt.key` by default), created
  on first use with mode 0600.

A key file holds one hex key per line, the current one first. `rotate` puts a new key first and
keeps the previous ones (up to KEPT) so that backups signed before a rotation can still be
verified; anything that must end on rotation (sessions) uses the current key only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

from salesmgmt.errors import SalesmgmtError

ENV_SECRET = "SALESMGMT_SECRET"
ENV_KEY_FILE = "SALESMGMT_KEY_FILE"
#: Keys kept after a rotation (the current one included), to verify older backups.
KEPT = 5
MIN_SECRET_CHARS = 32


def key_file(database: Path) -> Path:
    """The key file used for `database` (whether or not it exists yet)."""
    named = os.environ.get(ENV_KEY_FILE)
    return Path(named) if named else database.with_suffix(".key")


def database_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The file of the connection's database (the key lives beside it)."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or not row[0]:
        raise SalesmgmtError("keys.no_file")
    return Path(str(row[0]))


def _write(path: Path, keys: list[str]) -> None:
    """Write the key file atomically with mode 0600 (never readable by others, even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(keys) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read(path: Path) -> list[str]:
    try:
        lines = path.read_text().split()
    except FileNotFoundError:
        return []
    return [line for line in lines if len(line) == 64 and all(c in "0123456789abcdef" for c in line)]


def keys(database: Path) -> list[bytes]:
    """Every key, the current one first (created on first use)."""
    env = os.environ.get(ENV_SECRET)
    if env:
        if len(env) < MIN_SECRET_CHARS:
            raise SalesmgmtError("keys.env_too_short", name=ENV_SECRET, n=MIN_SECRET_CHARS)
        return [env.encode("utf-8")]
    path = key_file(database)
    found = _read(path)
    if not found:
        if path.exists():
            raise SalesmgmtError("keys.damaged", path=str(path))
        _write(path, [secrets.token_hex(32)])
        found = _read(path)
    return [bytes.fromhex(k) for k in found]


def current(database: Path) -> bytes:
    return keys(database)[0]


def rotate(database: Path) -> Path:
    """A new current key; the previous ones stay (up to KEPT) for verifying older backups.
    Everything signed with the old current key for sessions stops working."""
    if os.environ.get(ENV_SECRET):
        raise SalesmgmtError("keys.rotate_env", name=ENV_SECRET)
    path = key_file(database)
    old = _read(path)
    _write(path, [secrets.token_hex(32), *old][:KEPT])
    return path


def sign(data: bytes, database: Path) -> str:
    """An HMAC-SHA256 of `data` with the current key, as hex."""
    return hmac.new(current(database), data, hashlib.sha256).hexdigest()


def verify(data: bytes, signature: str, database: Path) -> bool:
    """True when `signature` is `data`'s HMAC under any kept key."""
    return any(
        hmac.compare_digest(hmac.new(k, data, hashlib.sha256).hexdigest(), signature or "")
        for k in keys(database)
    )
