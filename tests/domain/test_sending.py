"""Sending what is due, end to end with real parts: the demo company (as of Wednesday 2 December
2026), the real command line in subprocesses, real Chromium drawing the image and the PDF, a
real HTTP server on loopback standing in for the WeCom and DingTalk group bots and a real SMTP
server (aiosmtpd). The tests read what arrived."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from salesmgmt import auth, db
from salesmgmt.delivery import sending
from salesmgmt.delivery.audience import Audience
from salesmgmt.delivery.brief import build
from salesmgmt.delivery.subscriptions import add_subscription
from tests.domain import test_channels as servers
from tests.domain.test_channels import DINGTALK_SECRET

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-12-02"
#: Monday 30 November 2026, five minutes after a "mon 08:00" brief was due.
MONDAY = datetime(2026, 11, 30, 8, 5)
PUBLIC_URL = "https://sales.example.cn"
DRAGON = "龙 Dragon"

#: The stand-in bots and SMTP server, shared with the channels' tests.
bots = servers.bots
mail = servers.mail

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(), reason="needs Chromium"
)


def salesmgmt(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SALESMGMT_TODAY": TODAY, "SALESMGMT_PUBLIC_URL": PUBLIC_URL, **(env or {})},
    )


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    made = salesmgmt("demo", "--db", str(path), "--as-of", TODAY)
    assert made.returncode == 0, made.stderr
    with db.connect(path) as con:
        auth.add_user(con, "chen", "manager", "pw", teams=(DRAGON,))
    return path


@pytest.fixture
def demo(demo_template, tmp_path):
    """A fresh copy of the demo company with chen, the manager of 龙 Dragon."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


def other_teams_names(path: Path, team: str = DRAGON) -> set[str]:
    """The reps of every other team (and the teams' names), which a team's brief must not name."""
    with db.connect(path, read_only=True) as con:
        reps = con.execute("SELECT name FROM reps WHERE team <> ?", [team]).fetchall()
        teams = con.execute("SELECT DISTINCT team FROM reps WHERE team <> ?", [team]).fetchall()
    return {name for (name,) in reps} | {name for (name,) in teams}


def deliveries(path: Path) -> list[tuple]:
    with db.connect(path, read_only=True) as con:
        return con.execute(
            "SELECT subscription_id, kind, due_at, alert_key, ok, detail FROM deliveries ORDER BY delivery_id"
        ).fetchall()


# ------------------------------------------------------------------------------------------
# The "done when", through the command line


def test_a_manager_subscribes_a_wecom_group_to_the_monday_brief_and_it_arrives_in_both_languages(demo, bots):
    zh_key, en_key = "zhkey0123456789abcdef0123", "enkey0123456789abcdef0123"
    zh = salesmgmt("subscriptions", "add", "--channel", "wecom", "--to", bots.wecom_url(zh_key), "--team", "Dragon",
                   "--as-user", "chen", "--schedule", "周一 08:00", "--db", str(demo))  # fmt: skip
    en = salesmgmt("subscriptions", "add", "--channel", "wecom", "--to", bots.wecom_url(en_key), "--as-user", "chen",
                   "--lang", "en", "--schedule", "mon 08:00", "--db", str(demo))  # fmt: skip
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr + en.stderr

    sent = salesmgmt("send", "--due", "--at", "2026-11-30 08:05", "--db", str(demo))
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "2 sent, 0 failed" in sent.stdout

    others = other_teams_names(demo)
    for key, heading in ((zh_key, "销售周报 · 龙 Dragon"), (en_key, "Weekly brief")):
        markdown, image = bots.bodies(key)
        content = markdown["markdown"]["content"]
        assert markdown["msgtype"] == "markdown" and heading in content
        assert len(content.encode("utf-8")) <= 4096
        assert "2026-11-23" in content and "2026-11-29" in content  # the week just over
        assert f"({PUBLIC_URL}/?lang={'zh' if key == zh_key else 'en'})" in content
        assert not [name for name in others if name in content], "another team's name in Dragon's brief"
        png = base64.b64decode(image["image"]["base64"])
        assert image["msgtype"] == "image" and png.startswith(b"\x89PNG")
        assert hashlib.md5(png).hexdigest() == image["image"]["md5"] and len(png) <= 2 * 1024 * 1024
    assert "万元" in bots.bodies(zh_key)[0]["markdown"]["content"]
    assert "CNY" in bots.bodies(en_key)[0]["markdown"]["content"]

    again = salesmgmt("send", "--due", "--at", "2026-11-30 08:05", "--db", str(demo))
    later = salesmgmt("send", "--due", "--at", "2026-12-02 17:00", "--db", str(demo))
    assert "0 sent, 0 failed, 2 already sent" in again.stdout and "0 sent" in later.stdout
    assert len(bots.received) == 4

    log = salesmgmt("subscriptions", "log", "--db", str(demo))
    assert log.stdout.count(" brief ") == 2 and zh_key not in log.stdout and en_key not in log.stdout
    assert "key=zhke…0123" in log.stdout


