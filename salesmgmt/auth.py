"""Users, roles and scopes; passwords, sign-in sessions and the rate limit on failed attempts.

Roles: a director sees everything; a manager sees the regions and/or teams of their scope; a rep
sees their own figures (and the rankings). The scope becomes a `Filters` whose scope_* fields
every metric applies in SQL, so it holds in the domain, not by hiding widgets.

Passwords are hashed with scrypt (hashlib; salted, memory-hard). Sessions are signed tokens
(HMAC-SHA256 with a secret kept in the database) that expire; the app keeps one in a cookie so a
signed-in user survives a page reload.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import duckdb

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.text import name_key

ROLES = ("director", "manager", "rep")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_HOURS = 12
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


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
    audit(con, by, "user.disable", username)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str, by: str | None = None) -> None:
    if not get_user(con, username):
        raise SalesmgmtError("auth.unknown_user", username=username)
    con.execute(
        "UPDATE users SET password_hash = ? WHERE username = ?",
        [hash_password(password), username.strip().lower()],
    )
    audit(con, by, "user.passwd", username)


def active_user(con: duckdb.DuckDBPyConnection, username: str) -> User:
    """The user for `--as-user`: refused cleanly when unknown or disabled."""
    user = get_user(con, username)
    if user is None or not user.active:
        raise SalesmgmtError("auth.no_such_active_user", username=username)
    return user


# ------------------------------------------------------------------------------------------
# Sign-in and its rate limit


class RateLimiter:
    """At most MAX_FAILURES failed attempts per key within LOCKOUT_SECONDS; then refused until
    the window passes. Keys are usernames (whether or not they exist)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        with self._lock:
            now = self.clock()
            recent = [t for t in self._failures.get(key, []) if now - t < self.window]
            self._failures[key] = recent
            return len(recent) >= self.max_failures

    def failed(self, key: str) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(self.clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


LIMITER = RateLimiter()


def sign_in(
    con: duckdb.DuckDBPyConnection, username: str, password: str, limiter: RateLimiter = LIMITER
) -> User:
    """The user when the password is right; else one message that does not say whether the user
    exists. Refused while the username is rate-limited."""
    key = (username or "").strip().lower()
    if limiter.blocked(key):
        raise SalesmgmtError("auth.too_many_attempts", minutes=int(limiter.window // 60))
    row = con.execute(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?", [key]).fetchone()
    stored = row[-1] if row else _dummy_hash()
    ok = verify_password(password or "", stored) and row is not None and bool(row[7])
    if not ok or row is None:
        limiter.failed(key)
        raise SalesmgmtError("auth.bad_credentials")
    limiter.succeeded(key)
    con.execute("UPDATE users SET last_sign_in = current_localtimestamp() WHERE username = ?", [key])
    audit(con, key, "sign_in")
    return _row_to_user(row[:-1])


def _secret(con: duckdb.DuckDBPyConnection) -> bytes:
    row = con.execute("SELECT value FROM meta WHERE key = 'session_secret'").fetchone()
    if row:
        return bytes.fromhex(row[0])
    value = secrets.token_hex(32)
    con.execute("INSERT INTO meta (key, value) VALUES ('session_secret', ?) ON CONFLICT DO NOTHING", [value])
    return bytes.fromhex(db.scalar(con, "SELECT value FROM meta WHERE key = 'session_secret'"))


def issue_token(
    con: duckdb.DuckDBPyConnection, username: str, hours: float = SESSION_HOURS, now: float | None = None
) -> str:
    """A signed session token: base64url(username | expiry | HMAC)."""
    expiry = int((now if now is not None else time.time()) + hours * 3600)
    payload = f"{username}|{expiry}"
    sig = hmac.new(_secret(con), payload.encode(), hashlib.sha256).hexdigest()
    return base64.urlsafe_b64encode(f"{payload}|{sig}".encode()).decode().rstrip("=")


def user_from_token(
    con: duckdb.DuckDBPyConnection, token: str | None, now: float | None = None
) -> User | None:
    """The active user a token names, if the signature holds and it has not expired."""
    if not token or not isinstance(token, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        username, expiry, sig = raw.rsplit("|", 2)
    except (ValueError, UnicodeDecodeError):
        return None
    expected = hmac.new(_secret(con), f"{username}|{expiry}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sig, expected):
        return None
    if int(expiry) < (now if now is not None else time.time()):
        return None
    user = get_user(con, username)
    return user if user and user.active else None
