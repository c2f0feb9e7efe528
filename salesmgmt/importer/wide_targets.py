"""The wide targets layout Chinese teams keep in Excel, read as the long targets layout.

    2026年销售目标分解（单位：万元）            <- optional title rows (the year, the unit)
    工号 | 销售人员 | 团队 | 区域 | 1月 | 2月 | ... | 12月 | 合计
    S01  | 张伟     | 龙   | 华东 | 10  | 12  | ... | 15   | 150

One row per rep (a name or a code column), or per team or region (a row with a team or region
and no rep: that unit's own target). Month columns are `1月`..`12月`, `Jan`..`Dec` (`January`)
or `2026-01`..`2026-12` (`2026年1月`, a date cell); a total column (`合计`, `总计`, `Total`...)
and quarter columns (`Q1`, `一季度`...) are checked against the months and not stored. Amounts
count in 万 when the title or a header says 万. The year comes from the month headers, else the
caller's `year` (`import --year`), else the title (`2026年...`).

`long_table` turns such a sheet (as `reading.read_table` returns it) into the long layout's
table (rep code, rep, team, region, period, amount; one row per filled month cell, amounts in
CNY), so the rest of the import treats it as any targets file. Every bad cell (not a number,
negative, a month that does not exist, a total that does not add up) is named by its row and
column in the sheet and refuses the whole file (`WideRefused`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t
from salesmgmt.importer import headers as H
from salesmgmt.importer.reading import RawTable, header_text
from salesmgmt.importer.validate import RowError
from salesmgmt.importer.values import Bad, native_text, parse_money_cell

#: A sheet is wide when one of its first rows has at least this many month headers.
MIN_MONTH_COLUMNS = 6
#: Rows searched for the header (titles sit above it).
SEARCH_ROWS = 15
#: The long layout's columns (the English template headers, which the importer recognises).
LONG_FIELDS = ("rep_code", "rep", "team", "region", "period", "amount")
NAME_FIELDS = ("rep_code", "rep", "team", "region")

_EN_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        zip(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            strict=True,
        )
    )
    for name in names
}
_ZH_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_NUMERALS.update({"十一": 11, "十二": 12})
_BRACKETED = re.compile(r"[\(\[（【].*?[\)\]）】]")
_MONTH_ZH = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,2})月份?$")
_MONTH_EN = re.compile(r"^([a-z]+)\.?(?:[\s\-/']*(\d{2}|\d{4}))?$")
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")
_QUARTER = re.compile(r"^(?:q([1-4])|第?([一二三四1-4])季度?)$")
_TOTAL_HEADERS = {"合计", "总计", "全年", "全年合计", "年度合计", "年合计", "全年目标", "年度目标", "total"}
_TOTAL_HEADERS |= {"yeartotal", "annual", "annualtotal", "sum", "fullyear"}
_TOTAL_ROWS = ("合计", "总计", "小计", "total", "subtotal", "grand total", "sum")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_WAN = "万"


class CellsRefused(SalesmgmtError):
    """A sheet or grid refused because of bad cells: the message names the first few (each an
    error with `.message(lang)`), `errors` holds them all; nothing was written."""

    SHOWN = 10

    def __init__(self, key: str, errors: Sequence[Any]) -> None:
        super().__init__(key, cells=len(errors))
        self.errors = list(errors)

    def message(self, lang: str = "en") -> str:
        lines = [e.message(lang) for e in self.errors[: self.SHOWN]]
        if len(self.errors) > self.SHOWN:
            lines.append(t("import.more_errors", lang, count=len(self.errors) - self.SHOWN))
        return "\n".join([super().message(lang), *("  " + line for line in lines)])


class WideRefused(CellsRefused):
    """A wide targets sheet with bad cells: every one named by row and column; nothing is read."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("targets.wide_refused", errors)


@dataclass(frozen=True)
class Column:
    """One column of the wide sheet: its header, its position and what it holds."""

    header: str
    position: int
    #: 'name' (rep_code/rep/team/region in `field`), 'month', 'quarter', 'total' or 'ignored'.
    role: str
    field: str | None = None
    #: The month (1..12) or quarter (1..4) the column holds.
    number: int | None = None
    year: int | None = None


