"""Files as they come: encodings, delimiters, Excel workbooks, titles above the header, and every
malformed case, each with a clear message and no exception."""

from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest

from salesmgmt import importer
from tests.import_fixtures import VISITS, csv_bytes, xlsx_bytes

SHORT_CHINESE = [["客户名称", "客户类型"], ["华东设计院", "设计院"]]


def names(preview):
    return list(preview.rows["rep"]) if "rep" in preview.rows else list(preview.rows["client"])


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_the_same_visits_file_reads_the_same_in_every_encoding_excel_writes(encoding, expected):
    preview = importer.prepare(csv_bytes(VISITS, encoding=encoding), "visits.csv")
    assert preview.ok, preview.error_messages()
    assert preview.encoding == expected and preview.kind == "visits"
    assert names(preview) == ["张伟", "李娜", "张伟"]


def test_a_short_gbk_file_is_not_mistaken_for_big5():
    preview = importer.prepare(csv_bytes(SHORT_CHINESE, encoding="gbk"), "clients.csv")
    assert preview.encoding == "gb18030"
    assert names(preview) == ["华东设计院"]
    assert list(preview.rows["client_type"]) == ["design_institute"]


def test_a_gbk_file_with_the_fullwidth_yuan_sign_reads_its_amounts():
    rows = [["商机编号", "销售人员", "金额"], ["O1", "张伟", "￥12,345"]]
    preview = importer.prepare(csv_bytes(rows, encoding="gbk"), "opps.csv")
    assert preview.ok and preview.rows["amount"].iloc[0] == 12345


def test_excels_unicode_text_is_utf16_with_tabs():
    preview = importer.prepare(csv_bytes(VISITS, encoding="utf-16", sep="\t", newline="\r\n"), "visits.txt")
    assert preview.ok and preview.delimiter == "\t" and len(preview.rows) == 3


def test_utf16_without_a_byte_order_mark_is_recognised():
    data = csv_bytes(VISITS).decode("utf-8").encode("utf-16-le")
    preview = importer.prepare(data, "visits.csv")
    assert preview.ok and preview.encoding == "utf-16-le"


def test_semicolon_separated_files_are_read():
    preview = importer.prepare(csv_bytes(VISITS, sep=";"), "visits.csv")
    assert preview.ok and preview.delimiter == ";"


def test_the_user_can_name_the_encoding_and_a_wrong_one_is_a_clear_error():
    data = csv_bytes(VISITS, encoding="gbk")
    assert importer.prepare(data, "v.csv", encoding="GBK").ok
    wrong = importer.prepare(data, "v.csv", encoding="utf-8")
    assert wrong.file_error is not None and wrong.file_error.key == "import.wrong_encoding"
    unknown = importer.prepare(data, "v.csv", encoding="klingon")
    assert unknown.file_error.key == "import.unknown_encoding"


def test_an_excel_workbook_with_real_date_cells_and_text_dates_is_read():
    rows = [
        ["拜访日期", "销售人员", "客户名称", "金额"],
        [datetime(2024, 5, 6, 10, 30), "张伟", "华东设计院", 1],
        ["2024/5/7", "李娜", "江苏钢构", 2],
        [date(2024, 5, 8), "张伟", "西部业主", 3],
    ]
    data = xlsx_bytes({"说明": [], "拜访记录": rows})
    preview = importer.prepare(data, "visits.xlsx", mapping={"金额": "ignore"})
    assert preview.ok, preview.error_messages()
    assert preview.sheet == "拜访记录" and preview.sheet_names == ["说明", "拜访记录"]
    assert preview.encoding is None
    assert [d.date() for d in preview.rows["date"]] == [date(2024, 5, 6), date(2024, 5, 7), date(2024, 5, 8)]


def test_the_chosen_sheet_is_read_and_a_missing_sheet_is_named():
    data = xlsx_bytes(
        {"reps": [["姓名", "团队"], ["张伟", "龙队"]], "clients": [["客户名称"], ["华东设计院"]]}
    )
    assert importer.prepare(data, "book.xlsx").kind == "reps"
    assert importer.prepare(data, "book.xlsx", sheet="clients").kind == "clients"
    missing = importer.prepare(data, "book.xlsx", sheet="visits")
    assert missing.file_error.key == "import.no_such_sheet"
    assert "reps, clients" in missing.file_error.message("en")


def test_excel_numbers_in_code_columns_are_read_as_text_without_a_decimal_point():
    data = xlsx_bytes({"s": [["姓名", "工号"], ["张伟", 1001.0], ["李娜", 1002]]})
    preview = importer.prepare(data, "reps.xlsx")
    assert list(preview.rows["rep_code"]) == ["1001", "1002"]


