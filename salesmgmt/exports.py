"""The database's data written out in the import format: one CSV per kind, with the template's
headers, for Excel (UTF-8 with BOM) and safe to open (text that a spreadsheet would run as a
formula is prefixed with ').

Importing these files into an empty database reproduces the same reps, clients, opportunities
(current state), visits, targets and check-ins, so the same figures; importing them into the
database they came from changes nothing. Coordinates are written as stored, in WGS-84, under
headers that say so ("经度(WGS-84)"), which the importer reads without converting. The import
templates (data/templates/, offered on the Import data page through `template_path`) are
generated here too, so a template's headers are the importer's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from salesmgmt.i18n import t
from salesmgmt.importer.fields import KIND_FIELDS, KINDS
from salesmgmt.importer.headers import template_headers
from salesmgmt.importer.preview import frame_to_csv

#: One query per kind; its columns are the kind's fields, in template order.
EXPORT_SQL: dict[str, str] = {
    "reps": """
        SELECT r.name AS rep, r.code AS rep_code, r.team, r.region, r.role, r.manager
        FROM reps r ORDER BY r.rep_id""",
    "clients": """
        SELECT c.name AS client, c.code AS client_code, c.client_type, c.key_account,
               o.name AS owner, c.relationship_level, c.region, c.address,
               -- a client placed by its address alone is placed again from it on import
               CASE WHEN c.geo_source = 'coordinates' THEN c.longitude END AS longitude,
               CASE WHEN c.geo_source = 'coordinates' THEN c.latitude END AS latitude
        FROM clients c LEFT JOIN reps o ON o.rep_id = c.owner_rep_id
        ORDER BY c.client_id""",
    "opportunities": """
        SELECT p.opp_id AS opportunity_id, p.name AS opportunity_name, r.name AS rep,
               r.code AS rep_code, c.name AS client, c.code AS client_code, p.product, p.project,
               p.stage, p.status, p.amount, p.probability, p.created_date,
               p.expected_close_date, p.close_date, p.lost_reason
        FROM opportunities p
        LEFT JOIN reps r ON r.rep_id = p.rep_id
        LEFT JOIN clients c ON c.client_id = p.client_id
        ORDER BY p.opp_id""",
    "visits": """
        SELECT v.visit_date AS date, r.name AS rep, r.code AS rep_code, c.name AS client,
               c.code AS client_code, v.visit_id, v.visit_type AS type, v.planned,
               v.accompanied_by, v.opp_id AS opportunity, v.purpose, v.outcome, v.notes
        FROM visits v
        LEFT JOIN reps r ON r.rep_id = v.rep_id
        LEFT JOIN clients c ON c.client_id = v.client_id
        ORDER BY v.visit_date, v.visit_key""",
    "targets": """
        SELECT strftime(t.month, '%Y-%m') AS period, t.amount,
               r.name AS rep, r.code AS rep_code,
               CASE WHEN t.scope_kind = 'team' THEN t.scope_key END AS team,
               CASE WHEN t.scope_kind = 'region' THEN t.scope_key END AS region
        FROM targets t
        LEFT JOIN reps r ON t.scope_kind = 'rep' AND r.rep_id = TRY_CAST(t.scope_key AS INTEGER)
        ORDER BY t.month, t.scope_kind, t.scope_key""",
    "checkins": """
        SELECT strftime(k.checked_at, '%Y-%m-%d %H:%M:%S') AS checked_at, NULL AS date,
               r.name AS rep, r.code AS rep_code, c.name AS client, c.code AS client_code,
               k.place_name AS place, k.address, k.longitude, k.latitude, NULL AS coordinates,
               k.remarks AS notes, NULL AS checkin_type, k.checkin_id
        FROM checkins k
        LEFT JOIN reps r ON r.rep_id = k.rep_id
        LEFT JOIN clients c ON c.client_id = k.client_id
        ORDER BY k.checked_at, k.checkin_key""",
}

_STAGE_KEYS = ("lead", "qualified", "solution", "quote", "negotiation", "won", "lost")


def _label(prefix: str, lang: str) -> Callable[[object], object]:
    """A code -> its text in `lang` under `prefix` (a value without a text, or not a code, as is)."""

    def label(value: object) -> object:
        if not isinstance(value, str):
            return value
        key = f"{prefix}.{value}"
        text = t(key, lang)
        return value if text == key else text

    return label


def export_frame(con: duckdb.DuckDBPyConnection, kind: str, lang: str = "en") -> pd.DataFrame:
    """The rows of one kind, as the import format has them (headers in `lang`)."""
    if kind not in KINDS:
        raise ValueError(kind)
    frame = con.execute(EXPORT_SQL[kind]).df()
    assert list(frame.columns) == list(KIND_FIELDS[kind]), (kind, list(frame.columns))
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    for column in frame.columns:
        if column in ("key_account", "planned"):
            frame[column] = frame[column].map(lambda v: v if pd.isna(v) else (yes if v else no))
        elif column == "role":
            frame[column] = frame[column].map(_label("role", lang))
        elif column == "client_type":
            frame[column] = frame[column].map(_label("client_type", lang))
        elif column == "type":
            frame[column] = frame[column].map(_label("visit_type", lang))
        elif column == "status":
            frame[column] = frame[column].map(_label("status", lang))
        elif column == "stage" and lang == "zh":
            # Chinese stage names map back to the same keys; English ones stay keys.
            frame[column] = frame[column].map(lambda v: t(f"stage.{v}", "zh") if v in _STAGE_KEYS else v)
        elif column in ("date", "created_date", "expected_close_date", "close_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
        elif column == "amount":
            frame[column] = frame[column].map(lambda v: v if pd.isna(v) else f"{float(v):.2f}")
        elif column == "probability":
            frame[column] = frame[column].map(lambda v: v if pd.isna(v) else f"{float(v):g}")
    frame = frame.astype(object).where(frame.notna(), None)
    frame.columns = template_headers(kind, lang)
    return frame


def export_csv(con: duckdb.DuckDBPyConnection, kind: str, lang: str = "en") -> bytes:
    """One kind as an import-format CSV for Excel (UTF-8 with BOM, formula-safe)."""
    return frame_to_csv(export_frame(con, kind, lang))


def export_all(con: duckdb.DuckDBPyConnection, directory: str | Path, lang: str = "en") -> dict[str, Path]:
    """Every kind to `directory`/<kind>.csv; returns the paths written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind in KINDS:
        path = out / f"{kind}.csv"
        path.write_bytes(export_csv(con, kind, lang))
        paths[kind] = path
    return paths


