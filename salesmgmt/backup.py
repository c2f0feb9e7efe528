"""Backup and restore of the database, safe while the dashboard and imports run.

A backup holds the database's write lock (through `db.connect`, which waits while an import or
a page's query holds it) for as long as it takes to checkpoint and copy the file: nobody can
write meanwhile, so the copy is one consistent state, and the app's pages simply wait a moment.
Next to each copy a manifest records when it was taken, the schema version, the row counts and
the SHA-256 of the copy, and is signed with the installation's key (salesmgmt.keys: the key is
not in the database, so not in the backup). Copies and manifests are the owner's only (0600).

`restore` takes only a backup whose manifest's signature verifies with this installation's key
and whose file matches the manifest's checksum: a database from elsewhere with a hand-made
manifest is refused. `preview_restore` says what a restore would change. A restore writes the
backup's rows back into the live database in one transaction (the sequences moved past the
restored ids), so the app keeps working and an interrupted restore leaves the database as it
was. What decides who can sign in is not taken back in time:
- users: the current users stay exactly as they are (password hashes, active flags, roles,
  scopes); users only in the backup are added. So a restore never re-enables a disabled user,
  never brings back an old password and never removes a user (the app cannot end up open);
- sessions: the current ones stay; the backup's are never brought back (a revoked session
  stays revoked);
- audit_log is append-only: every row stays, the backup's rows missing now are added, and the
  restore itself is recorded.
Only when the database file does not exist (lost, or moved aside because it was damaged) is the
backup copied into place as a file, without its sessions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from salesmgmt import db, keys
from salesmgmt.errors import SalesmgmtError
from salesmgmt.outputs import is_duckdb_file, write_file

MANIFEST_SUFFIX = ".json"
BACKUP_SUFFIX = ".duckdb"
#: Tables a restore leaves as they are now (who is signed in is never taken back in time).
KEPT_TABLES = ("sessions",)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Backup:
    """One backup: the copy, and what its manifest says about it."""

    path: Path
    source: str
    created_at: str
    """Local time the copy was taken (ISO 8601, seconds)."""
    schema_version: int
    counts: dict[str, int]
    """Rows per table at the time of the copy."""
    sha256: str
    bytes: int

    @property
    def manifest_path(self) -> Path:
        return self.path.with_suffix(MANIFEST_SUFFIX)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """Base tables of the main schema of `catalog` (the connection's own database by default)."""
    sql = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
    )
    params: list[str] = []
    if catalog is not None:
        sql += " AND table_catalog = ?"
        params.append(catalog)
    names = [r[0] for r in con.execute(sql + " ORDER BY table_name", params).fetchall()]
    for name in names:
        if not _NAME.match(name):
            raise SalesmgmtError("backup.unexpected_name", name=name)
    return names


