"""Check-in exports of DingTalk (签到, an Excel workbook) and WeCom (外出打卡, a GBK CSV), with the
platforms' own column names: matched to reps and clients, made into visits or confirming them,
on site or not, refused row by row when a name is unknown, re-imported without change, undone.

The company: three reps; two clients, one with a map pin (its coordinates), one known by its
address alone (昆山市, district 320583); one visit already imported; one planned visit.

By hand, the DingTalk export (rows as the spreadsheet numbers them):
  2  张伟 华东建筑设计院 05-06 09:30, 222 m from the client  -> on site, confirms visit V-1
  3  张伟 华东建筑设计院 05-06 15:10, 222 m                  -> on site, confirms V-1 too
  4  张伟 华东建筑设计院 05-08 10:00, 1,112 m                -> away, a new visit on 05-08
  5  李娜 江苏钢构 05-12 14:00, an address in 昆山市         -> on site (same district), a new
                                                               visit, planned (plan: 05-13)
  6  李娜 江苏钢构 05-20 16:00, an address in 吴中区         -> away, a new visit, not planned
  7  赵六 (nobody of that name)                              -> refused: 姓名
  8  王强 不存在的公司                                       -> refused: 拜访对象
  9  王强, no client                                         -> kept, no visit, place unknown
On-site rate: 张伟 2 of 3, 李娜 1 of 2, 王强 none to tell; all 3 of 5 = 60%.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from salesmgmt import db, geo, importer
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.importer.checkins import company_key, parse_degrees, parse_time
from salesmgmt.metrics import field
from salesmgmt.metrics.plan_records import plan_visit_status
from salesmgmt.periods import Period
from tests.import_fixtures import csv_bytes, snapshot, xlsx_bytes

AS_OF = date(2026, 5, 31)
MAY = Period.parse("2026-05")


#: Where 华东建筑设计院 is (WGS-84), and points due north of it.
CLIENT_PIN = (121.6, 31.2)


def north_of(point: tuple[float, float], degrees: float) -> tuple[float, float]:
    return point[0], point[1] + degrees


def gcj(point: tuple[float, float]) -> tuple[float, float]:
    """A WGS-84 point as DingTalk and WeCom export it (GCJ-02, six decimals)."""
    lon, lat = geo.wgs84_to_gcj02(*point)
    return round(lon, 6), round(lat, 6)


REPS = [
    ["销售人员", "工号", "团队", "区域"],
    ["张伟", "E001", "Dragon", "East"],
    ["李娜", "E002", "Dragon", "East"],
    ["王强", "E003", "Tiger", "West"],
]
CLIENTS = [
    ["客户名称", "客户编号", "地址", "经度", "纬度"],
    ["华东建筑设计院有限公司", "C001", "上海市浦东新区张江路100号", *gcj(CLIENT_PIN)],
    ["江苏钢构股份有限公司", "C002", "江苏省苏州市昆山市人民路5号", "", ""],
    ["西部业主", "C003", "", "", ""],
]
VISITS = [
    ["拜访日期", "销售人员", "客户名称", "拜访方式", "拜访编号"],
    ["2026-05-06", "张伟", "华东建筑设计院有限公司", "上门拜访", "V-1"],
    ["2026-05-27", "张伟", "华东建筑设计院有限公司", "上门拜访", "V-2"],
]

NEAR, FAR = gcj(north_of(CLIENT_PIN, 0.002)), gcj(north_of(CLIENT_PIN, 0.01))
PHOTO = "https://static.dingtalk.com/media/checkin.jpg"
DINGTALK = [
    ["姓名", "部门", "签到时间", "签到地点", "详细地址", "经度", "纬度", "拜访对象", "备注", "图片"],
    [
        "张伟",
        "销售一部",
        datetime(2026, 5, 6, 9, 30),
        "华东建筑设计院",
        "上海市浦东新区张江路100号",
        *NEAR,
        "华东建筑设计院有限公司",
        "介绍采光方案",
        PHOTO,
    ],
    [
        "张伟",
        "销售一部",
        datetime(2026, 5, 6, 15, 10),
        "华东建筑设计院",
        "上海市浦东新区张江路100号",
        *NEAR,
        "华东建筑设计院",
        "回访",
        PHOTO,
    ],
    [
        "张伟",
        "销售一部",
        datetime(2026, 5, 8, 10, 0),
        "张江地铁站",
        "上海市浦东新区祖冲之路1号",
        *FAR,
        "华东建筑设计院有限公司",
        "",
        "",
    ],
    [
        "李娜",
        "销售一部",
        datetime(2026, 5, 12, 14, 0),
        "江苏钢构",
        "江苏省苏州市昆山市前进路20号",
        *gcj((120.98, 31.38)),
        "江苏钢构",
        "送样品",
        PHOTO,
    ],
    [
        "李娜",
        "销售一部",
        datetime(2026, 5, 20, 16, 0),
        "吴中宾馆",
        "江苏省苏州市吴中区东吴北路1号",
        *gcj((120.63, 31.26)),
        "江苏钢构股份有限公司",
        "",
        "",
    ],
    [
        "赵六",
        "销售二部",
        datetime(2026, 5, 21, 9, 0),
        "华东建筑设计院",
        "上海市浦东新区张江路100号",
        *NEAR,
        "华东建筑设计院有限公司",
        "",
        "",
    ],
    [
        "王强",
        "销售二部",
        datetime(2026, 5, 21, 10, 0),
        "某工地",
        "陕西省西安市雁塔区科技路1号",
        *gcj((108.9, 34.2)),
        "不存在的公司",
        "",
        "",
    ],
    [
        "王强",
        "销售二部",
        datetime(2026, 5, 21, 11, 0),
        "公司总部",
        "陕西省西安市雁塔区科技路1号",
        *gcj((108.9, 34.2)),
        None,
        "周会",
        "",
    ],
]
WECOM = [
    [
        "姓名",
        "账号",
        "部门",
        "日期",
        "打卡类型",
        "打卡时间",
        "打卡地点",
        "打卡位置",
        "经度",
        "纬度",
        "备注",
        "拜访客户",
        "打卡照片",
    ],
    [
        "李娜",
        "lina",
        "销售一部",
        "2026/05/14",
        "外出打卡",
        "09:05",
        "江苏钢构",
        "江苏省苏州市昆山市人民路9号",
        "",
        "",
        "送样品",
        "江苏钢构股份有限公司",
        "",
    ],
    [
        "李娜",
        "lina",
        "销售一部",
        "2026/05/14",
        "上班打卡",
        "08:30",
        "公司",
        "上海市黄浦区人民大道1号",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "张伟",
        "zhangwei",
        "销售一部",
        "2026/05/15",
        "外出打卡",
        "10:20",
        "华东建筑设计院",
        "上海市浦东新区张江路100号",
        *gcj(north_of(CLIENT_PIN, 0.001)),
        "技术交流",
        "华东建筑设计院有限公司",
        "",
    ],
]


def load_company(con) -> None:
    """Reps, clients (with their locations) and visits imported as files; 李娜's May plan has a
    visit to 江苏钢构 on 05-13 (the week of 05-11)."""
    for rows, name in ((REPS, "reps.csv"), (CLIENTS, "clients.csv"), (VISITS, "visits.csv")):
        preview = importer.prepare(csv_bytes(rows), name, as_of=AS_OF)
        assert preview.ok, preview.error_messages()
        importer.apply(con, preview)
    lina = con.execute("SELECT rep_id FROM reps WHERE name = '李娜'").fetchone()[0]
    steel = con.execute("SELECT client_id FROM clients WHERE code = 'C002'").fetchone()[0]
    con.execute(
        "INSERT INTO monthly_plans (plan_id, rep_id, month, revision, saved_on) VALUES (1, ?, ?, 1, ?)",
        [lina, date(2026, 5, 1), date(2026, 5, 1)],
    )
    con.execute("INSERT INTO plan_visits VALUES (1, ?, ?, '送样品')", [steel, date(2026, 5, 13)])


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "field.duckdb") as con:
        load_company(con)
        yield con


def dingtalk_file() -> bytes:
    return xlsx_bytes({"签到记录": [list(r) for r in DINGTALK]})


def wecom_file() -> bytes:
    return csv_bytes([list(r) for r in WECOM], encoding="gbk")


def prepare(data: bytes, name: str) -> importer.Preview:
    preview = importer.prepare(data, name, as_of=AS_OF)
    assert preview.file_error is None, preview.file_error
    return preview


def checkins(con) -> list[tuple]:
    return con.execute(
        "SELECT r.name, c.name, k.checked_at, k.source, k.on_site, k.visit_key IS NOT NULL "
        "FROM checkins k JOIN reps r USING (rep_id) LEFT JOIN clients c USING (client_id) "
        "ORDER BY k.checked_at"
    ).fetchall()


def test_the_exports_are_recognised_by_their_own_column_names() -> None:
    ding = prepare(dingtalk_file(), "签到记录.xlsx")
    assert ding.kind == "checkins"
    assert ding.field_columns["checked_at"] == "签到时间" and ding.field_columns["client"] == "拜访对象"
    assert ding.field_columns["longitude"] == "经度" and ding.field_columns["address"] == "详细地址"
    assert "图片" not in ding.field_columns.values()  # photos are left out, with a note
    assert any(n.column == "图片" for n in ding.notes)
    wecom = prepare(wecom_file(), "外出打卡.csv")
    assert (wecom.kind, wecom.encoding) == ("checkins", "gb18030")
    assert wecom.field_columns["checked_at"] == "打卡时间" and wecom.field_columns["date"] == "日期"
    assert wecom.field_columns["client"] == "拜访客户" and wecom.field_columns["checkin_type"] == "打卡类型"


def test_unknown_reps_and_clients_refuse_the_file_and_change_nothing(con) -> None:
    before = snapshot(con)
    with pytest.raises(SalesmgmtError) as refused:
        importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"))
    assert snapshot(con) == before
    assert con.execute("SELECT count(*) FROM checkins").fetchone() == (0,)
    errors = refused.value.errors  # type: ignore[attr-defined]
    assert [(e.row, e.column, e.key) for e in errors] == [
        (7, "姓名", "checkin.unknown_rep"),
        (8, "拜访对象", "checkin.unknown_client"),
    ]
    assert errors[0].message("zh").startswith("第 7 行，列“姓名”：没有名为“赵六”的销售人员")
    assert "import the client first" in errors[1].message("en")


def test_a_dingtalk_export_makes_and_confirms_visits_as_counted_by_hand(con) -> None:
    visits_before = con.execute("SELECT count(*) FROM visits").fetchone()[0]
    result = importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"), skip_invalid=True)
    assert (result.added, result.updated, result.unchanged, result.refused) == (6, 0, 0, 2)
    assert [(e.row, e.column) for e in result.errors] == [(7, "姓名"), (8, "拜访对象")]
    assert checkins(con) == [
        ("张伟", "华东建筑设计院有限公司", datetime(2026, 5, 6, 9, 30), "dingtalk", True, True),
        ("张伟", "华东建筑设计院有限公司", datetime(2026, 5, 6, 15, 10), "dingtalk", True, True),
        ("张伟", "华东建筑设计院有限公司", datetime(2026, 5, 8, 10, 0), "dingtalk", False, True),
        ("李娜", "江苏钢构股份有限公司", datetime(2026, 5, 12, 14, 0), "dingtalk", True, True),
        ("李娜", "江苏钢构股份有限公司", datetime(2026, 5, 20, 16, 0), "dingtalk", False, True),
        ("王强", None, datetime(2026, 5, 21, 11, 0), "dingtalk", None, False),
    ]
    # Both check-ins of 05-06 confirm the imported visit V-1; three visits are new.
    confirmed = con.execute(
        "SELECT v.visit_id, count(*) FROM checkins k JOIN visits v USING (visit_key) "
        "WHERE v.visit_id = 'V-1' GROUP BY 1"
    ).fetchall()
    assert confirmed == [("V-1", 2)]
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == visits_before + 3
    made = con.execute(
        "SELECT v.visit_date, v.visit_type, v.planned FROM visits v "
        "WHERE v.visit_id LIKE 'dingtalk:%' ORDER BY v.visit_date"
    ).fetchall()
    assert made == [
        (date(2026, 5, 8), "visit", None),
        (date(2026, 5, 12), "visit", True),  # in the week the plan has 江苏钢构 in
        (date(2026, 5, 20), "visit", None),
    ]
    # Distances: 0.002° and 0.01° of latitude north of the client's pin, sent in GCJ-02.
    distances = [r[0] for r in con.execute("SELECT distance_m FROM checkins ORDER BY checked_at").fetchall()]
    assert distances[0] == pytest.approx(222.4, abs=0.5) and distances[2] == pytest.approx(1111.9, abs=0.5)
    assert distances[3] is None  # 江苏钢构 is known by its address: its district decides


def test_the_on_site_rate_per_rep_is_checked_by_hand(con) -> None:
    importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"), skip_invalid=True)
    by_rep = field.on_site_by_rep(con, MAY, Filters()).set_index("rep")
    assert by_rep.loc["张伟", ["checkins", "on_site_checkins", "off_site_checkins"]].tolist() == [3, 2, 1]
    assert by_rep.loc["张伟", "on_site_rate"] == pytest.approx(2 / 3)
    assert by_rep.loc["李娜", "on_site_rate"] == pytest.approx(1 / 2)
    # 王强's one check-in has no client: nothing to tell, no rate.
    assert by_rep.loc["王强", "checkins"] == 1 and math.isnan(by_rep.loc["王强", "on_site_rate"])
    # Visits with a check-in: 张伟's 05-06 (V-1) and 05-08; his 05-27 visit has none.
    assert by_rep.loc["张伟", ["visits", "visits_checked_in"]].tolist() == [3, 2]
    total = field.on_site_summary(con, MAY, Filters())
    assert (total.on_site, total.known, total.on_site_rate) == (3, 5, pytest.approx(0.6))


def test_a_planned_visit_with_a_check_in_counts_as_done(con) -> None:
    status = plan_visit_status(con, MAY, Filters(), AS_OF)
    assert status["status"].tolist() == ["missed"]  # 江苏钢构, planned for 05-13
    importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"), skip_invalid=True)
    status = plan_visit_status(con, MAY, Filters(), AS_OF)
    assert status[["status", "done_on"]].values.tolist() == [["done", date(2026, 5, 12)]]


def test_a_wecom_gbk_export_with_date_and_time_apart_imports_its_field_check_ins(con) -> None:
    result = importer.apply(con, prepare(wecom_file(), "外出打卡.csv"), skip_invalid=True)
    assert (result.added, result.refused) == (2, 1)
    assert [(e.row, e.column, e.key) for e in result.errors] == [(3, "打卡类型", "checkin.not_field")]
    assert checkins(con) == [
        ("李娜", "江苏钢构股份有限公司", datetime(2026, 5, 14, 9, 5), "wecom", True, True),
        ("张伟", "华东建筑设计院有限公司", datetime(2026, 5, 15, 10, 20), "wecom", True, True),
    ]
    photos = [n for n in prepare(wecom_file(), "外出打卡.csv").notes if n.column == "打卡照片"]
    assert len(photos) == 1


def test_reimporting_the_same_exports_adds_nothing(con) -> None:
    importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"), skip_invalid=True)
    importer.apply(con, prepare(wecom_file(), "外出打卡.csv"), skip_invalid=True)
    before = snapshot(con), checkins(con), con.execute("SELECT * FROM checkins ORDER BY 1").fetchall()
    again = importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"), skip_invalid=True)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    again = importer.apply(con, prepare(wecom_file(), "外出打卡.csv"), skip_invalid=True)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    after = snapshot(con), checkins(con), con.execute("SELECT * FROM checkins ORDER BY 1").fetchall()
    assert after[0]["visits"] == before[0]["visits"] and after[1:] == before[1:]


def test_undo_removes_the_check_ins_and_the_visits_they_made(con) -> None:
    visits_before = con.execute("SELECT * FROM visits ORDER BY visit_key").fetchall()
    result = importer.apply(con, prepare(dingtalk_file(), "签到记录.xlsx"), skip_invalid=True)
    importer.undo(con, result.upload_id)
    assert con.execute("SELECT count(*) FROM checkins").fetchone() == (0,)
    assert con.execute("SELECT * FROM visits ORDER BY visit_key").fetchall() == visits_before


def test_the_client_file_gives_locations_from_coordinates_or_the_address(con) -> None:
    rows = con.execute(
        "SELECT name, province, city, district, adcode, longitude, latitude, geo_source FROM clients "
        "ORDER BY client_id"
    ).fetchall()
    # The pin was given in GCJ-02 and is stored in WGS-84; the address names the district.
    assert rows[0][:5] == ("华东建筑设计院有限公司", "上海市", "上海市", "浦东新区", "310115")
    assert geo.haversine_m(rows[0][5], rows[0][6], *CLIENT_PIN) < 0.2 and rows[0][7] == "coordinates"
    kunshan = geo.divisions()["320583"]
    assert rows[1][1:] == (
        "江苏省",
        "苏州市",
        "昆山市",
        "320583",
        kunshan.longitude,
        kunshan.latitude,
        "address",
    )
    assert rows[2][1:] == (None,) * 7


def test_client_names_match_without_company_suffixes_and_times_read_as_written() -> None:
    assert (
        company_key("江苏钢构股份有限公司")
        == company_key("江苏钢构")
        == company_key("江苏钢构（集团）有限公司")
    )
    assert company_key("ＡＢＣ Steel Co., Ltd.") == company_key("abc steel")
    assert parse_time("2026年5月6日 9:30") == datetime(2026, 5, 6, 9, 30)
    assert parse_time("2026/05/06 星期三 09:30:15") == datetime(2026, 5, 6, 9, 30, 15)
    assert parse_time("09:30", date(2026, 5, 6)) == datetime(2026, 5, 6, 9, 30)
    assert parse_time("09:30") == "checkin.time_without_date"
    assert parse_time("昨天") == "checkin.bad_time"


def test_coordinates_are_read_in_degrees_or_in_wecoms_millionths() -> None:
    assert parse_degrees("121.4737°", "longitude") == 121.4737
    assert parse_degrees("E121.4737", "longitude") == 121.4737
    assert parse_degrees("30547645", "latitude") == pytest.approx(30.547645)  # WeCom's API form
    assert parse_degrees("200", "longitude") is None and parse_degrees("北纬31度", "latitude") is None


def test_a_bad_coordinate_in_a_clients_file_refuses_its_row_naming_the_column(con) -> None:
    before = snapshot(con)
    rows = [
        ["客户名称", "地址", "经度", "纬度"],
        ["西部业主", "陕西省西安市雁塔区科技路1号", "东经108度", "34.2"],
    ]
    with pytest.raises(SalesmgmtError) as refused:
        importer.apply(con, prepare(csv_bytes(rows), "clients.csv"))
    assert snapshot(con) == before
    (error,) = refused.value.errors  # type: ignore[attr-defined]
    assert (error.row, error.column, error.key) == (2, "经度", "checkin.bad_longitude")
    assert "121.4737" in error.message("en") and "经度" in error.message("zh")
    rows[1][2] = ""
    with pytest.raises(SalesmgmtError) as refused:
        importer.apply(con, prepare(csv_bytes(rows), "clients.csv"))
    assert [e.key for e in refused.value.errors] == ["checkin.half_coordinates"]  # type: ignore[attr-defined]


def test_the_same_address_again_without_coordinates_keeps_the_clients_pin(con) -> None:
    pinned = con.execute("SELECT longitude, latitude, geo_source FROM clients WHERE code = 'C001'").fetchone()
    again = [
        ["客户名称", "客户编号", "地址"],
        ["华东建筑设计院有限公司", "C001", "上海市浦东新区张江路100号"],
    ]
    result = importer.apply(con, prepare(csv_bytes(again), "clients.csv"))
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    assert (
        con.execute("SELECT longitude, latitude, geo_source FROM clients WHERE code = 'C001'").fetchone()
        == pinned
    )
    # A new address without coordinates places the client at its new district's centre.
    moved = [["客户名称", "客户编号", "地址"], ["华东建筑设计院有限公司", "C001", "上海市闵行区沪闵路1号"]]
    importer.apply(con, prepare(csv_bytes(moved), "clients.csv"))
    centre = geo.divisions()["310112"]
    assert con.execute(
        "SELECT district, longitude, latitude, geo_source FROM clients WHERE code = 'C001'"
    ).fetchone() == ("闵行区", centre.longitude, centre.latitude, "address")


def test_a_client_name_that_fits_several_clients_is_refused_listing_them(con) -> None:
    extra = [["客户名称", "客户编号"], ["江苏钢构集团有限公司", "C004"]]
    importer.apply(con, prepare(csv_bytes(extra), "clients.csv"))
    rows = [DINGTALK[0], DINGTALK[4]]  # 李娜 at "江苏钢构": now two clients fit
    with pytest.raises(SalesmgmtError) as refused:
        importer.apply(con, prepare(xlsx_bytes({"签到": [list(r) for r in rows]}), "签到.xlsx"))
    (error,) = refused.value.errors  # type: ignore[attr-defined]
    assert (error.row, error.column, error.key) == (2, "拜访对象", "checkin.ambiguous_client")
    assert "江苏钢构股份有限公司、江苏钢构集团有限公司" in error.message("zh")


def test_coordinates_in_one_column_are_read_longitude_first(con) -> None:
    point = gcj(north_of(CLIENT_PIN, 0.003))  # 333.6 m north of the client
    rows = [
        ["姓名", "打卡时间", "拜访客户", "经纬度"],
        ["张伟", "2026-05-22 10:00", "华东建筑设计院有限公司", f"{point[0]},{point[1]}"],
        ["张伟", "2026-05-22 16:00", "华东建筑设计院有限公司", "31.2,121.6"],  # the wrong way round
    ]
    with pytest.raises(SalesmgmtError) as refused:
        importer.apply(con, prepare(csv_bytes(rows), "打卡.csv"))
    assert [(e.row, e.column, e.key) for e in refused.value.errors] == [  # type: ignore[attr-defined]
        (3, "经纬度", "checkin.bad_coordinates")
    ]
    result = importer.apply(con, prepare(csv_bytes(rows), "打卡.csv"), skip_invalid=True)
    assert (result.added, result.refused) == (1, 1)
    source, distance, on_site = con.execute("SELECT source, distance_m, on_site FROM checkins").fetchone()
    assert (source, on_site) == ("wecom", True) and distance == pytest.approx(333.6, abs=0.5)


def test_a_manager_imports_only_the_check_ins_of_their_own_reps(con) -> None:
    tiger = Filters(scope_teams=("Tiger",))  # 王强's team; 张伟 and 李娜 are Dragon's
    with pytest.raises(SalesmgmtError) as refused:
        importer.apply(con, prepare(wecom_file(), "外出打卡.csv"), scope=tiger, user="wu")
    assert {(e.row, e.key) for e in refused.value.errors} >= {  # type: ignore[attr-defined]
        (2, "import.out_of_scope_rep"),
        (4, "import.out_of_scope_rep"),
    }
    assert con.execute("SELECT count(*) FROM checkins").fetchone() == (0,)
