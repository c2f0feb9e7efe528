"""The embedded DuckDB database: where it lives, how to open it, its schema and migrations.

Connections are short-lived on purpose. DuckDB lets one process at a time open a file for
writing, so neither the app nor the command line keeps a connection open between units of
work: open, do the work, close. That is what lets a command-line import run while the
dashboard is serving pages.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from salesmgmt.errors import SalesmgmtError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "salesmgmt.duckdb"
_log = logging.getLogger("salesmgmt")
ENV_DB = "SALESMGMT_DB"

#: How long to keep retrying when another process holds the file's write lock.
LOCK_WAIT_SECONDS = 30.0


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """`--db` when given, else $SALESMGMT_DB, else data/salesmgmt.duckdb (app and CLI share this rule)."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env)
    return DEFAULT_DB_PATH


def data_version(path: Path) -> tuple[float, int, float, int]:
    """A cheap fingerprint of the database files; it changes whenever a write is committed.

    Used as a cache key by the app so pages show new data right after an import.
    """
    parts: list[float | int] = []
    for p in (path, Path(str(path) + ".wal")):
        try:
            st = p.stat()
            parts += [st.st_mtime, st.st_size]
        except FileNotFoundError:
            parts += [0.0, 0]
    return tuple(parts)  # type: ignore[return-value]


def _is_lock_error(exc: Exception) -> bool:
    """Another process holds the file, or (while it does) another thread of ours is opening it."""
    text = str(exc).lower()
    return (
        "lock" in text and ("could not set" in text or "conflicting" in text)
    ) or "unique file handle conflict" in text


#: Opening a file is serialised within the process: threads (app sessions) opening the same file
#: at once while another process holds its lock would otherwise race in DuckDB's instance cache.
_OPEN_LOCK = threading.Lock()


def private_files(path: Path) -> None:
    """Files this process creates from now on are its user's only (umask 077 added: DuckDB makes
    the database and its WAL with the process's umask, the WAL anew after every checkpoint), and
    the database and WAL at `path`, when others may read them, are tightened to 0600 with a note."""
    old = os.umask(0o077)
    os.umask(old | 0o077)
    for file in (path, Path(str(path) + ".wal")):
        try:
            mode = file.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(file, 0o600)
                _log.warning("%s was readable by others (%o): now 0600, its owner's only", file, mode)
        except OSError:  # missing, or not ours to change: DuckDB reports what matters
            continue


