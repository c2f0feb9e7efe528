"""The first day of a month, walked as a user would (1 May 2026): no figure sets one day of May
against a whole month."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from salesmgmt import db
from tests.app.support import metrics, open_page, table_with


@pytest.fixture
def first_of_may(app_env, monkeypatch):
    monkeypatch.setenv("SALESMGMT_TODAY", "2026-05-01")
    return app_env


def write_rows(db_file, sql: str, rows: list) -> None:
    with db.connect(db_file) as con:
        con.executemany(sql, rows)


def assert_caption(at, lang: str, en: str, zh: str) -> None:
    assert (en if lang == "en" else zh) in " ".join(c.value for c in at.caption)


def chart_titled(at, title: str) -> dict:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return next(s for s in specs if title in json.dumps(s["layout"].get("title"), ensure_ascii=False))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_regions_over_time_end_with_april_and_say_may_is_running(first_of_may, lang):
    at = open_page("pages/regional_review.py", lang, check=True, f_period="2026-05")
    lines = chart_titled(at, "by region, month by month" if lang == "en" else "各区域每月的")
    months = {x for trace in lines["data"] for x in trace["x"]}
    # Twelve months from May 2025 to April 2026: May 2026's one day is not a point on the lines.
    assert max(months) == "2026-04" and min(months) == "2025-05"
    assert_caption(
        at,
        lang,
        "May 2026 is still running (to 2026-05-01): the lines end with Apr 2026",
        "2026年5月尚未结束（至 2026-05-01）：折线截至 2026年4月",
    )


@pytest.fixture
def located_first_of_may(first_of_may):
    """The tiny company's clients placed: 华东设计院 in Shanghai (open O4 50,000), 江苏钢构 in Suzhou
    (open O5 100,000; visited on 1 May), 西部业主 in Chengdu (open O8 20,000); no visit in April."""
    places = {
        1: ("310104", "上海市", "上海市"),
        2: ("320505", "江苏省", "苏州市"),
        3: ("510104", "四川省", "成都市"),
    }
    rows = [[*place, client] for client, place in places.items()]
    write_rows(
        first_of_may, "UPDATE clients SET adcode = ?, province = ?, city = ? WHERE client_id = ?", rows
    )
    return first_of_may


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cities_not_visited_are_judged_on_april_in_the_first_days_of_may(located_first_of_may, lang):
    at = open_page("pages/regional_review.py", lang, check=True, f_period="2026-05")
    cities = table_with(at, "area", "area_pipeline")
    # April had no visit: all three cities with open pipeline, the largest first. May's one day
    # (a visit in Suzhou on 1 May) would have left Suzhou out.
    assert list(cities["area"]) == ["苏州市", "上海市", "成都市"]
    in_unit = [100_000, 50_000, 20_000] if lang == "en" else [10.0, 5.0, 2.0]  # 万元 in Chinese
    assert list(cities["area_pipeline"]) == in_unit
    assert_caption(
        at,
        lang,
        "First days of May 2026: the visits counted are those of Apr 2026",
        "2026年5月期初：按上一个完整期 2026年4月 的拜访判断",
    )


@pytest.fixture
def checked_in_first_of_may(first_of_may):
    """张伟 checked in twice in April (once at the client, once 3 km away) and once on 1 May (at the client)."""
    rows = [
        (1, "2026-04-20 10:00:00", 120.0, True),
        (2, "2026-04-22 15:00:00", 3_000.0, False),
        (3, "2026-05-01 09:30:00", 80.0, True),
    ]
    write_rows(
        first_of_may,
        "INSERT INTO checkins (checkin_key, source, rep_id, client_id, checked_at, distance_m, on_site)"
        " VALUES (?, 'dingtalk', 1, 2, ?, ?, ?)",
        rows,
    )
    return first_of_may


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_check_ins_on_site_are_april_s_in_the_first_days_of_may(checked_in_first_of_may, lang):
    at = open_page("pages/action_review.py", lang, check=True, f_period="2026-05")
    table = table_with(at, "rep", "on_site_rate")
    zhang = table[table["rep"] == "张伟 Zhang"].iloc[0]
    # April: 1 of 2 at the client (50%), not 1 May's single check-in at 100%.
    assert (zhang["checkins"], zhang["on_site_checkins"], zhang["off_site_checkins"]) == (2, 1, 1)
    assert zhang["on_site_rate"] == 50.0
    assert_caption(
        at,
        lang,
        "First days of May 2026: the check-ins shown are those of Apr 2026",
        "2026年5月期初：以下为上一个完整期 2026年4月 的签到",
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_one_to_one_shows_april_s_on_site_rate_in_the_first_days_of_may(checked_in_first_of_may, lang):
    at = open_page("pages/monthly_plan.py", lang, check=True, f_period="2026-05", mp_rep=1)
    # April's 1 of 2 at the client, not 1 May's one check-in at 100%.
    label = "On-site rate in Apr 2026" if lang == "en" else "2026年4月现场签到率"
    assert metrics(at)[label] == "50%"
    assert_caption(
        at,
        lang,
        "First days of May 2026: the check-ins are those of Apr 2026",
        "2026年5月期初：以下为上一个完整月 2026年4月 的签到",
    )


@pytest.fixture
def april_visits_first_of_may(first_of_may):
    """Dragon's 张伟 visited 华东设计院 (design institute) on 15 April and 西部业主 (owner) on 16 April;
    on 1 May (tests/tiny.py) he visited 江苏钢构 (steel structure)."""
    write_rows(
        first_of_may,
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, visit_type) VALUES (?, ?, 1, ?, 'visit')",
        [(101, "2026-04-15", 1), (102, "2026-04-16", 3)],
    )
    return first_of_may


def values(data) -> list:
    """A figure's array as a list, whether plotly wrote it as a list or as typed bytes."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_client_type_mix_is_april_s_in_the_first_days_of_may(april_visits_first_of_may, lang):
    at = open_page("pages/action_review.py", lang, check=True, f_period="2026-05")
    mix = chart_titled(
        at, "Share of client visits to each client type" if lang == "en" else "各客户类型在客户拜访中的占比"
    )
    dragon = {
        trace["name"]: dict(zip(values(trace["x"]), values(trace["y"])))["Dragon"] for trace in mix["data"]
    }
    # April: one design institute, one owner (50% each); not 1 May's one steel structure (100%).
    assert sorted(share for share in dragon.values() if share) == [0.5, 0.5]
    assert_caption(
        at,
        lang,
        "First days of May 2026: the visits shown are those of Apr 2026",
        "2026年5月期初：以下为上一个完整期 2026年4月 的拜访",
    )


def test_without_check_ins_before_may_the_first_days_show_may_s(first_of_may):
    """A new installation (nothing before 1 May): the one check-in of 1 May, not an empty April."""
    write_rows(
        first_of_may,
        "INSERT INTO checkins (checkin_key, source, rep_id, client_id, checked_at, distance_m, on_site)"
        " VALUES (1, 'dingtalk', 1, 2, ?, 80.0, true)",
        [("2026-05-01 09:30:00",)],
    )
    at = open_page("pages/action_review.py", "en", check=True, f_period="2026-05")
    table = table_with(at, "rep", "on_site_rate")
    assert table.set_index("rep")["checkins"].to_dict()["张伟 Zhang"] == 1
    assert "the check-ins shown are those of Apr 2026" not in " ".join(c.value for c in at.caption)
    at = open_page("pages/monthly_plan.py", "en", check=True, f_period="2026-05", mp_rep=1)
    assert metrics(at)["On-site rate this month"] == "100%"
