"""Where clients are and where check-ins were made, offline: Chinese addresses resolved to
province, city and district with `cpca` (which ships China's administrative divisions and a
centre point for each), distances on the sphere, the datum conversion Chinese maps need, and
the rule that says whether a check-in was made at the client ("on site").

Coordinates are stored in WGS-84 (what GPS gives and what the offline maps draw). Files from
China carry GCJ-02 instead: the datum every map app licensed in China must use (AMap, Tencent
Maps; DingTalk and WeCom take their positions from them), offset from WGS-84 by a few hundred
metres. Coordinates read from an import file are taken as GCJ-02 and converted
(`gcj02_to_wgs84`); an export writes them back as GCJ-02 (`wgs84_to_gcj02`). Outside China the
two datums are the same and nothing is converted. Distances between two points converted the
same way are nearly unchanged by the conversion (the offset varies slowly), so a file whose
coordinates were WGS-84 after all still gets the on-site rule right.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

#: A check-in is on site when it was made within this distance of the client (metres), when
#: both have coordinates. Phones locate within tens of metres outdoors but up to a few hundred
#: inside buildings and on large sites (a steel plant, a design institute's campus), so 500 m
#: tells a visit at the client from one made elsewhere in the same town.
ON_SITE_METRES = 500.0

#: The earth's mean radius (metres), for distances on the sphere.
EARTH_RADIUS_M = 6_371_008.8

#: Where a client's location came from (clients.geo_source).
GEO_SOURCES = ("address", "coordinates")

_LOCATED_COLUMNS = ["province", "city", "district", "adcode", "longitude", "latitude"]


@dataclass(frozen=True)
class District:
    """An administrative division from cpca's list: its 6-digit code, name and centre."""

    adcode: str
    name: str
    longitude: float
    latitude: float


@cache
def divisions() -> dict[str, District]:
    """Every province, city and district cpca knows, by 6-digit administrative code."""
    import cpca

    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    out: dict[str, District] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if row["longitude"] and row["latitude"]:
                out.setdefault(
                    code, District(code, row["name"], float(row["longitude"]), float(row["latitude"]))
                )
    return out


def districts_of(city_adcode: str) -> list[District]:
    """The districts (and county-level cities) under a city's code, in order of code; the
    districts of a municipality (Beijing, Shanghai...) under its province code."""
    prefix = city_adcode[:2] + "01" if city_adcode.endswith("0000") else city_adcode[:4]
    return [
        d
        for code, d in sorted(divisions().items())
        if code.startswith(prefix) and code[4:] != "00" and d.name != "市辖区"
    ]


def is_district_code(adcode: str | None) -> bool:
    """True for the code of a district or county (not of a whole city or province)."""
    return bool(adcode) and len(str(adcode)) == 6 and not str(adcode).endswith("00")


def parse_addresses(addresses: Sequence[str | None] | pd.Series) -> pd.DataFrame:
    """Each address resolved offline: province, city, district (None when the address names no
    district), adcode (the most specific level found) and the centre of that division as
    longitude/latitude (None for an address where nothing was found). A municipality is its own
    city ("上海市", not cpca's "市辖区"). One row per address, in order."""
    import cpca

    texts = [a if isinstance(a, str) and a.strip() else "" for a in list(addresses)]
    out = pd.DataFrame({c: pd.Series([None] * len(texts), dtype=object) for c in _LOCATED_COLUMNS})
    todo = [i for i, text in enumerate(texts) if text]
    if not todo:
        return out
    parsed = cpca.transform([texts[i] for i in todo])
    known = divisions()
    for i, (_, row) in zip(todo, parsed.iterrows()):
        adcode = row["adcode"] if isinstance(row["adcode"], str) and row["adcode"] else None
        if adcode is None:
            continue
        province = row["省"] if isinstance(row["省"], str) else None
        city = row["市"] if isinstance(row["市"], str) else None
        if city in (None, "市辖区", "县"):
            city = province if province and province.endswith("市") else city
        district = row["区"] if isinstance(row["区"], str) else None
        centre = known.get(adcode)
        out.iloc[i] = [
            province,
            city,
            district,
            adcode,
            centre.longitude if centre else None,
            centre.latitude if centre else None,
        ]
    return out