def _counts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, int]:
    # A catalog is named after its file, so it is quoted whatever the file's name.
    prefix = '"' + catalog.replace('"', '""') + '".' if catalog else ""
    return {t: int(db.scalar(con, f'SELECT count(*) FROM {prefix}"{t}"')) for t in _tables(con, catalog)}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _canonical(manifest: dict[str, object]) -> bytes:
    """The bytes a manifest's signature covers: every field but the signature, in a fixed form."""
    fields = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _private_copy(source: Path, target: Path) -> None:
    """Copy `source` into a new file `target` created with mode 0600, and flush it to disk."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def backup(
    out_dir: str | os.PathLike[str], path: str | os.PathLike[str] | None = None, now: datetime | None = None
) -> Backup:
    """Copy the database into `out_dir` as salesmgmt-YYYYMMDD-HHMMSS.duckdb plus its signed manifest."""
    source = db.resolve_db_path(path)
    if not source.exists():
        raise SalesmgmtError("error.no_database", path=str(source))
    if not is_duckdb_file(source):
        raise SalesmgmtError("error.not_a_database", path=str(source))
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SalesmgmtError("backup.out_not_dir", path=str(out))
    out.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).replace(microsecond=0)
    target = out / f"salesmgmt-{stamp:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
    n = 1
    while target.exists() or target.with_suffix(MANIFEST_SUFFIX).exists():
        n += 1
        target = out / f"salesmgmt-{stamp:%Y%m%d-%H%M%S}-{n}{BACKUP_SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    try:
        with db.connect(source) as con:
            # Everything committed goes into the file; while this connection is open no other
            # process can write, so the bytes copied are one consistent state.
            con.execute("CHECKPOINT")
            counts = _counts(con)
            version = db.schema_version(con)
            _private_copy(source, partial)
        with duckdb.connect(str(partial), read_only=True) as copy:
            if _counts(copy) != counts:  # pragma: no cover - a copy that lost rows
                raise SalesmgmtError("backup.verify_failed", path=str(target))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    result = Backup(
        target, str(source), stamp.isoformat(), version, counts, _sha256(target), target.stat().st_size
    )
    manifest: dict[str, object] = {k: v for k, v in asdict(result).items() if k != "path"}
    manifest["file"] = target.name
    manifest["signature"] = keys.sign(_canonical(manifest), source)
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    write_file(text.encode("utf-8"), result.manifest_path, source)
    return result


def _check_signature(manifest: dict[str, object], manifest_path: Path, database: Path) -> None:
    """Refused unless `manifest` was signed with a key of the installation of `database`."""
    signature = manifest.get("signature")
    if not isinstance(signature, str) or not signature:
        raise SalesmgmtError("backup.unsigned", path=str(manifest_path))
    if not os.environ.get(keys.ENV_SECRET) and not keys.key_file(database).exists():
        # Verifying must not make a new key as a side effect: that key could verify nothing.
        raise SalesmgmtError("backup.no_key", file=str(keys.key_file(database)), name=keys.ENV_KEY_FILE)
    if not keys.verify(_canonical(manifest), signature, database):
        raise SalesmgmtError("backup.signature", path=str(manifest_path))


def read_backup(path: str | os.PathLike[str], database: str | os.PathLike[str] | None = None) -> Backup:
    """A backup file and its manifest. With `database` (the database it would be restored into)
    it is verified: the manifest's signature with that installation's key, then the checksum."""
    file = Path(path)
    if not file.is_file():
        raise SalesmgmtError("backup.missing", path=str(file))
    if not is_duckdb_file(file):
        raise SalesmgmtError("backup.not_a_backup", path=str(file))
    manifest_path = file.with_suffix(MANIFEST_SUFFIX)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SalesmgmtError("backup.no_manifest", path=str(manifest_path)) from None
    except (OSError, ValueError) as exc:
        raise SalesmgmtError("backup.bad_manifest", path=str(manifest_path), detail=str(exc)) from None
    if not isinstance(manifest, dict):
        raise SalesmgmtError("backup.bad_manifest", path=str(manifest_path), detail="not a JSON object")
    if database is not None:
        _check_signature(manifest, manifest_path, db.resolve_db_path(database))
        if _sha256(file) != manifest.get("sha256"):
            raise SalesmgmtError("backup.checksum", path=str(file))
    try:
        return Backup(
            file,
            str(manifest.get("source", "")),
            str(manifest.get("created_at", "")),
            int(manifest.get("schema_version", 0)),
            {str(k): int(v) for k, v in dict(manifest.get("counts", {})).items()},
            str(manifest.get("sha256", "")),
            int(manifest.get("bytes", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise SalesmgmtError("backup.bad_manifest", path=str(manifest_path), detail=str(exc)) from None


def list_backups(out_dir: str | os.PathLike[str]) -> list[Backup]:
    """The backups in a directory, oldest first (unverified)."""
    found = []
    for file in sorted(Path(out_dir).glob(f"salesmgmt-*{BACKUP_SUFFIX}")):
        try:
            found.append(read_backup(file))
        except SalesmgmtError:
            continue
    return found


def _sequence_values(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    rows = con.execute(
        "SELECT sequence_name, coalesce(last_value, start_value - 1) "
        "FROM duckdb_sequences() WHERE database_name = ? AND schema_name = 'main'",
        [catalog],
    ).fetchall()
    return {name: int(value) for name, value in rows if _NAME.match(name)}


@dataclass(frozen=True)
class RestorePreview:
    """What restoring `backup` into `database` changes (shown before --yes)."""

    backup: Backup
    database: Path
    replaces: bool
    """False when the database file does not exist: the backup becomes the database."""
    counts_now: dict[str, int]
    counts_after: dict[str, int]
    batches_removed: list[int]
    """Upload batches in the database now and not in the backup: they go, with their rows."""
    batches_added: list[int]
    users_added: list[str]
    """Users only in the backup: added as they were."""
    users_not_in_backup: list[str]
    """Users only in the database now: kept."""
    users_kept_disabled: list[str]
    """Active in the backup, disabled now: they stay disabled."""
    users_kept_enabled: list[str]
    """Disabled in the backup, active now: they stay active."""
    users_password_kept: list[str]
    """A different password in the backup: the current one stays."""
    audit_added: int
    """Audit rows of the backup missing now (added back; every current row stays)."""


@contextmanager
def _working_copy(info: Backup) -> Iterator[Path]:
    """A migrated copy of the backup in a private temporary folder (the backup itself is never
    opened for writing), without its sessions."""
    with tempfile.TemporaryDirectory(prefix="salesmgmt-restore-") as tmp:
        work = Path(tmp) / "backup.duckdb"
        _private_copy(info.path, work)
        with db.connect(work) as con:
            if "sessions" in _tables(con):
                con.execute("DELETE FROM sessions")
        yield work


@contextmanager
def _attached(target: Path, work: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """The live database with the working copy attached read-only as `restore_src`."""
    with db.connect(target) as con:
        # A path of our own temporary directory (ATTACH takes no bound parameter).
        con.execute("ATTACH '" + str(work).replace("'", "''") + "' AS restore_src (READ_ONLY)")
        try:
            yield con, str(db.scalar(con, "SELECT current_database()"))
        finally:
            con.execute("DETACH restore_src")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str:
    """The quoted column list of `table` in `catalog`, for INSERT ... SELECT."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [catalog, table],
    ).fetchall()
    return ", ".join(f'"{r[0]}"' for r in rows if _NAME.match(r[0]))