@dataclass
class WideSheet:
    """A wide sheet read: the long layout's rows and, for each, the sheet's row and column."""

    year: int
    multiplier: int
    header_row: int
    columns: list[Column]
    #: One row per filled month cell: rep_code, rep, team, region, period, amount (CNY).
    long: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: For each row of `long`: (the sheet's row, the month column's header).
    origin: list[tuple[int, str]] = field(default_factory=list)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def month_of_header(cell: Any) -> tuple[int, int | None] | None:
    """(month, year or None) for a month header: '3月', 'Mar', 'March', '2026-03', '2026年3月',
    a date cell. Months that do not exist (13月, 2026-13) come back as such (the caller refuses
    them); None when the header is not a month at all."""
    if isinstance(cell, (datetime, date)):
        return cell.month, cell.year
    text = _BRACKETED.sub("", _normal(header_text(cell))).replace(" ", "")
    if not text:
        return None
    if m := _MONTH_ZH.match(text):
        raw = m[1]
        return (int(raw) if raw.isdigit() else _ZH_NUMERALS.get(raw, 0)), None
    if m := _YEAR_MONTH.match(text):
        return int(m[2] or m[3]), int(m[1])
    if (m := _MONTH_EN.match(text)) and m[1] in _EN_MONTHS:
        year = int(m[2]) if m[2] else None
        return _EN_MONTHS[m[1]], (2000 + year if year is not None and year < 100 else year)
    return None


def _quarter_of_header(text: str) -> int | None:
    key = _BRACKETED.sub("", _normal(text)).replace(" ", "")
    if m := _QUARTER.match(key):
        raw = m[1] or m[2]
        return int(raw) if raw.isdigit() else _ZH_NUMERALS[raw]
    return None


def _is_total_header(text: str) -> bool:
    return _BRACKETED.sub("", _normal(text)).replace(" ", "") in _TOTAL_HEADERS


def _header_index(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:SEARCH_ROWS]):
        if sum(1 for cell in row if month_of_header(cell) is not None) >= MIN_MONTH_COLUMNS:
            return i
    return None


def _raw_rows(table: RawTable) -> list[list[Any]]:
    if table.frame is not None:
        return [
            [None if (isinstance(v, float) and v != v) else v for v in r] for r in table.frame.values.tolist()
        ]
    return [list(r) for r in table.rows]


def is_wide(table: RawTable) -> bool:
    """Whether the sheet is in the wide layout (a header row with month columns)."""
    head = (
        table.frame.head(SEARCH_ROWS).values.tolist() if table.frame is not None else table.rows[:SEARCH_ROWS]
    )
    return _header_index(head) is not None


def read_wide(table: RawTable, year: int | None = None) -> WideSheet | None:
    """The wide sheet's long rows, or None when the sheet is not wide. Raises WideRefused
    naming every bad cell, SalesmgmtError when the year or the name column is missing."""
    if not is_wide(table):  # decided on the first rows: a long file is never copied here
        return None
    rows = _raw_rows(table)
    index = _header_index(rows)
    assert index is not None
    header_cells = rows[index]
    title = " ".join(header_text(c) for row in rows[:index] for c in row if header_text(c))
    errors: list[RowError] = []
    columns = _columns(header_cells, index + 1, errors)
    months = [c for c in columns if c.role == "month"]
    names = {c.field: c for c in columns if c.role == "name"}
    if not names:
        raise SalesmgmtError("targets.wide_no_name_column")
    resolved = _year(months, year, title, index + 1, errors)
    if errors:
        raise WideRefused(errors)
    assert resolved is not None
    wan = _WAN in title or any(_WAN in c.header for c in columns if c.role in ("month", "total", "quarter"))
    sheet = WideSheet(resolved, 10_000 if wan else 1, index + 1, columns)
    _read_rows(sheet, rows[index + 1 :], index + 2, names, errors)
    if errors:
        raise WideRefused(errors)
    return sheet


def _columns(cells: list[Any], header_row: int, errors: list[RowError]) -> list[Column]:
    out: list[Column] = []
    seen_months: dict[int, str] = {}
    for pos, cell in enumerate(cells):
        text = header_text(cell)
        if isinstance(cell, (datetime, date)):
            text = f"{cell.year}-{cell.month:02d}"
        if not text:
            continue
        month = month_of_header(cell)
        if month is not None:
            number, year = month
            if not 1 <= number <= 12:
                errors.append(RowError(header_row, text, "targets.wide_no_such_month", {"value": text}))
                continue
            if number in seen_months:
                errors.append(
                    RowError(header_row, text, "targets.wide_month_twice", {"other": seen_months[number]})
                )
                continue
            seen_months[number] = text
            out.append(Column(text, pos, "month", number=number, year=year))
        elif (quarter := _quarter_of_header(text)) is not None:
            out.append(Column(text, pos, "quarter", number=quarter))
        elif _is_total_header(text):
            out.append(Column(text, pos, "total"))
        elif H.is_ignored_header(text):
            out.append(Column(text, pos, "ignored"))
        elif (guessed := H.guess_field(text)) in NAME_FIELDS:
            if any(c.field == guessed for c in out):
                errors.append(RowError(header_row, text, "targets.wide_name_twice", {"field": guessed}))
            out.append(Column(text, pos, "name", field=guessed))
        else:
            errors.append(RowError(header_row, text, "targets.wide_unknown_column", {"value": text}))
    return out