# --- GCJ-02 <-> WGS-84 --------------------------------------------------------------------
# The published form of the GCJ-02 offset (Krasovsky 1940 ellipsoid); the inverse is solved by
# iteration, to well under a millimetre.

_A = 6378245.0
_EE = 0.00669342162296594323


def in_china(longitude: float, latitude: float) -> bool:
    """Inside the rough box where GCJ-02 applies (mainland China and around)."""
    return 72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271


def _offset(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = longitude - 105.0, latitude - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = latitude / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(longitude: float, latitude: float) -> tuple[float, float]:
    """A WGS-84 point as Chinese maps show it (unchanged outside China)."""
    if not in_china(longitude, latitude):
        return longitude, latitude
    d_lon, d_lat = _offset(longitude, latitude)
    return longitude + d_lon, latitude + d_lat


def gcj02_to_wgs84(longitude: float, latitude: float) -> tuple[float, float]:
    """A GCJ-02 point (from AMap, Tencent Maps, DingTalk, WeCom) in WGS-84."""
    if not in_china(longitude, latitude):
        return longitude, latitude
    lon, lat = longitude, latitude
    for _ in range(10):
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        lon, lat = lon - (g_lon - longitude), lat - (g_lat - latitude)
        if abs(g_lon - longitude) < 1e-10 and abs(g_lat - latitude) < 1e-10:
            break
    return lon, lat


def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres between points given in degrees (arrays or numbers;
    NaN where a coordinate is missing)."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    d_lat = p2 - p1
    d_lon = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(d_lat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(d_lon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=float)


@dataclass(frozen=True)
class OnSite:
    """The on-site rule's answer for each check-in."""

    #: Metres from the client (NaN when either has no coordinates of its own).
    distance_m: npt.NDArray[np.float64]
    #: True/False, or None when it cannot be told (see `on_site`).
    on_site: list[bool | None]


def on_site(
    checkin_lon: npt.ArrayLike,
    checkin_lat: npt.ArrayLike,
    checkin_adcode: Sequence[str | None],
    client_lon: npt.ArrayLike,
    client_lat: npt.ArrayLike,
    client_adcode: Sequence[str | None],
    client_source: Sequence[str | None],
) -> OnSite:
    """Whether each check-in was made at its client.

    - The client's location came from coordinates (`client_source` 'coordinates') and the
      check-in has coordinates: on site when within ON_SITE_METRES.
    - Otherwise, when the client's address resolved to a district and the check-in's address
      (or place) did too: on site when it is the same district; when the client's address
      names only a city (or a municipality), the same city.
    - Otherwise (no client, no location on either side) it cannot be told: None.
    """
    distance = haversine_m(checkin_lon, checkin_lat, client_lon, client_lat)
    exact = np.array([s == "coordinates" for s in client_source], dtype=bool)
    distance = np.where(exact, distance, np.nan)
    answers: list[bool | None] = []
    for d, mine, theirs in zip(distance, checkin_adcode, client_adcode):
        if not math.isnan(d):
            answers.append(bool(d <= ON_SITE_METRES))
        elif mine and theirs:
            if is_district_code(theirs):
                answers.append(bool(mine == theirs) if is_district_code(mine) else None)
            else:
                level = 2 if str(theirs).endswith("0000") else 4
                answers.append(str(mine)[:level] == str(theirs)[:level])
        else:
            answers.append(None)
    return OnSite(np.asarray(distance, dtype=float), answers)


def on_site_columns(checkins: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """`on_site` for check-ins (longitude, latitude, adcode) against their clients' places
    (longitude, latitude, adcode, geo_source; a row each, aligned; NaN where no client) as the
    checkins table stores them: distance_m (to 0.1 m) and on_site (nullable boolean)."""

    def text(values: pd.Series) -> list[str | None]:
        return [v if isinstance(v, str) else None for v in values]

    verdict = on_site(
        checkins["longitude"].to_numpy(dtype=float),
        checkins["latitude"].to_numpy(dtype=float),
        text(checkins["adcode"]),
        clients["longitude"].to_numpy(dtype=float),
        clients["latitude"].to_numpy(dtype=float),
        text(clients["adcode"]),
        text(clients["geo_source"]),
    )
    return pd.DataFrame(
        {
            "distance_m": np.round(verdict.distance_m, 1),
            "on_site": pd.array(verdict.on_site, dtype="boolean"),
        },
        index=checkins.index,
    )