def test_a_test_send_goes_now_and_does_not_count_as_the_scheduled_brief(demo, bots):
    with db.connect(demo) as con:
        made = add_subscription(
            con, None, channel="dingtalk", destination=bots.dingtalk_url(), secret=DINGTALK_SECRET,
            audience=Audience("team", DRAGON), when="mon 08:00", lang="en",
        )  # fmt: skip
    tested = salesmgmt("subscriptions", "test", str(made.subscription_id), "--db", str(demo))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "test" in tested.stdout and "signed" in tested.stdout and DINGTALK_SECRET not in tested.stdout
    (body,) = [b for _, _, b in bots.received]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith("Weekly brief")
    assert bots.bad_signatures == 0
    with db.connect(demo) as con:
        report = sending.send_due(con, MONDAY)
    assert [(a.kind, a.ok) for a in report.attempts] == [("brief", True)]
    assert [row[1] for row in deliveries(demo)] == ["test", "brief"]


# ------------------------------------------------------------------------------------------
# E-mail: the brief inline, the PDF attached


def test_the_email_brief_arrives_inline_with_a_pdf_holding_the_teams_figures(demo, mail, monkeypatch):
    monkeypatch.setenv("SALESMGMT_PUBLIC_URL", PUBLIC_URL)
    with db.connect(demo) as con:
        add_subscription(
            con, auth.active_user(con, "chen"), channel="email", destination="chen@dragon.example, li@dragon.example",
            audience=Audience("team", "Dragon"), when="mon 08:00", lang="en",
        )  # fmt: skip
        report = sending.send_due(con, MONDAY)
        expected = build(con, Audience("team", DRAGON), date(2026, 11, 29), "en")
    assert [a.ok for a in report.attempts] == [True], report.attempts
    ((recipients, message),) = mail.messages
    assert recipients == ["chen@dragon.example", "li@dragon.example"]
    assert message["Subject"] == expected.title
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<html" in html.lower() and expected.title in text and PUBLIC_URL in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "brief-2026-W48.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    words = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    month = expected.blocks[0]
    assert DRAGON.split()[1] in words
    for figure in month.figures[:3]:  # won, attainment, forecast of the month, as the brief has them
        assert " ".join(figure.value.split()) in words, figure
    assert not [name for name in other_teams_names(demo) if name in words]


# ------------------------------------------------------------------------------------------
# Failures: never stopping the others, retried next run, no secret anywhere


