"""Field check-ins as DingTalk (签到) and WeCom (外出打卡) export them, and client locations.

A check-ins file names a rep (姓名, or 工号) and usually a client (拜访对象 / 拜访客户); both must
already be stored (a check-in never creates a rep or a client): every row naming one that is not
found is refused, naming the row, the column and the fix. Names match with full-width
characters and spacing folded, and a client's name also without its company suffix
(有限公司, 有限责任公司, 股份有限公司, 集团...), as long as that leaves one client.

Each check-in with a client becomes a client visit (type 'visit'), or confirms the visit stored
for the same rep, client and day (imported, or made by an earlier check-in): `checkins.visit_key`
points at it and no second visit is made. A visit made from a check-in is marked planned when
the rep's monthly plan has a visit to that client in the same week (the rule by which a planned
visit counts as done, `plan_records.plan_visit_status`).

A check-in's id is the export's when it has one, else made from the platform, the person and the
time (`stable_id`), so importing the same export again adds nothing. The platform is told from
the headers: 签到 (DingTalk), 打卡 (WeCom), else 'other'.

Coordinates in files are taken as GCJ-02 (what DingTalk, WeCom and Chinese CRMs' maps give, see
`salesmgmt.geo`) and stored as WGS-84, unless the column's header names WGS-84 ("经度(WGS-84)",
as our templates and exports write it). WeCom's API form (degrees times 1,000,000: 30547645)
is read too. Whether a check-in was made at its client is
`geo.on_site`.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from salesmgmt import geo
from salesmgmt.importer.upsert import Batch, kept, kept_rows, new_ids, register, upsert
from salesmgmt.importer.validate import RowError
from salesmgmt.text import name_key

SOURCES = ("dingtalk", "wecom", "other")

#: Company-name endings left out when a client's name is matched (longest first).
COMPANY_SUFFIXES: tuple[str, ...] = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "分公司",
    "集团",
    "公司",
    "corporation",
    "company",
    "limited",
    "co.,ltd.",
    "co.,ltd",
    "coltd",
    "corp.",
    "corp",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "co.",
)
_PUNCTUATION = re.compile(r"[\s()（）\[\]【】·,，.。、'\"“”‘’&-]+")


def company_key(name: str) -> str:
    """A client name's key without punctuation and company suffixes: '江苏某钢结构（集团）有限公司'
    and '江苏某钢结构' give the same key."""
    key = _PUNCTUATION.sub("", name_key(name))
    suffixes = tuple(_PUNCTUATION.sub("", s) for s in COMPANY_SUFFIXES)
    changed = True
    while changed and key:
        changed = False
        for suffix in suffixes:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
    return key


def source_of(col_of: dict[str, str]) -> str:
    """The platform an export came from, told by its headers: 签到 is DingTalk's word, 打卡
    WeCom's."""
    headers = " ".join(col_of.get(f, "") for f in ("checked_at", "place", "checkin_id", "photos"))
    if "签到" in headers:
        return "dingtalk"
    if "打卡" in headers:
        return "wecom"
    return "other"


def stable_id(source: str, person: str, at: datetime) -> str:
    """A check-in's id when the export has none: the platform, the person and the minute."""
    digest = hashlib.sha1(f"{name_key(person)}|{at:%Y-%m-%d %H:%M}".encode()).hexdigest()[:16]
    return f"{source}:{digest}"


# --- Cells --------------------------------------------------------------------------------


def _cells(column: pd.Series) -> list[tuple[int, Any]]:
    """The filled cells of a column: (row, value)."""
    filled = column.dropna()
    return list(zip(filled.index.tolist(), filled.tolist()))


