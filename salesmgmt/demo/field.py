"""The demo's field work: where each client is (an address in a city of its team's region,
resolved to province, city and district, and coordinates for most), and the check-ins the
engineers made on their visits (DingTalk 签到), a few of them away from the client."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from salesmgmt import geo
from salesmgmt.demo.clients import Client
from salesmgmt.demo.company import Geography

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
    adcode = str(located["adcode"])
    known = geo.divisions()
    province = known[adcode[:2] + "0000"].name
    city_code = adcode[:4] + "00"
    city = province if adcode.endswith("0000") else known[city_code].name
    if geo.is_district_code(adcode):
        return _City(province, city, [known[adcode]])
    districts = geo.districts_of(adcode)
    rest = name.removeprefix(province.removesuffix("市")).removeprefix(city.removesuffix("市"))
    named = [d for d in districts if rest and d.name.startswith(rest)]
    return _City(province, city, named or districts)


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
        city = "" if place.city == place.province else place.city
        address = f"{place.province}{city}{district.name}{road}{number}号"
        exact = bool(rng.random() < CLIENTS_WITH_COORDINATES)
        jitter = rng.normal(0.0, _SPREAD_DEG, size=2)
        lon = district.longitude + (float(jitter[0]) if exact else 0.0)
        lat = district.latitude + (float(jitter[1]) if exact else 0.0)
        rows.append(
            (
                address,
                place.province,
                place.city,
                district.name,
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
