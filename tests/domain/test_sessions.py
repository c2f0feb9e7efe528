"""Sign-in sessions kept on the server, the secret outside the database, and the limits on failed
sign-ins (issue 18, findings 6, 7 and 11)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from salesmgmt import auth, db, keys
from salesmgmt.errors import SalesmgmtError

NOW = datetime(2026, 5, 20, 9, 0, 0)
STRONG = "Correct-horse-42"


@pytest.fixture
def boss(tiny_con):
    auth.add_user(tiny_con, "boss", "director", STRONG)
    auth.add_user(tiny_con, "chen", "manager", STRONG, teams=("Dragon",))
    return tiny_con


def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args], input=stdin, capture_output=True, text=True
    )


# ------------------------------------------------------------------------------------------
# Sessions (finding 6)


def test_a_session_names_its_user_until_it_expires(boss):
    token = auth.start_session(boss, "boss", hours=1, now=NOW)
    assert auth.session_user(boss, token, now=NOW + timedelta(minutes=59)).username == "boss"
    assert auth.session_user(boss, token, now=NOW + timedelta(minutes=61)) is None
    assert auth.session_user(boss, "not-a-token", now=NOW) is None
    assert auth.session_user(boss, "", now=NOW) is None


def test_the_database_keeps_only_a_hash_of_the_token_and_no_secret(boss):
    token = auth.start_session(boss, "boss", address="10.0.0.7", now=NOW)
    rows = boss.execute("SELECT token_hash, username, address FROM sessions").fetchall()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "boss", "10.0.0.7")]
    assert len(token) >= 43, "32 random bytes"
    assert not boss.execute("SELECT * FROM meta WHERE key = 'session_secret'").fetchall()


def test_signing_out_ends_that_session_only(boss):
    laptop, phone = auth.start_session(boss, "boss", now=NOW), auth.start_session(boss, "boss", now=NOW)
    auth.end_session(boss, laptop)
    assert auth.session_user(boss, laptop, now=NOW) is None
    assert auth.session_user(boss, phone, now=NOW).username == "boss"


def test_a_password_change_ends_every_session_of_that_user_and_no_other(boss):
    mine, theirs = auth.start_session(boss, "boss", now=NOW), auth.start_session(boss, "chen", now=NOW)
    auth.set_password(boss, "boss", "Another-long-9")
    assert auth.session_user(boss, mine, now=NOW) is None
    assert auth.session_user(boss, theirs, now=NOW).username == "chen"


def test_disabling_a_user_ends_their_sessions(boss):
    token = auth.start_session(boss, "chen", now=NOW)
    auth.disable_user(boss, "chen")
    assert auth.session_user(boss, token, now=NOW) is None
    assert not boss.execute("SELECT * FROM sessions WHERE username = 'chen'").fetchall()


def test_a_session_of_a_user_disabled_by_hand_gives_nothing(boss):
    token = auth.start_session(boss, "chen", now=NOW)
    boss.execute("UPDATE users SET active = FALSE WHERE username = 'chen'")
    assert auth.session_user(boss, token, now=NOW) is None


def test_a_copy_of_the_database_cannot_sign_anyone_in(boss, tmp_path):
    """What broke: a director token was forged from a backup. The database now holds hashes of
    random tokens and nothing that makes one."""
    token = auth.start_session(boss, "boss", now=NOW)
    stored = boss.execute("SELECT token_hash FROM sessions").fetchone()[0]
    assert auth.session_user(boss, stored, now=NOW) is None, "the stored hash is not a token"
    assert auth.session_user(boss, token, now=NOW).username == "boss"


# ------------------------------------------------------------------------------------------
# The secret and its rotation (finding 7)


def test_rotate_secret_changes_the_key_and_ends_every_session(tiny_db, monkeypatch):
    monkeypatch.delenv(keys.ENV_SECRET, raising=False)
    with db.connect(tiny_db) as con:
        auth.add_user(con, "boss", "director", STRONG)
        token = auth.start_session(con, "boss")
    before = keys.current(tiny_db)
    rotated = run_cli("users", "rotate-secret", "--db", str(tiny_db))
    assert rotated.returncode == 0, rotated.stderr
    assert "ended 1 session" in rotated.stdout
    assert keys.current(tiny_db) != before
    assert before in keys.keys(tiny_db), "the old key stays to verify older backups"
    with db.connect(tiny_db) as con:
        assert auth.session_user(con, token) is None
        assert con.execute("SELECT action FROM audit_log WHERE action = 'secret.rotate'").fetchall()


def test_end_sessions_signs_a_user_out_everywhere_from_the_command_line(tiny_db):
    with db.connect(tiny_db) as con:
        auth.add_user(con, "boss", "director", STRONG)
        token = auth.start_session(con, "boss")
    ended = run_cli("users", "end-sessions", "boss", "--db", str(tiny_db))
    assert ended.returncode == 0, ended.stderr
    with db.connect(tiny_db) as con:
        assert auth.session_user(con, token) is None
        assert auth.active_user(con, "boss").active, "the user may sign in again"
    unknown = run_cli("users", "end-sessions", "ghost", "--db", str(tiny_db))
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert "There is no user 'ghost'" in unknown.stderr


# ------------------------------------------------------------------------------------------
# Failed sign-ins (finding 11)


def fail(con, username, address, at, password="wrong-password"):
    with pytest.raises(SalesmgmtError) as refused:
        auth.sign_in(con, username, password, address=address, now=at)
    return refused.value.key


def test_failed_sign_ins_are_audited_with_the_address(boss):
    fail(boss, "boss", "203.0.113.9", NOW)
    fail(boss, "ghost", "203.0.113.9", NOW + timedelta(seconds=1))
    rows = boss.execute(
        "SELECT username, action, address FROM audit_log WHERE action LIKE 'sign_in%' ORDER BY logged_at"
    ).fetchall()
    assert rows == [("boss", "sign_in.failed", "203.0.113.9"), ("ghost", "sign_in.failed", "203.0.113.9")]
    auth.sign_in(boss, "boss", STRONG, address="198.51.100.1", now=NOW + timedelta(seconds=2))
    last = boss.execute(
        "SELECT action, address FROM audit_log WHERE action LIKE 'sign_in%' ORDER BY logged_at DESC LIMIT 1"
    ).fetchone()
    assert last == ("sign_in", "198.51.100.1")


def test_repeated_failures_from_an_address_back_off_with_a_delay_that_doubles_up_to_a_cap(boss):
    attacker = "203.0.113.9"
    at = NOW
    for _ in range(auth.FREE_FAILURES):
        assert fail(boss, "boss", attacker, at) == "auth.bad_credentials", "the first failures are free"
    delays = []
    for _ in range(12):
        delay = auth.sign_in_delay(boss, "boss", attacker, now=at)
        delays.append(delay)
        assert fail(boss, "boss", attacker, at, password=STRONG) == "auth.too_many_attempts", (
            "even the right password waits"
        )
        at += timedelta(seconds=delay)
        assert auth.sign_in_delay(boss, "boss", attacker, now=at) == 0
        assert fail(boss, "boss", attacker, at) == "auth.bad_credentials"
    assert delays[:4] == [
        auth.BACKOFF_SECONDS,
        2 * auth.BACKOFF_SECONDS,
        4 * auth.BACKOFF_SECONDS,
        8 * auth.BACKOFF_SECONDS,
    ]
    assert max(delays) == auth.BACKOFF_CAP_SECONDS, "the delay stops doubling at the cap"


def test_nobody_can_lock_the_director_out_from_another_address(boss):
    for i in range(30):
        fail(boss, "boss", "203.0.113.9", NOW + timedelta(milliseconds=i))
    user = auth.sign_in(boss, "boss", STRONG, address="198.51.100.1", now=NOW + timedelta(seconds=1))
    assert user.username == "boss", "a correct password from an address that has not failed gets in"


def test_spraying_one_password_across_usernames_is_slowed_per_address(boss):
    sprayer = "203.0.113.9"
    names = [f"user{i}" for i in range(auth.FREE_ADDRESS_FAILURES)]
    for i, name in enumerate(names):
        assert fail(boss, name, sprayer, NOW + timedelta(milliseconds=i)) == "auth.bad_credentials"
    assert (
        fail(boss, "boss", sprayer, NOW + timedelta(seconds=1), password=STRONG) == "auth.too_many_attempts"
    )
    assert auth.sign_in_delay(boss, "chen", sprayer, now=NOW + timedelta(seconds=1)) > 0
    assert auth.sign_in_delay(boss, "chen", "198.51.100.1", now=NOW + timedelta(seconds=1)) == 0


def test_the_limit_survives_a_restart_because_it_is_read_from_the_audit_log(tiny_db):
    with db.connect(tiny_db) as con:
        auth.add_user(con, "boss", "director", STRONG)
        for i in range(auth.FREE_FAILURES):
            fail(con, "boss", "203.0.113.9", NOW + timedelta(seconds=i))
    with db.connect(tiny_db) as con:  # a new connection, as after a restart of the app
        assert auth.sign_in_delay(con, "boss", "203.0.113.9", now=NOW + timedelta(seconds=3)) > 0


def test_a_successful_sign_in_clears_the_backoff_of_that_address_and_user(boss):
    for i in range(auth.FREE_FAILURES - 1):
        fail(boss, "boss", "203.0.113.9", NOW + timedelta(seconds=i))
    auth.sign_in(boss, "boss", STRONG, address="203.0.113.9", now=NOW + timedelta(seconds=5))
    for i in range(auth.FREE_FAILURES - 1):
        assert fail(boss, "boss", "203.0.113.9", NOW + timedelta(seconds=10 + i)) == "auth.bad_credentials"


# ------------------------------------------------------------------------------------------
# Password strength (finding 11)


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("x", "auth.password_too_short"),
        ("Sh0rt!", "auth.password_too_short"),
        ("abcdefghijkl", "auth.password_one_kind"),
        ("123456789012", "auth.password_one_kind"),
        ("chen.manager1", "auth.password_has_username"),
        ("Password123", "auth.password_common"),
        ("qwerty12345", "auth.password_common"),
    ],
)
def test_weak_passwords_are_refused_with_a_message_naming_the_rule(password, key):
    with pytest.raises(SalesmgmtError) as weak:
        auth.require_strong_password(password, "chen")
    assert weak.value.key == key
    assert weak.value.message("en") and weak.value.message("zh")


def test_a_long_mixed_password_is_accepted():
    auth.require_strong_password(STRONG, "chen")
    auth.require_strong_password("长城 sales 2026 plan", "chen")


def test_the_users_commands_refuse_a_weak_password_and_change_nothing(tiny_db):
    added = run_cli(
        "users", "add", "chen", "--role", "manager", "--team", "Dragon", "--password-stdin",
        "--db", str(tiny_db), stdin="x\n",
    )  # fmt: skip
    assert added.returncode == 1 and "Traceback" not in added.stderr
    assert "at least 10 characters" in added.stderr
    with db.connect(tiny_db) as con:
        assert auth.user_count(con, active_only=False) == 0
        auth.add_user(con, "chen", "manager", STRONG, teams=("Dragon",))
        stored = con.execute("SELECT password_hash FROM users").fetchone()[0]
    changed = run_cli(
        "users", "passwd", "chen", "--password-stdin", "--db", str(tiny_db), stdin="password1\n"
    )
    assert changed.returncode == 1 and "Traceback" not in changed.stderr
    with db.connect(tiny_db) as con:
        assert con.execute("SELECT password_hash FROM users").fetchone()[0] == stored
