"""Cell values: text, money, probabilities, levels, flags, stages, statuses and the fixed
vocabularies (client types, visit types, roles), as real exports write them (dates and target
periods: `dates`).

Every parser works on one column at a time and parses each *distinct* cell once (a visits file of
a million rows holds a few thousand distinct dates), so the cost is per distinct value, not per row.
A parser returns the parsed column and, per row, the catalogue key of what is wrong (None when the
cell is fine) with the values for its message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesmgmt.stages import canonical_stage, status_of
from salesmgmt.text import name_key

#: Cells meaning "no value" in a typed column (a dash for an empty date, "N/A", ...).
EMPTY_TOKENS = frozenset(
    {"-", "--", "---", "—", "——", "/", "n/a", "na", "null", "none", "nan", "nat", "无", "空"}
)
#: Spreadsheet error values: a formula that failed in the exporting tool.
SPREADSHEET_ERRORS = frozenset(
    {"#n/a", "#ref!", "#value!", "#div/0!", "#name?", "#null!", "#num!", "#getting_data", "#spill!", "#calc!"}
)
#: The first character of a cell a spreadsheet would run as a formula. Our exports prefix such
#: text cells with ' (see `csv_safe`); the importer takes that prefix off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Bad(Exception):
    """A cell that cannot be read: `key` names the message, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass
class Parsed:
    """One parsed column: `values` aligned with the input; `errors[i]` is None or (key, values)."""

    values: pd.Series
    errors: pd.Series
    #: Column-level notes: (catalogue key, values), e.g. how ambiguous dates were read.
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


# ----------------------------------------------------------------------------------------
# Text


