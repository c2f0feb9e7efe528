"""Sending what is due: the weekly brief of every active subscription at its latest scheduled
moment, the alerts that start to hold, and a test on demand. Every attempt is a row of
`deliveries` (when, to whom with the key masked, the result).

- A brief is due at the subscription's latest scheduled moment at or before the run's moment,
  when that is at most MAX_LATE old and no earlier attempt for that moment succeeded: a failed
  attempt is retried on the next run (after a few failures in a row, less and less often: see
  `retry_wait`), and a second run at the same moment sends nothing.
- Alerts are evaluated on every run for subscriptions with rules switched on, within the
  subscription's audience, and sent only when they start to hold (`alerts.fire_new`); an alert
  whose delivery failed is forgotten (`alerts.unfire`) so the next run fires it again.
- One failing endpoint never stops the others: every failure is an attempt in the log.

DuckDB lets one process at a time write a file. A run therefore holds the database only to read
what is due and build the messages' contents, and for each short write of an attempt; drawing
(Chromium) and the network happen with the database closed when the run is given a way to open
it (`send_due_file`), so the app keeps working while the scheduler sends.
"""

from __future__ import annotations

import fcntl
import html
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from salesmgmt import clock, db
from salesmgmt.auth import User
from salesmgmt.delivery import alerts, channels, render
from salesmgmt.delivery import brief as briefs
from salesmgmt.delivery.subscriptions import Subscription, get_subscription, list_subscriptions
from salesmgmt.i18n import t

#: A brief whose moment is older than this is not sent late any more (a scheduler down for a week).
MAX_LATE = timedelta(days=7)
ENV_PUBLIC_URL = "SALESMGMT_PUBLIC_URL"

Opener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]

ATTEMPTS_SQL = """
SELECT count(*) FILTER (WHERE ok), count(*) FILTER (WHERE NOT ok), max(attempted_at) FILTER (WHERE NOT ok)
FROM deliveries
WHERE subscription_id = ? AND kind = 'brief' AND due_at = ?"""
#: Failed attempts of one brief retried on the very next run; after them the retries back off.
QUICK_RETRIES = 2
#: The longest wait between two retries of a brief that keeps failing.
MAX_RETRY_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class Attempt:
    """One delivery tried: what, for which moment, and how it went."""

    subscription_id: int
    kind: str
    """'brief', 'alert' or 'test'."""
    due_at: datetime | None
    ok: bool
    detail: str
    """Starts with the recipient (masked), then what was sent or why it failed; never a secret."""
    alert_keys: tuple[str, ...] = ()


@dataclass
class SendReport:
    at: datetime
    attempts: list[Attempt] = field(default_factory=list)
    skipped: int = 0
    """Subscriptions with nothing due: already sent, their moment too old, or waiting to retry."""
    busy: bool = False
    """Another run on the same database was under way: this one did nothing."""

    @property
    def sent(self) -> int:
        return sum(1 for a in self.attempts if a.ok)

    @property
    def failed(self) -> int:
        return sum(1 for a in self.attempts if not a.ok)


@dataclass(frozen=True)
class _Job:
    """What to send to one subscription, read while the database was open; drawn and sent after."""

    subscription: Subscription
    kind: str
    due_at: datetime | None
    compose: Callable[[], channels.Message]
    alert_keys: tuple[str, ...] = ()


def public_link(lang: str) -> str | None:
    """The app's address for readers (SALESMGMT_PUBLIC_URL) in their language; None when unset."""
    base = os.environ.get(ENV_PUBLIC_URL, "").strip()
    return f"{base.rstrip('/')}/?lang={lang}" if base else None


def brief_day(due_at: datetime) -> date:
    """The day whose week a brief due at `due_at` reports: the day before (Monday 08:00 reports
    the week just over; the 1st of a month, the month's last week)."""
    return due_at.date() - timedelta(days=1)


def pdf_name(day: date, lang: str) -> str:
    """The attachment's name carries the ISO week: brief-2026-W48.pdf."""
    year, week, _ = day.isocalendar()
    return t("delivery.pdf_name", lang, week=f"{year}-W{week:02d}")


def _brief_job(con: duckdb.DuckDBPyConnection, sub: Subscription, kind: str, due_at: datetime) -> _Job:
    day = brief_day(due_at)
    brief = briefs.build(con, sub.audience, day, sub.lang)
    link = public_link(sub.lang)
    channel = sub.channel

    def compose() -> channels.Message:
        page = brief.html()
        return channels.Message(
            title=brief.title,
            markdown=brief.markdown(max_bytes=channels.MARKDOWN_MAX_BYTES, link=link),
            text=brief.text(link),
            html=page,
            png=render.html_to_png(page) if channel == "wecom" else None,
            pdf=render.html_to_pdf(page) if channel == "email" else None,
            pdf_name=pdf_name(day, sub.lang),
        )

    return _Job(sub, kind, due_at, compose)


