"""Field coverage by province and city, its gaps and each engineer's footprint, on a small
company whose every figure is checked by hand.

As of Tuesday 30 June 2026, period June 2026; the week is Monday 29 - Tuesday 30 June.
Reps: 1 Zhang, 2 Li (Dragon, East), 3 Wang (Tiger, West), engineers; 4 Chen, Dragon's manager.

Clients (owner; location as district adcode):
  C1 苏州设计院  key, Zhang; 320505 苏州 虎丘区. Last visit 2 May (59 days: not a gap).
  C2 南京钢构    key, Li;    320106 南京 鼓楼区. Last visit 1 May (60 days: a gap); a visit on
                 2 July is after the as-of date.
  C3 昆山业主        Zhang; 320583 苏州 昆山市. Visits 3 and 29 June (Zhang), 15 June (Li).
  C4 上海建工    key, Zhang; 310115 上海 浦东新区. A call on 10 June (its last visit of any
                 type: not a gap; but a call is not a field visit for the map).
  C5 成都业主    key, Wang;  510104 成都 锦江区. Never visited: a gap.
  C6 无地址客户  key, Li;    no location. Last visit 1 March (121 days): a gap.
  C7 北京院      no owner;   110105 北京 朝阳区. Visited by Wang on 30 June (the as-of day).
  C8 姑苏业主        Li;     320508 苏州 姑苏区. Visited by Li on Sunday 28 June.

Open deals: O1 Zhang/C4 100,000; O2 Li/C2 50,000; O3 Li/C1 30,000; O4 Wang/C5 80,000;
O7 Wang/C7 10,000; not counted: O5 won, O6 created 1 July.
Check-ins: K1 Zhang 29 June at 320583 (C3); K2 Zhang 30 June with no place of its own (at C4's,
310115); K3 Zhang 30 June at 320206 无锡 惠山区, no client; K4 Li 30 May and K5 Li 1 July
(outside the month).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.metrics import coverage
from salesmgmt.periods import Period
from tests.scenario import Company

AS_OF = date(2026, 6, 30)
JUNE = Period.parse("2026-06")
DRAGON = Filters(teams=("Dragon",))
ALL = Filters()

PLACES = {
    # client: (adcode, province, city, district, longitude, latitude)
    1: ("320505", "江苏省", "苏州市", "虎丘区", 120.57, 31.30),
    2: ("320106", "江苏省", "南京市", "鼓楼区", 118.77, 32.07),
    3: ("320583", "江苏省", "苏州市", "昆山市", 120.98, 31.38),
    4: ("310115", "上海市", "上海市", "浦东新区", 121.54, 31.22),
    5: ("510104", "四川省", "成都市", "锦江区", 104.08, 30.66),
    7: ("110105", "北京市", "北京市", "朝阳区", 116.44, 39.92),
    8: ("320508", "江苏省", "苏州市", "姑苏区", 120.62, 31.31),
}


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "coverage.duckdb") as con:
        c = Company(con)
        c.rep(1, "张伟 Zhang")
        c.rep(2, "李娜 Li")
        c.rep(3, "王强 Wang", team="Tiger", region="West")
        c.rep(4, "陈总 Chen", role="sales_manager")
        c.client(1, "苏州设计院", "design_institute", owner=1, key=True)
        c.client(2, "南京钢构", "steel_structure", owner=2, key=True)
        c.client(3, "昆山业主", owner=1)
        c.client(4, "上海建工", "construction", owner=1, key=True)
        c.client(5, "成都业主", owner=3, key=True, region="West")
        c.client(6, "无地址客户", owner=2, key=True)
        c.client(7, "北京院", "design_institute")
        c.client(8, "姑苏业主", owner=2)
        for client, (adcode, province, city, district, lon, lat) in PLACES.items():
            con.execute(
                "UPDATE clients SET adcode = ?, province = ?, city = ?, district = ?, longitude = ?,"
                " latitude = ?, geo_source = 'address' WHERE client_id = ?",
                [adcode, province, city, district, lon, lat, client],
            )
        c.visit(date(2026, 5, 2), 1, 1)
        c.visit(date(2026, 5, 1), 2, 2)
        c.visit(date(2026, 7, 2), 2, 2)
        c.visit(date(2026, 6, 3), 1, 3)
        c.visit(date(2026, 6, 29), 1, 3)
        c.visit(date(2026, 6, 15), 2, 3)
        c.visit(date(2026, 6, 10), 1, 4, visit_type="call")
        c.visit(date(2026, 3, 1), 2, 6)
        c.visit(date(2026, 6, 30), 3, 7)
        c.visit(date(2026, 6, 28), 2, 8)
        c.deal("O1", 1, 4, [(date(2026, 5, 1), "quote", 100_000, date(2026, 8, 1))])
        c.deal("O2", 2, 2, [(date(2026, 4, 1), "solution", 50_000, date(2026, 9, 1))])
        c.deal("O3", 2, 1, [(date(2026, 6, 1), "lead", 30_000, date(2026, 9, 1))])
        c.deal("O4", 3, 5, [(date(2026, 6, 1), "lead", 80_000, date(2026, 9, 1))])
        c.deal("O7", 3, 7, [(date(2026, 6, 1), "lead", 10_000, date(2026, 9, 1))])
        c.deal(
            "O5",
            1,
            3,
            [(date(2026, 4, 1), "quote", 40_000, date(2026, 6, 1)), (date(2026, 6, 1), "won", 40_000, None)],
        )
        c.deal("O6", 1, 4, [(date(2026, 7, 1), "lead", 20_000, date(2026, 9, 1))])
        checkins = [
            (1, "dingtalk", 1, 3, datetime(2026, 6, 29, 10), "320583", "江苏省", "苏州市"),
            (2, "dingtalk", 1, 4, datetime(2026, 6, 30, 9), None, None, None),
            (3, "wecom", 1, None, datetime(2026, 6, 30, 15), "320206", "江苏省", "无锡市"),
            (4, "wecom", 2, 1, datetime(2026, 5, 30, 16), "320505", "江苏省", "苏州市"),
            (5, "wecom", 2, 3, datetime(2026, 7, 1, 8), "320583", "江苏省", "苏州市"),
        ]
        con.executemany(
            "INSERT INTO checkins (checkin_key, source, rep_id, client_id, checked_at, adcode, province, city)"
            " VALUES (?,?,?,?,?,?,?,?)",
            checkins,
        )
        yield con


def _rows(frame: pd.DataFrame, *columns: str) -> dict[str, tuple]:
    return {row["area"]: tuple(row[c] for c in columns) for _, row in frame.iterrows()}


MEASURES = ("area_clients", "area_visits", "area_open_deals", "area_pipeline", "area_checkins")


def test_by_province_counts_clients_june_visits_open_pipeline_and_checkins(con):
    provinces = coverage.by_area(con, JUNE, ALL, AS_OF, "province")
    assert _rows(provinces, *MEASURES) == {
        # C1 C2 C3 C8; visits 3, 15, 28, 29 June; O2 + O3; K1, K3
        "江苏省": (4, 4, 2, 80_000.0, 2),
        # C4; a call is no visit; O1; K2 at its client's place
        "上海市": (1, 0, 1, 100_000.0, 1),
        "四川省": (1, 0, 1, 80_000.0, 0),
        # C7 has no owner: it counts when nothing is filtered; Wang's visit on the as-of day
        "北京市": (1, 1, 1, 10_000.0, 0),
    }
    # the largest pipeline first; Jiangsu before Sichuan at the same pipeline (more clients)
    assert list(provinces["area"]) == ["上海市", "江苏省", "四川省", "北京市"]
    assert list(provinces["adcode"]) == ["310000", "320000", "510000", "110000"]


def test_by_city_puts_kunshan_under_suzhou_and_a_checkin_without_client_in_wuxi(con):
    cities = coverage.by_area(con, JUNE, ALL, AS_OF, "city")
    assert _rows(cities, "adcode", "province", *MEASURES) == {
        "苏州市": ("320500", "江苏省", 3, 4, 1, 30_000.0, 1),
        "南京市": ("320100", "江苏省", 1, 0, 1, 50_000.0, 0),
        "无锡市": ("320200", "江苏省", 0, 0, 0, 0.0, 1),
        "上海市": ("310100", "上海市", 1, 0, 1, 100_000.0, 1),
        "成都市": ("510100", "四川省", 1, 0, 1, 80_000.0, 0),
        "北京市": ("110100", "北京市", 1, 1, 1, 10_000.0, 0),
    }


def test_filters_narrow_clients_by_owner_and_facts_by_their_rep(con):
    everything = _rows(coverage.by_area(con, JUNE, ALL, AS_OF, "city"), *MEASURES)
    dragon = _rows(coverage.by_area(con, JUNE, DRAGON, AS_OF, "city"), *MEASURES)
    # Chengdu (Wang's client and deal) and Beijing (no owner; Wang's visit and deal) go, every
    # other figure is Zhang's and Li's
    assert dragon == {city: row for city, row in everything.items() if city not in ("成都市", "北京市")}
    assert coverage.located(con, DRAGON) == coverage.Located(clients=6, located=5)
    assert coverage.located(con, ALL) == coverage.Located(clients=8, located=7)


def test_key_accounts_not_visited_for_60_days_or_never_near_misses_left_out(con):
    gap = coverage.key_accounts_not_visited(con, ALL, AS_OF)
    # C1 at 59 days is not a gap, C2 at exactly 60 is; its visit of 2 July does not count yet;
    # C4's call counts as a visit (the health score's rule); never visited first
    assert list(gap["client"]) == ["成都业主", "无地址客户", "南京钢构"]
    assert gap["days_since_visit"].tolist()[1:] == [121.0, 60.0]
    assert pd.isna(gap["days_since_visit"].iloc[0])
    assert gap["last_visit"].tolist()[1:] == [date(2026, 3, 1), date(2026, 5, 1)]
    assert gap.loc[2, ["province", "city", "district", "owner"]].tolist() == [
        "江苏省",
        "南京市",
        "鼓楼区",
        "李娜 Li",
    ]
    assert list(coverage.key_accounts_not_visited(con, DRAGON, AS_OF)["client"]) == ["无地址客户", "南京钢构"]
    # one day earlier C2 is at 59 days too
    assert list(coverage.key_accounts_not_visited(con, ALL, date(2026, 6, 29))["client"]) == [
        "成都业主",
        "无地址客户",
    ]
    assert list(coverage.key_accounts_not_visited(con, ALL, AS_OF, days=59)["client"]) == [
        "成都业主",
        "无地址客户",
        "南京钢构",
        "苏州设计院",
    ]


def test_cities_with_pipeline_and_no_visit_in_the_period(con):
    # Shanghai had only a call, Nanjing's visit was in May, Chengdu none; Beijing's visit on the
    # as-of day counts and Suzhou was visited
    gaps = coverage.cities_without_visits(con, JUNE, ALL, AS_OF)
    assert _rows(gaps, "area_pipeline", "area_open_deals") == {
        "上海市": (100_000.0, 1),
        "成都市": (80_000.0, 1),
        "南京市": (50_000.0, 1),
    }
    assert list(gaps["area"]) == ["上海市", "成都市", "南京市"]
    assert list(coverage.cities_without_visits(con, JUNE, DRAGON, AS_OF)["area"]) == ["上海市", "南京市"]
    # as of 29 June Beijing had not been visited yet
    assert "北京市" in set(coverage.cities_without_visits(con, JUNE, ALL, date(2026, 6, 29))["area"])


def test_each_engineers_footprint_of_the_week_and_the_month(con):
    fp = coverage.footprint(con, ALL, AS_OF).set_index("rep")
    columns = [
        f"{w}_{m}"
        for w in ("week", "month")
        for m in ("cities_visited", "districts_visited", "area_visits", "area_checkins")
    ]
    assert {rep: tuple(row) for rep, row in fp[columns].iterrows()} == {
        # week: visit C3 29 June, check-ins at Kunshan, Pudong (C4's) and Huishan (Wuxi):
        # 3 districts in 3 cities; month: the visit of 3 June adds no place
        "张伟 Zhang": (3, 3, 1, 3, 3, 3, 2, 3),
        # nothing this week (Sunday 28 June is last week); month: Kunshan and Gusu, both Suzhou
        "李娜 Li": (0, 0, 0, 0, 1, 2, 2, 0),
        "王强 Wang": (1, 1, 1, 0, 1, 1, 1, 0),
    }
    assert list(coverage.footprint(con, DRAGON, AS_OF)["rep"]) == ["张伟 Zhang", "李娜 Li"]


def test_client_points_are_one_per_district(con):
    points = coverage.client_points(con, ALL).set_index("adcode")
    assert len(points) == 7
    assert points.loc["320505", "area_clients"] == 1
    assert points.loc["110105", ["longitude", "latitude"]].tolist() == [116.44, 39.92]


def test_nothing_located_gives_empty_maps_not_errors(tmp_path):
    with db.connect(tmp_path / "bare.duckdb") as con:
        c = Company(con)
        c.rep(1, "张伟 Zhang")
        c.client(1, "苏州设计院", owner=1, key=True)
        c.visit(date(2026, 6, 3), 1, 1)
        assert coverage.located(con, ALL) == coverage.Located(clients=1, located=0)
        assert coverage.by_area(con, JUNE, ALL, AS_OF, "city").empty
        assert coverage.cities_without_visits(con, JUNE, ALL, AS_OF).empty
        assert coverage.footprint(con, ALL, AS_OF)["month_area_visits"].tolist() == [1]
        assert coverage.footprint(con, ALL, AS_OF)["month_cities_visited"].tolist() == [0]
