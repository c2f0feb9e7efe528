"""Locations offline: addresses to divisions, distances, the datum shift and the on-site rule."""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import pytest

from salesmgmt import geo
from salesmgmt.demo import LARGE_SIZE
from salesmgmt.demo.frames import build_demo_frames

#: One thousandth of a degree of latitude on the sphere: R * pi / 180 / 1000 metres.
MILLI_DEGREE_M = 6_371_008.8 * math.pi / 180 / 1000  # 111.195 m


def test_an_address_resolves_to_province_city_district_and_the_district_centre() -> None:
    found = geo.parse_addresses(
        ["上海市浦东新区张江路123号", "江苏省苏州市昆山市人民路5号", None, "火星路1号"]
    )
    assert found.loc[0, ["province", "city", "district", "adcode"]].tolist() == [
        "上海市",
        "上海市",  # a municipality is its own city, not cpca's "市辖区"
        "浦东新区",
        "310115",
    ]
    assert (found.loc[0, "longitude"], found.loc[0, "latitude"]) == (121.544379, 31.221517)
    assert found.loc[1, ["city", "district", "adcode"]].tolist() == ["苏州市", "昆山市", "320583"]
    assert found.loc[2].isna().all() and found.loc[3].isna().all()


def test_an_address_naming_only_a_city_resolves_to_the_city() -> None:
    found = geo.parse_addresses(["苏州工业园区星湖街328号"]).iloc[0]
    assert (found["city"], found["district"], found["adcode"]) == ("苏州市", None, "320500")
    assert not geo.is_district_code(found["adcode"])


def test_distances_are_checked_by_hand() -> None:
    assert geo.haversine_m(121.0, 31.0, 121.0, 31.001) == pytest.approx(MILLI_DEGREE_M, rel=1e-9)
    # Along a parallel a degree of longitude shrinks with cos(latitude): at 60° it is half.
    assert geo.haversine_m(10.0, 60.0, 10.001, 60.0) == pytest.approx(MILLI_DEGREE_M / 2, rel=1e-6)
    # Beijing (Tian'anmen) to Shanghai (People's Square): 1,067 km as the crow flies.
    assert geo.haversine_m(116.3975, 39.9087, 121.4737, 31.2304) == pytest.approx(1_067_000, rel=0.002)


def test_gcj02_is_a_few_hundred_metres_off_wgs84_in_china_and_converts_back() -> None:
    lon, lat = geo.wgs84_to_gcj02(121.4737, 31.2304)
    assert 300 < geo.haversine_m(121.4737, 31.2304, lon, lat) < 700
    back = geo.gcj02_to_wgs84(lon, lat)
    assert geo.haversine_m(121.4737, 31.2304, *back) < 0.01
    # Outside China the two datums are the same.
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def _one(
    checkin: tuple[float, float, str | None],
    client: tuple[float | None, float | None, str | None, str | None],
) -> tuple[float, bool | None]:
    answer = geo.on_site(
        [checkin[0]], [checkin[1]], [checkin[2]], [client[0]], [client[1]], [client[2]], [client[3]]
    )
    return float(answer.distance_m[0]), answer.on_site[0]


def test_a_check_in_within_500_m_of_a_client_with_coordinates_is_on_site() -> None:
    near = _one((121.0, 31.004, None), (121.0, 31.0, "310115", "coordinates"))
    far = _one((121.0, 31.005, "310115", None), (121.0, 31.0, "310115", "coordinates"))
    assert near == (pytest.approx(4 * MILLI_DEGREE_M), True)  # 444.8 m
    assert far == (pytest.approx(5 * MILLI_DEGREE_M), False)  # 556.0 m, even in the same district


def test_a_client_known_by_its_address_only_counts_the_same_district() -> None:
    # The client's coordinates are its district's centre: no distance is measured to them.
    same = _one((121.7, 31.3, "310115"), (121.544379, 31.221517, "310115", "address"))
    other = _one((121.4, 31.1, "310112"), (121.544379, 31.221517, "310115", "address"))
    assert math.isnan(same[0]) and same[1] is True
    assert other[1] is False


def test_a_client_whose_address_names_only_a_city_counts_the_same_city() -> None:
    assert _one((120.6, 31.3, "320506"), (None, None, "320500", "address"))[1] is True
    assert _one((120.3, 31.5, "320205"), (None, None, "320500", "address"))[1] is False
    # Nothing to go by on one side: it cannot be told.
    assert _one((120.3, 31.5, None), (None, None, "320500", "address"))[1] is None
    assert _one((120.3, 31.5, "320205"), (None, None, None, None))[1] is None


def test_every_demo_client_has_an_address_in_its_region_that_resolves_to_its_district() -> None:
    clients = build_demo_frames(date(2024, 6, 28))["clients"]
    assert clients["address"].notna().all()
    parsed = geo.parse_addresses(clients["address"].tolist())
    assert parsed["adcode"].tolist() == clients["adcode"].tolist()
    assert parsed["district"].tolist() == clients["district"].tolist()
    shanghai = clients[clients["region"] == "上海 Shanghai"]
    assert set(shanghai["province"]) == {"上海市"}
    # Most clients have coordinates of their own, a few are placed by their address alone.
    share = (clients["geo_source"] == "coordinates").mean()
    assert 0.7 < share < 0.9
    placed = clients[clients["geo_source"] == "address"]
    centres = geo.divisions()
    assert all(
        (row.longitude, row.latitude) == (centres[row.adcode].longitude, centres[row.adcode].latitude)
        for row in placed.itertuples()
    )


def test_the_national_demos_addresses_resolve_too_cities_without_districts_included() -> None:
    # One team per region of the large company: every city of NATIONAL_REGIONS (东莞 and 中山
    # have no districts: the city is the client's place and is written once).
    size = dataclasses.replace(LARGE_SIZE, teams_per_region=1, engineers_per_team=(4, 5))
    clients = build_demo_frames(date(2026, 11, 27), 7, size)["clients"]
    parsed = geo.parse_addresses(clients["address"].tolist())
    columns = ["province", "city", "district", "adcode"]
    stored = clients[columns].astype(object)
    assert parsed[columns].values.tolist() == stored.where(stored.notna(), None).values.tolist()
    assert clients["province"].nunique() >= 25
