"""Alerts (issue 15): each rule fires on the case it should and not on the near miss, only inside
the filters' scope, once while its condition holds, and again after it has cleared.

The company, checked by hand. February 2027 starts on a Monday and has 20 working days; the tests
read it on Monday 15 February, when 10 working days are over (pace 50%).

- Teams: Dragon (张伟 Zhang 1, 李娜 Li 2, manager 陈总 Chen 4), Tiger (王强 Wang 3, 赵六 Zhao 5).
  Targets 100,000 per engineer for February: 200,000 per team.
- Won in February: Dragon 78,000 on the 10th (39%: 11 points behind 50%), Tiger 82,000 on the
  3rd (41%: 9 points behind, the near miss).
- Key accounts: 华东设计院 (1, Zhang's) last visited 15 January, 31 days before; 江苏钢构 (2, Li's)
  17 January, 29 days (the near miss at 30); 成都钢构 (4, Wang's) never. 西部业主 (3) is no key
  account and never visited.
- Plans for February: Zhang's first revision signed by both, a second one unsigned; Li signed
  alone; Zhao's saved, signed by nobody; Wang has none.
- Deals: D1 (Zhang, 300,000, client 1) pushed from 31 Jan to 28 Feb on 10 Jan and to 31 Mar on
  1 Feb: twice. D2 (Li) pushed once and pulled in once (the near miss). D3 (Wang) pushed twice
  and then won. D4 (Zhao, 100,000) pushed twice.
- Client visits in the weeks of 1 and 8 February: Zhang 1 and 1 (and one on the 15th, in a week
  not over), Li 0 (a call only) and 2, Wang 2 and 2, Zhao 0 and 1.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from salesmgmt import db
from salesmgmt.delivery import alerts
from salesmgmt.delivery.alerts import RULES, Alert, evaluate, fire_new, parse_rules
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.glossary import find
from salesmgmt.i18n import CATALOGUE
from salesmgmt.periods import Period
from salesmgmt.text import name_key

FEB = Period.parse("2027-02")
TODAY = date(2027, 2, 15)
ALL_RULES = {
    "team_behind_pace": 10,
    "key_account_cold": 30,
    "plan_unsigned": 5,
    "deal_pushed_twice": 2,
    "rep_below_norm": 2,
}

REPS = [
    (1, "张伟 Zhang", "Dragon", "sales_engineer"),
    (2, "李娜 Li", "Dragon", "sales_engineer"),
    (3, "王强 Wang", "Tiger", "sales_engineer"),
    (4, "陈总 Chen", "Dragon", "sales_manager"),
    (5, "赵六 Zhao", "Tiger", "sales_engineer"),
]
CLIENTS = [
    (1, "华东设计院", True, 1),
    (2, "江苏钢构", True, 2),
    (3, "西部业主", False, 3),
    (4, "成都钢构", True, 3),
]
# opp_id, rep, client, amount, states: (valid_from, status, expected close, close date)
DEALS = [
    ("W1", 1, 3, 78_000, [(date(2027, 1, 5), "open", date(2027, 2, 10), None),
                          (date(2027, 2, 10), "won", date(2027, 2, 10), date(2027, 2, 10))]),
    ("W2", 3, 3, 82_000, [(date(2027, 1, 5), "open", date(2027, 2, 3), None),
                          (date(2027, 2, 3), "won", date(2027, 2, 3), date(2027, 2, 3))]),
    ("D1", 1, 1, 300_000, [(date(2026, 11, 1), "open", date(2027, 1, 31), None),
                           (date(2027, 1, 10), "open", date(2027, 2, 28), None),
                           (date(2027, 2, 1), "open", date(2027, 3, 31), None)]),
    ("D2", 2, 2, 50_000, [(date(2026, 11, 1), "open", date(2027, 2, 28), None),
                          (date(2027, 1, 10), "open", date(2027, 3, 31), None),
                          (date(2027, 2, 1), "open", date(2027, 3, 15), None)]),
    ("D3", 3, 4, 70_000, [(date(2026, 11, 1), "open", date(2026, 12, 31), None),
                          (date(2026, 12, 20), "open", date(2027, 1, 15), None),
                          (date(2027, 1, 10), "open", date(2027, 1, 31), None),
                          (date(2027, 1, 20), "won", date(2027, 1, 31), date(2027, 1, 20))]),
    ("D4", 5, 3, 100_000, [(date(2026, 11, 1), "open", date(2027, 1, 31), None),
                           (date(2027, 1, 12), "open", date(2027, 2, 20), None),
                           (date(2027, 2, 2), "open", date(2027, 3, 10), None)]),
]  # fmt: skip
VISITS = [
    (date(2027, 1, 15), 1, 1, "visit"),
    (date(2027, 1, 17), 2, 2, "visit"),
    (date(2027, 2, 3), 1, 3, "visit"),
    (date(2027, 2, 9), 1, 3, "visit"),
    (date(2027, 2, 15), 1, 3, "visit"),
    (date(2027, 2, 2), 2, 3, "call"),
    (date(2027, 2, 8), 2, 3, "visit"),
    (date(2027, 2, 10), 2, 3, "visit"),
    (date(2027, 2, 1), 3, 3, "visit"),
    (date(2027, 2, 4), 3, 3, "visit"),
    (date(2027, 2, 8), 3, 3, "visit"),
    (date(2027, 2, 11), 3, 3, "visit"),
    (date(2027, 2, 12), 5, 3, "visit"),
]
SIGNED = datetime(2027, 2, 3, 9, 0)
# rep, revision, rep signed, manager signed
PLANS = [(1, 1, SIGNED, SIGNED), (1, 2, None, None), (2, 1, SIGNED, None), (5, 1, None, None)]


def load(con) -> None:
    con.executemany(
        "INSERT INTO reps (rep_id, name, name_key, team, region, role) VALUES (?,?,?,?,?,?)",
        [
            (i, n, name_key(n), team, "East" if team == "Dragon" else "West", role)
            for i, n, team, role in REPS
        ],
    )
    con.executemany(
        "INSERT INTO clients (client_id, name, name_key, key_account, owner_rep_id) VALUES (?,?,?,?,?)",
        [(i, n, name_key(n), key, owner) for i, n, key, owner in CLIENTS],
    )
    for opp, rep, client, amount, states in DEALS:
        ends = [s[0] for s in states[1:]] + [None]
        con.executemany(
            "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, rep_id, client_id, stage, status,"
            " amount, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    opp,
                    start,
                    end,
                    rep,
                    client,
                    "negotiation" if status == "open" else status,
                    status,
                    amount,
                    exp,
                    cl,
                )
                for (start, status, exp, cl), end in zip(states, ends)
            ],
        )
        _, status, expected, closed = states[-1]
        con.execute(
            "INSERT INTO opportunities (opp_id, name, rep_id, client_id, stage, status, amount, created_date,"
            " expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [opp, f"{opp} 采光带", rep, client, "negotiation" if status == "open" else status, status, amount,
             states[0][0], expected, closed],
        )  # fmt: skip
    con.executemany(
        "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)",
        [(FEB.start, "rep", str(rep), 100_000) for rep in (1, 2, 3, 5)],
    )
    con.executemany(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, visit_type) VALUES (?,?,?,?,?)",
        [(i + 1, *v) for i, v in enumerate(VISITS)],
    )
    con.executemany(
        "INSERT INTO monthly_plans (plan_id, rep_id, month, revision, saved_on, rep_signed_by, rep_signed_at,"
        " manager_signed_by, manager_signed_at) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (i + 1, rep, FEB.start, rev, date(2027, 2, 1), rs and "rep", rs, ms and "陈总 Chen", ms)
            for i, (rep, rev, rs, ms) in enumerate(PLANS)
        ],
    )


@pytest.fixture
def company_db(tmp_path):
    path = tmp_path / "alerts.duckdb"
    with db.connect(path) as con:
        load(con)
    return path


@pytest.fixture
def company(company_db):
    with db.connect(company_db) as con:
        yield con


def keys(found: list[Alert]) -> list[str]:
    return [a.key for a in found]


def test_every_rule_is_in_the_glossary_and_described_in_both_languages():
    for name, rule in RULES.items():
        assert find(name) is not None, name
        for lang in ("en", "zh"):
            assert rule.description_key in CATALOGUE[lang]
            assert str(rule.default) in alerts.rule_description(rule, lang)


def test_all_rules_on_the_whole_company_give_exactly_the_hand_checked_alerts(company):
    assert keys(evaluate(company, Filters(), ALL_RULES, TODAY)) == [
        "team_behind_pace:team:Dragon:2027-02",
        "key_account_cold:client:4",  # never visited, listed first
        "key_account_cold:client:1",
        "plan_unsigned:rep:2:2027-02",
        "plan_unsigned:rep:3:2027-02",
        "plan_unsigned:rep:5:2027-02",
        "deal_pushed_twice:opp:D1",  # the bigger of the two
        "deal_pushed_twice:opp:D4",
        "rep_below_norm:rep:1",
        "rep_below_norm:rep:5",
    ]


def test_a_team_11_points_behind_pace_is_alerted_and_one_9_points_behind_is_not(company):
    assert alerts.working_days_share(FEB, TODAY) == 0.5
    (dragon,) = evaluate(company, Filters(), {"team_behind_pace": 10}, TODAY)
    assert dragon.team == "Dragon" and dragon.rep is None
    assert dragon.subject["attainment"] == pytest.approx(0.39)
    assert dragon.subject["points_behind"] == pytest.approx(11)
    assert dragon.text("en") == (
        "**Dragon** is behind pace in Feb 2027: 39% of the target won with 50% of the working days "
        "gone (11 points behind; won CNY 78,000 of CNY 200,000)"
    )
    assert dragon.text("zh") == (
        "**Dragon** 2027年2月落后于进度：目标完成 39%，工作日已过 50%（落后 11 个百分点；已赢单 7.8 万元 / 目标 20.0 万元）"
    )
    # At N = 8 Tiger's 9 points are too many.
    assert keys(evaluate(company, Filters(), {"team_behind_pace": 8}, TODAY)) == [
        "team_behind_pace:team:Dragon:2027-02",
        "team_behind_pace:team:Tiger:2027-02",
    ]


def test_no_team_is_judged_on_its_pace_before_the_first_complete_week_is_over(company):
    # March 2027 starts on a Monday and has 23 working days; nothing is won in it. With March
    # targets of 100,000 per engineer both teams stand at 0%.
    march = Period.parse("2027-03")
    company.executemany(
        "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)",
        [(march.start, "rep", str(rep), 100_000) for rep in (1, 2, 3, 5)],
    )
    # The 1st: nothing of the month is over.
    assert evaluate(company, Filters(), {"team_behind_pace": 1}, date(2027, 3, 1)) == []
    # Thursday the 4th: 3 of 23 working days are over (13%), both teams 13 points behind, but
    # the first week is not over.
    assert alerts.working_days_share(march, date(2027, 3, 4)) == pytest.approx(3 / 23)
    assert evaluate(company, Filters(), {"team_behind_pace": 10}, date(2027, 3, 4)) == []
    # Sunday the 7th ends the first week: 5 of 23 days over (22%): both judged, and behind.
    found = evaluate(company, Filters(), {"team_behind_pace": 10}, date(2027, 3, 7))
    assert keys(found) == ["team_behind_pace:team:Dragon:2027-03", "team_behind_pace:team:Tiger:2027-03"]
    assert found[0].subject["points_behind"] == pytest.approx(500 / 23)


def test_a_rep_scope_sees_no_team_pace(company):
    assert evaluate(company, Filters(scope_rep_ids=(1,)), {"team_behind_pace": 1}, TODAY) == []


def test_a_key_account_31_days_unvisited_is_cold_at_30_and_one_29_days_is_not(company):
    cold = evaluate(company, Filters(), {"key_account_cold": 30}, TODAY)
    assert keys(cold) == ["key_account_cold:client:4", "key_account_cold:client:1"]
    never, zhang = cold
    assert (zhang.team, zhang.rep, zhang.subject["days_since_visit"]) == ("Dragon", "张伟 Zhang", 31)
    assert zhang.text("en") == (
        "Key account **华东设计院** (owner 张伟 Zhang) has not been visited for 31 days "
        "(last visit 2027-01-15; open pipeline CNY 300,000)"
    )
    assert zhang.text("zh") == (
        "重点客户 **华东设计院**（负责人 张伟 Zhang）已 31 天未拜访（上次拜访 2027-01-15；在途商机 30.0 万元）"
    )
    assert (
        never.text("en")
        == "Key account **成都钢构** (owner 王强 Wang) has never been visited (open pipeline CNY 0)"
    )
    # By default (the app's going-cold days, 60) only the account never visited.
    default = evaluate(company, Filters(), parse_rules(["key_account_cold"]), TODAY)
    assert keys(default) == ["key_account_cold:client:4"]


def test_a_plan_not_signed_by_both_is_alerted_from_the_day_after_the_nth(company):
    assert evaluate(company, Filters(), {"plan_unsigned": 5}, date(2027, 2, 5)) == []
    found = evaluate(company, Filters(), {"plan_unsigned": 5}, date(2027, 2, 6))
    # Zhang's plan was signed by both (a later unsigned revision does not undo that); the
    # manager 陈总 makes no plan of his own.
    assert [(a.rep, a.subject["missing"]) for a in found] == [
        ("李娜 Li", "manager"),
        ("王强 Wang", "no_plan"),
        ("赵六 Zhao", "both"),
    ]
    li = found[0]
    assert (
        li.text("en") == "**李娜 Li**'s plan for Feb 2027 is not signed by day 5: the manager has not signed"
    )
    assert li.text("zh") == "**李娜 Li** 的2027年2月计划到 5 日仍未签字：经理未签字"


def test_a_deal_pushed_a_second_time_is_alerted_not_one_pushed_once_or_already_won(company):
    # Before D1's second push (1 February) it has been pushed once; D4 too (until the 2nd).
    assert evaluate(company, Filters(), {"deal_pushed_twice": 2}, date(2027, 1, 31)) == []
    d1, d4 = evaluate(company, Filters(), {"deal_pushed_twice": 2}, TODAY)
    assert (d1.key, d1.team, d1.rep, d1.subject["push_count"]) == (
        "deal_pushed_twice:opp:D1",
        "Dragon",
        "张伟 Zhang",
        2,
    )
    assert d1.text("en") == (
        "Deal **D1 采光带** (华东设计院, 张伟 Zhang) pushed 2 times: now expected 2027-03-31, "
        "first 2027-01-31 (CNY 300,000)"
    )
    assert d1.text("zh") == (
        "商机 **D1 采光带**（华东设计院，张伟 Zhang）已推迟 2 次：现预计 2027-03-31 成交，最初为 2027-01-31（30.0 万元）"
    )
    assert d4.key == "deal_pushed_twice:opp:D4" and d4.team == "Tiger"


def test_an_engineer_below_the_norm_two_complete_weeks_running_is_alerted(company):
    found = evaluate(company, Filters(), {"rep_below_norm": 2}, TODAY)
    # Zhang 1 and 1 (the visit on the 15th is in a week not over); Zhao 0 and 1. Li's call
    # is no visit, but her second week met the norm; Wang met it both weeks.
    assert [(a.rep, a.subject["visits"]) for a in found] == [("张伟 Zhang", [1, 1]), ("赵六 Zhao", [0, 1])]
    assert found[0].text("en") == (
        "**张伟 Zhang** below the visit norm of 2 a week 2 weeks running: 1, 1 visits in the weeks from 2027-02-01"
    )
    assert (
        found[0].text("zh")
        == "**张伟 Zhang** 连续 2 周未达每周 2 次拜访标准：自 2027-02-01 起各周拜访 1, 1 次"
    )
    # Three weeks running: the week of 25 January had no visit by anyone, so both still; Li too
    # has two weeks below (25 Jan, 1 Feb) but not three.
    three = evaluate(company, Filters(), {"rep_below_norm": 3}, TODAY)
    assert [a.rep for a in three] == ["张伟 Zhang", "赵六 Zhao"]


@pytest.mark.parametrize(
    ("filters", "team"),
    [
        (Filters(teams=("Dragon",)), "Dragon"),
        (Filters(scope_teams=("Tiger",)), "Tiger"),
        (Filters(regions=("West",)), "Tiger"),
    ],
)
def test_a_teams_filters_never_return_another_teams_alerts(company, filters, team):
    found = evaluate(company, filters, ALL_RULES, TODAY)
    everyone = evaluate(company, Filters(), ALL_RULES, TODAY)
    assert found and {a.team for a in found} == {team}
    assert keys(found) == [a.key for a in everyone if a.team == team]


def test_a_reps_own_scope_sees_only_their_own_alerts(company):
    found = evaluate(company, Filters(scope_rep_ids=(2,)), ALL_RULES, TODAY)
    assert keys(found) == ["plan_unsigned:rep:2:2027-02"]


def test_an_alert_fires_once_while_it_holds_and_again_after_it_cleared(company_db):
    rules = {"key_account_cold": 30}

    def run(day: date, at: datetime, subscription: int = 1) -> list[str]:
        with db.connect(company_db) as con:
            return keys(fire_new(con, subscription, evaluate(con, Filters(), rules, day), at))

    first = datetime(2027, 2, 15, 8, 0)
    assert run(TODAY, first) == ["key_account_cold:client:4", "key_account_cold:client:1"]
    assert run(TODAY, datetime(2027, 2, 15, 8, 1)) == []  # still holds: nothing again
    assert run(TODAY, datetime(2027, 2, 15, 8, 1), subscription=2) == [  # another subscription
        "key_account_cold:client:4",
        "key_account_cold:client:1",
    ]
    with db.connect(company_db) as con:  # 华东设计院 is visited on the 16th: it clears
        con.execute(
            "INSERT INTO visits (visit_key, visit_date, rep_id, client_id) VALUES (99, '2027-02-16', 1, 1)"
        )
    # On the 16th 江苏钢构 (last visited 17 January) reaches 30 days: it fires, 华东设计院 is gone.
    assert run(date(2027, 2, 16), datetime(2027, 2, 16, 8, 0)) == ["key_account_cold:client:2"]
    # 31 days after that visit 华东设计院 is cold again and fires again; the others never stopped.
    later = datetime(2027, 3, 19, 8, 0)
    assert run(date(2027, 3, 19), later) == ["key_account_cold:client:1"]
    with db.connect(company_db, read_only=True) as con:
        states = con.execute(
            "SELECT alert_key, first_seen, last_seen FROM alert_states WHERE subscription_id = 1 ORDER BY 1"
        ).fetchall()
    assert states == [
        ("key_account_cold:client:1", later, later),
        ("key_account_cold:client:2", datetime(2027, 2, 16, 8, 0), later),
        ("key_account_cold:client:4", first, later),
    ]


def test_an_alert_whose_delivery_failed_fires_again_on_the_next_run(company):
    found = evaluate(company, Filters(), {"key_account_cold": 30}, TODAY)
    assert len(fire_new(company, 7, found, datetime(2027, 2, 15, 8, 0))) == 2
    alerts.unfire(company, 7, ["key_account_cold:client:1"])
    again = fire_new(company, 7, found, datetime(2027, 2, 15, 8, 1))
    assert keys(again) == ["key_account_cold:client:1"]


def test_rules_are_read_from_options_with_their_defaults_and_refused_when_unknown():
    assert parse_rules(["key_account_cold=45", "plan_unsigned"]) == {
        "plan_unsigned": 5,
        "key_account_cold": 45,
    }
    assert list(parse_rules(["rep_below_norm", "team_behind_pace=12"])) == [
        "team_behind_pace",
        "rep_below_norm",
    ]
    with pytest.raises(SalesmgmtError) as unknown:
        parse_rules(["cold_accounts=30"])
    assert "cold_accounts" in str(unknown.value)
    assert "team_behind_pace, key_account_cold, plan_unsigned, deal_pushed_twice, rep_below_norm" in str(
        unknown.value
    )
    for bad in ("plan_unsigned=29", "plan_unsigned=x", "key_account_cold=0"):
        with pytest.raises(SalesmgmtError, match="must be a whole number"):
            parse_rules([bad])
    with pytest.raises(SalesmgmtError):
        alerts.evaluate(None, Filters(), {"nonsense": 1}, TODAY)  # refused before reading anything
    stored = alerts.rules_json({"key_account_cold": 45, "plan_unsigned": 5})
    assert alerts.rules_from_json(stored) == {"key_account_cold": 45, "plan_unsigned": 5}
    assert alerts.rules_from_json(None) == {}


def test_names_cannot_format_an_alert_line():
    assert alerts.chat_text("**王** [点我](http://x) `a`\n# b") == "＊＊王＊＊ ［点我］(http://x) ｀a｀ ＃ b"
    assert alerts.chat_text("Invoice\u202egpj") == "Invoice\ufffdgpj"


def test_a_name_written_as_markdown_stays_plain_text_in_the_alert_line(company):
    company.execute("UPDATE clients SET name = '**免费**[点这里](http://evil.example)' WHERE client_id = 1")
    (line,) = [
        a.text("zh")
        for a in evaluate(company, Filters(), {"key_account_cold": 30}, TODAY)
        if a.subject["client_id"] == 1
    ]
    assert line.startswith("重点客户 **＊＊免费＊＊［点这里］(http://evil.example)**（负责人 张伟 Zhang）")
    assert "[" not in line and "\n" not in line
