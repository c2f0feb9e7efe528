"""The demo's field work: where each client is (an address in a city of its team's region,
resolved to province, city and district, and coordinates for most), and the check-ins the
engineers made on their visits (DingTalk 签到), a few of them away from the client."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from salesmgmt import geo
from salesmgmt.demo.clients import Client
from salesmgmt.demo.company import DEMO_STORIES, Geography
from salesmgmt.demo.reps import Rep

#: Share of clients whose coordinates are known (from the CRM's map pin); the others are
#: located by their address alone (the district's centre, geo_source 'address').
CLIENTS_WITH_COORDINATES = 0.8

#: Spread of a client's position around its district's centre (degrees, about 2 km).
_SPREAD_DEG = 0.02

_ROADS = [
    "人民路",
    "建设路",
    "解放路",
    "新华路",
    "工业大道",
    "科技路",
    "创业路",
    "发展大道",
    "文化路",
    "长江路",
    "环城北路",
    "兴业路",
    "开发区大道",
    "东方路",
    "迎宾大道",
]


@dataclass(frozen=True)
class _City:
    province: str
    city: str
    districts: list[geo.District]


@cache
def _city(name: str) -> _City:
    """A demo city ("昆山", "上海松江") as the divisions it lies in: its province and city as
    addresses write them and the districts a client there may be in (one when the name is a
    district or a county-level city)."""
    located = geo.parse_addresses([name]).iloc[0]
    if str(located["adcode"]).endswith("0000") and str(located["adcode"])[:2] not in _MUNICIPALITIES:
        located = geo.parse_addresses([name + "市"]).iloc[0]  # 吉林: the city, not the province
    adcode = str(located["adcode"])
    known = geo.divisions()
    province = known[adcode[:2] + "0000"].name
    city_code = adcode[:4] + "00"
    city = province if adcode.endswith("0000") else known[city_code].name
    if geo.is_district_code(adcode):
        return _City(province, city, [known[adcode]])
    # A city without districts (东莞, 中山: towns directly under the city) is its own district.
    districts = geo.districts_of(adcode) or [known[adcode]]
    rest = name.removeprefix(province.removesuffix("市")).removeprefix(city.removesuffix("市"))
    named = [d for d in districts if rest and d.name.startswith(rest)]
    return _City(province, city, named or districts)


def _address(province: str, city: str, district: str, street: str) -> str:
    """An address as written in China: a municipality once (上海市浦东新区...), and a city
    without districts once (广东省东莞市...)."""
    shown_city = "" if city == province else city
    shown_district = "" if district == city else district
    return f"{province}{shown_city}{shown_district}{street}"


def _district_name(district: geo.District) -> str | None:
    """A district's name as an address resolves it: none for a city without districts."""
    return district.name if geo.is_district_code(district.adcode) else None


def client_locations(rng: np.random.Generator, clients: list[Client], geography: Geography) -> pd.DataFrame:
    """Per client (in order): address, province, city, district, adcode, longitude, latitude
    (WGS-84) and geo_source."""
    rows = []
    for c in clients:
        cities = geography.cities[c.team]
        drawn = cities[int(rng.integers(len(cities)))]
        # A client named after a city of the region ("苏州银河机械") is in that city.
        named = [city for city in cities if city in c.name]
        place = _city(max(named, key=len) if named else drawn)
        district = place.districts[int(rng.integers(len(place.districts)))]
        road = _ROADS[int(rng.integers(len(_ROADS)))]
        number = int(rng.integers(1, 999))
        address = _address(place.province, place.city, district.name, f"{road}{number}号")
        exact = bool(rng.random() < CLIENTS_WITH_COORDINATES)
        jitter = rng.normal(0.0, _SPREAD_DEG, size=2)
        lon = district.longitude + (float(jitter[0]) if exact else 0.0)
        lat = district.latitude + (float(jitter[1]) if exact else 0.0)
        rows.append(
            (
                address,
                place.province,
                place.city,
                _district_name(district),
                district.adcode,
                round(lon, 6),
                round(lat, 6),
                "coordinates" if exact else "address",
            )
        )
    return pd.DataFrame(
        rows,
        columns=["address", "province", "city", "district", "adcode", "longitude", "latitude", "geo_source"],
    )


#: Months before as-of since which the company records visits as DingTalk check-ins.
CHECKIN_MONTHS = 12

#: Share of client visits an engineer checks in (drawn per engineer), and the struggling
#: rep's: his visits are often logged without a check-in, and those checked in are often away
#: from the client (DEMO_STORIES).
_CHECKIN_SHARE = (0.82, 0.97)
_STRUGGLING_CHECKIN_SHARE = 0.6
#: Share of an engineer's check-ins made away from the client (drawn per engineer).
_OFF_SITE_SHARE = (0.02, 0.12)
_STRUGGLING_OFF_SITE_SHARE = 0.35

#: Where an engineer checks in when not at the client.
_ELSEWHERE = ["星巴克咖啡", "高速服务区", "公司办事处", "如家酒店", "项目工地", "汽车站"]

_CHECKIN_COLUMNS = [
    "checkin_key",
    "checkin_id",
    "source",
    "rep_id",
    "client_id",
    "checked_at",
    "place_name",
    "address",
    "longitude",
    "latitude",
    "province",
    "city",
    "district",
    "adcode",
    "remarks",
    "visit_key",
    "distance_m",
    "on_site",
]