_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[(（]?(?:星期|周)[一二三四五六日天][)）]?)?"
    r"(?:\s*[T\s]\s*|\s*)(?:(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?$"
)
_TIME = re.compile(r"^(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_time(text: str, day: date | None = None) -> datetime | str:
    """A check-in time cell as a datetime, or the key of what is wrong with it. A time of day
    alone ('09:12', WeCom's export beside a 日期 column) takes `day`."""
    value = unicodedata.normalize("NFKC", text).strip()
    m = _DATE_TIME.match(value)
    if m:
        y, mo, d, h, mi, s = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        except ValueError:
            return "checkin.bad_time"
    m = _TIME.match(value)
    if m:
        if day is None:
            return "checkin.time_without_date"
        h, mi, s = m.groups()
        try:
            return datetime.combine(day, time(int(h), int(mi), int(s or 0)))
        except ValueError:
            return "checkin.bad_time"
    try:
        serial = float(value)  # an Excel date-time number read as text
    except ValueError:
        return "checkin.bad_time"
    if 20_000 < serial < 80_000:
        return (_EXCEL_EPOCH + timedelta(days=serial)).replace(microsecond=0)
    return "checkin.bad_time"


#: The range of each coordinate field, in degrees.
_RANGES = {"longitude": (-180.0, 180.0), "latitude": (-90.0, 90.0)}


def parse_degrees(text: str, field: str) -> float | None:
    """A longitude or latitude cell in degrees ('121.4737', '121.4737°', 'E121.4737'), or None
    when it is not one. Degrees times 1,000,000 (WeCom's API form) are divided back."""
    low, high = _RANGES[field]
    cleaned = unicodedata.normalize("NFKC", text).strip().strip("°").strip()
    cleaned = cleaned.lstrip("EeNn").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if abs(value) > 1000 and low <= value / 1e6 <= high:
        value /= 1e6
    return value if low <= value <= high else None


def _coordinates(ctx: Batch, rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each row's longitude and latitude in WGS-84 (NaN where not given); a bad cell, or one of
    the pair without the other, is a row error."""
    lon = pd.Series(np.nan, index=rows.index)
    lat = pd.Series(np.nan, index=rows.index)
    for field, out in (("longitude", lon), ("latitude", lat)):
        if field not in rows:
            continue
        for row, cell in _cells(rows[field]):
            value = parse_degrees(str(cell), field)
            if value is None:
                error = RowError(int(row), ctx.col_of[field], f"checkin.bad_{field}", {"value": cell})
                ctx.errors.append(error)
            else:
                out[row] = value
    if "coordinates" in rows:
        for row, cell in _cells(rows["coordinates"]):
            parts = re.split(r"[,，;；\s]+", unicodedata.normalize("NFKC", str(cell)).strip())
            pair = (
                (parse_degrees(parts[0], "longitude"), parse_degrees(parts[1], "latitude"))
                if len(parts) == 2
                else (None, None)
            )
            if pair[0] is None or pair[1] is None:
                ctx.errors.append(
                    RowError(int(row), ctx.col_of["coordinates"], "checkin.bad_coordinates", {"value": cell})
                )
            else:
                lon[row], lat[row] = pair
    half = lon.isna() != lat.isna()
    bad = {e.row for e in ctx.errors}
    for row in rows.index[half.to_numpy()].tolist():
        if int(row) not in bad:
            column = ctx.col_of.get("latitude" if lat.isna()[row] else "longitude", "")
            ctx.errors.append(RowError(int(row), column, "checkin.half_coordinates"))
    both = lon.notna() & lat.notna()
    headers = " ".join(ctx.col_of.get(f, "") for f in ("longitude", "latitude", "coordinates"))
    if "wgs" in headers.casefold():
        return lon.where(both), lat.where(both)
    for row in rows.index[both.to_numpy()]:
        lon[row], lat[row] = (round(v, 6) for v in geo.gcj02_to_wgs84(float(lon[row]), float(lat[row])))
    return lon.where(both), lat.where(both)


# --- Matching -----------------------------------------------------------------------------


def _match(
    ctx: Batch,
    rows: pd.DataFrame,
    field: str,
    by_code: dict[str, int],
    candidates: Callable[[str], list[int]],
    ambiguous: Callable[[str, list[int]], tuple[str, dict[str, Any]]],
) -> pd.Series:
    """Each row's stored rep or client (`field`: 'rep' or 'client'): by its code column when the
    row has a code, else by `candidates` of its name (one: found; several: `ambiguous`); NA
    when the row names none. An unknown code or name is a row error saying how to fix it."""
    ids = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    none = pd.Series(None, index=rows.index, dtype=object)
    code_field = f"{field}_code"
    for row, code, name in zip(rows.index.tolist(), rows.get(code_field, none), rows.get(field, none)):
        if isinstance(code, str):
            if code in by_code:
                ids[row] = by_code[code]
            else:
                key = f"checkin.unknown_{field}_code"
                ctx.errors.append(RowError(int(row), ctx.col_of[code_field], key, {"code": code}))
            continue
        if not isinstance(name, str):
            continue  # a rep is required (refused already); a client is not
        found = candidates(name)
        if len(found) == 1:
            ids[row] = found[0]
        elif found:
            key, values = ambiguous(name, found)
            ctx.errors.append(RowError(int(row), ctx.col_of[field], key, values))
        else:
            key = f"checkin.unknown_{field}"
            ctx.errors.append(RowError(int(row), ctx.col_of[field], key, {"name": name}))
    return ids


def _match_reps(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    """Each row's stored rep (by code, else by name); an unknown or ambiguous one is a row error."""
    stored = ctx.con.execute("SELECT rep_id, name_key, code FROM reps").fetchall()
    by_key: dict[str, list[int]] = defaultdict(list)
    for rid, nk, _code in stored:
        by_key[nk].append(rid)
    return _match(
        ctx,
        rows,
        "rep",
        {code: rid for rid, _nk, code in stored if code is not None},
        lambda name: by_key.get(name_key(name), []),
        lambda name, _found: ("import.ambiguous_name", {"name": name}),
    )


def _match_clients(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    """Each row's stored client (by code, else by name, else by name without its company
    suffix when that leaves one); NA when the row names none; unknown or ambiguous: a row error."""
    stored = ctx.con.execute(
        "SELECT client_id, name, name_key, code FROM clients ORDER BY client_id"
    ).fetchall()
    by_key: dict[str, list[int]] = defaultdict(list)
    by_company: dict[str, list[int]] = defaultdict(list)
    names_of = {cid: n for cid, n, _nk, _c in stored}
    for cid, name, nk, _code in stored:
        by_key[nk].append(cid)
        by_company[company_key(name)].append(cid)

    def ambiguous(name: str, found: list[int]) -> tuple[str, dict[str, Any]]:
        shown = "、".join(names_of[c] for c in found[:5])
        return "checkin.ambiguous_client", {"name": name, "candidates": shown}

    return _match(
        ctx,
        rows,
        "client",
        {code: cid for cid, _n, _nk, code in stored if code is not None},
        lambda name: by_key.get(name_key(name)) or by_company.get(company_key(name), []),
        ambiguous,
    )


# --- Applying -----------------------------------------------------------------------------


def _times(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    """Each row's check-in time (NaT where refused)."""
    out = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[s]")
    days = rows["date"] if "date" in rows else pd.Series(None, index=rows.index, dtype=object)
    for row, cell, day in zip(rows.index, rows["checked_at"], days):
        if not isinstance(cell, str):
            continue  # empty: refused already (a time is required)
        given = pd.Timestamp(day).date() if day is not None and not pd.isna(day) else None
        parsed = parse_time(cell, given)
        if isinstance(parsed, str):
            ctx.errors.append(RowError(int(row), ctx.col_of["checked_at"], parsed, {"value": cell}))
        else:
            out[row] = parsed
    return out


#: Values of a check-in type column (WeCom's 打卡类型) that are field check-ins.
_FIELD_TYPES = ("外出", "外勤", "签到", "拜访", "field", "visit", "check in", "checkin")


def _field_types(ctx: Batch, rows: pd.DataFrame) -> None:
    """Office clock-ins (上班打卡, 下班打卡) in a WeCom export of all check-ins are row errors."""
    if "checkin_type" not in rows:
        return
    for row, cell in _cells(rows["checkin_type"]):
        text = unicodedata.normalize("NFKC", str(cell)).casefold()
        if not any(word in text for word in _FIELD_TYPES):
            ctx.errors.append(
                RowError(int(row), ctx.col_of["checkin_type"], "checkin.not_field", {"value": cell})
            )


_CLIENT_PLACES_SQL = """
SELECT i._pos, c.longitude, c.latitude, c.adcode, c.geo_source
FROM {rows} i JOIN clients c ON c.client_id = i.client_id ORDER BY i._pos"""

_STORED_SQL = """
SELECT i._pos, k.checkin_key, k.visit_key FROM {rows} i JOIN checkins k ON k.checkin_id = i.checkin_id
ORDER BY i._pos"""

#: The visit a check-in confirms: the rep's visit of that client that day (a client visit
#: before a meeting; never a call), the lowest key first.
_VISITS_SQL = """
SELECT i._pos, min(v.visit_key) FILTER (WHERE v.visit_type = 'visit') AS visit,
       min(v.visit_key) AS other
FROM {rows} i JOIN visits v ON v.rep_id = i.rep_id AND v.client_id = i.client_id
 AND v.visit_date = CAST(i.checked_at AS DATE) AND v.visit_type <> 'call'
GROUP BY i._pos ORDER BY i._pos"""

#: The check-ins whose visit the rep's monthly plan (its latest revision) has in the same week:
#: the visit made from one is marked planned (plan_records.plan_visit_status's rule for done).
_PLANNED_SQL = """
SELECT DISTINCT i._pos FROM {rows} i
JOIN (SELECT plan_id, rep_id FROM monthly_plans
      QUALIFY row_number() OVER (PARTITION BY rep_id, month ORDER BY revision DESC) = 1) mp
  ON mp.rep_id = i.rep_id
JOIN plan_visits pv ON pv.plan_id = mp.plan_id AND pv.client_id = i.client_id
 AND date_trunc('week', pv.planned_date) = date_trunc('week', CAST(i.checked_at AS DATE))"""


def _lookup(ctx: Batch, sql: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Run `sql` over `frame` registered as {rows}; rows indexed by _pos."""
    name = ctx.name("chk")
    ctx.con.complete()  # a one-row fetch before (a fresh id) would keep the rows from registering
    register(ctx.con, name, frame)
    try:
        found = ctx.con.execute(sql.replace("{rows}", name)).df()
    finally:
        ctx.con.unregister(name)
    return found.set_index("_pos")


def apply_checkins(ctx: Batch, rows: pd.DataFrame) -> pd.Series:
    """Write a check-ins file (see the module's notes); each row's outcome."""
    source = source_of(ctx.col_of)
    _field_types(ctx, rows)
    at = _times(ctx, rows)
    lon, lat = _coordinates(ctx, rows)
    rep_ids = _match_reps(ctx, rows)
    client_ids = _match_clients(ctx, rows)
    keep = kept_rows(ctx, rows)
    rows, at, lon, lat = kept(rows, keep), kept(at, keep), kept(lon, keep), kept(lat, keep)
    rep_ids, client_ids = kept(rep_ids, keep), kept(client_ids, keep)
    if rows.empty:
        return pd.Series([], dtype=object)

    none = pd.Series(None, index=rows.index, dtype=object)
    person = rows.get("rep", none)
    person = person.where(person.notna(), rows.get("rep_code", none))
    given_id = rows.get("checkin_id", none)
    checkin_id = [
        (gid if gid.split(":")[0] in SOURCES else f"{source}:{gid}")
        if isinstance(gid, str)
        else stable_id(source, str(who), when)
        for gid, who, when in zip(given_id, person, at)
    ]
    # An id of ours (an export read back) says where the check-in came from.
    sources = [i.split(":")[0] for i in checkin_id]
    address = rows.get("address", none)
    place = rows.get("place", none)
    located = geo.parse_addresses(address.where(address.notna(), place).tolist())
    frame = pd.DataFrame(
        {
            "checkin_id": checkin_id,
            "source": sources,
            "rep_id": rep_ids.to_numpy(),
            "client_id": client_ids.to_numpy(),
            "checked_at": at.to_numpy(),
            "place_name": place.to_numpy(),
            "address": address.to_numpy(),
            "longitude": lon.to_numpy(),
            "latitude": lat.to_numpy(),
            "province": located["province"].to_numpy(),
            "city": located["city"].to_numpy(),
            "district": located["district"].to_numpy(),
            "adcode": located["adcode"].to_numpy(),
            "remarks": (rows.get("notes", none)).to_numpy(),
        },
        index=rows.index,
    )
    frame["_pos"] = np.arange(len(frame))
    keys = frame[["_pos", "checkin_id", "rep_id", "client_id", "checked_at"]]

    # Where the client is, and whether the check-in was made there.
    client = _lookup(ctx, _CLIENT_PLACES_SQL, keys[keys["client_id"].notna()]).reindex(frame["_pos"])
    client.index = frame.index
    verdict = geo.on_site_columns(frame, client)
    frame["distance_m"], frame["on_site"] = verdict["distance_m"], verdict["on_site"]

    # Stored already (a re-import): same key, and the visit it has keeps.
    stored = _lookup(ctx, _STORED_SQL, keys).reindex(frame["_pos"])
    is_new = stored["checkin_key"].isna().to_numpy()
    fresh = new_ids(ctx.con, "checkins", int(is_new.sum()))
    checkin_key = stored["checkin_key"].to_numpy(dtype="float64", copy=True)
    checkin_key[is_new] = fresh
    frame["checkin_key"] = checkin_key.astype("int64")
    frame["_new"] = is_new
    frame["visit_key"] = _visits(ctx, frame, keys, is_new)
    set_cols = [c for c in frame.columns if c not in ("checkin_key", "_pos", "_new", "checkin_id")]
    set_cols.insert(0, "checkin_id")
    return upsert(ctx, "checkin", frame, set_cols, keep_if_null=("visit_key",))


def _visits(ctx: Batch, frame: pd.DataFrame, keys: pd.DataFrame, is_new: np.ndarray) -> pd.Series:
    """The visit each new check-in with a client confirms or makes (NA for the others, whose
    stored visit keeps). New visits are written here, one per rep, client and day."""
    out = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    todo = keys[is_new & frame["client_id"].notna().to_numpy()]
    if todo.empty:
        return out
    existing = _lookup(ctx, _VISITS_SQL, todo).reindex(todo["_pos"])
    confirms = existing["visit"].fillna(existing["other"])
    planned = set(_lookup(ctx, _PLANNED_SQL, todo).index)
    made: dict[tuple[int, int, date], int] = {}
    visits: list[dict[str, Any]] = []
    for row, item, confirmed in zip(todo.index.tolist(), todo.to_dict("records"), confirms):
        if not pd.isna(confirmed):
            out[row] = int(confirmed)
            continue
        day = pd.Timestamp(item["checked_at"]).date()
        key = (int(item["rep_id"]), int(item["client_id"]), day)
        if key not in made:
            made[key] = -1 - len(visits)
            visits.append(
                {
                    "visit_id": item["checkin_id"],
                    "visit_date": day,
                    "rep_id": key[0],
                    "client_id": key[1],
                    "visit_type": "visit",
                    "planned": True if item["_pos"] in planned else None,
                    "notes": frame.at[row, "remarks"],
                }
            )
        out[row] = made[key]
    if visits:
        written = pd.DataFrame(visits)
        written["visit_key"] = new_ids(ctx.con, "visits", len(written))
        written["_new"] = True
        upsert(
            ctx,
            "visit",
            written,
            ["visit_id", "visit_date", "rep_id", "client_id", "visit_type", "planned", "notes"],
        )
        real = dict(zip(range(-1, -1 - len(written), -1), written["visit_key"].tolist()))
        out = out.map(lambda k: real.get(k, k) if not pd.isna(k) else k).astype("Int64")
    return out


# --- Clients' locations -------------------------------------------------------------------

#: The clients columns a location sets (clients file with an address or coordinates).
LOCATION_COLUMNS = [
    "address",
    "province",
    "city",
    "district",
    "adcode",
    "longitude",
    "latitude",
    "geo_source",
]


def client_locations(ctx: Batch, rows: pd.DataFrame, ids: pd.Series) -> pd.DataFrame | None:
    """The location columns of a clients file's rows (None when it has no address and no
    coordinates): the division from the address; the coordinates given (GCJ-02, stored in
    WGS-84, geo_source 'coordinates') or else the district's centre (geo_source 'address').
    A bad coordinate is a row error. Empty cells keep what is stored (the upsert's
    keep_if_null), and so does a client's own map pin when the file gives the same address
    again without coordinates. `ids`: each row's client (negative for a client to create)."""
    if not any(f in rows for f in ("address", "longitude", "latitude", "coordinates")):
        return None
    lon, lat = _coordinates(ctx, rows)
    none = pd.Series(None, index=rows.index, dtype=object)
    address = rows.get("address", none)
    located = geo.parse_addresses(address.tolist())
    located.index = rows.index
    exact = lon.notna()
    out = located.copy()
    out.insert(0, "address", address)
    out["longitude"] = lon.where(exact, pd.to_numeric(located["longitude"])).astype("float64")
    out["latitude"] = lat.where(exact, pd.to_numeric(located["latitude"])).astype("float64")
    source = np.where(exact, "coordinates", np.where(located["adcode"].notna(), "address", ""))
    out["geo_source"] = pd.Series(source, index=rows.index, dtype=object).replace("", None)
    pins = ctx.con.execute(
        "SELECT client_id, address FROM clients WHERE geo_source = 'coordinates' AND address IS NOT NULL"
    ).fetchall()
    pinned = dict(pins)
    same_place = [
        not e and not pd.isna(i) and pinned.get(int(i)) == a for e, i, a in zip(exact, ids, address)
    ]
    out.loc[same_place, ["longitude", "latitude", "geo_source"]] = None
    return out[LOCATION_COLUMNS]
