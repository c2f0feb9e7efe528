"""Users, roles and scopes; passwords, sign-in sessions and the rate limit on failed attempts.

Roles: a director sees everything; a manager sees the regions and/or teams of their scope; a rep
sees their own figures (and the rankings). The scope becomes a `Filters` whose scope_* fields
every metric applies in SQL, so it holds in the domain, not by hiding widgets.

Passwords are hashed with scrypt (hashlib; salted, memory-hard). Sessions live on the server
(the `sessions` table holds the SHA-256 of a random token the app keeps in a cookie), so they can
be ended: sign-out, a password change, disabling the user, `users rotate-secret`. Failed sign-ins
are audited with their address and slow down further attempts from that address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

import duckdb

from salesmgmt import db, keys
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.text import name_key

ROLES = ("director", "manager", "rep")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: A session ends this long after sign-in (and the cookie with it).
SESSION_HOURS = 12


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    email: str | None = None
    regions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    rep_id: int | None = None
    active: bool = True

    def scope(self) -> Filters:
        """The Filters every query of this user runs with (no scope for a director)."""
        if self.role == "director":
            return Filters()
        if self.role == "rep":
            return Filters(scope_rep_ids=(self.rep_id,) if self.rep_id is not None else ())
        return (
            Filters(scope_regions=self.regions or None, scope_teams=self.teams or None)
            if (self.regions or self.teams)
            else Filters(scope_rep_ids=())
        )


# ------------------------------------------------------------------------------------------
# Passwords


def hash_password(password: str) -> str:
    if not password:
        raise SalesmgmtError("auth.empty_password")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not password:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(
        password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(actual, base64.b64decode(digest))


# Compared against when a username does not exist, so both paths cost one scrypt.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    return _DUMMY_HASH


# ------------------------------------------------------------------------------------------
# Users in the database

USER_COLUMNS = "username, display_name, email, role, scope_regions, scope_teams, rep_id, active"


def _row_to_user(row: tuple) -> User:
    username, display, email, role, regions, teams, rep_id, active = row
    return User(
        username=username,
        display_name=display or username,
        role=role,
        email=email,
        regions=tuple(json.loads(regions or "[]")),
        teams=tuple(json.loads(teams or "[]")),
        rep_id=rep_id,
        active=bool(active),
    )


def user_count(con: duckdb.DuckDBPyConnection, active_only: bool = True) -> int:
    sql = "SELECT count(*) FROM users" + (" WHERE active" if active_only else "")
    return int(db.scalar(con, sql))


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    row = con.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE username = ?", [username.strip().lower()]
    ).fetchone()
    return _row_to_user(row) if row else None


def user_by_email(con: duckdb.DuckDBPyConnection, email: str) -> User | None:
    """Single sign-on: the active user whose email matches (case-insensitive)."""
    row = con.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower(?) AND active", [email.strip()]
    ).fetchone()
    return _row_to_user(row) if row else None


class UserRow(TypedDict):
    """A user as `users list` shows it (and writes it as JSON)."""

    username: str
    display_name: str
    role: str
    email: str | None
    regions: list[str]
    teams: list[str]
    rep_id: int | None
    active: bool
    last_sign_in: str | None
    """Local time of the last sign-in (YYYY-MM-DD HH:MM:SS); None when never signed in."""


def list_users(con: duckdb.DuckDBPyConnection) -> list[UserRow]:
    """Every user, active or not, by username."""
    rows = con.execute(f"SELECT {USER_COLUMNS}, last_sign_in FROM users ORDER BY username").fetchall()
    out: list[UserRow] = []
    for row in rows:
        user = _row_to_user(row[:-1])
        out.append(
            {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "email": user.email,
                "regions": list(user.regions),
                "teams": list(user.teams),
                "rep_id": user.rep_id,
                "active": user.active,
                "last_sign_in": row[-1].isoformat(sep=" ", timespec="seconds") if row[-1] else None,
            }
        )
    return out


def audit(con: duckdb.DuckDBPyConnection, username: str | None, action: str, detail: str = "") -> None:
    con.execute(
        "INSERT INTO audit_log (username, action, detail) VALUES (?, ?, ?)", [username, action, detail]
    )


def add_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str | None = None,
    email: str | None = None,
    teams: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    rep: str | None = None,
    by: str | None = None,
) -> User:
    username = (username or "").strip().lower()
    if (
        not username
        or not username.replace(".", "").replace("_", "").replace("-", "").replace("@", "").isalnum()
    ):
        raise SalesmgmtError("auth.bad_username", username=username)
    if role not in ROLES:
        raise SalesmgmtError("auth.bad_role", role=role, roles=", ".join(ROLES))
    if get_user(con, username):
        raise SalesmgmtError("auth.user_exists", username=username)
    rep_id = None
    if role == "manager" and not (teams or regions):
        raise SalesmgmtError("auth.manager_needs_scope")
    if role == "rep":
        if not rep:
            raise SalesmgmtError("auth.rep_needs_rep")
        rep_id = _rep_id(con, rep)
    for team in teams:
        if not db.scalar(con, "SELECT count(*) FROM reps WHERE team = ?", [team]):
            raise SalesmgmtError("auth.unknown_team", team=team)
    for region in regions:
        if not db.scalar(con, "SELECT count(*) FROM reps WHERE region = ?", [region]):
            raise SalesmgmtError("auth.unknown_region", region=region)
    con.execute(
        "INSERT INTO users (username, display_name, email, role, scope_regions, scope_teams, rep_id,"
        " password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            username,
            display_name or username,
            email,
            role,
            json.dumps(list(regions), ensure_ascii=False),
            json.dumps(list(teams), ensure_ascii=False),
            rep_id,
            hash_password(password),
        ],
    )
    audit(con, by, "user.add", f"{username} ({role})")
    return get_user(con, username)  # type: ignore[return-value]


def _rep_id(con: duckdb.DuckDBPyConnection, rep: str) -> int:
    rows = con.execute(
        "SELECT rep_id FROM reps WHERE code = ? OR name_key = ? ORDER BY rep_id", [rep.strip(), name_key(rep)]
    ).fetchall()
    if not rows:
        raise SalesmgmtError("auth.unknown_rep", rep=rep)
    if len(rows) > 1:
        raise SalesmgmtError("auth.ambiguous_rep", rep=rep)
    return int(rows[0][0])


def disable_user(con: duckdb.DuckDBPyConnection, username: str, by: str | None = None) -> None:
    if not get_user(con, username):
        raise SalesmgmtError("auth.unknown_user", username=username)
    con.execute("UPDATE users SET active = FALSE WHERE username = ?", [username.strip().lower()])
    end_sessions(con, username)
    audit(con, by, "user.disable", username)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str, by: str | None = None) -> None:
    if not get_user(con, username):
        raise SalesmgmtError("auth.unknown_user", username=username)
    con.execute(
        "UPDATE users SET password_hash = ? WHERE username = ?",
        [hash_password(password), username.strip().lower()],
    )
    end_sessions(con, username)  # whoever knew the old password is signed out
    audit(con, by, "user.passwd", username)


def active_user(con: duckdb.DuckDBPyConnection, username: str) -> User:
    """The user for `--as-user`: refused cleanly when unknown or disabled."""
    user = get_user(con, username)
    if user is None or not user.active:
        raise SalesmgmtError("auth.no_such_active_user", username=username)
    return user


# ------------------------------------------------------------------------------------------
# Password strength (checked where a person chooses a password: `users add`, `users passwd`)

MIN_PASSWORD_CHARS = 10
#: Refused whatever their length (compared lower-cased): the first guesses of any attacker.
COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd",
        "p@ssword123", "qwerty123", "qwerty1234", "qwerty12345", "qwertyuiop", "1q2w3e4r5t", "1qaz2wsx3edc",
        "zaq12wsx", "iloveyou", "iloveyou1", "admin123", "admin12345", "administrator", "welcome1",
        "welcome123", "changeme", "changeme123", "letmein123", "sunshine1", "football1", "abc123456",
        "abcd123456", "a123456789", "woaini1314", "woaini520", "salesmgmt", "salesmgmt1", "sales12345",
    }
)  # fmt: skip


def _character_kinds(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password mixes."""
    kinds = [str.islower, str.isupper, str.isdigit]
    found = {i for c in password for i, is_kind in enumerate(kinds) if is_kind(c)}
    if any(not (c.islower() or c.isupper() or c.isdigit()) for c in password):
        found.add(len(kinds))
    return len(found)


