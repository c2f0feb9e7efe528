"""Large files: the same reading of every encoding when the text is never held whole, and the
same row errors, at the file's own row numbers, whether the bad rows sit in a small file or at
the end of tens of thousands of good ones."""

from __future__ import annotations

import codecs

import pytest

from salesmgmt import db, importer
from salesmgmt.errors import SalesmgmtError
from salesmgmt.importer import reading
from tests.import_fixtures import AS_OF, csv_bytes

HEADER = [
    "拜访日期",
    "销售人员",
    "工号",
    "客户名称",
    "客户编号",
    "拜访编号",
    "拜访方式",
    "是否计划内",
    "备注",
]


def whole(data: bytes, encoding: str | None) -> tuple:
    """What the importer used to read: the whole text decoded, a leading U+FEFF dropped; or
    the error (its message key and values)."""
    try:
        text, used = reading.decode(data, encoding)
    except SalesmgmtError as exc:
        return "error", exc.key, exc.values
    return "text", (text[1:] if text.startswith("\ufeff") else text), used


def chunked(data: bytes, encoding: str | None) -> tuple:
    """What it reads now: UTF-8 bytes made chunk by chunk; or the error."""
    try:
        buffer, used = reading.decode_to_utf8(data, encoding)
    except SalesmgmtError as exc:
        return "error", exc.key, exc.values
    return "text", bytes(buffer).decode("utf-8"), used


ROWS = [["客户名称", "备注"], ["华东设计院", "𠀀 四字节的字"], ["上海钢构", "ｅ全角"]]
ASCII = [["client", "notes"], ["ACME design", "first"], ["Steel Co", "second"]]
FILES = [
    (csv_bytes(ROWS), None, "utf-8"),
    (codecs.BOM_UTF8 + csv_bytes(ROWS), None, "utf-8-sig"),
    (codecs.BOM_UTF8 * 2 + csv_bytes(ROWS), None, "utf-8-sig"),
    (codecs.BOM_UTF8 + csv_bytes(ROWS), "utf-8", "utf-8-sig"),
    (csv_bytes(ROWS, encoding="gb18030"), None, "gb18030"),
    (csv_bytes(ROWS[:1], encoding="gbk"), "gbk", "gbk"),
    (csv_bytes(ROWS, encoding="utf-16"), None, "utf-16"),
    (csv_bytes(ASCII).decode("utf-8").encode("utf-16-le"), None, "utf-16-le"),
    (csv_bytes(ASCII).decode("utf-8").encode("utf-16-be"), None, "utf-16-be"),
    (csv_bytes(ROWS, encoding="utf-32"), None, "utf-32"),
    (codecs.BOM_UTF16_LE + csv_bytes(ROWS).decode("utf-8").encode("utf-16-le"), "utf-16-le", "utf-16-le"),
    # Files that do not decode: the same message, naming the same position.
    (csv_bytes(ROWS) + b"\xff\xfe\xfd", None, None),  # neither UTF-8 nor GB18030
    (csv_bytes(ROWS) + b"\x80", "utf-8", None),  # named, and wrong at the end
    (codecs.BOM_UTF8 + csv_bytes(ROWS) + b"\xc0\x80", None, None),  # a mark, an overlong form
    (csv_bytes(ROWS, encoding="gb18030"), "gbk", None),  # four-byte GB18030 is not GBK
    (b"\xff\xfe\x00\xd8 broken utf-16", None, None),
    (csv_bytes(ROWS).decode("utf-8").encode("utf-16-le"), None, None),  # no mark, few zeros
]


@pytest.mark.parametrize("data, encoding, expected", FILES)
def test_every_encoding_reads_the_same_in_small_chunks_as_decoded_whole(
    data, encoding, expected, monkeypatch
):
    monkeypatch.setattr(reading, "_CHUNK", 7)  # characters cut at every chunk boundary
    before = whole(data, encoding)
    assert chunked(data, encoding) == before
    assert before[-1] == expected or (expected is None and before[0] == "error")


def good_rows(n: int) -> list[list[str]]:
    return [
        [
            f"2024-0{1 + i % 4}-{1 + i % 28:02d}",
            f"代表{i % 40}",
            f"E{i % 40:03d}",
            f"客户{i % 300}",
            f"C{i % 300:04d}",
            f"V{i:06d}",
            "拜访",
            "是",
            "",
        ]
        for i in range(n)
    ]


