"""Writing a file a command produces (a scorecard, a meeting pack, an import's errors, a backup's
manifest): never onto the data it came from, never over an existing file unless asked, and whole
or not at all.

- Refused even when asked to replace: the database, its WAL, its key file, any DuckDB file (a
  database or a backup of one) and a backup's manifest. Paths are compared after resolving
  symbolic links and relative parts, so another name for the database is the database.
- An existing file is replaced only with `force` (the command line's `--force`).
- The folder must exist: a mistyped path is reported, not created.
- The bytes go to a temporary file beside the target (mode 0600: what the commands write is the
  company's data), renamed over the target only when complete; an error or an interrupt leaves
  the target as it was and no temporary file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from salesmgmt.errors import SalesmgmtError

#: DuckDB files carry this at byte 8 (after the header's checksum).
DUCKDB_MAGIC = b"DUCK"


def is_duckdb_file(path: Path) -> bool:
    """True when `path` is a DuckDB file (a database or a backup); False for any other file."""
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def _is_manifest(path: Path) -> bool:
    """A backup's manifest: JSON beside a DuckDB file of the same name, with its checksum."""
    if not is_duckdb_file(path.with_suffix(".duckdb")):
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "sha256" in data


def _same(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def protected(path: Path, database: Path) -> bool:
    """True when writing `path` would destroy data: the database, its WAL or key file, another
    database or backup, or a backup's manifest."""
    from salesmgmt import keys

    guarded = [database, Path(str(database) + ".wal"), keys.key_file(database)]
    if any(_same(path, g) for g in guarded):
        return True
    if is_duckdb_file(path) or _is_manifest(path):
        return True
    name = path.name
    if name.endswith(".wal") and is_duckdb_file(path.with_name(name[: -len(".wal")])):
        return True
    return path.suffix == ".key" and is_duckdb_file(path.with_suffix(".duckdb"))


def check_output(path: Path, database: Path, force: bool = False) -> Path:
    """`path` if a command may write it; else a SalesmgmtError naming what to change."""
    if protected(path, database):
        raise SalesmgmtError("output.protected", path=str(path))
    if path.is_dir():
        raise SalesmgmtError("output.is_directory", path=str(path))
    if not path.parent.is_dir():
        raise SalesmgmtError("output.no_folder", path=str(path), folder=str(path.parent))
    if (path.exists() or path.is_symlink()) and not force:
        raise SalesmgmtError("output.exists", path=str(path))
    return path


@contextmanager
def output_file(path: Path, database: Path, force: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write `path` through (checked by `check_output`), renamed into place on
    success; on any error the target is untouched and the temporary file removed."""
    check_output(path, database, force)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise SalesmgmtError("output.cannot_write", path=str(path), detail=exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # Checked again at the last moment: the database may have been created meanwhile.
        check_output(path, database, force)
        os.replace(tmp, path)
    except OSError as exc:
        raise SalesmgmtError("output.cannot_write", path=str(path), detail=exc.strerror or str(exc)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_file(data: bytes, path: Path, database: Path, force: bool = False) -> None:
    """`data` into `path` through `output_file`."""
    with output_file(path, database, force) as f:
        f.write(data)