#: The backup's audit rows missing from the live database's (the default catalog).
_MISSING_AUDIT = "SELECT {cols} FROM restore_src.audit_log EXCEPT ALL SELECT {cols} FROM audit_log"


def _names(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return sorted(str(r[0]) for r in con.execute(sql).fetchall())


def _preview(con: duckdb.DuckDBPyConnection, catalog: str, info: Backup, target: Path) -> RestorePreview:
    now = _counts(con, catalog)
    theirs = _counts(con, "restore_src")
    # Unqualified names are the live database's (the connection's default catalog).
    users_sql = "SELECT b.username FROM restore_src.users b JOIN users u USING (username) WHERE {cond}"
    added = _names(con, "SELECT username FROM restore_src.users EXCEPT SELECT username FROM users")
    missing = _MISSING_AUDIT.format(cols=_columns(con, catalog, "audit_log"))
    audit_added = int(db.scalar(con, f"SELECT count(*) FROM ({missing})"))
    after = {t: theirs.get(t, 0) for t in now}
    after.update(users=now["users"] + len(added), audit_log=now["audit_log"] + audit_added + 1)
    after.update({t: now[t] for t in KEPT_TABLES if t in now})
    batches = "SELECT upload_id FROM {a}uploads EXCEPT SELECT upload_id FROM {b}uploads ORDER BY 1"
    return RestorePreview(
        backup=info,
        database=target,
        replaces=True,
        counts_now=now,
        counts_after=after,
        batches_removed=[int(r[0]) for r in con.execute(batches.format(a="", b="restore_src.")).fetchall()],
        batches_added=[int(r[0]) for r in con.execute(batches.format(a="restore_src.", b="")).fetchall()],
        users_added=added,
        users_not_in_backup=_names(
            con, "SELECT username FROM users EXCEPT SELECT username FROM restore_src.users"
        ),
        users_kept_disabled=_names(con, users_sql.format(cond="b.active AND NOT u.active")),
        users_kept_enabled=_names(con, users_sql.format(cond="NOT b.active AND u.active")),
        users_password_kept=_names(
            con, users_sql.format(cond="b.password_hash IS DISTINCT FROM u.password_hash")
        ),
        audit_added=audit_added,
    )


def _verified(backup_path: str | os.PathLike[str], target: Path) -> Backup:
    """The backup, once the target is a database (or missing) and the backup is this installation's."""
    if target.exists() and not is_duckdb_file(target):
        raise SalesmgmtError("error.not_a_database", path=str(target))
    info = read_backup(backup_path, target)
    if info.schema_version > db.SCHEMA_VERSION:
        raise SalesmgmtError("error.db_newer", found=info.schema_version, supported=db.SCHEMA_VERSION)
    return info


def preview_restore(
    backup_path: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
) -> RestorePreview:
    """What `restore(backup_path, path)` would change; nothing is written."""
    target = db.resolve_db_path(path)
    info = _verified(backup_path, target)
    if not target.exists():
        empty = dict.fromkeys(info.counts, 0)
        return RestorePreview(info, target, False, empty, dict(info.counts), [], [], [], [], [], [], [], 0)
    with _working_copy(info) as work, _attached(target, work) as (con, catalog):
        return _preview(con, catalog, info, target)


def restore(
    backup_path: str | os.PathLike[str], path: str | os.PathLike[str] | None = None, user: str | None = None
) -> Backup:
    """Put the database's data back as it was when `backup_path` was taken (users, sessions and
    the audit log as the module says); returns that backup."""
    target = db.resolve_db_path(path)
    info = _verified(backup_path, target)
    with _working_copy(info) as work:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".restoring")
            try:
                _private_copy(work, partial)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
        else:
            _restore_into(target, work, info, user)
    return info