def require_strong_password(password: str, username: str) -> None:
    """Refuse a password an attacker guesses early, with a message naming the rule it breaks:
    at least MIN_PASSWORD_CHARS characters, more than one kind (lower, upper, digits, others),
    not containing the username, not a common password."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise SalesmgmtError("auth.password_too_short", n=MIN_PASSWORD_CHARS)
    if _character_kinds(password) < 2:
        raise SalesmgmtError("auth.password_one_kind")
    name = (username or "").strip().lower()
    if name and name in password.lower():
        raise SalesmgmtError("auth.password_has_username", username=name)
    if password.lower() in COMMON_PASSWORDS:
        raise SalesmgmtError("auth.password_common")


# ------------------------------------------------------------------------------------------
# Sign-in and the limits on failed attempts
#
# Failures are rows of the audit log (action 'sign_in.failed', with the address), so the limits
# hold across restarts and every failure can be read back. Two limits, each a delay after the
# last failure that doubles with every further failure, up to a cap:
# - per (address, username): FREE_FAILURES free, then BACKOFF_SECONDS, 2x, 4x...; a successful
#   sign-in of that user from that address starts it again;
# - per address, across usernames (password spraying): FREE_ADDRESS_FAILURES free, then the same.
# Nothing is counted per username alone: failures from one address never slow the same user
# signing in from another address, so nobody can lock someone else out.

FREE_FAILURES = 3
FREE_ADDRESS_FAILURES = 10
BACKOFF_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 15 * 60.0
#: Failures older than this are forgotten.
FAILURE_WINDOW = timedelta(hours=1)
#: The address of a local connection (Streamlit gives None for localhost), in the audit log NULL.
LOCAL = ""

FAILURES_SQL = """
WITH failed AS (
    SELECT username, logged_at FROM audit_log
    WHERE action = 'sign_in.failed' AND coalesce(address, '') = $address
      AND logged_at > $since AND logged_at <= $now
),
last_success AS (
    SELECT max(logged_at) AS at FROM audit_log
    WHERE action = 'sign_in' AND username = $username AND coalesce(address, '') = $address
      AND logged_at <= $now
)
SELECT
    count(*) FILTER (WHERE f.username = $username AND f.logged_at > coalesce(s.at, $since)),
    max(f.logged_at) FILTER (WHERE f.username = $username AND f.logged_at > coalesce(s.at, $since)),
    count(*),
    max(f.logged_at)
