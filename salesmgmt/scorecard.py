"""The scorecard: the period's core figures, one row per rep, team or region, carried out of the app
as CSV, JSON or Excel. A contract: the columns below keep their names and meaning (docs/glossary.md).

The figures are `metrics.core.figures()`, the same ones the pages show; this module only picks the
columns, rounds them and writes them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date

import duckdb
import pandas as pd

from salesmgmt import dimensions, glossary
from salesmgmt.documents import text_workbook
from salesmgmt.filters import Filters
from salesmgmt.metrics.core import NO_GROUP, figures
from salesmgmt.periods import Period

LEVELS = ("rep", "team", "region")
FORMATS = ("csv", "json", "xlsx")

#: The group columns of each level, then the figures (the contract's column order).
KEY_COLUMNS: dict[str, list[str]] = {
    "rep": ["rep", "team", "region"],
    "team": ["team", "region"],
    "region": ["region"],
}
FIGURE_COLUMNS = [
    "target",
    "won_amount",
    "won_count",
    "lost_count",
    "win_rate",
    "open_amount",
    "weighted_amount",
    "forecast",
    "attainment",
    "attainment_probability",
    "visits",
    "weeks_meeting_norm",
]


def _figures_of(*fmts: str) -> tuple[str, ...]:
    """The figure columns whose measure has one of these formats (a column that is not a measure
    is refused)."""
    found = []
    for key in FIGURE_COLUMNS:
        measure = glossary.find(key)
        if measure is None:
            raise ValueError(f"scorecard column {key!r} is not a measure")
        if measure.fmt in fmts:
            found.append(key)
    return tuple(found)


#: The figures by format, from their measures: money, ratios (percent, probability), counts.
MONEY = _figures_of("money")
RATIOS = _figures_of("percent", "probability")
COUNTS = _figures_of("count")
#: Money to the fen; ratios to four places (0.1234 = 12.34%).
MONEY_DIGITS, RATIO_DIGITS = 2, 4

#: A spreadsheet takes a cell starting with one of these for a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


if not all(dimensions.find(key) for keys in KEY_COLUMNS.values() for key in keys):
    raise ValueError("a scorecard group column is not a declared dimension")


def columns(level: str) -> list[str]:
    """The scorecard's columns at `level`."""
    if level not in LEVELS:
        raise ValueError(level)
    return KEY_COLUMNS[level] + FIGURE_COLUMNS


def scorecard(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, level: str = "rep"
) -> pd.DataFrame:
    """One row per rep (team, region) in `filters` with the contract's columns, rounded.

    Money in CNY to two decimals, ratios as fractions to four; empty (NaN) where a figure is
    undefined (no target, no closed deal).
    """
    frame = figures(con, period, filters, as_of, level=level)
    return tidy(frame, level)


def tidy(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The contract's columns of a `figures()` frame, rounded (for a page that has the figures)."""
    out = frame[columns(level)].copy()
    for col in KEY_COLUMNS[level]:
        out[col] = out[col].astype(object).where(out[col] != NO_GROUP, None)
    for col in MONEY:
        out[col] = out[col].astype("float64").round(MONEY_DIGITS)
    for col in RATIOS:
        out[col] = out[col].astype("float64").round(RATIO_DIGITS)
    for col in COUNTS:
        out[col] = out[col].astype("int64")
    return out.reset_index(drop=True)


def records(table: pd.DataFrame) -> list[dict[str, int | float | str | None]]:
    """The rows as plain Python values: ints, floats, strings; None where empty."""
    rows = []
    for row in table.to_dict(orient="records"):
        clean: dict[str, int | float | str | None] = {}
        for name, value in row.items():
            key = str(name)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                clean[key] = None
            elif key in COUNTS:
                clean[key] = int(value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                clean[key] = float(value)
            else:
                clean[key] = str(value)
        rows.append(clean)
    return rows


def _inert(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (Excel in China reads it right), a header of the column keys."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(table.columns))
    for row in records(table):
        writer.writerow(["" if v is None else _inert(v) if isinstance(v, str) else v for v in row.values()])
    return buffer.getvalue().encode("utf-8-sig")


def to_json(table: pd.DataFrame) -> bytes:
    """A list of objects with the column keys; numbers as numbers, empty as null."""
    return (json.dumps(records(table), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_xlsx(table: pd.DataFrame, title: str = "scorecard") -> bytes:
    """One sheet, a header of the column keys, money and percent number formats."""
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    sheet = book.add_worksheet(title[:31])
    head = book.add_format({"bold": True, "bottom": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    ratio = book.add_format({"num_format": "0.0%"})
    for c, name in enumerate(table.columns):
        sheet.write_string(0, c, name, head)
        width = 14 if name in MONEY else 10 if name in RATIOS + COUNTS else 16
        sheet.set_column(c, c, width, money if name in MONEY else ratio if name in RATIOS else None)
    for r, row in enumerate(records(table), start=1):
        for c, value in enumerate(row.values()):
            if value is None:
                sheet.write_blank(r, c, None)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def render(table: pd.DataFrame, fmt: str) -> bytes:
    """The table as a file's bytes in `fmt` ('csv', 'json' or 'xlsx')."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    raise ValueError(fmt)


def export(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date, level: str, fmt: str
) -> bytes:
    """The scorecard as a file's bytes (what the pages download)."""
    return render(scorecard(con, period, filters, as_of, level), fmt)


MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_name(period: Period, level: str, fmt: str) -> str:
    return f"scorecard-{period}-{level}.{fmt}"
