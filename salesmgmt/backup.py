"""Backup and restore of the database, safe while the dashboard and imports run.

A backup holds the database's write lock (through `db.connect`, which waits while an import or
a page's query holds it) for as long as it takes to checkpoint and copy the file: nobody can
write meanwhile, so the copy is one consistent state, and the app's pages simply wait a moment.
Next to each copy a manifest records when it was taken, the schema version, the row counts and
the SHA-256 of the copy, which `restore` checks.

A restore writes the backup's rows back into the live database in one transaction (all tables,
then the sequences moved past the restored ids), so the app keeps working and an interrupted
restore leaves the database as it was. Only when the database file does not exist (lost, or
moved aside because it was damaged) is the backup copied into place as a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError

MANIFEST_SUFFIX = ".json"
BACKUP_SUFFIX = ".duckdb"
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
    prefix = f"{catalog}." if catalog else ""
    return {t: int(db.scalar(con, f'SELECT count(*) FROM {prefix}"{t}"')) for t in _tables(con, catalog)}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(
    out_dir: str | os.PathLike[str], path: str | os.PathLike[str] | None = None, now: datetime | None = None
) -> Backup:
    """Copy the database into `out_dir` as salesmgmt-YYYYMMDD-HHMMSS.duckdb plus its manifest."""
    source = db.resolve_db_path(path)
    if not source.exists():
        raise SalesmgmtError("error.no_database", path=str(source))
    out = Path(out_dir)
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
            shutil.copyfile(source, partial)
        _fsync(partial)
        with duckdb.connect(str(partial), read_only=True) as copy:
            if _counts(copy) != counts:  # pragma: no cover - a copy that lost rows
                raise SalesmgmtError("backup.verify_failed", path=str(target))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    result = Backup(
        target, str(source), stamp.isoformat(), version, counts, _sha256(target), target.stat().st_size
    )
    manifest = {k: v for k, v in asdict(result).items() if k != "path"}
    manifest["file"] = target.name
    result.manifest_path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return result


def read_backup(path: str | os.PathLike[str], verify: bool = True) -> Backup:
    """A backup file and its manifest; with `verify`, its checksum is checked."""
    file = Path(path)
    if not file.is_file():
        raise SalesmgmtError("backup.missing", path=str(file))
    manifest_path = file.with_suffix(MANIFEST_SUFFIX)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SalesmgmtError("backup.no_manifest", path=str(manifest_path)) from None
    except (OSError, ValueError) as exc:
        raise SalesmgmtError("backup.bad_manifest", path=str(manifest_path), detail=str(exc)) from None
    if verify and _sha256(file) != manifest.get("sha256"):
        raise SalesmgmtError("backup.checksum", path=str(file))
    return Backup(
        file,
        manifest.get("source", ""),
        manifest.get("created_at", ""),
        int(manifest.get("schema_version", 0)),
        dict(manifest.get("counts", {})),
        manifest.get("sha256", ""),
        int(manifest.get("bytes", 0)),
    )


def list_backups(out_dir: str | os.PathLike[str]) -> list[Backup]:
    """The backups in a directory, oldest first (unverified)."""
    found = []
    for file in sorted(Path(out_dir).glob(f"salesmgmt-*{BACKUP_SUFFIX}")):
        try:
            found.append(read_backup(file, verify=False))
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


def restore(
    backup_path: str | os.PathLike[str], path: str | os.PathLike[str] | None = None, user: str | None = None
) -> Backup:
    """Put the database back as it was when `backup_path` was taken; returns that backup."""
    info = read_backup(backup_path)
    if info.schema_version > db.SCHEMA_VERSION:
        raise SalesmgmtError("error.db_newer", found=info.schema_version, supported=db.SCHEMA_VERSION)
    target = db.resolve_db_path(path)
    with tempfile.TemporaryDirectory(prefix="salesmgmt-restore-") as tmp:
        # Work on a copy: the backup itself is never opened for writing, and a backup of an
        # older schema is migrated here first.
        work = Path(tmp) / "backup.duckdb"
        shutil.copyfile(info.path, work)
        with db.connect(work):
            pass
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".restoring")
            shutil.copyfile(work, partial)
            _fsync(partial)
            os.replace(partial, target)
        else:
            _restore_into(target, work, info, user)
    return info


def _restore_into(target: Path, work: Path, info: Backup, user: str | None) -> None:
    with db.connect(target) as con:
        # A path of our own temporary directory (ATTACH takes no bound parameter).
        con.execute("ATTACH '" + str(work).replace("'", "''") + "' AS restore_src (READ_ONLY)")
        try:
            catalog = str(db.scalar(con, "SELECT current_database()"))
            mine = _tables(con, catalog)
            theirs = set(_tables(con, "restore_src"))
            with db.transaction(con):
                for table in mine:
                    con.execute(f'DELETE FROM "{table}"')
                    if table not in theirs:
                        continue
                    columns = [
                        r[0]
                        for r in con.execute(
                            "SELECT column_name FROM information_schema.columns "
                            "WHERE table_catalog = 'restore_src' AND table_schema = 'main' "
                            "AND table_name = ? ORDER BY ordinal_position",
                            [table],
                        ).fetchall()
                    ]
                    names = ", ".join(f'"{c}"' for c in columns if _NAME.match(c))
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
        finally:
            con.execute("DETACH restore_src")