def test_a_failing_endpoint_does_not_stop_the_others_and_is_retried_on_the_next_run(demo, bots, mail):
    down, refusing, fine = "downkey0123456789abcd", "refusingtoken0123456789", "finekey0123456789abcd"
    bots.http_500.add(down)
    bots.refuse.add(refusing)
    with db.connect(demo) as con:
        dragon = Audience("team", DRAGON)
        common = {"audience": dragon, "when": "mon 08:00", "lang": "zh"}
        a = add_subscription(con, None, channel="wecom", destination=bots.wecom_url(down), **common)
        b = add_subscription(
            con,
            None,
            channel="dingtalk",
            destination=bots.dingtalk_url(refusing),
            secret=DINGTALK_SECRET,
            **common,
        )
        c = add_subscription(con, None, channel="dingtalk", destination=bots.dingtalk_url(fine), **common)
        d = add_subscription(con, None, channel="email", destination="chen@dragon.example", **common)

        first = sending.send_due(con, MONDAY)
        assert {(x.subscription_id, x.ok) for x in first.attempts} == {
            (a.subscription_id, False), (b.subscription_id, False), (c.subscription_id, True), (d.subscription_id, True)
        }  # fmt: skip
        second = sending.send_due(con, MONDAY)  # the same moment: only the failures again
        assert sorted(x.subscription_id for x in second.attempts) == [a.subscription_id, b.subscription_id]
        assert second.skipped == 2 and len(mail.messages) == 1

        bots.http_500.clear()
        bots.refuse.clear()
        third = sending.send_due(con, datetime(2026, 11, 30, 8, 6))
        assert sorted((x.subscription_id, x.ok) for x in third.attempts) == [
            (a.subscription_id, True),
            (b.subscription_id, True),
        ]
        assert sending.send_due(con, datetime(2026, 11, 30, 8, 7)).attempts == []

    rows = deliveries(demo)
    assert [(sid, ok) for sid, kind, *_, ok, _ in rows if sid == a.subscription_id] == [
        (a.subscription_id, False)
    ] * 2 + [(a.subscription_id, True)]
    details = " ".join(row[-1] for row in rows)
    for secret in (down, refusing, fine, DINGTALK_SECRET):
        assert secret not in details
    assert "HTTP 500" in details and "errcode 93000" in details and "down…abcd" in details
    assert "chen@dragon.example: 1 of 1 addresses, PDF" in details  # an address is no secret
    assert all(row[2] == datetime(2026, 11, 30, 8, 0) for row in rows)


def test_a_brief_more_than_a_week_late_is_not_sent(demo, bots):
    with db.connect(demo) as con:
        add_subscription(
            con,
            None,
            channel="wecom",
            destination=bots.wecom_url(),
            audience=Audience("company"),
            when="day 1 08:00",
        )
        report = sending.send_due(con, MONDAY)  # 1 November is 29 days ago
    assert report.attempts == [] and report.skipped == 1 and bots.received == []


# ------------------------------------------------------------------------------------------
# Alerts


def test_an_alert_is_sent_when_it_starts_to_hold_and_not_again(demo, bots):
    with db.connect(demo) as con:
        made = add_subscription(
            con, auth.active_user(con, "chen"), channel="dingtalk", destination=bots.dingtalk_url(),
            secret=DINGTALK_SECRET, audience=Audience("team", DRAGON), when="day 1 08:00", lang="en",
            alerts={"key_account_cold": 7},
        )  # fmt: skip
        first = sending.send_due(con, datetime(2026, 12, 2, 9, 0))
        second = sending.send_due(con, datetime(2026, 12, 2, 9, 1))
        held = con.execute("SELECT count(*) FROM alert_states").fetchone()[0]
    kinds = [(x.kind, x.ok) for x in first.attempts]
    assert kinds == [("brief", True), ("alert", True)]
    alert = first.attempts[1]
    assert len(alert.alert_keys) == held >= 1
    assert second.attempts == []  # the brief is sent and the alerts still hold: nothing new
    (_, _, brief), (_, _, alerts) = bots.received
    text = alerts["markdown"]["text"]
    assert alerts["markdown"]["title"] == f"Alerts: {Audience('team', DRAGON).describe('en')}"
    assert len(text.encode("utf-8")) <= 4096 and text.count("\n- ") >= 1
    assert not [name for name in other_teams_names(demo) if name in text]
    rows = [r for r in deliveries(demo) if r[1] == "alert"]
    assert len(rows) == held and all(r[0] == made.subscription_id and r[4] for r in rows)