def _metres_to_degrees(lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """A small offset in metres as degrees of longitude and latitude at `lat`."""
    per_degree = geo.EARTH_RADIUS_M * np.pi / 180
    return east_m / (per_degree * np.cos(np.radians(lat))), north_m / per_degree


def build_checkins(
    rng: np.random.Generator, as_of: date, reps: list[Rep], clients: pd.DataFrame, visits: pd.DataFrame
) -> pd.DataFrame:
    """The DingTalk check-ins of the client visits (type 'visit') of the last CHECKIN_MONTHS
    months up to as-of, each confirming its visit (the first of its rep, client and day), as the
    importer would have written them from the export."""
    from salesmgmt.importer.checkins import stable_id

    first = date(as_of.year, as_of.month, 1)
    for _ in range(CHECKIN_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    days = visits["visit_date"].to_numpy(dtype="datetime64[D]")
    chosen = visits[
        (visits["visit_type"] == "visit") & (days >= np.datetime64(first)) & (days <= np.datetime64(as_of))
    ]
    # The first visit of each rep, client and day is the one a check-in confirms.
    chosen = chosen.sort_values("visit_key").drop_duplicates(["rep_id", "client_id", "visit_date"])
    chosen = chosen.sort_values(["rep_id", "visit_date", "visit_key"])
    struggling = DEMO_STORIES["struggling_rep"]
    habit = {
        r.rep_id: (
            (_STRUGGLING_CHECKIN_SHARE, _STRUGGLING_OFF_SITE_SHARE)
            if r.name == struggling
            else (float(rng.uniform(*_CHECKIN_SHARE)), float(rng.uniform(*_OFF_SITE_SHARE)))
        )
        for r in reps
    }
    names = {r.rep_id: r.name for r in reps}
    placed_at = {int(c["client_id"]): c for c in clients.to_dict("records")}
    rows = []
    slot: dict[tuple[int, date], int] = {}
    for rep_id, client_id, visit_key, day in zip(
        chosen["rep_id"].tolist(),
        chosen["client_id"].tolist(),
        chosen["visit_key"].tolist(),
        pd.to_datetime(chosen["visit_date"]).dt.date.tolist(),
    ):
        share, away = habit[rep_id]
        if rng.random() >= share:
            continue
        # Check-ins of one rep and day two hours apart at least, from 08:30.
        n = slot.get((rep_id, day), 0)
        slot[(rep_id, day)] = n + 1
        at = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=8.5 + 2 * n, minutes=int(rng.integers(0, 100))
        )
        row = _checkin_place(rng, placed_at[client_id], off_site=bool(rng.random() < away))
        rows.append(
            {
                "checkin_id": stable_id("dingtalk", names[rep_id], at),
                "source": "dingtalk",
                "rep_id": rep_id,
                "client_id": client_id,
                "checked_at": at,
                "visit_key": visit_key,
                "remarks": None,
                **row,
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in _CHECKIN_COLUMNS if c not in ("distance_m", "on_site")])
    frame["checkin_key"] = np.arange(1, len(frame) + 1)
    placed = clients.set_index("client_id").reindex(frame["client_id"])
    placed.index = frame.index
    verdict = geo.on_site_columns(frame, placed)
    frame["distance_m"], frame["on_site"] = verdict["distance_m"], verdict["on_site"]
    frame["checked_at"] = pd.to_datetime(frame["checked_at"]).astype("datetime64[s]")
    return frame[_CHECKIN_COLUMNS]


def _checkin_place(
    rng: np.random.Generator, client: dict[Hashable, Any], off_site: bool
) -> dict[str, object]:
    """Where a check-in at `client` was made: at the client (within a few hundred metres of its
    pin, or in its district when it has none), or away from it (in another district of its
    city, or a few kilometres off)."""
    province, city, adcode = str(client["province"]), str(client["city"]), str(client["adcode"])
    if not off_site:
        if client["geo_source"] == "coordinates":
            radius = min(abs(float(rng.normal(0.0, 120.0))), 450.0)
            angle = float(rng.uniform(0, 2 * np.pi))
            d_lon, d_lat = _metres_to_degrees(
                float(client["latitude"]), radius * np.cos(angle), radius * np.sin(angle)
            )
            lon, lat = float(client["longitude"]) + d_lon, float(client["latitude"]) + d_lat
        else:
            jitter = rng.normal(0.0, _SPREAD_DEG / 2, size=2)
            lon, lat = (
                float(client["longitude"]) + float(jitter[0]),
                float(client["latitude"]) + float(jitter[1]),
            )
        return {
            "place_name": str(client["name"]),
            "address": str(client["address"]),
            "longitude": round(lon, 6),
            "latitude": round(lat, 6),
            "province": province,
            "city": city,
            "district": client["district"],
            "adcode": adcode,
        }
    others = [
        d
        for d in geo.districts_of(
            adcode[:4] + "00" if adcode[:2] not in _MUNICIPALITIES else adcode[:2] + "0000"
        )
        if d.adcode != adcode
    ]
    district = others[int(rng.integers(len(others)))] if others else geo.divisions()[adcode]
    jitter = rng.normal(0.0, _SPREAD_DEG / 2, size=2)
    lon, lat = district.longitude + float(jitter[0]), district.latitude + float(jitter[1])
    if not others:  # a city of one district: a few kilometres off
        d_lon, d_lat = _metres_to_degrees(lat, 4000.0, 3000.0)
        lon, lat = lon + d_lon, lat + d_lat
    road = _ROADS[int(rng.integers(len(_ROADS)))]
    return {
        "place_name": _ELSEWHERE[int(rng.integers(len(_ELSEWHERE)))],
        "address": _address(province, city, district.name, f"{road}{int(rng.integers(1, 999))}号"),
        "longitude": round(lon, 6),
        "latitude": round(lat, 6),
        "province": province,
        "city": city,
        "district": _district_name(district),
        "adcode": district.adcode,
    }


#: Province codes of the municipalities (their districts lie directly under the province).
_MUNICIPALITIES = ("11", "12", "31", "50")
