"""Helpers for the importer tests: files written by the tests themselves, and a database snapshot
to prove that a refused import left everything as it was."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import duckdb

from salesmgmt import importer

AS_OF = date(2024, 5, 6)
TABLES = (
    "reps",
    "clients",
    "opportunities",
    "opportunity_history",
    "visits",
    "targets",
    "uploads",
    "upload_changes",
    "import_mappings",
)


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8", sep: str = ",", newline: str = "\n") -> bytes:
    """A CSV as a spreadsheet program would write it (quotes where needed)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An Excel workbook with the given sheets (cells keep their Python types: real dates)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows():
            for cell in cells:  # text that looks like a formula is text, as Excel keeps it
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def prepare_rows(rows: list[list[Any]], name: str = "file.csv", **kw: Any) -> importer.Preview:
    kw.setdefault("as_of", AS_OF)
    return importer.prepare(csv_bytes(rows), name, **kw)


def import_rows(
    con: duckdb.DuckDBPyConnection,
    rows: list[list[Any]],
    name: str = "file.csv",
    skip_invalid: bool = False,
    **kw: Any,
) -> importer.ImportResult:
    preview = prepare_rows(rows, name, **kw)
    assert preview.file_error is None, preview.file_error
    if not skip_invalid:
        assert not preview.errors, preview.error_messages()
    return importer.apply(con, preview, skip_invalid=skip_invalid)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every table the importer may touch, in a stable order."""
    return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}


#: A small visits export (immutable: tests build their variants from copies).
VISITS_HEADER = ("拜访日期", "销售人员", "客户名称", "拜访方式", "是否计划内", "拜访目的", "备注")
VISITS = (
    VISITS_HEADER,
    ("2024-05-06", "张伟", "华东设计院", "上门拜访", "是", "介绍采光板", ""),
    ("2024/5/7", "李娜", "江苏钢构", "电话", "否", "跟进报价", "客户关注价格"),
    ("2024年5月8日", "张伟", "西部业主", "会议", "是", "技术交流", ""),
)