def alert_message(title: str, lines: list[str], lang: str, link: str | None) -> channels.Message:
    """The alerts as one message: a markdown list cut to the bots' limit ('… and 3 more in the
    app', with the link), the same as plain text and HTML for e-mail."""
    tail = f"\n\n[{t('delivery.alert.open', lang)}]({link})" if link else ""
    head = f"**{title}**\n"
    kept: list[str] = []
    for i, line in enumerate(lines):
        more = len(lines) - i - 1
        rest = f"\n{t('delivery.alert.more', lang, count=more)}" if more else ""
        candidate = head + "\n".join([*kept, f"- {line}"]) + rest + tail
        if len(candidate.encode("utf-8")) > channels.MARKDOWN_MAX_BYTES:
            break
        kept.append(f"- {line}")
    left = len(lines) - len(kept)
    markdown = (
        head + "\n".join(kept) + (f"\n{t('delivery.alert.more', lang, count=left)}" if left else "") + tail
    )
    text = "\n".join([title, "", *(f"- {line}" for line in lines), *([link] if link else [])])
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    anchor = (
        f'<p><a href="{html.escape(link)}">{html.escape(t("delivery.alert.open", lang))}</a></p>'
        if link
        else ""
    )
    page = f"<html><body><h2>{html.escape(title)}</h2><ul>{items}</ul>{anchor}</body></html>"
    return channels.Message(title=title, markdown=markdown, text=text, html=page)


def _alert_job(con: duckdb.DuckDBPyConnection, sub: Subscription, at: datetime) -> _Job | None:
    found = alerts.evaluate(con, sub.audience.filters(con), sub.alerts, at.date())
    new = alerts.fire_new(con, sub.subscription_id, found, at)
    if not new:
        return None
    title = t("delivery.alert.title", sub.lang, audience=sub.audience.describe(sub.lang))
    message = alert_message(title, [a.text(sub.lang) for a in new], sub.lang, public_link(sub.lang))
    return _Job(sub, "alert", at, lambda: message, tuple(a.key for a in new))


def _logged(sub: Subscription, what: str) -> str:
    """A log line: to whom (masked) and what happened, with any key or secret of the
    subscription masked wherever it shows (a bot's error may quote its URL). E-mail addresses
    are not secrets: they stay readable."""
    secrets = (sub.secret,) if sub.channel == "email" else (sub.destination, sub.secret)
    return channels.redact(f"{channels.mask(sub.destination)}: {what}", *secrets)


def _attempt(job: _Job) -> Attempt:
    """Draw and send one job (the database need not be open); any failure is an attempt too."""
    sub = job.subscription
    try:
        message = job.compose()
    except Exception as exc:  # a brief that cannot be drawn fails this delivery only
        outcome = channels.Outcome(False, f"not drawn: {exc}")
    else:
        outcome = channels.deliver(sub.channel, sub.destination, sub.secret, message)
    detail = _logged(sub, outcome.detail)
    return Attempt(sub.subscription_id, job.kind, job.due_at, outcome.ok, detail, job.alert_keys)


def _record(con: duckdb.DuckDBPyConnection, attempt: Attempt) -> None:
    """One short write: the attempt's rows (one per alert for alerts); a failed alert is
    forgotten so that it fires again next run."""
    keys: tuple[str | None, ...] = attempt.alert_keys or (None,)
    with db.transaction(con):  # attempted_at: the real time of the attempt, whatever `at` says
        con.executemany(
            "INSERT INTO deliveries (subscription_id, kind, due_at, alert_key, ok, detail) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (attempt.subscription_id, attempt.kind, attempt.due_at, key, attempt.ok, attempt.detail)
                for key in keys
            ],
        )
    if attempt.kind == "alert" and not attempt.ok:
        alerts.unfire(con, attempt.subscription_id, attempt.alert_keys)


def _failed(
    con: duckdb.DuckDBPyConnection,
    report: SendReport,
    sub: Subscription,
    kind: str,
    due: datetime,
    exc: Exception,
) -> None:
    """A delivery that could not even be prepared (an audience gone: a team renamed, a user
    disabled) is a failed attempt like any other, retried next run."""
    detail = _logged(sub, str(exc))
    attempt = Attempt(sub.subscription_id, kind, due, False, detail)
    report.attempts.append(attempt)
    _record(con, attempt)


