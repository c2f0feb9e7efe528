"""The Subscriptions page on the tiny company: a manager sees and adds subscriptions of their own
team only, never a key in full, sends a test now to a real group bot on loopback (an HTTP server
in this process) and reads it in the log of deliveries."""

from __future__ import annotations

import pytest

from salesmgmt import auth, db
from salesmgmt.delivery import subscriptions
from salesmgmt.delivery.audience import Audience
from tests.app.support import markdown_text, open_page, table_with
from tests.domain.test_channels import BotServer

PAGE = "pages/subscriptions.py"
DRAGON_KEY = "dragon-0123456789-abcdef-KEY"
TIGER_KEY = "tiger-0123456789-abcdef-KEY"


def signed_in(path, username: str) -> dict:
    """The session state of a signed-in user."""
    with db.connect(path) as con:
        return {"session_token": auth.start_session(con, username)}


@pytest.fixture
def bot():
    server = BotServer()
    yield server
    server.close()


@pytest.fixture
def company(app_env, bot):
    """Chen manages Dragon, Wu Tiger, Wang directs; the director has subscribed a Tiger group
    (#1) and a Dragon group (#2) to the Monday brief."""
    with db.connect(app_env) as con:
        auth.add_user(con, "chen", "manager", "Chen-long-pass-1", teams=("Dragon",))
        auth.add_user(con, "wu", "manager", "Wu-long-pass-1", teams=("Tiger",))
        auth.add_user(con, "wang", "director", "Wang-long-pass-1")
        for team, key in (("Tiger", TIGER_KEY), ("Dragon", DRAGON_KEY)):
            subscriptions.add_subscription(
                con,
                None,
                channel="wecom",
                destination=bot.wecom_url(key),
                audience=Audience("team", team),
                when="mon 08:00",
                lang="en",
            )
    return app_env


def shown_text(at) -> str:
    """Everything the page says in words: markdown, captions, messages, table cells."""
    parts = [markdown_text(at), *(c.value for c in at.caption)]
    parts += [m.value for m in (*at.success, *at.error, *at.info)]
    parts += [d.value.to_string() for d in at.dataframe]
    return " ".join(parts)


def delivery_log(at):
    """The table of deliveries (by its frame's columns; the headers are the table's config)."""
    return table_with(at, "attempted_at", "subscription", "delivery_kind", "result", "detail")


def test_a_manager_sees_only_the_subscriptions_of_their_team_and_no_key_in_full(company):
    at = open_page(PAGE, "en", check=True, **signed_in(company, "chen"))
    text = shown_text(at)
    assert "#2 · WeCom group bot** · Team Dragon" in text
    assert "#1" not in text and "Tiger" not in text
    assert DRAGON_KEY not in text and "key=drag…-KEY" in text
    assert at.selectbox(key="sub_audience").options == ["Team Dragon", "Scope of chen"]


def test_the_director_sees_every_subscription_and_may_subscribe_the_company(company):
    at = open_page(PAGE, "en", check=True, **signed_in(company, "wang"))
    text = shown_text(at)
    assert "#1 · WeCom group bot** · Team Tiger" in text and "#2 · WeCom group bot** · Team Dragon" in text
    assert at.selectbox(key="sub_audience").options[:3] == ["Whole company", "Team Dragon", "Team Tiger"]


def add_dragon_group(at, url: str):
    at.selectbox(key="sub_channel").set_value("wecom")
    at.selectbox(key="sub_audience").set_value("Team Dragon")
    at.text_input(key="sub_to").set_value(url)
    at.text_input(key="sub_when").set_value("周一 08:30")
    at.checkbox(key="sub_alert_key_account_cold").check()
    at.number_input(key="sub_alert_n_key_account_cold").set_value(21)
    return next(b for b in at.button if b.label == "Add subscription").click().run()


def test_a_manager_adds_a_wecom_group_for_their_team_sends_a_test_and_reads_the_log(company, bot):
    key = "new-dragon-group-0123456789-KEY"
    at = open_page(PAGE, "en", check=True, **signed_in(company, "chen"))
    at = add_dragon_group(at, bot.wecom_url(key))
    assert not at.exception, [e.message for e in at.exception]
    text = shown_text(at)
    assert "Subscription #3 added for Team Dragon." in text
    assert "#3 · WeCom group bot** · Team Dragon" in text and "mon 08:30" in text
    assert "A key account has not been visited for 21 days" in text
    assert key not in text and at.text_input(key="sub_to").value == "", "the key is not shown back"
    with db.connect(company) as con:
        stored = con.execute(
            "SELECT scope_kind, scope_key, schedule, created_by FROM subscriptions WHERE subscription_id = 3"
        ).fetchone()
    assert stored == ("team", "Dragon", "mon 08:30", "chen")

    at.button(key="sub_test_3").click().run()
    assert not at.exception, [e.message for e in at.exception]
    (markdown, image) = bot.bodies(key)
    assert markdown["msgtype"] == "markdown" and "Dragon" in markdown["markdown"]["content"]
    assert "Tiger" not in markdown["markdown"]["content"] and "王强" not in markdown["markdown"]["content"]
    assert image["msgtype"] == "image" and image["image"]["base64"]
    text = shown_text(at)
    assert "Test sent:" in text and key not in text
    log = delivery_log(at)
    assert log[["subscription", "delivery_kind", "result"]].values.tolist() == [["#3", "Test", "sent"]]
    assert "new-…-KEY" in log["detail"].iloc[0] and key not in log["detail"].iloc[0]


def test_a_test_to_a_failing_bot_is_a_failure_in_the_log_with_the_key_masked(company, bot):
    bot.http_500.add(DRAGON_KEY)
    at = open_page(PAGE, "zh", check=True, **signed_in(company, "chen"))
    at.button(key="sub_test_2").click().run()
    assert not at.exception, [e.message for e in at.exception]
    text = shown_text(at)
    assert "测试未送达" in text and DRAGON_KEY not in text
    log = delivery_log(at)
    assert log[["subscription", "delivery_kind", "result"]].values.tolist() == [["#2", "测试", "失败"]]


def test_a_wrong_schedule_is_said_and_nothing_is_added(company, bot):
    at = open_page(PAGE, "en", check=True, **signed_in(company, "chen"))
    at.text_input(key="sub_to").set_value(bot.wecom_url("x"))
    at.text_input(key="sub_when").set_value("sometimes")
    next(b for b in at.button if b.label == "Add subscription").click().run()
    assert "The schedule “sometimes” is not understood" in shown_text(at)
    with db.connect(company) as con:
        assert db.scalar(con, "SELECT count(*) FROM subscriptions") == 2


def test_a_manager_removes_their_subscription_and_its_log_stays(company, bot):
    at = open_page(PAGE, "en", check=True, **signed_in(company, "chen"))
    at.button(key="sub_test_2").click().run()
    at.button(key="sub_remove_2").click().run()
    assert not at.exception, [e.message for e in at.exception]
    text = shown_text(at)
    assert "Subscription #2 removed" in text and "No subscriptions yet" in text
    assert delivery_log(at)["subscription"].tolist() == ["#2"]


def test_a_rep_has_no_subscriptions_page(company):
    with db.connect(company) as con:
        auth.add_user(con, "li", "rep", "Li-long-pass-12", rep="李娜 Li")
    at = open_page("pages/overview.py", "en", **signed_in(company, "li"))
    with pytest.raises(Exception):  # noqa: B017 - AppTest refuses a page the navigation does not list
        at.switch_page(PAGE).run()