def test_an_alert_whose_delivery_failed_fires_again_next_run(demo, bots):
    token = "alerttoken0123456789"
    bots.refuse.add(token)
    with db.connect(demo) as con:
        made = add_subscription(
            con, None, channel="dingtalk", destination=bots.dingtalk_url(token),
            audience=Audience("team", DRAGON), when="day 1 08:00", alerts={"key_account_cold": 7},
        )  # fmt: skip
        con.execute(  # this month's brief has gone already: only the alerts are left to send
            "INSERT INTO deliveries (subscription_id, kind, due_at, ok, detail) VALUES (?, 'brief', ?, TRUE, 'sent')",
            [made.subscription_id, datetime(2026, 12, 1, 8, 0)],
        )
        failed = sending.send_due(con, datetime(2026, 12, 2, 9, 0))
        bots.refuse.clear()
        retried = sending.send_due(con, datetime(2026, 12, 2, 9, 1))
    assert [(x.kind, x.ok) for x in failed.attempts] == [("alert", False)]
    assert [(x.kind, x.ok) for x in retried.attempts] == [("alert", True)]
    assert retried.attempts[0].alert_keys == failed.attempts[0].alert_keys


def test_alert_lines_beyond_4096_bytes_are_cut_with_more_in_the_app():
    lines = [f"重点客户 {i:03d} 号已有 30 天没有拜访（负责人 张伟）" for i in range(200)]
    message = sending.alert_message("提醒：龙 Dragon", lines, "zh", PUBLIC_URL + "/?lang=zh")
    size = len(message.markdown.encode("utf-8"))
    kept = message.markdown.count("\n- ")
    assert size <= 4096 and 0 < kept < 200
    assert f"……另有 {200 - kept} 条，请在系统中查看" in message.markdown
    assert message.markdown.endswith(f"[打开系统]({PUBLIC_URL}/?lang=zh)")
    assert message.text.count("\n- ") == 200  # e-mail carries them all


# ------------------------------------------------------------------------------------------
# The scheduler


def test_the_scheduler_loop_runs_at_each_interval_until_stopped():
    stop = threading.Event()
    moments: list[datetime] = []

    def tick(at: datetime) -> None:
        moments.append(at)
        if len(moments) == 3:
            stop.set()

    started = time.monotonic()
    runs = sending.run_scheduler(tick, stop, interval=0.2)
    assert runs == 3 and time.monotonic() - started < 2
    assert sending.seconds_to_next(datetime(2026, 11, 30, 8, 4, 45), 60) == 15


def test_the_scheduler_command_sends_every_interval_and_stops_cleanly_on_sigterm(demo, bots):
    with db.connect(demo) as con:
        add_subscription(
            con,
            None,
            channel="dingtalk",
            destination=bots.dingtalk_url(),
            secret=DINGTALK_SECRET,
            audience=Audience("team", DRAGON),
            when="daily 00:00",
            lang="en",
        )
    once = salesmgmt("scheduler", "--once", "--db", str(demo))
    assert once.returncode == 0 and "1 sent, 0 failed" in once.stdout, once.stdout + once.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "salesmgmt", "scheduler", "--interval", "1", "--db", str(demo)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SALESMGMT_TODAY": TODAY},
    )
    try:
        lines = []
        assert process.stdout is not None
        while sum("already sent" in line for line in lines) < 2:
            lines.append(process.stdout.readline())
            assert lines[-1], "the scheduler ended early: " + "".join(lines) + process.stderr.read()  # type: ignore[union-attr]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Scheduler stopped." in out and "Traceback" not in err
    assert len(bots.received) == 1  # sent once by --once, never again by the loop


# ------------------------------------------------------------------------------------------
# A brief that cannot be made