def test_a_title_above_the_header_is_skipped_and_rows_keep_their_spreadsheet_numbers():
    rows = [["2024年5月 拜访记录"], [], *[list(r) for r in VISITS]]
    rows[4][0] = "2024-13-45"  # the second data row, spreadsheet row 5
    preview = importer.prepare(csv_bytes(rows), "visits.csv")
    assert preview.header_row == 3
    assert [e.row for e in preview.errors] == [5]
    assert any(n.key == "import.note_header_row" for n in preview.notes)


def test_blank_lines_do_not_shift_the_row_numbers_of_errors():
    data = ("拜访日期,销售人员,客户名称\n2024-05-06,张伟,华东设计院\n\nbad,李娜,江苏钢构\n").encode()
    preview = importer.prepare(data, "visits.csv")
    assert [(e.row, e.column) for e in preview.errors] == [(4, "拜访日期")]
    assert preview.rows_total == 2


def test_a_value_with_a_comma_inside_quotes_is_one_value_and_a_newline_too():
    data = '客户名称,备注\n"华东设计院, 上海分院",1\n'.encode()
    preview = importer.prepare(data, "clients.csv", mapping={"备注": None})
    assert names(preview) == ["华东设计院, 上海分院"]


def test_a_row_with_more_values_than_the_header_is_an_error_naming_the_row():
    data = "客户名称,客户类型\n华东设计院,设计院\n江苏钢构,钢结构,多余\n西部业主,业主\n".encode()
    preview = importer.prepare(data, "clients.csv")
    assert preview.file_error is None
    assert [(e.row, e.key) for e in preview.errors] == [(3, "import.ragged_row")]
    assert "3 values" in preview.errors[0].message("en")


def test_trailing_empty_values_are_not_ragged_rows():
    data = "客户名称,客户类型\n华东设计院,设计院,,\n".encode()
    assert importer.prepare(data, "clients.csv").ok


