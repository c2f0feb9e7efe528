"""Files the commands write (issue 18, findings 4, 7 and the command-line half of 12): an output
never lands on the database, its WAL, its key file or a backup; an existing file is replaced only
with --force, and whole or not at all; the database and its WAL are readable by their owner only;
a path or a file the command cannot use is a clear message (exit 1), never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from salesmgmt import db
from tests.import_fixtures import VISITS, csv_bytes

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def run(*args: str) -> subprocess.CompletedProcess:
    """The real command in a subprocess (what a user runs)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SALESMGMT_SECRET", "SALESMGMT_KEY_FILE")}
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 1 with a message (naming each of `words`) and no traceback."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("Error: "), done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def reps_in(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM reps").fetchone()[0])


@pytest.fixture
def bad_csv(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*VISITS, ["2024-13-45", "王强", "新客户", "拜访", "是", "", ""]]))
    return bad


# --------------------------------------------------------------------------------------
# Finding 4: outputs never overwrite the database, a backup or an existing file


def test_a_dry_run_import_cannot_write_its_errors_onto_the_database(tiny_db, bad_csv):
    before = tiny_db.read_bytes()
    done = run("import", "--dry-run", "--errors", str(tiny_db), "--db", str(tiny_db), str(bad_csv))
    refused(done, str(tiny_db), "database")
    assert tiny_db.read_bytes() == before
    assert reps_in(tiny_db) > 0


def test_no_output_lands_on_the_wal_the_key_file_or_a_backup_even_with_force(tiny_db, tmp_path, bad_csv):
    from salesmgmt import keys

    key = keys.key_file(tiny_db)
    keys.current(tiny_db)  # the key file exists
    backups = tmp_path / "backups"
    assert run("backup", "--out", str(backups), "--db", str(tiny_db)).returncode == 0
    copy = next(backups.glob("*.duckdb"))
    wal = Path(str(tiny_db) + ".wal")
    for target in (key, copy, copy.with_suffix(".json"), wal):
        before = target.read_bytes() if target.exists() else None
        done = run(
            "import", "--dry-run", "--force", "--errors", str(target), "--db", str(tiny_db), str(bad_csv)
        )
        refused(done, str(target))
        assert (target.read_bytes() if target.exists() else None) == before, target
        done = run("scorecard", "--period", "2026-05", "--force", "--out", str(target), "--db", str(tiny_db))
        refused(done, str(target))
    # Another name for the database (a relative path through a symbolic link) is the database too.
    link = tmp_path / "alias.duckdb"
    link.symlink_to(tiny_db)
    refused(run("scorecard", "--period", "2026-05", "--force", "--out", str(link), "--db", str(tiny_db)))
    assert reps_in(tiny_db) > 0


def test_the_scorecard_and_the_pack_replace_an_existing_file_only_with_force(tiny_db, tmp_path):
    out = tmp_path / "scorecard.csv"
    out.write_text("my own notes\n")
    refused(run("scorecard", "--period", "2026-05", "--out", str(out), "--db", str(tiny_db)), "--force")
    assert out.read_text() == "my own notes\n"
    assert (
        run("scorecard", "--period", "2026-05", "--out", str(out), "--force", "--db", str(tiny_db)).returncode
        == 0
    )
    assert out.read_text(encoding="utf-8-sig").startswith("rep,team,region")

    deck = tmp_path / "deck.pptx"
    deck.write_bytes(b"an older deck")
    pack = ("pack", "--period", "2026-05", "--lang", "en", "--out", str(deck), "--db", str(tiny_db))
    refused(run(*pack), "--force")
    assert deck.read_bytes() == b"an older deck"
    assert run(*pack, "--force").returncode == 0
    assert deck.read_bytes()[:2] == b"PK"