def test_a_brief_whose_audience_is_gone_is_a_logged_failure_and_the_others_still_go(tiny_con, bots):
    auth.add_user(tiny_con, "chen", "manager", "pw", teams=("Dragon",))
    chens = add_subscription(
        tiny_con, None, channel="dingtalk", destination=bots.dingtalk_url("chenstoken0123456789"),
        audience=Audience("user", "chen"), when="mon 08:00", lang="en",
    )  # fmt: skip
    tigers = add_subscription(
        tiny_con, None, channel="dingtalk", destination=bots.dingtalk_url("tigertoken0123456789"),
        audience=Audience("team", "Tiger"), when="mon 08:00", lang="en",
    )  # fmt: skip
    auth.disable_user(tiny_con, "chen")  # chen left: their scope is no audience any more
    report = sending.send_due(tiny_con, datetime(2026, 5, 25, 8, 0))
    assert [(a.subscription_id, a.ok) for a in report.attempts] == [
        (chens.subscription_id, False), (tigers.subscription_id, True)
    ]  # fmt: skip
    assert "chen" in report.attempts[0].detail and "chenstoken0123456789" not in report.attempts[0].detail
    assert [b["markdown"]["title"] for b in bots.bodies("tigertoken0123456789")] == ["Weekly brief · Tiger"]
    tested = sending.send_test(tiny_con, chens.subscription_id, datetime(2026, 5, 25, 9, 0))
    assert (tested.kind, tested.ok) == ("test", False)
    logged = tiny_con.execute(
        "SELECT kind, ok FROM deliveries WHERE subscription_id = ? ORDER BY delivery_id",
        [chens.subscription_id],
    ).fetchall()
    assert logged == [("brief", False), ("test", False)]


@pytest.mark.parametrize(
    ("failures", "minutes"), [(1, 0), (2, 0), (3, 1), (4, 2), (5, 4), (8, 32), (9, 60), (40, 60)]
)
def test_a_brief_that_keeps_failing_is_retried_less_and_less_often(failures, minutes):
    assert sending.retry_wait(failures).total_seconds() == minutes * 60


def test_after_three_failures_in_a_row_the_next_run_waits_a_minute(tiny_con, bots):
    token = "downtoken0123456789"
    bots.refuse.add(token)
    add_subscription(
        tiny_con, None, channel="dingtalk", destination=bots.dingtalk_url(token),
        audience=Audience("team", "Tiger"), when="mon 08:00",
    )  # fmt: skip
    runs = [sending.send_due(tiny_con, datetime(2026, 5, 25, 8, minute)) for minute in range(4)]
    assert [len(r.attempts) for r in runs] == [1, 1, 1, 0] and runs[3].skipped == 1
    # two minutes later (the log's times moved back, as the clock would have moved on)
    tiny_con.execute("UPDATE deliveries SET attempted_at = attempted_at - INTERVAL 2 MINUTE")
    bots.refuse.clear()
    later = sending.send_due(tiny_con, datetime(2026, 5, 25, 8, 6))
    assert [(a.kind, a.ok) for a in later.attempts] == [("brief", True)]


def test_a_send_run_that_starts_while_another_sends_does_nothing(tiny_db, bots):
    import fcntl

    with db.connect(tiny_db) as con:
        add_subscription(
            con, None, channel="dingtalk", destination=bots.dingtalk_url("tigertoken0123456789"),
            audience=Audience("team", "Tiger"), when="mon 08:00",
        )  # fmt: skip
    with open(str(tiny_db) + ".send-lock", "a") as held:  # the run under way holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        second = salesmgmt("send", "--due", "--at", "2026-05-25 08:05", "--db", str(tiny_db))
        fcntl.flock(held, fcntl.LOCK_UN)
    assert second.returncode == 0 and "another run is still sending" in second.stdout
    assert bots.received == []
    after = salesmgmt("send", "--due", "--at", "2026-05-25 08:06", "--db", str(tiny_db))
    assert "1 sent, 0 failed" in after.stdout and len(bots.received) == 1