# ----------------------------------------------------------------------------------------
# Templates: the headers of each kind with example rows (data/templates/<kind>.<lang>.csv).

TEMPLATE_EXAMPLES: dict[str, dict[str, list[tuple[str, ...]]]] = {
    "en": {
        "reps": [
            ("Zhang Wei", "E001", "Dragon", "East", "Sales engineer", "Chen Jun"),
            ("Chen Jun", "E002", "Dragon", "East", "Sales manager", ""),
        ],
        "clients": [
            (
                "East China Design Institute",
                "C0001",
                "Design institute",
                "yes",
                "Zhang Wei",
                "4",
                "East",
                "江苏省南京市玄武区中山路8号",
                "",
                "",
            ),
            (
                "Jiangsu Steel Structure Co.",
                "C0002",
                "Steel-structure company",
                "no",
                "Zhang Wei",
                "2",
                "East",
                "江苏省苏州市昆山市人民路5号",
                "120.98012",
                "31.38469",
            ),
        ],
        "opportunities": [
            (
                "OPP-2024-001",
                "Plant 3 skylights",
                "Zhang Wei",
                "E001",
                "East China Design Institute",
                "C0001",
                "Daylighting panels",
                "Kunshan plant 3",
                "quote",
                "open",
                "1,250,000",
                "60%",
                "2024-03-01",
                "2024-06-30",
                "",
                "",
            ),
            (
                "OPP-2024-002",
                "Warehouse smoke vents",
                "Zhang Wei",
                "E001",
                "Jiangsu Steel Structure Co.",
                "C0002",
                "Smoke-exhaust windows",
                "",
                "won",
                "won",
                "380000",
                "",
                "2024-01-15",
                "2024-04-30",
                "2024-04-26",
                "",
            ),
        ],
        "visits": [
            (
                "2024-05-06",
                "Zhang Wei",
                "E001",
                "East China Design Institute",
                "C0001",
                "V-0001",
                "Visit",
                "yes",
                "Chen Jun",
                "OPP-2024-001",
                "Present the daylighting solution",
                "Asked for a quote by Friday",
                "",
            ),
            (
                "2024-05-08",
                "Zhang Wei",
                "E001",
                "Jiangsu Steel Structure Co.",
                "C0002",
                "V-0002",
                "Call",
                "no",
                "",
                "",
                "Delivery date",
                "Confirmed",
                "",
            ),
        ],
        "targets": [
            ("2024-05", "500000", "Zhang Wei", "E001", "", ""),
            ("2024-Q2", "3000000", "", "", "Dragon", ""),
        ],
        "checkins": [
            (
                "2024-05-06 09:30",
                "",
                "Zhang Wei",
                "E001",
                "East China Design Institute",
                "C0001",
                "East China Design Institute",
                "江苏省南京市玄武区中山路8号",
                "118.79776",
                "32.04850",
                "",
                "Presented the daylighting solution",
                "",
                "",
            ),
            (
                "2024-05-08 14:10",
                "",
                "Zhang Wei",
                "E001",
                "Jiangsu Steel Structure Co.",
                "C0002",
                "Jiangsu Steel Structure Co. plant",
                "江苏省苏州市昆山市人民路5号",
                "120.98030",
                "31.38500",
                "",
                "Delivery date",
                "",
                "",
            ),
        ],
    },
    "zh": {
        "reps": [
            ("张伟", "E001", "龙队", "华东", "销售工程师", "陈军"),
            ("陈军", "E002", "龙队", "华东", "销售经理", ""),
        ],
        "clients": [
            (
                "华东建筑设计院",
                "C0001",
                "设计院",
                "是",
                "张伟",
                "4",
                "华东",
                "江苏省南京市玄武区中山路8号",
                "",
                "",
            ),
            (
                "江苏某钢结构有限公司",
                "C0002",
                "钢结构公司",
                "否",
                "张伟",
                "2",
                "华东",
                "江苏省苏州市昆山市人民路5号",
                "120.98012",
                "31.38469",
            ),
        ],
        "opportunities": [
            (
                "OPP-2024-001",
                "三号厂房采光带",
                "张伟",
                "E001",
                "华东建筑设计院",
                "C0001",
                "采光板",
                "昆山三号厂房",
                "报价投标",
                "进行中",
                "125万",
                "60%",
                "2024-03-01",
                "2024-06-30",
                "",
                "",
            ),
            (
                "OPP-2024-002",
                "仓库排烟窗",
                "张伟",
                "E001",
                "江苏某钢结构有限公司",
                "C0002",
                "排烟窗",
                "",
                "赢单",
                "赢单",
                "￥380,000",
                "",
                "2024-01-15",
                "2024-04-30",
                "2024-04-26",
                "",
            ),
        ],
        "visits": [
            (
                "2024-05-06",
                "张伟",
                "E001",
                "华东建筑设计院",
                "C0001",
                "V-0001",
                "上门拜访",
                "是",
                "陈军",
                "OPP-2024-001",
                "介绍采光方案",
                "客户要求周五前报价",
                "",
            ),
            (
                "2024-05-08",
                "张伟",
                "E001",
                "江苏某钢结构有限公司",
                "C0002",
                "V-0002",
                "电话",
                "否",
                "",
                "",
                "确认交货期",
                "已确认",
                "",
            ),
        ],
        "targets": [
            ("2024-05", "500000", "张伟", "E001", "", ""),
            ("2024-Q2", "3000000", "", "", "龙队", ""),
        ],
        "checkins": [
            (
                "2024-05-06 09:30",
                "",
                "张伟",
                "E001",
                "华东建筑设计院",
                "C0001",
                "华东建筑设计院",
                "江苏省南京市玄武区中山路8号",
                "118.79776",
                "32.04850",
                "",
                "介绍采光方案",
                "",
                "",
            ),
            (
                "2024-05-08 14:10",
                "",
                "张伟",
                "E001",
                "江苏某钢结构有限公司",
                "C0002",
                "江苏某钢结构厂区",
                "江苏省苏州市昆山市人民路5号",
                "120.98030",
                "31.38500",
                "",
                "确认交货期",
                "",
                "",
            ),
        ],
    },
}


def template_csv(kind: str, lang: str) -> bytes:
    """The template of a kind: its headers in `lang` and two example rows (UTF-8 with BOM)."""
    rows = TEMPLATE_EXAMPLES["zh" if lang == "zh" else "en"][kind]
    frame = pd.DataFrame(rows, columns=template_headers(kind, lang), dtype=object)
    return frame_to_csv(frame)


def template_path(kind: str, lang: str) -> Path:
    """Where the committed template of a kind lives (data/templates/<kind>.<lang>.csv)."""
    from salesmgmt.db import PROJECT_ROOT

    return PROJECT_ROOT / "data" / "templates" / f"{kind}.{'zh' if lang == 'zh' else 'en'}.csv"
