"""Header recognition: which field a source column holds, which kind a file is, and the headers
of the templates and exports.

Headers are compared after `header_key`: full-width folded, case-folded, without spaces,
underscores, hyphens, dots, asterisks and bracketed notes, so "Sales Rep", "sales_rep",
"SALES REP *" and "赢率(%)" match "salesrep" and "赢率". A unit after a comma or in brackets is read apart
(`header_unit`): "预计金额(万元)" is the amount counted in 万, "Deal Value, $" the amount in USD
(kept as it is, not converted), "Probability, %" the probability in percent.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from salesmgmt.i18n import CATALOGUE
from salesmgmt.importer.fields import FIELDS, KIND_FIELDS, KIND_REMAP, KINDS

_BRACKETS = re.compile(r"[\(\[（【<《].*?[\)\]）】>》]")
_NOISE = re.compile(r"[\s_\-\.·/\\:：*#'\"“”‘’?？!！]+")

#: Header names per field (any spelling that `header_key` folds to the same key matches).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "rep": (
        "rep",
        "rep name",
        "sales rep",
        "salesperson",
        "sales person",
        "salesman",
        "sales agent",
        "agent",
        "owner",
        "owner name",
        "opportunity owner",
        "deal owner",
        "account owner",
        "assigned to",
        "sales engineer",
        "employee",
        "employee name",
        "销售",
        "销售人员",
        "业务员",
        "负责人",
        "拜访人",
        "跟进人",
        "姓名",
        "销售员",
        "销售工程师",
        "销售代表",
        "员工姓名",
        "商机负责人",
        "客户负责人",
        "客户经理",
        "所属销售",
        "归属销售",
    ),
    "rep_code": (
        "rep code",
        "rep id",
        "employee id",
        "employee no",
        "employee number",
        "staff id",
        "sales rep id",
        "工号",
        "员工编号",
        "员工工号",
        "销售编号",
        "销售工号",
        "员工号",
    ),
    "team": ("team", "team name", "sales team", "团队", "所属团队", "小组", "团队名称", "组别", "销售团队"),
    "region": (
        "region",
        "area",
        "territory",
        "regional office",
        "office",
        "sales region",
        "区域",
        "大区",
        "所属区域",
        "片区",
        "地区",
        "所属大区",
        "销售区域",
    ),
    "role": ("role", "title", "job title", "position", "职位", "角色", "岗位", "职务"),
    "manager": (
        "manager",
        "sales manager",
        "reports to",
        "supervisor",
        "直属上级",
        "销售经理",
        "上级",
        "主管",
        "直接上级",
    ),
    "client": (
        "client",
        "client name",
        "account",
        "account name",
        "company",
        "company name",
        "customer",
        "customer name",
        "organization",
        "organisation",
        "客户",
        "客户名称",
        "关联客户",
        "单位名称",
        "拜访客户",
        "拜访对象",
        "拜访单位",
        "公司名称",
        "客户全称",
        "单位",
        "客户单位",
    ),
    "client_code": (
        "client code",
        "client id",
        "customer id",
        "customer code",
        "customer number",
        "account id",
        "account number",
        "客户编号",
        "客户代码",
        "客户编码",
        "客户id",
    ),
    "client_type": (
        "client type",
        "customer type",
        "account type",
        "client category",
        "客户类型",
        "客户类别",
        "单位类型",
        "客户分类",
    ),
    "key_account": (
        "key account",
        "is key account",
        "key client",
        "strategic account",
        "重点客户",
        "是否重点客户",
        "大客户",
        "是否大客户",
        "重点",
    ),
    "relationship_level": (
        "relationship level",
        "relationship",
        "relationship score",
        "关系等级",
        "关系级别",
        "客户关系",
        "关系",
        "关系程度",
    ),
    "opportunity_id": (
        "opportunity id",
        "opportunity number",
        "opportunity no",
        "opp id",
        "deal id",
        "deal number",
        "record id",
        "商机编号",
        "编号",
        "商机id",
        "商机号",
        "商机代码",
    ),
    "opportunity_name": ("opportunity name", "deal name", "商机名称", "商机名"),
    "opportunity": ("opportunity", "related opportunity", "linked opportunity", "关联商机", "相关商机"),
    "product": ("product", "product name", "products", "产品", "产品名称", "产品线"),
    "project": ("project", "project name", "项目", "项目名称", "工程名称", "工程项目"),
    "stage": (
        "stage",
        "deal stage",
        "stage name",
        "opportunity stage",
        "sales stage",
        "商机阶段",
        "销售阶段",
        "阶段",
        "跟进阶段",
    ),
    "status": ("status", "deal status", "opportunity status", "商机状态", "结束状态", "状态", "赢输状态"),
    "amount": (
        "amount",
        "value",
        "deal value",
        "deal amount",
        "close value",
        "opportunity amount",
        "expected amount",
        "target",
        "target amount",
        "quota",
        "商机金额",
        "预计金额",
        "预期金额",
        "金额",
        "目标金额",
        "目标",
        "目标额",
        "销售目标",
        "合同金额",
        "成交金额",
        "商机价值",
    ),
    "probability": (
        "probability",
        "win probability",
        "probability percent",
        "prob",
        "win rate",
        "赢率",
        "赢单率",
        "成交概率",
        "赢单概率",
        "成功率",
        "可能性",
    ),
    "created_date": (
        "created date",
        "create date",
        "created",
        "created on",
        "created at",
        "creation date",
        "engage date",
        "open date",
        "创建时间",
        "创建日期",
        "立项日期",
        "录入日期",
        "录入时间",
    ),
    "expected_close_date": (
        "expected close date",
        "expected close",
        "estimated close date",
        "target close date",
        "预计成交日期",
        "预计结单日期",
        "预计签约日期",
        "预计成交时间",
        "预计关闭日期",
    ),
    "close_date": (
        "close date",
        "closed date",
        "actual close date",
        "date closed",
        "成交日期",
        "关闭日期",
        "结单日期",
        "签约日期",
        "结束日期",
        "成交时间",
    ),
    "lost_reason": ("lost reason", "loss reason", "reason lost", "输单原因", "丢单原因", "失败原因"),
    "date": (
        "date",
        "visit date",
        "activity date",
        "拜访日期",
        "拜访时间",
        "跟进时间",
        "日期",
        "跟进日期",
        "时间",
        "活动日期",
    ),
    "visit_id": ("visit id", "activity id", "visit number", "拜访编号", "拜访id", "跟进编号", "记录编号"),
    "type": ("type", "activity type", "visit type", "拜访方式", "跟进方式", "拜访类型", "方式", "跟进类型"),
    "planned": ("planned", "is planned", "是否计划内", "计划内", "计划拜访", "是否计划"),
    "accompanied_by": (
        "accompanied by",
        "companion",
        "joint visit with",
        "陪访人",
        "协访人",
        "陪同人",
        "陪同",
    ),
    "purpose": ("purpose", "subject", "objective", "拜访目的", "目的", "跟进目的"),
    "outcome": ("outcome", "result", "拜访结果", "结果", "跟进结果"),
    "notes": (
        "notes",
        "note",
        "comments",
        "comment",
        "description",
        "remarks",
        "备注",
        "跟进内容",
        "说明",
        "拜访内容",
        "详情",
    ),
    "period": (
        "period",
        "month",
        "target period",
        "月份",
        "期间",
        "年月",
        "目标期间",
        "考核期间",
        "季度",
        "年度",
        "目标月份",
    ),
    # Locations and check-ins: the column names of DingTalk's 签到 export and WeCom's 打卡
    # export (外出打卡), and of CRMs that keep a client's address and map pin.
    "address": (
        "address",
        "detailed address",
        "location address",
        "地址",
        "详细地址",
        "客户地址",
        "单位地址",
        "签到地址",
        "打卡地址",
        "打卡位置",
        "外出位置",
        "位置详情",
        "详细位置",
    ),
    "longitude": ("longitude", "lng", "lon", "经度", "签到经度", "打卡经度"),
    "latitude": ("latitude", "lat", "纬度", "签到纬度", "打卡纬度"),
    "coordinates": ("coordinates", "lnglat", "location coordinates", "经纬度", "坐标", "位置坐标"),
    "checked_at": (
        "checked at",
        "check in time",
        "checkin time",
        "签到时间",
        "打卡时间",
        "外出打卡时间",
        "签到日期时间",
        "外勤签到时间",
    ),
    "checkin_id": ("check in id", "checkin id", "签到编号", "签到id", "打卡编号", "打卡记录id"),
    "checkin_type": ("check in type", "checkin type", "打卡类型", "签到类型"),
    "place": (
        "place",
        "place name",
        "location",
        "location name",
        "签到地点",
        "打卡地点",
        "外出地点",
        "地点",
        "位置",
        "签到位置名称",
    ),
    "department": ("department", "dept", "部门", "所属部门", "部门名称"),
    "user_account": ("userid", "user id", "账号", "企业微信账号", "钉钉账号", "用户id"),
    "device": ("device", "打卡设备", "签到设备", "设备"),
    "photos": ("photos", "photo", "pictures", "图片", "照片", "签到照片", "打卡照片", "拍照", "现场照片"),
}

#: Columns that carry no data for us and are dropped without a word: row counters, and the
#: "source row" / "reason" columns of our own errors file (so a fixed errors file imports as is).
IGNORED_HEADERS: tuple[str, ...] = (
    "#",
    "no",
    "no.",
    "index",
    "序号",
    "行号",
    "source row",
    "原行号",
    "reason",
    "错误原因",
    "原因",
)

#: Headers of the templates and exports, per language: the fields' labels in the catalogue.
TEMPLATE_HEADERS: dict[str, dict[str, str]] = {
    lang: {f: CATALOGUE[lang][f"import.field.{f}"] for f in FIELDS} for lang in ("en", "zh")
}

#: The company's currency: money is stored and shown in CNY (see `salesmgmt.i18n`).
COMPANY_CURRENCY = "CNY"


@dataclass(frozen=True)
class HeaderUnit:
    """The unit a header names after a comma or in brackets ("Deal Value, $", "金额（万元）")."""

    #: The unit as the header writes it ("$", "万元", "%").
    text: str
    #: What a cell counts: 10,000 for 万, 1,000 for 千, else 1.
    scale: int = 1
    #: The currency of a money unit ("CNY", "USD", ...); None for a scale or percent alone.
    currency: str | None = None
    #: True for "%": the column's numbers are percents (60 is 60%).
    percent: bool = False


def _units() -> dict[str, tuple[int, str | None, bool]]:
    """Unit spellings (as `_unit_key` folds them) -> (scale, currency, percent)."""
    table: dict[str, tuple[int, str | None, bool]] = {}
    currencies = {
        "CNY": ("元", "¥", "cny", "rmb", "yuan", "人民币", "元人民币", "人民币元", "rmb元"),
        "USD": ("$", "usd", "us$", "usdollar", "usdollars", "dollar", "dollars", "美元"),
        "EUR": ("€", "eur", "euro", "euros", "欧元"),
        "GBP": ("£", "gbp", "英镑"),
        "HKD": ("hk$", "hkd", "港元", "港币"),
        "JPY": ("jpy", "日元"),
    }
    for code, names in currencies.items():
        for name in names:
            table[name] = (1, code, False)
    for name in ("万", "万元", "w", "万人民币", "万元人民币", "rmb万", "人民币万元"):
        table[name] = (10_000, "CNY", False)
    for name in ("千元", "千", "k", "k元", "千人民币"):
        table[name] = (1_000, "CNY" if "元" in name or "人民币" in name else None, False)
    for name in ("百万", "百万元", "百万人民币"):
        table[name] = (1_000_000, "CNY", False)
    for name in ("%", "percent", "pct", "百分比", "百分数"):
        table[name] = (1, None, True)
    return table


def _unit_key(text: str) -> str:
    return re.sub(r"[\s.]+", "", unicodedata.normalize("NFKC", text).casefold())


_UNITS = _units()
#: A unit after a comma at the end ("Deal Value, $", "金额，元"), or a symbol stuck to the end
#: ("Probability %", "Value$").
_UNIT_AFTER_COMMA = re.compile(r"^(?P<name>.*?\S)\s*[,，;；]\s*(?P<unit>[^,，;；]+?)\s*$")
_UNIT_SYMBOL_END = re.compile(r"^(?P<name>.*?\S)\s*(?P<unit>[%$€£¥])\s*$")


def split_unit(header: object) -> tuple[str, HeaderUnit | None]:
    """A header without its unit, and the unit: 'Deal Value, $' -> ('Deal Value', USD);
    '金额(万元)' -> ('金额', 万); 'Name, First' -> ('Name, First', None) (not a unit)."""
    text = unicodedata.normalize("NFKC", str(header if header is not None else "")).strip()
    for match in _BRACKETS.finditer(text):
        found = _UNITS.get(_unit_key(match.group()[1:-1]))
        rest = (text[: match.start()] + text[match.end() :]).strip()
        if found and rest:
            return rest, HeaderUnit(match.group()[1:-1].strip(), *found)
    for pattern in (_UNIT_AFTER_COMMA, _UNIT_SYMBOL_END):
        if (m := pattern.match(text)) and (found := _UNITS.get(_unit_key(m["unit"]))):
            return m["name"], HeaderUnit(m["unit"].strip(), *found)
    return text, None


def header_unit(header: object) -> HeaderUnit | None:
    """The unit a header names, or None."""
    return split_unit(header)[1]


def header_key(header: object) -> str:
    """The comparison key of a header: '  Sales_Rep (*) ' -> 'salesrep', '赢率(%)' -> '赢率',
    'Deal Value, $' -> 'dealvalue'."""
    text = split_unit(header)[0].casefold()
    text = _BRACKETS.sub("", text)
    return _NOISE.sub("", text)


_KEY_TO_FIELD: dict[str, str] = {}
for _field, _names in SYNONYMS.items():
    for _name in (_field, *_names):
        _KEY_TO_FIELD.setdefault(header_key(_name), _field)
for _lang_headers in TEMPLATE_HEADERS.values():
    for _field, _name in _lang_headers.items():
        _KEY_TO_FIELD.setdefault(header_key(_name), _field)
_IGNORED_KEYS = frozenset(header_key(h) for h in IGNORED_HEADERS) - {""}


def guess_field(header: object) -> str | None:
    """The field a header names under its generic meaning, or None when it names none."""
    return _KEY_TO_FIELD.get(header_key(header))


def is_ignored_header(header: object) -> bool:
    return header_key(header) in _IGNORED_KEYS


def header_multiplier(header: object) -> int:
    """What a money cell counts under this header: 10,000 for "预计金额(万元)", else 1."""
    unit = header_unit(header)
    return unit.scale if unit else 1


def for_kind(field: str | None, kind: str) -> str | None:
    """A generic field as the given kind reads it (see `fields.KIND_REMAP`)."""
    if field is None:
        return None
    return KIND_REMAP.get(kind, {}).get(field, field)


def detect_kind(fields: Iterable[str | None]) -> str | None:
    """The kind of a file from the (generic) fields its headers name; None when none fits.

    A check-in time makes a check-ins file (DingTalk's and WeCom's exports). An opportunity id
    makes an opportunities file (in a visits file it is mapped explicitly or
    comes with a visit date); a period makes a targets file; visit columns a visits file; then
    opportunity columns; a client column a clients file; a rep column a reps file.
    """
    present = {f for f in fields if f}
    if "checked_at" in present:
        return "checkins"
    visit_only = {"date", "visit_id", "type", "planned", "accompanied_by", "purpose", "outcome"}
    opp_only = {
        "opportunity_name",
        "stage",
        "status",
        "probability",
        "created_date",
        "expected_close_date",
        "close_date",
        "lost_reason",
        "product",
        "project",
    }
    if "period" in present:
        return "targets"
    if "opportunity_id" in present and not (present & visit_only):
        return "opportunities"
    if present & visit_only and ("date" in present or "client" in present):
        return "visits"
    if present & opp_only:
        return "opportunities"
    if "client" in present or "client_code" in present:
        return "clients"
    if "rep" in present or "rep_code" in present:
        return "reps"
    return None


def headers_signature(columns: Iterable[object]) -> str:
    """A short fingerprint of a set of headers (order and spelling noise ignored), used to
    remember a user's column mapping for the next file with the same headers."""
    keys = sorted({unicodedata.normalize("NFKC", str(c)).strip().casefold() for c in columns})
    return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:16]


def template_headers(kind: str, lang: str) -> list[str]:
    """The header row of the template (and export) of a kind in a language."""
    table = TEMPLATE_HEADERS["zh" if lang == "zh" else "en"]
    return [table[f] for f in KIND_FIELDS[kind]]


assert set(KIND_FIELDS) == set(KINDS)


def headers_markdown() -> str:
    """The table of recognised header names, per field (docs/importing.md includes it)."""
    from salesmgmt.importer.fields import FIELD_TYPES

    lines = ["| field | type | kinds | headers recognised |", "| --- | --- | --- | --- |"]
    for field_name in FIELD_TYPES:
        kinds = ", ".join(k for k in KINDS if field_name in KIND_FIELDS[k])
        names = [
            TEMPLATE_HEADERS["en"][field_name],
            TEMPLATE_HEADERS["zh"][field_name],
            *SYNONYMS.get(field_name, ()),
        ]
        unique: dict[str, str] = {}  # one spelling per comparison key, first one wins
        for name in names:
            unique.setdefault(header_key(name), name)
        lines.append(
            f"| `{field_name}` | {FIELD_TYPES[field_name]} | {kinds} | {', '.join(unique.values())} |"
        )
    return "\n".join(lines) + "\n"