FROM failed f, last_success s
"""


def _backoff(failures: int, free: int) -> float:
    if failures < free:
        return 0.0
    return min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * (1 << min(failures - free, 30)))


def sign_in_delay(
    con: duckdb.DuckDBPyConnection, username: str, address: str | None, now: datetime | None = None
) -> float:
    """Seconds before `username` may try again from `address` (0: now)."""
    now = now or datetime.now()
    key = (username or "").strip().lower()
    row = con.execute(
        FAILURES_SQL,
        {"username": key, "address": address or LOCAL, "now": now, "since": now - FAILURE_WINDOW},
    ).fetchone()
    pair_failures, pair_last, address_failures, address_last = row if row else (0, None, 0, None)
    ends = [
        last + timedelta(seconds=_backoff(failures, free))
        for failures, last, free in (
            (pair_failures, pair_last, FREE_FAILURES),
            (address_failures, address_last, FREE_ADDRESS_FAILURES),
        )
        if last is not None
    ]
    return float(max([0.0, *((end - now).total_seconds() for end in ends)]))


def sign_in(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    *,
    address: str | None = None,
    now: datetime | None = None,
) -> User:
    """The user when the password is right; else one message that does not say whether the user
    exists. Refused, without checking the password, while `sign_in_delay` is running; every
    failure is audited with the address."""
    now = now or datetime.now()
    key = (username or "").strip().lower()[:100]
    wait = sign_in_delay(con, key, address, now)
    if wait > 0:
        raise SalesmgmtError("auth.too_many_attempts", seconds=math.ceil(wait))
    row = con.execute(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?", [key]).fetchone()
    stored = row[-1] if row else _dummy_hash()
    ok = verify_password(password or "", stored) and row is not None and bool(row[7])
    if not ok or row is None:
        _audit_at(con, key, "sign_in.failed", address, now)
        raise SalesmgmtError("auth.bad_credentials")
    con.execute("UPDATE users SET last_sign_in = ? WHERE username = ?", [now, key])
    _audit_at(con, key, "sign_in", address, now)
    return _row_to_user(row[:-1])


def _audit_at(
    con: duckdb.DuckDBPyConnection, username: str, action: str, address: str | None, at: datetime
) -> None:
    con.execute(
        "INSERT INTO audit_log (logged_at, username, action, address) VALUES (?, ?, ?, ?)",
        [at, username, action, address or None],
    )


# ------------------------------------------------------------------------------------------
# Sessions, kept on the server
#
# The cookie holds a random token; the sessions table only its SHA-256, so neither the database
# nor a backup of it can sign anyone in, and nothing signs a token: ending a session is deleting
# its row (sign-out; a password change or disabling ends all of the user's; `users
# rotate-secret` ends everyone's). The app reads the user from the session on every run.

SESSION_USER_SQL = f"""
SELECT {", ".join("u." + c.strip() for c in USER_COLUMNS.split(","))}
FROM sessions s JOIN users u ON u.username = s.username
WHERE s.token_hash = ? AND s.expires_at > ? AND u.active
"""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    con: duckdb.DuckDBPyConnection,
    username: str,
    *,
    address: str | None = None,
    hours: float = SESSION_HOURS,
    now: datetime | None = None,
) -> str:
    """A new session of the user: the token for the cookie (only its hash is stored)."""
    now = now or datetime.now()
    token = secrets.token_urlsafe(32)
    con.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
    con.execute(
        "INSERT INTO sessions (token_hash, username, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)",
        [_token_hash(token), username, now, now + timedelta(hours=hours), address or None],
    )
    return token


def session_user(
    con: duckdb.DuckDBPyConnection, token: str | None, now: datetime | None = None
) -> User | None:
    """The active user of an unexpired session; None for anything else (one query)."""
    if not token or not isinstance(token, str):
        return None
    row = con.execute(SESSION_USER_SQL, [_token_hash(token), now or datetime.now()]).fetchone()
    return _row_to_user(row) if row else None


def end_session(con: duckdb.DuckDBPyConnection, token: str | None) -> None:
    """Sign-out: the session stops working at once, wherever its cookie is."""
    if token:
        con.execute("DELETE FROM sessions WHERE token_hash = ?", [_token_hash(token)])


def end_sessions(con: duckdb.DuckDBPyConnection, username: str | None = None) -> int:
    """End every session of `username` (of everyone when None); how many ended."""
    if username is None:
        ended = db.scalar(con, "SELECT count(*) FROM sessions")
        con.execute("DELETE FROM sessions")
    else:
        key = username.strip().lower()
        ended = db.scalar(con, "SELECT count(*) FROM sessions WHERE username = ?", [key])
        con.execute("DELETE FROM sessions WHERE username = ?", [key])
    return int(ended)


def end_user_sessions(con: duckdb.DuckDBPyConnection, username: str, by: str | None = None) -> int:
    """`users end-sessions`: sign a user out everywhere (they may sign in again)."""
    if not get_user(con, username):
        raise SalesmgmtError("auth.unknown_user", username=username)
    ended = end_sessions(con, username)
    audit(con, by, "user.end_sessions", f"{username} ({ended})")
    return ended


def rotate_secret(con: duckdb.DuckDBPyConnection, by: str | None = None) -> int:
    """`users rotate-secret`: a new installation key (salesmgmt.keys; older keys stay to verify
    older backups) and every session ended. Returns how many sessions ended."""
    keys.rotate(keys.database_of(con))
    ended = end_sessions(con)
    audit(con, by, "secret.rotate", f"{ended} sessions ended")
    return ended