def csv_safe(value: str) -> str:
    """A text cell as written to a CSV for spreadsheets: formula-like text gets a ' prefix."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _unescape(text: str) -> str:
    """Undo `csv_safe`: "'=SUM(A1)" -> "=SUM(A1)"; any other leading ' stays."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def native_text(value: Any) -> str | None:
    """A non-string cell (from Excel) as text: 1001.0 -> '1001', a date -> '2024-05-06'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if value is pd.NaT:
        return None
    return str(value)


def to_text(raw: pd.Series, fold: bool = False) -> pd.Series:
    """Cells as stripped text, missing (NaN) when empty; formula-escape prefixes removed. `fold`:
    full-width characters folded too (NFKC: 'Ｅ０１' -> 'E01'), for codes and ids.

    The result is an Arrow-backed text column (pandas' "str" dtype): a million short strings
    take a few dozen MB there, against ten times that as Python objects."""
    if raw.dtype == object:
        raw = map_distinct(raw, lambda v: v if isinstance(v, str) else native_text(v))
    text = raw.astype("str")
    # A new column only where something changes: unchanged text shares the cells' memory.
    stripped = text.str.strip()
    if (_byte_lengths(stripped) != _byte_lengths(text)).any():
        text = stripped
    del stripped
    empty = _byte_lengths(text) == 0
    if empty.any():
        text = text.mask(empty & text.notna().to_numpy())
    if fold:
        wide = text.notna() & ~text.str.isascii().fillna(True).astype(bool)
        if wide.any():
            text = text.copy()
            text[wide] = text[wide].map(lambda v: unicodedata.normalize("NFKC", v).strip())
    # Only cells starting with "'" can carry an escape: look at those alone.
    quoted = text.str.startswith("'").fillna(False).astype(bool)
    if quoted.any():
        text = text.copy()
        text[quoted] = text[quoted].map(_unescape)
    return text


def _byte_lengths(text: pd.Series) -> npt.NDArray[np.integer]:
    """The length in bytes of each cell of a text ("str") column, 0 when missing: read from the
    Arrow offsets, without looking at the characters."""
    import pyarrow.compute as pc

    lengths: npt.NDArray[np.integer] = pc.fill_null(
        pc.binary_length(text.array.__arrow_array__()), 0
    ).to_numpy()
    return lengths


def blank(text: pd.Series) -> npt.NDArray[np.bool_]:
    """Per cell of a text ("str") column: missing, empty or only white space (what `strip`
    takes away: Arrow's Unicode white space, the ideographic space included)."""
    import pyarrow.compute as pc

    spaces: npt.NDArray[np.bool_] = pc.fill_null(
        pc.utf8_is_space(text.array.__arrow_array__()), True
    ).to_numpy()
    empty: npt.NDArray[np.bool_] = _byte_lengths(text) == 0
    return spaces | empty


def fold(text: str) -> str:
    """Full-width characters folded (NFKC: 'Ｅ０１' -> 'E01') and the ends stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def map_distinct(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """`func` applied once per distinct non-empty value; empty cells give None (object dtype)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)  # the last slot (code -1) stays None
    for i, value in enumerate(uniques):
        table[i] = func(value)
    return pd.Series(table[codes], index=series.index, dtype=object)


def parse_each_distinct(
    raw: pd.Series,
    parse: Callable[[Any], Any],
    empty_tokens: frozenset[str] = EMPTY_TOKENS,
    dtype: str = "object",
) -> Parsed:
    """Apply `parse` to each distinct non-empty cell; errors become (key, values) per row.
    `dtype` is that of the parsed column ('object', 'float64' or 'datetime64[s]')."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    if dtype == "object":
        values = np.empty(len(uniques) + 1, dtype=object)
    elif dtype == "float64":
        values = np.full(len(uniques) + 1, np.nan)
    else:
        values = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype=dtype)
    errors = np.empty(len(uniques) + 1, dtype=object)
    for i, cell in enumerate(uniques):
        if isinstance(cell, str):
            folded = cell.strip().casefold()
            if folded in empty_tokens or not folded:
                continue
            if folded in SPREADSHEET_ERRORS:
                errors[i] = ("import.spreadsheet_error", {"value": cell})
                continue
        try:
            parsed = parse(cell)
            if parsed is not None:
                values[i] = parsed
        except Bad as bad:
            errors[i] = (bad.key, {"value": _show(cell), **bad.values})
    return Parsed(
        pd.Series(values[codes], index=raw.index), pd.Series(errors[codes], index=raw.index, dtype=object)
    )


def _show(cell: Any) -> str:
    text = native_text(cell) if not isinstance(cell, str) else cell
    return text if text is not None else ""


# ----------------------------------------------------------------------------------------
# Money and numbers

_CURRENCY = re.compile(r"(人民币|rmb|cny|yuan|usd|us\$|[¥$€£]|元)", re.IGNORECASE)
_UNIT = re.compile(r"(万|亿|w)$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
MAX_AMOUNT = 1e15


def parse_money_cell(cell: Any, multiplier: int = 1) -> float:
    """'￥12,345.50' -> 12345.5; '12.5万' -> 125000; '3.2万元' -> 32000; negative -> error."""
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        value = float(cell) * multiplier
    elif isinstance(cell, str):
        text = fold(cell).casefold().replace(" ", "").replace(",", "").replace("'", "")
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1]
        if text.startswith("-"):
            negative, text = True, text[1:]
        text = _CURRENCY.sub("", text)
        if text.startswith("-"):
            negative, text = True, text[1:]
        unit = multiplier
        if m := _UNIT.search(text):
            unit = {"万": 10_000, "亿": 100_000_000, "w": 10_000}[m[1]]
            text = text[: m.start()]
        text = _CURRENCY.sub("", text)
        if not _NUMBER.match(text):
            raise Bad("import.bad_money")
        value = float(text) * unit * (-1 if negative else 1)
    else:
        raise Bad("import.bad_money")
    if math.isnan(value):
        raise Bad("import.bad_money")
    if value < 0:
        raise Bad("import.negative_money")
    if value >= MAX_AMOUNT:
        raise Bad("import.money_too_large")
    return round(value, 2)


def parse_money(raw: pd.Series, multiplier: int = 1) -> Parsed:
    return parse_each_distinct(raw, lambda c: parse_money_cell(c, multiplier), dtype="float64")


def parse_probability_cell(cell: Any) -> float:
    """'60%' -> 0.6; 60 -> 0.6; 0.6 -> 0.6 (a value above 1 is a percentage)."""
    percent = False
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        value = float(cell)
    elif isinstance(cell, str):
        text = fold(cell).replace(" ", "")
        if text.endswith("%"):
            percent, text = True, text[:-1]
        if not re.fullmatch(r"-?(\d+(\.\d+)?|\.\d+)", text):
            raise Bad("import.bad_probability")
        value = float(text)
    else:
        raise Bad("import.bad_probability")
    if percent or value > 1:
        value = value / 100
    if not 0 <= value <= 1 or math.isnan(value):
        raise Bad("import.bad_probability")
    return round(value, 6)


def parse_probability(raw: pd.Series) -> Parsed:
    return parse_each_distinct(raw, parse_probability_cell, dtype="float64")


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def parse_level_cell(cell: Any) -> int:
    """A relationship level 1..5: 3, '3', '3级', '三级', '★★★'."""
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        value = float(cell)
        if not value.is_integer():
            raise Bad("import.bad_level")
        level = int(value)
    else:
        text = fold(str(cell)).replace(" ", "")
        text = re.sub(r"(级|星|level|lv\.?)", "", text, flags=re.IGNORECASE)
        if text and set(text) <= {"★", "☆"}:
            level = text.count("★")
        elif text in _CN_DIGITS:
            level = _CN_DIGITS[text]
        elif re.fullmatch(r"\d+(\.0+)?", text):
            level = int(float(text))
        else:
            raise Bad("import.bad_level")
    if not 1 <= level <= 5:
        raise Bad("import.bad_level")
    return level


def parse_levels(raw: pd.Series) -> Parsed:
    parsed = parse_each_distinct(raw, parse_level_cell)
    parsed.values = pd.to_numeric(parsed.values, errors="coerce").astype("Int64")
    return parsed


# ----------------------------------------------------------------------------------------
# Flags and vocabularies

_TRUE = {"yes", "y", "true", "t", "1", "1.0", "是", "是的", "对", "√", "✓", "✔", "有", "x"}
_FALSE = {"no", "n", "false", "f", "0", "0.0", "否", "不是", "不", "×", "✗", "✘", "无"}


def parse_flag_cell(cell: Any) -> bool:
    """yes/no, y/n, true/false, 1/0, 是/否, √/×."""
    if isinstance(cell, (bool, np.bool_)):
        return bool(cell)
    text = fold(native_text(cell) or "").casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Bad("import.bad_flag")


def parse_flags(raw: pd.Series) -> Parsed:
    # "无" is an empty token for other types but a plain "no" for a flag.
    parsed = parse_each_distinct(raw, parse_flag_cell, EMPTY_TOKENS - _FALSE)
    parsed.values = parsed.values.astype("boolean")
    return parsed


#: Client types: exact names first, then words contained in the name.
_CLIENT_TYPE_EXACT = {
    "design_institute": "design_institute",
    "steel_structure": "steel_structure",
    "construction": "construction",
    "owner": "owner",
    "other": "other",
    "design institute": "design_institute",
    "designinstitute": "design_institute",
    "设计院": "design_institute",
    "设计单位": "design_institute",
    "设计公司": "design_institute",
    "steel structure": "steel_structure",
    "steel-structure company": "steel_structure",
    "steel structure company": "steel_structure",
    "钢结构": "steel_structure",
    "钢结构公司": "steel_structure",
    "钢构": "steel_structure",
    "construction company": "construction",
    "contractor": "construction",
    "general contractor": "construction",
    "施工": "construction",
    "施工公司": "construction",
    "施工单位": "construction",
    "总包": "construction",
    "业主": "owner",
    "甲方": "owner",
    "建设单位": "owner",
    "end user": "owner",
    "developer": "owner",
    "其他": "other",
    "其它": "other",
}
_CLIENT_TYPE_WORDS = (
    ("design_institute", ("设计", "design", "architect")),
    ("steel_structure", ("钢", "steel")),
    ("owner", ("业主", "甲方", "建设单位", "建设方", "地产", "开发商", "owner", "developer", "end user")),
    ("construction", ("施工", "总包", "建筑", "工程公司", "construction", "contractor", "builder")),
)


def client_type_of(cell: Any) -> str:
    text = fold(native_text(cell) or "").casefold()
    if text in _CLIENT_TYPE_EXACT:
        return _CLIENT_TYPE_EXACT[text]
    for key, words in _CLIENT_TYPE_WORDS:
        if any(w in text for w in words):
            return key
    raise Bad("import.unknown_client_type")


_VISIT_TYPE_WORDS = (
    ("call", ("电话", "致电", "call", "phone", "tel")),
    (
        "meeting",
        ("会议", "开会", "会面", "交流会", "研讨", "视频", "meeting", "conference", "video", "webinar"),
    ),
    (
        "visit",
        (
            "拜访",
            "上门",
            "面访",
            "现场",
            "实地",
            "走访",
            "陪访",
            "visit",
            "on-site",
            "onsite",
            "in person",
            "in-person",
            "face to face",
        ),
    ),
    (
        "other",
        ("微信", "邮件", "短信", "email", "e-mail", "wechat", "sms", "message", "其他", "其它", "other"),
    ),
)


def visit_type_of(cell: Any) -> str:
    text = fold(native_text(cell) or "").casefold()
    for key, words in _VISIT_TYPE_WORDS:
        if text == key or any(w in text for w in words):
            return key
    raise Bad("import.unknown_visit_type")


_ROLE_WORDS = (
    ("director", ("总监", "副总", "总经理", "director", "vp", "vice president", "head of sales")),
    ("sales_manager", ("经理", "主管", "组长", "manager", "supervisor", "team lead")),
    (
        "sales_engineer",
        (
            "工程师",
            "销售",
            "代表",
            "专员",
            "业务员",
            "顾问",
            "engineer",
            "rep",
            "sales",
            "agent",
            "account executive",
            "associate",
        ),
    ),
)


def role_of(cell: Any) -> str:
    text = fold(native_text(cell) or "").casefold()
    if text in ("sales_engineer", "sales_manager", "director"):
        return text
    for key, words in _ROLE_WORDS:
        if any(w in text for w in words):
            return key
    raise Bad("import.bad_role")


def parse_vocabulary(raw: pd.Series, parse: Callable[[Any], str], fallback: str | None) -> Parsed:
    """A fixed-vocabulary column. With a `fallback`, unknown values take it and are listed in a
    column note instead of failing their rows."""
    unknown: list[str] = []

    def lenient(cell: Any) -> str:
        try:
            return parse(cell)
        except Bad:
            if fallback is None:
                raise
            unknown.append(_show(cell))
            return fallback

    parsed = parse_each_distinct(raw, lenient)
    if unknown:
        parsed.notes.append(
            ("import.note_unknown_values", {"values": ", ".join(sorted(unknown)[:10]), "fallback": fallback})
        )
    return parsed


_OPEN_WORDS = {
    "open",
    "opened",
    "active",
    "in progress",
    "pending",
    "ongoing",
    "进行中",
    "跟进中",
    "开放",
    "未成交",
    "未结束",
    "正常",
    "打开",
    "在谈",
    "进行",
}


def status_value(cell: Any) -> str:
    """won / lost / open from an explicit status column (赢单, 输单, 进行中 ...)."""
    text = fold(native_text(cell) or "")
    if name_key(text) in _OPEN_WORDS:
        return "open"
    status = status_of(text)
    if status == "open":
        raise Bad("import.bad_status")
    return status


def parse_statuses(raw: pd.Series) -> Parsed:
    return parse_each_distinct(raw, status_value)


def parse_stages(raw: pd.Series) -> Parsed:
    """Stage labels as canonical keys (unknown labels verbatim, trimmed)."""
    return parse_each_distinct(
        raw, lambda c: canonical_stage(native_text(c) if not isinstance(c, str) else c)
    )