@pytest.mark.parametrize(
    "data, name, key",
    [
        (b"", "visits.csv", "import.empty_file"),
        (b"\xef\xbb\xbf\r\n\r\n", "visits.csv", "import.empty_file"),
        ("拜访日期,销售人员,客户名称\n".encode(), "visits.csv", "import.no_rows"),
        ("拜访日期,销售人员,客户名称\n,,\n".encode(), "visits.csv", "import.no_rows"),
        (b"%PDF-1.4 binary", "report.pdf", "import.not_a_table"),
        (b"\x89PNG\r\n\x1a\n....", "photo.csv", "import.not_a_table"),
        (b"\x00\x01\x02\x03binary\x00\xff" * 50, "data.csv", "import.binary_file"),
        (b"PK\x03\x04 this is not really a workbook", "book.xlsx", "import.corrupt_excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "import.old_excel"),
        (b"just some words\nwithout any table\n", "notes.txt", "import.unknown_kind"),
        (
            "拜访日期,销售人员,客户名称,心情\n2024-05-06,张伟,华东设计院,好\n".encode(),
            "v.csv",
            "import.unknown_columns",
        ),
        (
            "拜访日期,销售人员,销售人员,客户名称\n2024-05-06,张伟,张伟,华东设计院\n".encode(),
            "v.csv",
            "import.duplicate_header",
        ),
        (
            "拜访日期,销售人员,业务员,客户名称\n2024-05-06,张伟,张伟,华东设计院\n".encode(),
            "v.csv",
            "import.duplicate_field",
        ),
        (
            "拜访日期,客户名称,拜访目的\n2024-05-06,华东设计院,介绍\n".encode(),
            "v.csv",
            "import.missing_column",
        ),
        (b"\xff\xfe\x00\xd8 broken utf-16", "v.csv", "import.wrong_encoding"),
    ],
)
def test_malformed_files_give_a_clear_message_and_no_exception(data, name, key):
    preview = importer.prepare(data, name)
    assert preview.file_error is not None, preview
    assert preview.file_error.key == key
    assert not preview.ok
    for lang in ("en", "zh"):
        message = preview.file_error.message(lang)
        assert message and not message.startswith("import."), message


def test_a_damaged_workbook_inside_a_zip_is_a_clear_error():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really>")
    preview = importer.prepare(buffer.getvalue(), "book.xlsx")
    assert preview.file_error.key in ("import.corrupt_excel", "import.corrupt_excel_detail")


def test_an_unknown_column_can_be_ignored_by_the_mapping_and_the_preview_lists_every_column():
    data = "拜访日期,销售人员,客户名称,心情\n2024-05-06,张伟,华东设计院,好\n".encode()
    preview = importer.prepare(data, "v.csv", mapping={"心情": "ignore"})
    assert preview.ok
    assert [(c.source, c.field) for c in preview.columns] == [
        ("拜访日期", "date"),
        ("销售人员", "rep"),
        ("客户名称", "client"),
        ("心情", None),
    ]
    assert preview.columns[3].samples == ["好"]


def test_bom_bytes_do_not_become_part_of_the_first_header():
    data = codecs.BOM_UTF8 + "客户名称\n华东设计院\n".encode()
    preview = importer.prepare(data, "c.csv")
    assert preview.columns[0].source == "客户名称" and preview.ok


def test_an_excel_cell_outside_the_headed_columns_is_a_column_to_name():
    data = xlsx_bytes({"s": [["客户名称", "客户类型"], ["华东设计院", "设计院", "备忘"]]})
    preview = importer.prepare(data, "clients.xlsx")
    assert preview.file_error.key == "import.unknown_columns"
    assert "(column C)" in preview.file_error.message("en")
    fixed = importer.prepare(data, "clients.xlsx", mapping={"(column C)": "ignore"})
    assert fixed.ok


def test_no_byte_string_makes_prepare_raise():
    import random

    rng = random.Random(7)
    samples = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) for _ in range(60)]
    workbook = xlsx_bytes({"s": [["客户名称"], ["华东设计院"]]})
    samples += [workbook[:n] for n in (10, 100, len(workbook) // 2, len(workbook) - 1)]
    samples += [csv_bytes(VISITS)[:n] for n in range(0, 60, 7)]
    for data in samples:
        for name in ("x.csv", "x.xlsx", "x.txt"):
            preview = importer.prepare(data, name)
            assert preview.file_error is not None or preview.kind is not None


def _normalised(rows):
    """Rows with empty text as None and trailing empty cells dropped (both readers' ways)."""
    out = []
    for row in rows:
        cells = [None if v == "" else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


@pytest.mark.parametrize("write_only", [False, True], ids=["shared-strings", "inline-strings"])
@pytest.mark.parametrize("mac_epoch", [False, True], ids=["1900", "1904"])
def test_the_streaming_excel_reader_reads_what_openpyxl_reads(write_only, mac_epoch):
    import io

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from salesmgmt.importer import excel

    rows = [
        ["拜访日期", "销售人员", "金额", "是否计划内", "备注"],
        [datetime(2024, 5, 6, 10, 30), "张伟", 12345.5, True, '=HYPERLINK("x")'],
        [date(2024, 5, 7), "李娜", 100, False, None],
        [None, None, None, None, None],
        ["2024/5/8", "　王强 ", 0, None, "多行\n备注"],
    ]
    book = openpyxl.Workbook(write_only=write_only)
    if mac_epoch:
        book.epoch = CALENDAR_MAC_1904
    if not write_only:
        book.remove(book.active)
    ws = book.create_sheet("拜访")
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    fast, name, names = excel._read_xlsx_streaming(data, None)
    slow, slow_name, slow_names = excel._read_xlsx_openpyxl(data, None)
    assert (name, names) == (slow_name, slow_names) == ("拜访", ["拜访"])
    assert _normalised(fast) == _normalised(slow)
    assert fast[1][0] == datetime(2024, 5, 6, 10, 30)


def test_a_file_mixing_utf8_and_gbk_lines_is_refused_naming_the_lines_of_each():
    # The UTF-8 lines are also valid GB18030 (as mojibake): nothing fails to decode.
    data = (
        b"Visit date,Sales rep,Client\n"
        + "2024-05-06,张伟,华北钢构\n".encode()
        + "2024-05-07,李娜,华东设计院\n".encode("gbk")
        + "2024-05-08,王强,上海建工\n".encode()
    )
    assert data.decode("gb18030")
    preview = importer.prepare(data, "visits.csv")
    assert preview.file_error is not None and preview.file_error.key == "import.mixed_encodings"
    message = preview.file_error.message("en")
    assert "UTF-8 on line(s) 2, 4" in message and "GBK/GB18030 on line(s) 3" in message
    assert "2, 4" in preview.file_error.message("zh")


def test_a_mixed_file_is_read_as_the_encoding_the_user_names():
    data = b"Client\n" + "华北钢构\n".encode() + "华东设计院\n".encode("gbk")
    assert data.decode("gb18030")
    preview = importer.prepare(data, "clients.csv", encoding="gb18030")
    assert preview.file_error is None and preview.encoding == "gb18030"


def test_a_gbk_file_with_ascii_lines_is_not_mixed():
    data = "客户名称,客户编码\nABC Ltd,C1\n华东设计院,C2\n".encode("gbk")
    preview = importer.prepare(data, "clients.csv")
    assert preview.ok and preview.encoding == "gb18030"
    assert list(preview.rows["client"]) == ["ABC Ltd", "华东设计院"]