def test_the_errors_file_of_an_import_replaces_an_existing_file_only_with_force(tiny_db, tmp_path, bad_csv):
    errors = tmp_path / "errors.csv"
    errors.write_text("last week's errors\n")
    done = run("import", "--errors", str(errors), "--db", str(tiny_db), str(bad_csv))
    refused(done, "--force")
    assert errors.read_text() == "last week's errors\n"
    done = run("import", "--force", "--errors", str(errors), "--db", str(tiny_db), str(bad_csv))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "2024-13-45" in errors.read_text(encoding="utf-8-sig")


def test_an_output_is_written_whole_or_not_at_all(tmp_path):
    from salesmgmt.outputs import output_file

    out = tmp_path / "out.csv"
    out.write_text("before\n")
    with pytest.raises(RuntimeError), output_file(out, database=tmp_path / "x.duckdb", force=True) as f:
        f.write(b"half of it")
        raise RuntimeError("interrupted")
    assert out.read_text() == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"], "no temporary file is left"
    with output_file(out, database=tmp_path / "x.duckdb", force=True) as f:
        f.write(b"after\n")
    assert out.read_text() == "after\n"


# --------------------------------------------------------------------------------------
# Finding 12 (command line): paths and files a command cannot use


def test_an_output_path_that_is_a_folder_or_in_a_missing_folder_is_a_clear_message(tiny_db, tmp_path):
    refused(
        run("scorecard", "--period", "2026-05", "--out", str(tmp_path), "--db", str(tiny_db)), str(tmp_path)
    )
    missing = tmp_path / "nonexistent" / "x.csv"
    refused(
        run("scorecard", "--period", "2026-05", "--out", str(missing), "--db", str(tiny_db)), "nonexistent"
    )
    refused(run("scorecard", "--period", "2026-05", "--out", "/nonexistent/x", "--db", str(tiny_db)))
    refused(
        run(
            "pack", "--period", "2026-05", "--out", str(tmp_path / "nowhere" / "d.pptx"), "--db", str(tiny_db)
        ),
        "nowhere",
    )
    assert not missing.parent.exists() and not Path("/nonexistent").exists()
    file = tmp_path / "a-file"
    file.write_text("x")
    refused(run("backup", "--out", str(file), "--db", str(tiny_db)), str(file))
    assert file.read_text() == "x"


@pytest.mark.parametrize("content", [b"just some text\n", PNG, b""], ids=["text", "png", "empty"])
def test_status_and_restore_on_a_file_that_is_not_a_database_is_a_clear_message(tmp_path, tiny_db, content):
    other = tmp_path / "notes.duckdb"
    other.write_bytes(content)
    refused(run("status", "--db", str(other)), str(other))
    refused(run("restore", str(other), "--db", str(tiny_db)), str(other))
    backups = tmp_path / "backups"
    assert run("backup", "--out", str(backups), "--db", str(tiny_db)).returncode == 0
    copy = next(backups.glob("*.duckdb"))
    refused(run("restore", str(copy), "--db", str(other), "--yes"), str(other))
    assert other.read_bytes() == content


# --------------------------------------------------------------------------------------
# Finding 7 (files): readable by their owner only


def test_a_new_database_and_its_wal_are_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "new.duckdb"
    with db.connect(path) as con:
        con.execute("INSERT INTO audit_log (action) VALUES ('x')")
        assert mode(path) == 0o600
        wal = Path(str(path) + ".wal")
        assert wal.exists() and mode(wal) == 0o600


def test_an_existing_world_readable_database_is_tightened_on_open(tiny_db, caplog):
    os.chmod(tiny_db, 0o644)
    with caplog.at_level("WARNING", logger="salesmgmt"), db.connect(tiny_db, read_only=True):
        pass
    assert mode(tiny_db) == 0o600
    assert str(tiny_db) in caplog.text and "0600" in caplog.text


def test_a_written_output_is_readable_by_its_owner_only(tiny_db, tmp_path):
    out = tmp_path / "scorecard.csv"
    assert run("scorecard", "--period", "2026-05", "--out", str(out), "--db", str(tiny_db)).returncode == 0
    assert mode(out) == 0o600