def retry_wait(failures: int) -> timedelta:
    """How long after its last failure a brief is tried again: at once (the next run) for the
    first QUICK_RETRIES failures, then 1, 2, 4 ... minutes up to MAX_RETRY_WAIT, so a mail server
    down for a day costs a few dozen attempts (each draws the brief in Chromium), not 1,440."""
    if failures <= QUICK_RETRIES:
        return timedelta(0)
    return min(timedelta(minutes=2 ** (failures - QUICK_RETRIES - 1)), MAX_RETRY_WAIT)


def _is_due(con: duckdb.DuckDBPyConnection, sub: Subscription, due: datetime, at: datetime) -> bool:
    """Not too late, not sent yet, and not waiting after failures (real time: the log's)."""
    if at - due > MAX_LATE:
        return False
    sent, failures, last_failure = con.execute(ATTEMPTS_SQL, [sub.subscription_id, due]).fetchone()  # type: ignore[misc]
    if sent:
        return False
    return not failures or datetime.now() >= last_failure + retry_wait(int(failures))


def _plan(con: duckdb.DuckDBPyConnection, report: SendReport) -> list[_Job]:
    """The jobs due at the report's moment; alert states move on as `fire_new` records them."""
    at = report.at
    jobs: list[_Job] = []
    for sub in list_subscriptions(con):
        due = sub.schedule.latest(at)
        if not _is_due(con, sub, due, at):
            report.skipped += 1
        else:
            try:
                jobs.append(_brief_job(con, sub, "brief", due))
            except Exception as exc:
                _failed(con, report, sub, "brief", due, exc)
        if sub.alerts:
            try:
                job = _alert_job(con, sub, at)
            except Exception as exc:
                _failed(con, report, sub, "alert", at, exc)
            else:
                if job is not None:
                    jobs.append(job)
    return jobs


def _run(
    open_db: Opener, report: SendReport, plan: Callable[[duckdb.DuckDBPyConnection], list[_Job]]
) -> SendReport:
    with open_db() as con:
        jobs = plan(con)
    for job in jobs:
        attempt = _attempt(job)
        report.attempts.append(attempt)
        with open_db() as con:
            _record(con, attempt)
    return report


def send_due(con: duckdb.DuckDBPyConnection, at: datetime) -> SendReport:
    """Send everything due at `at` on an open connection (see the module's docstring)."""
    report = SendReport(at)
    return _run(lambda: nullcontext(con), report, lambda c: _plan(c, report))


def send_due_file(path: Path, at: datetime) -> SendReport:
    """As `send_due`, opening the database at `path` only to read and to write, never while
    drawing or sending. One run at a time per database (a lock on `<database>.send-lock`): a
    cron run that starts while the last one still sends does nothing (`busy`), rather than send
    the same brief twice."""
    report = SendReport(at)
    with os.fdopen(os.open(str(path) + ".send-lock", os.O_CREAT | os.O_RDWR, 0o600), "r+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report.busy = True
            return report
        try:
            return _run(lambda: db.connect(path), report, lambda c: _plan(c, report))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def send_test(
    con: duckdb.DuckDBPyConnection, subscription_id: int, at: datetime, by: User | None = None
) -> Attempt:
    """Send the subscription's brief now (kind 'test'), whatever its schedule; logged like any
    other attempt, and it does not count as the scheduled brief. `by` must manage it."""
    sub = get_subscription(con, subscription_id, by)
    report = SendReport(at)

    def plan(c: duckdb.DuckDBPyConnection) -> list[_Job]:
        try:
            return [_brief_job(c, sub, "test", at)]
        except Exception as exc:
            _failed(c, report, sub, "test", at, exc)
            return []

    _run(lambda: nullcontext(con), report, plan)
    return report.attempts[0]


# ------------------------------------------------------------------------------------------
# The scheduler


def now() -> datetime:
    """The moment a run sends for: now, on the day pinned by SALESMGMT_TODAY when set."""
    moment = datetime.now().replace(microsecond=0)
    return datetime.combine(clock.today(), moment.time())


def seconds_to_next(moment: datetime, interval: float) -> float:
    """Seconds from `moment` to the next multiple of `interval` (60: the next whole minute)."""
    into = moment.timestamp() % interval
    return interval - into


def run_scheduler(
    tick: Callable[[datetime], object],
    stop: threading.Event,
    interval: float = 60.0,
    moment: Callable[[], datetime] = now,
) -> int:
    """Call `tick(moment())` now and then at every multiple of `interval` seconds until `stop` is
    set (by SIGTERM or Ctrl-C); the number of runs. A run that fails is reported by `tick` and
    the loop goes on."""
    runs = 0
    while not stop.is_set():
        tick(moment())
        runs += 1
        stop.wait(seconds_to_next(datetime.now(), interval))
    return runs
