"""Users, passwords, sessions and scopes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from salesmgmt import auth, db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.metrics import core
from salesmgmt.periods import Period
from tests import tiny


def test_passwords_are_stored_as_salted_scrypt_hashes():
    first, second = auth.hash_password("s3cret"), auth.hash_password("s3cret")
    assert first.startswith("scrypt$") and first != second, "salted: same password, other hash"
    assert "s3cret" not in first
    assert auth.verify_password("s3cret", first)
    assert not auth.verify_password("S3cret", first)


def test_a_manager_sees_only_the_scope_of_their_team(tiny_con):
    user = auth.add_user(tiny_con, "chen", "manager", "pw", teams=("Dragon",))
    teams = core.figures(tiny_con, Period.parse("2026-05"), user.scope(), tiny.AS_OF, level="rep")
    assert set(teams["team"]) == {"Dragon"}
    assert 3 not in set(teams["rep_id"])


def test_a_rep_sees_only_their_own_figures(tiny_con):
    user = auth.add_user(tiny_con, "wang", "rep", "pw", rep="王强 Wang")
    reps = core.figures(tiny_con, Period.parse("2026-05"), user.scope(), tiny.AS_OF)
    assert list(reps["rep_id"]) == [3]
    total = core.totals(tiny_con, Period.parse("2026-05"), user.scope(), tiny.AS_OF)
    assert total["target"] == 100_000, "a rep's scope ignores the team's own target"


def test_a_filter_cannot_widen_a_scope(tiny_con):
    from salesmgmt.filters import Filters

    scoped = Filters(teams=("Tiger",), scope_teams=("Dragon",))
    reps = core.figures(tiny_con, Period.parse("2026-05"), scoped, tiny.AS_OF)
    assert reps.empty


def test_a_manager_without_a_scope_and_a_rep_without_a_rep_are_refused(tiny_con):
    with pytest.raises(SalesmgmtError):
        auth.add_user(tiny_con, "m", "manager", "pw")
    with pytest.raises(SalesmgmtError):
        auth.add_user(tiny_con, "r", "rep", "pw", rep="nobody")
    with pytest.raises(SalesmgmtError):
        auth.add_user(tiny_con, "t", "manager", "pw", teams=("Nope",))


def test_sign_in_says_the_same_for_an_unknown_user_and_a_wrong_password(tiny_con):
    auth.add_user(tiny_con, "boss", "director", "right")
    with pytest.raises(SalesmgmtError) as unknown:
        auth.sign_in(tiny_con, "ghost", "x")
    with pytest.raises(SalesmgmtError) as wrong:
        auth.sign_in(tiny_con, "boss", "wrong")
    assert unknown.value.message("en") == wrong.value.message("en")
    assert auth.sign_in(tiny_con, "boss", "right").role == "director"


def test_a_disabled_user_cannot_sign_in_and_their_session_ends(tiny_con):
    auth.add_user(tiny_con, "boss", "director", "right")
    token = auth.start_session(tiny_con, "boss")
    assert auth.session_user(tiny_con, token).username == "boss"
    auth.disable_user(tiny_con, "boss")
    assert auth.session_user(tiny_con, token) is None
    with pytest.raises(SalesmgmtError):
        auth.sign_in(tiny_con, "boss", "right")


def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args], input=stdin, capture_output=True, text=True
    )


def test_the_users_commands_add_list_disable_and_change_passwords(tiny_db):
    added = run_cli(
        "users",
        "add",
        "chen",
        "--role",
        "manager",
        "--team",
        "Dragon",
        "--password-stdin",
        "--db",
        str(tiny_db),
        stdin="First-password-1\n",
    )
    assert added.returncode == 0, added.stderr
    listed = json.loads(run_cli("users", "list", "--format", "json", "--db", str(tiny_db)).stdout)
    assert listed[0]["username"] == "chen" and listed[0]["teams"] == ["Dragon"]
    assert (
        run_cli(
            "users", "passwd", "chen", "--password-stdin", "--db", str(tiny_db), stdin="Second-password-2\n"
        ).returncode
        == 0
    )
    with db.connect(tiny_db) as con:
        assert auth.sign_in(con, "chen", "Second-password-2").username == "chen"
    assert run_cli("users", "disable", "chen", "--db", str(tiny_db)).returncode == 0
    refused = run_cli(
        "users",
        "add",
        "x",
        "--role",
        "rep",
        "--rep",
        "nobody",
        "--password-stdin",
        "--db",
        str(tiny_db),
        stdin="Rep-password-1\n",
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "no rep" in refused.stderr
    with db.connect(tiny_db) as con:
        actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY logged_at").fetchall()]
    assert actions[:3] == ["user.add", "user.passwd", "sign_in"]


def test_the_scorecard_as_a_user_applies_that_users_scope_and_refuses_unknown_users(tiny_db):
    added = run_cli(
        "users",
        "add",
        "chen",
        "--role",
        "manager",
        "--team",
        "Dragon",
        "--password-stdin",
        "--db",
        str(tiny_db),
        stdin="Dragon-lead-2026\n",
    )
    assert added.returncode == 0, added.stderr
    scoped = run_cli(
        "scorecard", "--period", "2026-05", "--format", "json", "--as-user", "chen", "--db", str(tiny_db)
    )
    assert scoped.returncode == 0, scoped.stderr
    rows = json.loads(scoped.stdout)
    assert {r["team"] for r in rows} == {"Dragon"}
    everyone = json.loads(
        run_cli("scorecard", "--period", "2026-05", "--format", "json", "--db", str(tiny_db)).stdout
    )
    assert {r["team"] for r in everyone} == {"Dragon", "Tiger"}
    for who in ("ghost", "chen-disabled"):
        if who == "chen-disabled":
            run_cli("users", "disable", "chen", "--db", str(tiny_db))
            who = "chen"
        refused = run_cli("scorecard", "--period", "2026-05", "--as-user", who, "--db", str(tiny_db))
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "not an active user" in refused.stderr
