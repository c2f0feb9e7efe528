"""Subscriptions on the tiny company (Dragon and Tiger teams; chen manages Dragon, boss is the
director, li a rep): what is accepted, what is refused and why (nothing written then), who
manages which, and that a key or secret is never shown back. Schedules worked out by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from salesmgmt import auth, db
from salesmgmt.delivery import schedule
from salesmgmt.delivery.audience import Audience
from salesmgmt.delivery.subscriptions import (
    add_subscription,
    delivery_log,
    get_subscription,
    list_subscriptions,
    remove_subscription,
)
from salesmgmt.errors import SalesmgmtError

ROOT = Path(__file__).resolve().parents[2]
KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
WECOM = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4"
DINGTALK = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
SECRET = "SEC0123456789abcdef0123456789abcdef"


@pytest.fixture
def company(tiny_con):
    auth.add_user(tiny_con, "chen", "manager", "pw", teams=("Dragon",))
    auth.add_user(tiny_con, "east", "manager", "pw", regions=("East",))
    auth.add_user(tiny_con, "boss", "director", "pw")
    auth.add_user(tiny_con, "li", "rep", "pw", rep="李娜 Li")
    return tiny_con


def user(con, name):
    return auth.active_user(con, name)


def count(con) -> int:
    return int(db.scalar(con, "SELECT count(*) FROM subscriptions"))


# ------------------------------------------------------------------------------------------
# Schedules


@pytest.mark.parametrize(
    ("text", "canonical", "latest"),
    [
        # Thursday 3 December 2026, 12:00
        ("mon 08:00", "mon 08:00", datetime(2026, 11, 30, 8, 0)),
        ("Monday 8:00", "mon 08:00", datetime(2026, 11, 30, 8, 0)),
        ("周一 08:00", "mon 08:00", datetime(2026, 11, 30, 8, 0)),
        ("星期四 12:00", "thu 12:00", datetime(2026, 12, 3, 12, 0)),  # at the very moment
        ("thu 12:01", "thu 12:01", datetime(2026, 11, 26, 12, 1)),  # a minute later: last week's
        ("周日 18:30", "sun 18:30", datetime(2026, 11, 29, 18, 30)),
        ("daily 07:30", "daily 07:30", datetime(2026, 12, 3, 7, 30)),
        ("daily 13:00", "daily 13:00", datetime(2026, 12, 2, 13, 0)),
        ("day 1 08:00", "day 1 08:00", datetime(2026, 12, 1, 8, 0)),
        ("day 5 08:00", "day 5 08:00", datetime(2026, 11, 5, 8, 0)),
    ],
)
def test_a_schedule_is_read_and_its_latest_moment_worked_out(text, canonical, latest):
    parsed = schedule.parse(text)
    assert parsed.text() == canonical
    assert parsed.latest(datetime(2026, 12, 3, 12, 0)) == latest


def test_a_monthly_day_past_the_months_end_is_its_last_day():
    assert schedule.parse("day 31 09:00").latest(datetime(2026, 3, 1, 8, 0)) == datetime(2026, 2, 28, 9, 0)
    assert schedule.parse("day 1 08:00").latest(datetime(2026, 1, 1, 7, 59)) == datetime(2025, 12, 1, 8, 0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "monday",
        "08:00",
        "mon 25:00",
        "mon 8",
        "day 0 08:00",
        "day 32 08:00",
        "weekly 08:00",
        "周八 08:00",
    ],
)
def test_a_schedule_not_understood_names_the_forms_that_are(text):
    with pytest.raises(SalesmgmtError) as caught:
        schedule.parse(text)
    assert caught.value.key == "delivery.error.schedule"
    assert "day 1 08:00" in caught.value.message("en") and "周一 08:00" in caught.value.message("zh")


# ------------------------------------------------------------------------------------------
# Adding


def test_a_manager_subscribes_a_wecom_group_to_the_monday_brief_of_their_team(company):
    made = add_subscription(
        company,
        user(company, "chen"),
        channel="wecom",
        destination=WECOM,
        audience=Audience.parse("team", "dragon"),
        when="周一 08:00",
        lang="zh",
        alerts={"key_account_cold": 30},
    )
    assert made.audience == Audience("team", "Dragon")  # the team's own name, as the data has it
    assert made.schedule.text() == "mon 08:00" and made.created_by == "chen"
    assert made.alerts == {"key_account_cold": 30}
    stored = company.execute(
        "SELECT schedule, alerts_json, scope_kind, scope_key FROM subscriptions"
    ).fetchone()
    assert stored == ("mon 08:00", '{"key_account_cold": 30}', "team", "Dragon")
    logged = company.execute(
        "SELECT username, action FROM audit_log WHERE action LIKE 'subscription%'"
    ).fetchall()
    assert logged == [("chen", "subscription.add")]


@pytest.mark.parametrize(
    ("who", "kind", "key", "error"),
    [
        ("chen", "team", "Tiger", "brief.error.outside"),  # another team
        ("chen", "region", "West", "brief.error.outside"),
        ("chen", "company", None, "brief.error.outside_company"),
        ("chen", "user", "boss", "brief.error.outside"),  # the director's scope is everything
        ("east", "region", "West", "brief.error.outside"),
        ("li", "user", "li", "delivery.error.role"),  # reps do not manage subscriptions
    ],
)
def test_a_subscription_outside_the_users_scope_is_refused_and_nothing_is_written(
    company, who, kind, key, error
):
    with pytest.raises(SalesmgmtError) as caught:
        add_subscription(
            company, user(company, who), channel="wecom", destination=WECOM,
            audience=Audience.parse(kind, key), when="mon 08:00",
        )  # fmt: skip
    assert caught.value.key == error
    assert count(company) == 0


@pytest.mark.parametrize(
    ("who", "kind", "key"),
    [
        ("chen", "team", "Dragon"),
        ("chen", "user", "chen"),  # their own scope
        ("east", "team", "Dragon"),  # a team of their region
        ("east", "region", "East"),
        ("chen", "region", "East"),  # the tiny East is Dragon's reps and nobody else
        ("boss", "company", None),
        ("boss", "team", "Tiger"),
        (None, "region", "West"),  # the command line without --as-user
    ],
)
def test_a_subscription_within_the_users_scope_is_accepted(company, who, kind, key):
    by = user(company, who) if who else None
    add_subscription(
        company, by, channel="email", destination="team@dragon.example",
        audience=Audience.parse(kind, key), when="daily 08:00",
    )  # fmt: skip
    assert count(company) == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"audience": Audience("team", "Leopard")}, "brief.error.team"),
        ({"audience": Audience("user", "nobody")}, "brief.error.user"),
        ({"when": "Mondays at eight"}, "delivery.error.schedule"),
        ({"channel": "feishu"}, "delivery.error.channel"),
        ({"destination": "qyapi.weixin.qq.com"}, "delivery.error.webhook"),
        ({"secret": SECRET}, "delivery.error.secret_not_dingtalk"),
        ({"lang": "fr"}, "delivery.error.lang"),
        ({"alerts": {"key_account_cold": 0}}, "alerts.error.bad_threshold"),
        ({"alerts": {"weather": 3}}, "alerts.error.unknown_rule"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(company, changes, error):
    given = {
        "channel": "wecom",
        "destination": WECOM,
        "audience": Audience("team", "Dragon"),
        "when": "mon 08:00",
        "lang": "zh",
        "secret": None,
        "alerts": None,
        **changes,
    }
    with pytest.raises(SalesmgmtError) as caught:
        add_subscription(company, user(company, "boss"), **given)
    assert caught.value.key == error
    assert count(company) == 0


# ------------------------------------------------------------------------------------------
# Listing, removing, the log


def _three(con):
    boss, chen = user(con, "boss"), user(con, "chen")
    dragon = add_subscription(
        con, chen, channel="wecom", destination=WECOM, audience=Audience("team", "Dragon"), when="mon 08:00"
    )
    tiger = add_subscription(
        con, boss, channel="dingtalk", destination=DINGTALK, secret=SECRET,
        audience=Audience("team", "Tiger"), when="day 1 08:00", lang="en",
    )  # fmt: skip
    everyone = add_subscription(
        con,
        boss,
        channel="email",
        destination="boss@x.example",
        audience=Audience("company"),
        when="daily 07:00",
    )
    return dragon, tiger, everyone


def test_each_manager_lists_the_subscriptions_of_their_scope_and_the_director_all(company):
    dragon, tiger, everyone = _three(company)
    ids = lambda who: [s.subscription_id for s in list_subscriptions(company, user(company, who))]  # noqa: E731
    assert ids("chen") == [dragon.subscription_id]
    assert ids("east") == [dragon.subscription_id]
    assert ids("boss") == [dragon.subscription_id, tiger.subscription_id, everyone.subscription_id]
    with pytest.raises(SalesmgmtError) as caught:
        get_subscription(company, tiger.subscription_id, user(company, "chen"))
    assert caught.value.key == "delivery.error.not_yours"


def test_a_subscription_shows_its_destination_masked_and_its_secret_only_as_set(company):
    _, tiger, _ = _three(company)
    view = tiger.view("en")
    assert view.destination == "https://oapi.dingtalk.com/robot/send?access_token=a1b2…c3d4"
    assert view.secret == "set" and tiger.view("zh").secret == "已设置"
    assert view.audience == Audience("team", "Tiger").describe("en") and view.schedule == "day 1 08:00"
    shown = repr(view)
    assert TOKEN not in shown and SECRET not in shown


def test_a_removed_subscription_is_no_longer_listed_and_its_log_stays(company):
    dragon, _, _ = _three(company)
    company.execute(
        "INSERT INTO deliveries (subscription_id, kind, due_at, ok, detail) VALUES (?, 'brief', ?, TRUE, 'sent')",
        [dragon.subscription_id, datetime(2026, 5, 25, 8, 0)],
    )
    with pytest.raises(SalesmgmtError):
        remove_subscription(company, dragon.subscription_id, user(company, "li"))  # a rep may not
    remove_subscription(company, dragon.subscription_id, user(company, "chen"))
    assert dragon.subscription_id not in [s.subscription_id for s in list_subscriptions(company)]
    assert [s.subscription_id for s in list_subscriptions(company, include_removed=True)][
        0
    ] == dragon.subscription_id
    (entry,) = delivery_log(company, user(company, "chen"))
    assert entry.subscription_id == dragon.subscription_id and entry.ok and entry.detail == "sent"


# ------------------------------------------------------------------------------------------
# The command line


def run(path: Path, *args: str, lang: str | None = None) -> subprocess.CompletedProcess:
    head = ["--lang", lang] if lang else []
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", *head, *args, "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SALESMGMT_TODAY": "2026-05-20"},
    )


@pytest.fixture
def company_db(tiny_db):
    with db.connect(tiny_db) as con:
        auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    return tiny_db


def test_the_command_line_adds_lists_and_removes_and_never_shows_a_key_or_secret(company_db):
    added = run(company_db, "subscriptions", "add", "--channel", "dingtalk", "--to", DINGTALK, "--secret", SECRET,
                "--team", "Dragon", "--as-user", "chen", "--schedule", "mon 08:00", "--alert", "plan_unsigned",
                "--lang", "en")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(
        "Subscription #1: dingtalk to https://oapi.dingtalk.com/robot/send?access_token=a1b2…c3d4"
    )
    assert "alerts: plan_unsigned=5" in added.stdout
    listed = run(company_db, "subscriptions", "list")
    zh = run(company_db, "subscriptions", "list", "--lang", "zh")
    for output in (added, listed, zh):
        assert TOKEN not in output.stdout + output.stderr and SECRET not in output.stdout + output.stderr
    assert "access_token=a1b2…c3d4" in listed.stdout and " set " in listed.stdout
    assert "已设置" in zh.stdout and "密钥" in zh.stdout
    assert run(company_db, "subscriptions", "remove", "1", "--as-user", "chen").returncode == 0
    assert run(company_db, "subscriptions", "list").stdout.strip() == "No subscriptions."


def test_the_command_line_refuses_a_managers_subscription_for_another_team(company_db):
    refused = run(company_db, "subscriptions", "add", "--channel", "wecom", "--to", WECOM, "--team", "Tiger",
                  "--as-user", "chen", "--schedule", "mon 08:00")  # fmt: skip
    assert refused.returncode == 1 and refused.stderr.startswith("Error: ")
    assert "Tiger" in refused.stderr and "Traceback" not in refused.stderr
    no_whom = run(
        company_db, "subscriptions", "add", "--channel", "wecom", "--to", WECOM, "--schedule", "mon 08:00"
    )
    assert no_whom.returncode == 1 and "--team T, --region R, --company, or --as-user U" in no_whom.stderr
    bad_schedule = run(company_db, "subscriptions", "add", "--channel", "wecom", "--to", WECOM, "--company",
                       "--schedule", "Mondays", lang="zh")  # fmt: skip
    assert bad_schedule.returncode == 1 and "无法识别发送时间“Mondays”" in bad_schedule.stderr
    with db.connect(company_db, read_only=True) as con:
        assert count(con) == 0