def open_connection(
    path: Path, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting while another process holds its lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private_files(path)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            with _OPEN_LOCK:
                return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise SalesmgmtError(
                    "error.db_locked", path=str(path), detail=str(exc).splitlines()[0]
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def connect(
    path: str | os.PathLike[str] | None = None, read_only: bool = False, migrate: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open, migrate to the current schema, yield, close.

    A read-only open of a database that does not exist yet, or needs migrating, opens it
    for writing once first.
    """
    db_path = resolve_db_path(path)
    if read_only and not db_path.exists():
        with connect(db_path, read_only=False, migrate=migrate):
            pass
    con = open_connection(db_path, read_only=read_only)
    if read_only and migrate and schema_version(con) < SCHEMA_VERSION:
        con.close()  # migrate once with a writing connection, then read as asked
        with connect(db_path, read_only=False, migrate=True):
            pass
        con = open_connection(db_path, read_only=read_only)
    try:
        if migrate and not read_only:
            migrate_schema(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any exception: all of a unit of work or none of it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# --------------------------------------------------------------------------------------
# Schema. Each migration moves the schema one version forward; never edit a released one,
# add the next. `meta.schema_version` records where a database stands.

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "initial data model",
        [
            """CREATE TABLE IF NOT EXISTS meta (
            key VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL)""",
            "CREATE SEQUENCE IF NOT EXISTS upload_seq START 1",
            """CREATE TABLE uploads (
            upload_id INTEGER PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            file_hash VARCHAR,
            kind VARCHAR NOT NULL,
            encoding VARCHAR,
            as_of DATE,
            rows_total INTEGER NOT NULL DEFAULT 0,
            rows_added INTEGER NOT NULL DEFAULT 0,
            rows_updated INTEGER NOT NULL DEFAULT 0,
            rows_unchanged INTEGER NOT NULL DEFAULT 0,
            rows_refused INTEGER NOT NULL DEFAULT 0,
            created_reps INTEGER NOT NULL DEFAULT 0,
            created_clients INTEGER NOT NULL DEFAULT 0,
            user_name VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            undone_at TIMESTAMP,
            undone_by VARCHAR)""",
            # What each upload changed, so it can be undone: the row's key and its values before
            # the upload (NULL when the upload added the row).
            """CREATE TABLE upload_changes (
            upload_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            entity VARCHAR NOT NULL,
            entity_key VARCHAR NOT NULL,
            action VARCHAR NOT NULL CHECK (action IN ('insert', 'update')),
            before_json VARCHAR,
            PRIMARY KEY (upload_id, seq))""",
            "CREATE SEQUENCE IF NOT EXISTS rep_seq START 1",
            """CREATE TABLE reps (
            rep_id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            name_key VARCHAR NOT NULL,
            code VARCHAR UNIQUE,
            team VARCHAR,
            region VARCHAR,
            role VARCHAR NOT NULL DEFAULT 'sales_engineer'
                CHECK (role IN ('sales_engineer', 'sales_manager', 'director')),
            manager VARCHAR,
            active BOOLEAN NOT NULL DEFAULT TRUE,
            upload_id INTEGER)""",
            "CREATE INDEX reps_name_key ON reps (name_key)",
            "CREATE SEQUENCE IF NOT EXISTS client_seq START 1",
            """CREATE TABLE clients (
            client_id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            name_key VARCHAR NOT NULL,
            code VARCHAR UNIQUE,
            client_type VARCHAR NOT NULL DEFAULT 'other'
                CHECK (client_type IN ('design_institute', 'steel_structure', 'construction',
                                       'owner', 'other')),
            region VARCHAR,
            key_account BOOLEAN NOT NULL DEFAULT FALSE,
            owner_rep_id INTEGER,
            relationship_level INTEGER CHECK (relationship_level BETWEEN 1 AND 5),
            upload_id INTEGER)""",
            "CREATE INDEX clients_name_key ON clients (name_key)",
            # The current state of each opportunity. Its past states live in opportunity_history.
            """CREATE TABLE opportunities (
            opp_id VARCHAR PRIMARY KEY,
            name VARCHAR,
            client_id INTEGER,
            rep_id INTEGER,
            product VARCHAR,
            project VARCHAR,
            stage VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
            amount DECIMAL(18, 2),
            probability DOUBLE CHECK (probability BETWEEN 0 AND 1),
            created_date DATE,
            expected_close_date DATE,
            close_date DATE,
            lost_reason VARCHAR,
            upload_id INTEGER)""",
            # Change intervals: one row per state, valid from `valid_from` (inclusive) to `valid_to`
            # (exclusive; NULL while current). A week's re-upload of an unchanged pipeline adds nothing.
            """CREATE TABLE opportunity_history (
            opp_id VARCHAR NOT NULL,
            valid_from DATE NOT NULL,
            valid_to DATE,
            client_id INTEGER,
            rep_id INTEGER,
            product VARCHAR,
            stage VARCHAR,
            status VARCHAR NOT NULL,
            amount DECIMAL(18, 2),
            probability DOUBLE,
            expected_close_date DATE,
            close_date DATE,
            upload_id INTEGER,
            PRIMARY KEY (opp_id, valid_from))""",
            "CREATE SEQUENCE IF NOT EXISTS visit_seq START 1",
            """CREATE TABLE visits (
            visit_key INTEGER PRIMARY KEY,
            visit_id VARCHAR UNIQUE,
            visit_date DATE NOT NULL,
            rep_id INTEGER NOT NULL,
            client_id INTEGER NOT NULL,
            visit_type VARCHAR NOT NULL DEFAULT 'visit'
                CHECK (visit_type IN ('visit', 'call', 'meeting', 'other')),
            planned BOOLEAN,
            accompanied_by VARCHAR,
            opp_id VARCHAR,
            purpose VARCHAR,
            outcome VARCHAR,
            notes VARCHAR,
            upload_id INTEGER)""",
            "CREATE INDEX visits_date ON visits (visit_date)",
            # A monthly target for exactly one of: a rep, a team or a region.
            """CREATE TABLE targets (
            month DATE NOT NULL,
            scope_kind VARCHAR NOT NULL CHECK (scope_kind IN ('rep', 'team', 'region')),
            scope_key VARCHAR NOT NULL,
            amount DECIMAL(18, 2) NOT NULL CHECK (amount >= 0),
            upload_id INTEGER,
            PRIMARY KEY (month, scope_kind, scope_key))""",
            # The seed's monthly planning & evaluation report, co-signed by manager and rep;
            # every weekly review saves a new revision (history kept).
            "CREATE SEQUENCE IF NOT EXISTS plan_seq START 1",
            """CREATE TABLE monthly_plans (
            plan_id INTEGER PRIMARY KEY,
            rep_id INTEGER NOT NULL,
            month DATE NOT NULL,
            revision INTEGER NOT NULL,
            saved_on DATE NOT NULL,
            saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            commitments VARCHAR,
            remedial_actions VARCHAR,
            review_notes VARCHAR,
            rep_signed_by VARCHAR,
            rep_signed_at TIMESTAMP,
            manager_signed_by VARCHAR,
            manager_signed_at TIMESTAMP,
            saved_by VARCHAR,
            UNIQUE (rep_id, month, revision))""",
            """CREATE TABLE plan_visits (
            plan_id INTEGER NOT NULL,
            client_id INTEGER NOT NULL,
            planned_date DATE NOT NULL,
            purpose VARCHAR)""",
        ],
    ),
    (
        2,
        "remembered import column mappings",
        [
            # A user's column mapping, remembered per set of headers (importer.headers_signature),
            # so next week's export with the same headers maps itself.
            """CREATE TABLE import_mappings (
            signature VARCHAR PRIMARY KEY,
            kind VARCHAR,
            mapping_json VARCHAR NOT NULL,
            saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            saved_by VARCHAR)""",
        ],
    ),
    (
        3,
        "key-account reviews, sign-in users, recognitions",
        [
            # The seed's client relationship evaluation: each review of a key account with its
            # participants and the new development plan.
            "CREATE SEQUENCE IF NOT EXISTS review_seq START 1",
            """CREATE TABLE client_reviews (
            review_id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL,
            review_date DATE NOT NULL,
            participants VARCHAR,
            findings VARCHAR,
            development_plan VARCHAR,
            next_review_date DATE,
            recorded_by VARCHAR,
            recorded_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
            # Sign-in users. scope_regions / scope_teams hold JSON lists; password_hash is scrypt.
            """CREATE TABLE users (
            username VARCHAR PRIMARY KEY,
            display_name VARCHAR,
            email VARCHAR,
            role VARCHAR NOT NULL CHECK (role IN ('director', 'manager', 'rep')),
            scope_regions VARCHAR,
            scope_teams VARCHAR,
            rep_id INTEGER,
            password_hash VARCHAR,
            active BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            last_sign_in TIMESTAMP)""",
            """CREATE TABLE audit_log (
            logged_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            username VARCHAR,
            action VARCHAR NOT NULL,
            detail VARCHAR)""",
        ],
    ),
    (
        4,
        "visits without a date index",
        [
            # DuckDB reads a date range through its zone maps, never through this index (an index
            # scan is only chosen for a handful of rows), while every import had to maintain it:
            # a 1,000,000-row insert took ~25% longer with it.
            "DROP INDEX IF EXISTS visits_date",
        ],
    ),
    (
        5,
        "the import audit without a primary key",
        [
            # Its rows are numbered by the one transaction that writes them (seq 1..n per upload)
            # and only ever read by upload; the key's index cost ~0.5 s of a 1,000,000-row import.
            """CREATE TABLE upload_changes_v5 (
            upload_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            entity VARCHAR NOT NULL,
            entity_key VARCHAR NOT NULL,
            action VARCHAR NOT NULL CHECK (action IN ('insert', 'update')),
            before_json VARCHAR)""",
            "INSERT INTO upload_changes_v5 SELECT upload_id, seq, entity, entity_key, action, before_json "
            "FROM upload_changes ORDER BY upload_id, seq",
            "DROP TABLE upload_changes",
            "ALTER TABLE upload_changes_v5 RENAME TO upload_changes",
        ],
    ),
    (
        6,
        "revocable sessions, sign-in failures by address, mappings per user, signing users",
        [
            # Server-side sessions: the cookie holds a random token; only its SHA-256 is stored,
            # so a copy of the database cannot sign anyone in. Sign-out, a password change or
            # disabling the user deletes the rows.
            """CREATE TABLE sessions (
            token_hash VARCHAR PRIMARY KEY,
            username VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            expires_at TIMESTAMP NOT NULL,
            address VARCHAR)""",
            # The session secret no longer lives in the database (salesmgmt.keys): tokens signed
            # with the old one stop working, and a backup no longer carries it.
            "DELETE FROM meta WHERE key = 'session_secret'",
            # Failed sign-ins are audited with the address they came from (rate limits read them).
            "ALTER TABLE audit_log ADD COLUMN address VARCHAR",
            # A remembered column mapping belongs to the user who saved it.
            """CREATE TABLE import_mappings_v6 (
            signature VARCHAR NOT NULL,
            username VARCHAR NOT NULL,
            kind VARCHAR,
            mapping_json VARCHAR NOT NULL,
            saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            PRIMARY KEY (signature, username))""",
            "INSERT INTO import_mappings_v6 SELECT signature, coalesce(saved_by, ''), kind, mapping_json, "
            "saved_at FROM import_mappings",
            "DROP TABLE import_mappings",
            "ALTER TABLE import_mappings_v6 RENAME TO import_mappings",
            # A plan's signatures record the signed-in user, besides the name typed.
            "ALTER TABLE monthly_plans ADD COLUMN rep_signed_user VARCHAR",
            "ALTER TABLE monthly_plans ADD COLUMN manager_signed_user VARCHAR",
        ],
    ),
    (
        7,
        "weekly forecast calls",
        [
            # Each week's forecast call of a unit (a rep, team, region or the company) for a month or
            # quarter, as submitted; never updated or deleted: a later submission of the same week
            # supersedes an earlier one for display, and all of them stay as the history. A
            # manager's adjustment of a rep's figure is a row of kind 'adjustment' on that rep,
            # beside the rep's own call.
            "CREATE SEQUENCE IF NOT EXISTS call_seq START 1",
            """CREATE TABLE forecast_calls (
            call_id INTEGER PRIMARY KEY DEFAULT nextval('call_seq'),
            period VARCHAR NOT NULL,
            week DATE NOT NULL,
            level VARCHAR NOT NULL CHECK (level IN ('rep', 'team', 'region', 'company')),
            unit VARCHAR NOT NULL,
            kind VARCHAR NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'adjustment')),
            commit_amount DECIMAL(18, 2) NOT NULL CHECK (commit_amount >= 0),
            best_case_amount DECIMAL(18, 2) NOT NULL CHECK (best_case_amount >= 0),
            note VARCHAR,
            submitted_by VARCHAR NOT NULL,
            submitted_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
        ],
    ),
    (
        8,
        "deliveries: subscriptions, their log and alert states",
        [
            # A subscription sends the weekly brief (and the alerts switched on in `alerts_json`) of
            # a scope to a WeCom or DingTalk group bot (destination: its webhook URL) or to e-mail
            # addresses (comma-separated), in a language, on a schedule ("mon 08:00", "day 1 08:00").
            "CREATE SEQUENCE IF NOT EXISTS subscription_seq START 1",
            """CREATE TABLE subscriptions (
            subscription_id INTEGER PRIMARY KEY DEFAULT nextval('subscription_seq'),
            channel VARCHAR NOT NULL CHECK (channel IN ('wecom', 'dingtalk', 'email')),
            destination VARCHAR NOT NULL,
            secret VARCHAR,
            scope_kind VARCHAR NOT NULL CHECK (scope_kind IN ('team', 'region', 'company', 'user')),
            scope_key VARCHAR,
            lang VARCHAR NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
            schedule VARCHAR NOT NULL,
            alerts_json VARCHAR NOT NULL DEFAULT '{}',
            active BOOLEAN NOT NULL DEFAULT TRUE,
            created_by VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
            # Every attempt to deliver, kept: a brief due at `due_at`, an alert, or a test. A brief
            # is sent once per (subscription, due_at): a failed attempt is retried on the next run.
            "CREATE SEQUENCE IF NOT EXISTS delivery_seq START 1",
            """CREATE TABLE deliveries (
            delivery_id INTEGER PRIMARY KEY DEFAULT nextval('delivery_seq'),
            subscription_id INTEGER NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('brief', 'alert', 'test')),
            due_at TIMESTAMP,
            alert_key VARCHAR,
            attempted_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
            ok BOOLEAN NOT NULL,
            detail VARCHAR)""",
            "CREATE INDEX deliveries_subscription ON deliveries (subscription_id, kind, due_at)",
            # An alert condition of a subscription while it holds: an alert fires when its key
            # first appears, and again only after it has cleared (the row is removed then).
            """CREATE TABLE alert_states (
            subscription_id INTEGER NOT NULL,
            alert_key VARCHAR NOT NULL,
            first_seen TIMESTAMP NOT NULL,
            last_seen TIMESTAMP NOT NULL,
            PRIMARY KEY (subscription_id, alert_key))""",
        ],
    ),
    (
        9,
        "field work: client locations and check-ins",
        [
            # Where a client is: its address as given, resolved offline to province, city and
            # district (adcode: the district's administrative code), and coordinates (WGS-84)
            # when known; `geo_source` says where they came from ('address', 'coordinates').
            "ALTER TABLE clients ADD COLUMN address VARCHAR",
            "ALTER TABLE clients ADD COLUMN province VARCHAR",
            "ALTER TABLE clients ADD COLUMN city VARCHAR",
            "ALTER TABLE clients ADD COLUMN district VARCHAR",
            "ALTER TABLE clients ADD COLUMN adcode VARCHAR",
            "ALTER TABLE clients ADD COLUMN longitude DOUBLE",
            "ALTER TABLE clients ADD COLUMN latitude DOUBLE",
            "ALTER TABLE clients ADD COLUMN geo_source VARCHAR",
            # A field check-in (DingTalk 签到 / WeCom 外出打卡) as exported, matched to a rep and a
            # client; `visit_key` is the visit it became or confirmed, `on_site` whether it was
            # within the set distance of the client (NULL when that cannot be told).
            "CREATE SEQUENCE IF NOT EXISTS checkin_seq START 1",
            """CREATE TABLE checkins (
            checkin_key INTEGER PRIMARY KEY,
            checkin_id VARCHAR UNIQUE,
            source VARCHAR NOT NULL CHECK (source IN ('dingtalk', 'wecom', 'other')),
            rep_id INTEGER NOT NULL,
            client_id INTEGER,
            checked_at TIMESTAMP NOT NULL,
            place_name VARCHAR,
            address VARCHAR,
            longitude DOUBLE,
            latitude DOUBLE,
            province VARCHAR,
            city VARCHAR,
            district VARCHAR,
            adcode VARCHAR,
            remarks VARCHAR,
            visit_key INTEGER,
            distance_m DOUBLE,
            on_site BOOLEAN,
            upload_id INTEGER)""",
            "CREATE INDEX checkins_time ON checkins (checked_at)",
        ],
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version a database stands at; 0 for an empty file."""
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")
    if not exists:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate_schema(con: duckdb.DuckDBPyConnection, target: int | None = None) -> int:
    """Apply every migration above the database's version (up to `target`); return the version."""
    target = SCHEMA_VERSION if target is None else target
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise SalesmgmtError("error.db_newer", found=current, supported=SCHEMA_VERSION)
    for version, _title, statements in MIGRATIONS:
        if current < version <= target:
            with transaction(con):
                for stmt in statements:
                    con.execute(stmt)
                con.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    [str(version)],
                )
            current = version
    return current


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the main tables (the `status` command)."""
    counts: dict[str, int] = {}
    for table in (
        "reps",
        "clients",
        "opportunities",
        "visits",
        "targets",
        "uploads",
        "opportunity_history",
        "monthly_plans",
        "client_reviews",
        "checkins",
    ):
        counts[table] = int(scalar(con, f"SELECT count(*) FROM {quote_ident(table)}"))
    return counts


_KNOWN_IDENTIFIERS = frozenset(
    {
        "reps",
        "clients",
        "opportunities",
        "opportunity_history",
        "visits",
        "targets",
        "uploads",
        "upload_changes",
        "monthly_plans",
        "plan_visits",
        "meta",
    }
)


def quote_ident(name: str) -> str:
    """Quote a table or column name that comes from our own fixed list (never from user input)."""
    if name not in _KNOWN_IDENTIFIERS and not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected identifier {name!r}")
    return '"' + name.replace('"', '""') + '"'


def next_id_above(con: duckdb.DuckDBPyConnection, sequence: str, past: int) -> int:
    """The next value of `sequence` that is above `past`, taken (a DuckDB sequence cannot be
    set, only stepped): ids written without the sequence (the demo, a restore, a test) are never
    handed out again. The caller may use the value as an id, or just discard it to move the
    sequence forward. The one way to move a sequence."""
    if not sequence.replace("_", "").isalnum():
        raise ValueError(sequence)
    taken = int(scalar(con, f"SELECT nextval('{sequence}')"))
    if taken <= past:
        con.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [past - taken])
        taken = int(scalar(con, f"SELECT nextval('{sequence}')"))
    return taken


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> Any:
    """The one value of a query that always returns one row (a count, a nextval, a setting)."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise ValueError(f"no row from {sql!r}")
    return row[0]
