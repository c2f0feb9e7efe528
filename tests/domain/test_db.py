"""The database file: where it is, how it opens, how it migrates."""

from __future__ import annotations

import duckdb
import pytest

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError


def test_the_db_path_comes_from_the_argument_then_the_environment_then_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("SALESMGMT_DB", str(tmp_path / "env.duckdb"))
    assert db.resolve_db_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"
    assert db.resolve_db_path(None) == tmp_path / "env.duckdb"
    monkeypatch.delenv("SALESMGMT_DB")
    assert db.resolve_db_path(None) == db.DEFAULT_DB_PATH


def test_a_new_database_is_created_at_the_current_schema_version(tmp_path):
    with db.connect(tmp_path / "new.duckdb") as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION
        assert db.table_counts(con)["reps"] == 0


def test_a_database_made_by_an_older_release_is_migrated_forward(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    db.migrate_schema(con, target=1)
    con.execute("INSERT INTO reps (rep_id, name, name_key) VALUES (1, 'Old Rep', 'old rep')")
    con.close()
    with db.connect(path) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION
        assert con.execute("SELECT name FROM reps").fetchall() == [("Old Rep",)]


def test_a_database_from_a_newer_release_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "future.duckdb"
    with db.connect(path) as con:
        con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(SalesmgmtError) as info, db.connect(path):
        pass
    assert "newer release" in info.value.message("en")


def test_a_failed_unit_of_work_leaves_nothing_behind(tmp_path):
    with db.connect(tmp_path / "tx.duckdb") as con:
        with pytest.raises(RuntimeError), db.transaction(con):
            con.execute("INSERT INTO reps (rep_id, name, name_key) VALUES (1, 'A', 'a')")
            raise RuntimeError("boom")
        assert db.table_counts(con)["reps"] == 0


def test_the_status_command_prints_counts_as_json(tiny_db):
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "salesmgmt", "status", "--db", str(tiny_db), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = json.loads(out.stdout)
    assert counts["reps"] == 4 and counts["visits"] == 14 and counts["uploads"] == 0
    for key in ("clients", "opportunities", "targets"):
        assert key in counts


def test_visits_keep_their_key_indexes_but_no_date_index_which_only_slowed_imports(tmp_path):
    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    db.migrate_schema(con, target=3)
    assert "visits_date" in {
        r[0]
        for r in con.execute("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'visits'").fetchall()
    }
    con.close()
    with db.connect(path) as con:
        indexes = con.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'visits'"
        ).fetchall()
        constraints = con.execute(
            "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'visits' ORDER BY 1"
        ).fetchall()
    assert indexes == []
    assert ("PRIMARY KEY",) in constraints and ("UNIQUE",) in constraints


def test_a_read_only_open_of_an_older_database_migrates_it_once_then_reads(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    db.migrate_schema(con, target=2)
    con.close()
    with db.connect(path, read_only=True) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE not_allowed (x INT)")


def test_the_import_audit_keeps_its_rows_and_checks_when_its_key_index_is_dropped(tmp_path):
    path = tmp_path / "v4.duckdb"
    con = duckdb.connect(str(path))
    db.migrate_schema(con, target=4)
    con.execute(
        "INSERT INTO upload_changes VALUES (1, 1, 'visit', '7', 'insert', NULL), "
        "(1, 2, 'visit', '8', 'update', '{}')"
    )
    con.close()
    with db.connect(path) as con:
        rows = con.execute("SELECT * FROM upload_changes ORDER BY seq").fetchall()
        keys = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = "
            "'upload_changes' AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO upload_changes VALUES (2, 1, 'visit', '9', 'delete', NULL)")
    assert rows == [(1, 1, "visit", "7", "insert", None), (1, 2, "visit", "8", "update", "{}")]
    assert keys == 0