def _restore_into(target: Path, work: Path, info: Backup, user: str | None) -> None:
    with _attached(target, work) as (con, catalog):
        mine = _tables(con, catalog)
        theirs = set(_tables(con, "restore_src"))
        with db.transaction(con):
            for table in mine:
                if table in KEPT_TABLES:
                    continue
                names = _columns(con, "restore_src", table) if table in theirs else ""
                if table == "users":
                    if names:  # the current users as they are; the backup's others added
                        con.execute(
                            f"INSERT INTO users ({names}) SELECT {names} FROM restore_src.users "
                            "WHERE username NOT IN (SELECT username FROM users)"
                        )
                    continue
                if table == "audit_log":
                    if names:  # append-only: the backup's rows missing now are added back
                        missing = _MISSING_AUDIT.format(cols=names)
                        con.execute(f"INSERT INTO audit_log ({names}) {missing}")
                    continue
                con.execute(f'DELETE FROM "{table}"')
                if names:
                    con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM restore_src."{table}"')
            # Sequences only move forward: past the backup's ids, never back to reuse them.
            current = _sequence_values(con, catalog)
            for name, value in _sequence_values(con, "restore_src").items():
                if name in current and value > current[name]:
                    db.next_id_above(con, name, value)
            if "audit_log" in mine:
                con.execute(
                    "INSERT INTO audit_log (username, action, detail) VALUES (?, ?, ?)",
                    [user, "restore", f"{info.path.name} ({info.created_at})"],
                )
