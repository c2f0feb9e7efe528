"""Hostile files: a tiny workbook claiming a far row or column, a zip bomb, cells too long, bidi
controls in names. Each is refused quickly with a message naming the limit and where it was
passed, and reading it never takes more memory than a normal file (issue 18, findings 3, 16)."""

from __future__ import annotations

import io
import resource
import time
import tracemalloc
import zipfile

import pytest
from openpyxl.utils import get_column_letter

from salesmgmt import importer
from salesmgmt.errors import SalesmgmtError
from salesmgmt.importer import excel

_M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(sheet_xml: str | bytes, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An .xlsx written by hand: one sheet whose XML is `sheet_xml` (inline strings only)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{_M}" xmlns:r="{_R}"><sheets>'
            '<sheet name="拜访" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(*rows: tuple[int, str]) -> str:
    body = "".join(f'<row r="{n}">{cells}</row>' for n, cells in rows)
    return f'<?xml version="1.0"?><worksheet xmlns="{_M}"><sheetData>{body}</sheetData></worksheet>'


HEADER = cell("A1", "拜访日期") + cell("B1", "销售人员") + cell("C1", "客户名称")
GOOD = (2, cell("A2", "2024-05-06") + cell("B2", "张伟") + cell("C2", "华东设计院"))


def refused_quickly_in_little_memory(data: bytes) -> importer.Preview:
    """prepare() on `data`, asserting it takes under a second and under 50 MB more memory (Python
    allocations by tracemalloc, and the process's peak resident size)."""
    importer.prepare(workbook(sheet((1, HEADER), GOOD)), "warm.xlsx")  # the Excel modules loaded
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    try:
        preview = importer.prepare(data, "bomb.xlsx")
        elapsed = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert elapsed < 1.0, elapsed
    assert peak < 50 * 2**20, peak
    assert grown < 50 * 2**10, grown
    return preview


def test_a_tiny_workbook_with_a_cell_in_row_five_million_is_refused_at_once_in_flat_memory():
    data = workbook(sheet((1, HEADER), GOOD, (5_000_000, cell("A5000000", "x"))))
    assert len(data) < 2000
    preview = refused_quickly_in_little_memory(data)
    assert preview.file_error is not None and preview.file_error.key == "import.excel_too_many_rows"
    message = preview.file_error.message("en")
    assert "5,000,000" in message and "1,048,576" in message and "A5000000" in message
    assert "5,000,000" in preview.file_error.message("zh")


def test_a_cell_in_a_far_column_is_refused_naming_the_cell_and_the_limit():
    data = workbook(sheet((1, HEADER + cell("XFD1", "x")), GOOD))
    preview = refused_quickly_in_little_memory(data)
    assert preview.file_error is not None and preview.file_error.key == "import.excel_too_many_columns"
    message = preview.file_error.message("en")
    assert "XFD1" in message and "16,384" in message and f"{excel.MAX_EXCEL_COLUMNS:,}" in message


def test_many_rows_as_wide_as_allowed_are_refused_before_they_fill_memory():
    wide = excel.MAX_EXCEL_COLUMNS
    last = get_column_letter(wide)
    data = workbook(sheet((1, HEADER + cell(f"{last}1", "x")), GOOD, (900_000, cell("A900000", "x"))))
    preview = refused_quickly_in_little_memory(data)
    assert preview.file_error is not None and preview.file_error.key == "import.excel_too_many_cells"
    assert "A900000" in preview.file_error.message("en")


def test_rows_without_numbers_count_too():
    rows = "".join('<row><c t="inlineStr"><is><t>x</t></is></c></row>' for _ in range(2000))
    body = f'<?xml version="1.0"?><worksheet xmlns="{_M}"><sheetData>{rows}</sheetData></worksheet>'
    fast, _name, _names = excel._read_xlsx_streaming(workbook(body), None)
    assert len(fast) == 2000


def test_the_openpyxl_fallback_refuses_the_same_far_row():
    data = workbook(sheet((1, HEADER), GOOD, (5_000_000, cell("A5000000", "x"))))
    started = time.perf_counter()
    with pytest.raises(SalesmgmtError) as caught:
        excel._read_xlsx_openpyxl(data, None)
    assert caught.value.key == "import.excel_too_many_rows"
    assert time.perf_counter() - started < 1.5


def test_a_zip_bomb_sheet_is_refused_by_its_uncompressed_size(monkeypatch):
    monkeypatch.setattr(excel, "MAX_EXCEL_UNCOMPRESSED", 2**20)
    padding = " " * (2 * 2**20)
    body = sheet((1, HEADER), GOOD).replace("<sheetData>", padding + "<sheetData>")
    data = workbook(body)
    assert len(data) < 20_000
    preview = importer.prepare(data, "bomb.xlsx")
    assert preview.file_error is not None and preview.file_error.key == "import.excel_too_large"
    assert "xl/worksheets/sheet1.xml" in preview.file_error.message("en")


def test_a_normal_hand_written_workbook_still_reads():
    preview = importer.prepare(workbook(sheet((1, HEADER), GOOD)), "visits.xlsx")
    assert preview.ok, preview.error_messages()
    assert list(preview.rows["rep"]) == ["张伟"]


VISIT_HEADER = ["Visit date", "Sales rep", "Rep code", "Client", "Notes"]


def visits(*rows: list[str]) -> importer.Preview:
    from tests.import_fixtures import prepare_rows

    return prepare_rows([VISIT_HEADER, *rows], "visits.csv")


def test_a_cell_longer_than_its_columns_limit_is_a_row_error_naming_row_column_and_limit():
    preview = visits(
        ["2024-05-06", "张" * 101, "E01", "华东设计院", "ok"],
        ["2024-05-07", "李娜", "E02", "华东设计院", "备" * 100_000],
        ["2024-05-08", "王强", "E03", "华东设计院", "备" * 2000],
    )
    assert [(e.row, e.column, e.key) for e in preview.errors] == [
        (2, "Sales rep", "import.too_long"),
        (3, "Notes", "import.too_long"),
    ]
    assert "101" in preview.errors[0].message("en") and "100" in preview.errors[0].message("en")
    assert "100,000" in preview.errors[1].message("en") and "2,000" in preview.errors[1].message("en")
    assert "2000" not in preview.errors[1].message("zh") and "2,000" in preview.errors[1].message("zh")
    assert preview.error_rows == {2, 3}


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f"])
def test_bidi_controls_in_a_name_or_code_are_a_row_error_naming_the_character(control):
    preview = visits(
        ["2024-05-06", f"张伟{control}exe.txt", "E01", "华东设计院", "ok"],
        ["2024-05-07", "李娜", f"E0{control}2", "华东设计院", "ok"],
        ["2024-05-08", "王强", "E03", "华东设计院", "ok"],
    )
    assert [(e.row, e.column, e.key) for e in preview.errors] == [
        (2, "Sales rep", "import.bidi_control"),
        (3, "Rep code", "import.bidi_control"),
    ]
    assert f"U+{ord(control):04X}" in preview.errors[0].message("en")
    assert f"U+{ord(control):04X}" in preview.errors[0].message("zh")
