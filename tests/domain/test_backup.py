"""Backups and restore (issue 18, finding 5 and the files of finding 7): a restore takes only what
`backup` of this installation made (a manifest signed with the key that is not in the backup),
says what it will change before --yes, keeps the audit log append-only, never changes who can sign
in (current users, their passwords and active flags stay; revoked sessions stay revoked), and the
copies and manifests are readable by their owner only."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from salesmgmt import auth, db, keys
from salesmgmt.backup import backup, preview_restore, restore
from salesmgmt.errors import SalesmgmtError
from salesmgmt.importer import apply, prepare
from tests.import_fixtures import VISITS, csv_bytes

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "another-long-passphrase-7"


@pytest.fixture(autouse=True)
def _key_beside_the_database(monkeypatch):
    monkeypatch.delenv(keys.ENV_SECRET, raising=False)
    monkeypatch.delenv(keys.ENV_KEY_FILE, raising=False)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args], cwd=ROOT, capture_output=True, text=True, timeout=180
    )


def table(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def users(path: Path) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in table(path, "SELECT username, password_hash, active FROM users")}


@pytest.fixture
def company(tiny_db):
    """The tiny company with a director and a manager, then a backup of it."""
    with db.connect(tiny_db) as con:
        auth.add_user(con, "wang", "director", PASSWORD)
        auth.add_user(con, "chen", "manager", PASSWORD, teams=("Dragon",))
        con.execute(
            "INSERT INTO sessions (token_hash, username, expires_at) VALUES ('old-token', 'chen', "
            "current_localtimestamp() + INTERVAL 1 DAY)"
        )
    taken = backup(tiny_db.parent / "backups", tiny_db)
    return tiny_db, taken


def test_a_backup_and_its_manifest_are_readable_by_their_owner_only(company):
    _, taken = company
    assert stat.S_IMODE(os.stat(taken.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(taken.manifest_path).st_mode) == 0o600
    manifest = json.loads(taken.manifest_path.read_text(encoding="utf-8"))
    assert len(manifest["signature"]) == 64


def test_a_foreign_database_with_a_hand_made_manifest_is_refused_and_changes_nothing(company, tmp_path):
    live, genuine = company
    before = table(live, "SELECT username, active FROM users ORDER BY 1")
    # Someone else's installation: an empty database, a manifest made by hand with the right
    # checksum, signed with their own key or with none.
    foreign = tmp_path / "elsewhere" / "salesmgmt-20260101-000000.duckdb"
    foreign.parent.mkdir()
    with db.connect(foreign):
        pass
    manifest = json.loads(genuine.manifest_path.read_text(encoding="utf-8"))
    manifest.update(file=foreign.name, sha256=hashlib.sha256(foreign.read_bytes()).hexdigest(), counts={})
    for signature in (keys.sign(b"anything", foreign), None):
        if signature is None:
            manifest.pop("signature")
        else:
            manifest["signature"] = signature
        foreign.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
        with pytest.raises(SalesmgmtError) as refusal:
            restore(foreign, live)
        assert refusal.value.key in ("backup.signature", "backup.unsigned")
        done = run("restore", str(foreign), "--db", str(live), "--yes")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "signature" in done.stderr
    assert table(live, "SELECT username, active FROM users ORDER BY 1") == before


def test_a_changed_manifest_is_refused(company):
    live, taken = company
    manifest = json.loads(taken.manifest_path.read_text(encoding="utf-8"))
    manifest["created_at"] = "2020-01-01T00:00:00"
    taken.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(SalesmgmtError) as refusal:
        restore(taken.path, live)
    assert refusal.value.key == "backup.signature"


def test_an_old_backup_keeps_the_current_users_their_passwords_and_active_flags(company):
    live, taken = company
    with db.connect(live) as con:
        auth.disable_user(con, "chen", by="wang")
        auth.set_password(con, "wang", NEW_PASSWORD, by="wang")
        auth.add_user(con, "zhao", "director", PASSWORD, by="wang")
        con.execute("DELETE FROM sessions")  # chen's session was revoked
    now = users(live)
    audit_now = table(live, "SELECT * FROM audit_log ORDER BY logged_at")
    restore(taken.path, live, user="wang")
    assert users(live) == now, "nobody re-enabled, no old password back, nobody removed"
    assert table(live, "SELECT count(*) FROM sessions") == [(0,)], "a revoked session stays revoked"
    audit_after = table(live, "SELECT * FROM audit_log ORDER BY logged_at")
    assert audit_after[: len(audit_now)] == audit_now, "every audit row written since the backup is kept"
    assert [r[1:3] for r in audit_after[len(audit_now) :]] == [("wang", "restore")]


def test_the_audit_rows_of_the_backup_that_are_missing_now_are_added(company):
    live, taken = company
    in_backup = table(live, "SELECT * FROM audit_log ORDER BY logged_at")
    with db.connect(live) as con:
        con.execute("DELETE FROM audit_log")
        auth.audit(con, "wang", "note", "written after the backup")
    restore(taken.path, live)
    after = table(live, "SELECT * FROM audit_log")
    assert set(in_backup) <= set(after)
    assert [r[2] for r in after].count("note") == 1 and [r[2] for r in after].count("restore") == 1


def test_a_restore_never_leaves_the_app_open(tiny_db):
    taken = backup(tiny_db.parent / "backups", tiny_db)  # before any user existed
    with db.connect(tiny_db) as con:
        auth.add_user(con, "wang", "director", PASSWORD)
    restore(taken.path, tiny_db)
    with db.connect(tiny_db, read_only=True) as con:
        assert auth.user_count(con) == 1


def test_the_restore_says_what_will_change_before_yes_and_changes_nothing(company, tmp_path):
    live, taken = company
    with db.connect(live) as con:
        auth.disable_user(con, "chen", by="wang")
        auth.set_password(con, "wang", NEW_PASSWORD, by="wang")
        auth.add_user(con, "zhao", "director", PASSWORD, by="wang")
        csv = csv_bytes(VISITS, encoding="gbk")
        batch = apply(con, prepare(csv, "visits.csv", as_of=date(2024, 5, 6))).upload_id
    preview = preview_restore(taken.path, live)
    assert preview.users_kept_disabled == ["chen"]
    assert preview.users_password_kept == ["wang"]
    assert preview.users_not_in_backup == ["zhao"]
    assert preview.batches_removed == [batch]
    assert preview.counts_now["visits"] == preview.counts_after["visits"] + 3
    before = live.read_bytes()
    done = run("restore", str(taken.path), "--db", str(live))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    for text in ("chen", "wang", "zhao", "--yes", f"{batch}", "visits"):
        assert text in out, out
    assert live.read_bytes() == before
    done = run("restore", str(taken.path), "--db", str(live), "--yes")
    assert done.returncode == 0, done.stderr
    assert "chen" in done.stdout
    assert table(live, f"SELECT count(*) FROM uploads WHERE upload_id = {batch}") == [(0,)]


def test_a_backup_restored_into_a_missing_database_is_readable_by_its_owner_only(company):
    live, taken = company
    key = keys.key_file(live)
    gone = live.with_name("lost.duckdb")
    shutil.copyfile(key, keys.key_file(gone))  # the key kept where secrets are kept
    restore(taken.path, gone)
    assert stat.S_IMODE(os.stat(gone).st_mode) == 0o600
    assert set(users(gone)) == {"wang", "chen"}


def test_a_restore_without_the_installation_key_is_refused(company):
    _, taken = company
    elsewhere = taken.path.parent.parent / "new" / "db.duckdb"
    with pytest.raises(SalesmgmtError) as refusal:
        restore(taken.path, elsewhere)
    assert refusal.value.key == "backup.no_key"
    assert not elsewhere.exists() and not keys.key_file(elsewhere).exists()