#: One row of every kind of bad cell, then rows that clash with one another.
BAD = [
    ["2024-13-45", "张伟", "E900", "客户甲", "C900", "X1", "拜访", "是", ""],  # no such date
    ["2024-05-06", "张伟", "E900", "客户甲", "C900", "X2", "拜访", "也许", ""],  # not a flag
    ["#N/A", "张伟", "E900", "客户甲", "C900", "X3", "拜访", "是", ""],  # spreadsheet error
    ["2024-05-06", "", "", "客户甲", "C900", "X4", "拜访", "是", ""],  # no rep
    ["2024-05-06", "张伟", "E900", "", "  ", "X5", "拜访", "是", ""],  # no client
    ["", "张伟", "E900", "客户甲", "C900", "X6", "拜访", "是", ""],  # no date
    ["2024-05-06", "张伟", "E900", "客户甲", "C900", "X7", "拜访", "是", "", "多余"],  # ragged
    ["2024-05-07", "张伟", "E900", "客户甲", "C900", "Y1", "拜访", "是", "第一次"],
    ["2024-05-07", "张伟", "E900", "客户甲", "C900", "Y1", "拜访", "是", "改过了"],  # same id
    ["2024-05-08", "李娜", "", "客户乙", "", "", "电话", "否", ""],
    ["2024-05-08", "李娜", "", "客户乙", "", "", "电话", "否", "不一样"],  # same tuple
    ["2024-05-09", "李娜", "", "客户乙", "", "", "电话", "否", ""],
    ["2024-05-09", "李娜", "", "客户乙", "", "", "电话", "否", ""],  # a repeat
    ["2024/5/10", "王芳", "Ｅ９０１", "客户丙", "C901", "Z1", "-", "√", "'=1+1"],  # all fine
]


def bad_file(good: int) -> bytes:
    return csv_bytes([HEADER, *good_rows(good), [], *BAD])


def messages(errors: list[importer.RowError]) -> list[tuple]:
    return [(e.row, e.column, e.key, e.message("en"), e.message("zh")) for e in errors]


def shifted(errors: list[importer.RowError], shift: int) -> list[importer.RowError]:
    """The errors of the small file as they read `shift` rows further down (the rows they
    name moved too)."""
    return [
        importer.RowError(
            e.row + shift, e.column, e.key, {k: v + shift if k == "other" else v for k, v in e.values.items()}
        )
        for e in errors
    ]


def test_bad_rows_after_thirty_thousand_good_ones_give_the_same_errors_at_their_own_rows():
    small = importer.prepare(bad_file(0), "visits.csv", as_of=AS_OF)
    large = importer.prepare(bad_file(30_000), "visits.csv", as_of=AS_OF)
    assert small.file_error is None and large.file_error is None
    kinds = {e.key for e in small.errors}
    assert kinds >= {
        "import.bad_date",
        "import.bad_flag",
        "import.spreadsheet_error",
        "import.required_one_of",
        "import.required",
        "import.ragged_row",
        "import.duplicate_key",
    }
    assert messages(large.errors) == messages(shifted(small.errors, 30_000))
    # The header is row 1, the good rows 2..30,001, a blank line 30,002: the first bad row is
    # row 30,003 of the file, and the errors file says so.
    assert min(e.row for e in large.errors) == 30_003
    assert small.repeats == [15] and large.repeats == [30_015]
    frame = importer.errors_frame(large, "en")
    assert frame.iloc[0, 0] == 30_003 and frame.iloc[0, 1] == "2024-13-45"
    assert list(large.rows.loc[30_016]) == list(small.rows.loc[16])


def test_the_valid_rows_of_a_large_file_are_imported_like_those_of_a_small_one(tmp_path):
    counts = []
    for good in (0, 30_000):
        with db.connect(tmp_path / f"large-{good}.duckdb") as con:
            preview = importer.prepare(bad_file(good), "visits.csv", as_of=AS_OF)
            result = importer.apply(con, preview, skip_invalid=True)
            counts.append((result.added - good, result.unchanged, result.refused))
            stored = con.execute(
                "SELECT count(*), count(DISTINCT visit_id), "
                "count(*) FILTER (WHERE visit_id = 'Z1' AND rep_id IN "
                "(SELECT rep_id FROM reps WHERE code = 'E901')) FROM visits"
            ).fetchone()
            audit = con.execute(
                "SELECT count(*), min(seq), max(seq) FROM upload_changes WHERE entity = 'visit'"
            ).fetchone()
        assert stored[0] == result.added and stored[2] == 1
        assert audit[0] == result.added and audit[2] - audit[1] + 1 == result.added
    # 14 bad-file rows: 7 with bad cells, 4 clashing (2 pairs), 1 repeat, 2 imported.
    assert counts[0] == counts[1] == (2, 1, 11)