def _year(
    months: list[Column], given: int | None, title: str, header_row: int, errors: list[RowError]
) -> int | None:
    in_headers = {c.year for c in months if c.year is not None}
    if len(in_headers) > 1:
        errors.append(
            RowError(
                header_row,
                "",
                "targets.wide_years_differ",
                {"years": ", ".join(map(str, sorted(in_headers)))},
            )
        )
        return None
    if in_headers:
        found = in_headers.pop()
        if given is not None and given != found:
            errors.append(
                RowError(header_row, "", "targets.wide_year_conflict", {"given": given, "found": found})
            )
        return found
    if given is not None:
        return given
    if (m := _TITLE_YEAR.search(title)) or (m := _ANY_YEAR.search(title)):
        return int(m[1])
    raise SalesmgmtError("targets.wide_no_year")


def _cell_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = value if isinstance(value, str) else native_text(value)
    text = text.strip() if text is not None else None
    return text or None


def _is_total_row(name: str) -> bool:
    key = _normal(name)
    return any(key == word or key.endswith(word) for word in _TOTAL_ROWS)


def _read_rows(
    sheet: WideSheet,
    rows: list[list[Any]],
    first_row: int,
    names: dict[str | None, Column],
    errors: list[RowError],
) -> None:
    months = [c for c in sheet.columns if c.role == "month"]
    checks = [c for c in sheet.columns if c.role in ("total", "quarter")]
    records: list[tuple[Any, ...]] = []
    origin: list[tuple[int, str]] = []
    seen: dict[tuple[str | None, ...], int] = {}
    for offset, row in enumerate(rows):
        number = first_row + offset

        def cell(column: Column, _row: list[Any] = row) -> Any:
            return _row[column.position] if column.position < len(_row) else None

        who = {f: _cell_text(cell(c)) for f, c in names.items() if f is not None}
        amounts: dict[int, float] = {}
        row_errors = len(errors)
        for column in months:
            raw = cell(column)
            if _cell_text(raw) is None:
                continue
            try:
                amounts[column.number or 0] = parse_money_cell(raw, sheet.multiplier)
            except Bad as bad:
                errors.append(RowError(number, column.header, bad.key, {"value": _cell_text(raw)}))
        if not any(who.values()):
            if amounts or len(errors) > row_errors:
                errors.append(RowError(number, "", "targets.wide_no_name", {}))
            continue
        label = next(
            v for v in (who.get("rep"), who.get("rep_code"), who.get("team"), who.get("region")) if v
        )
        if _is_total_row(label) and not who.get("rep_code"):
            continue  # a total or subtotal line of the sheet: the grid computes its own
        _check_totals(sheet, checks, cell, amounts, number, errors)
        key = tuple(who.get(f) for f in NAME_FIELDS)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    names[next(f for f in NAME_FIELDS if f in names)].header,
                    "targets.wide_row_twice",
                    {"other": seen[key]},
                )
            )
        seen[key] = number
        for column in months:
            if column.number in amounts:
                period = f"{sheet.year}-{column.number:02d}"
                records.append((*key, period, f"{amounts[column.number]:.2f}"))
                origin.append((number, column.header))
    sheet.long = pd.DataFrame(records, columns=list(LONG_FIELDS), dtype=object)
    sheet.origin = origin


def _check_totals(
    sheet: WideSheet,
    checks: list[Column],
    cell: Any,
    amounts: dict[int, float],
    number: int,
    errors: list[RowError],
) -> None:
    tolerance = 0.01 * sheet.multiplier
    for column in checks:
        raw = cell(column)
        if _cell_text(raw) is None:
            continue
        try:
            stated = parse_money_cell(raw, sheet.multiplier)
        except Bad as bad:
            errors.append(RowError(number, column.header, bad.key, {"value": _cell_text(raw)}))
            continue
        span = (
            range(1, 13)
            if column.role == "total"
            else range(3 * (column.number or 1) - 2, 3 * (column.number or 1) + 1)
        )
        total = sum(amounts.get(m, 0.0) for m in span)
        if abs(total - stated) > tolerance:
            shown = {
                "value": _cell_text(raw),
                "sum": f"{total / sheet.multiplier:,.2f}".rstrip("0").rstrip("."),
            }
            errors.append(RowError(number, column.header, "targets.wide_total_mismatch", shown))


def long_table(table: RawTable, year: int | None = None) -> RawTable | None:
    """The long layout's table for a wide sheet (None when the sheet is not wide), for the
    importer to read as any targets file. Raises WideRefused naming the sheet's bad cells."""
    sheet = read_wide(table, year)
    if sheet is None:
        return None
    used = [f for f in LONG_FIELDS if f in ("period", "amount") or any(c.field == f for c in sheet.columns)]
    header = [H.TEMPLATE_HEADERS["en"][f] for f in used]
    body = sheet.long[used].values.tolist() if len(sheet.long) else []
    frame = pd.DataFrame([header, *body], dtype=object)
    return RawTable(
        table.format, table.encoding, table.delimiter, table.sheet, table.sheet_names, frame=frame
    )
