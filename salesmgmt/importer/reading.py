"""Bytes to a table of cells: file type, encoding, delimiter, Excel sheets, the header row.

The encoding is decided in a fixed order, never by a statistical guess: a byte-order mark; UTF-16
recognised by its zero bytes; strict UTF-8; GB18030 (a superset of GBK and GB2312, what Excel in
China writes). Anything else must be named by the user (`encoding=`). Short Chinese files are
exactly where detectors go wrong (calling GBK "Big5"), and a wrong guess silently corrupts names.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from salesmgmt.errors import SalesmgmtError

#: Delimiters tried on text files, in order of preference on a tie.
DELIMITERS = (",", "\t", ";", "|")
#: Rows searched for the header row (titles above the header are common in Chinese reports).
HEADER_SEARCH_ROWS = 15

_MAGIC = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7-Zip",
    b"SQLite format 3": "SQLite",
    b"DUCK": "DuckDB",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc


@dataclass
class RawTable:
    """The cells of a file before any interpretation: `cells` has one column per position, all
    text for CSV (Excel keeps numbers and dates as such); `row_numbers` are the rows as a
    spreadsheet numbers them (the header row's number is `header_row`)."""

    format: str  # 'csv' | 'xlsx'
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheet_names: list[str]
    rows: list[list[Any]] = field(default_factory=list, repr=False)
    frame: pd.DataFrame | None = field(default=None, repr=False)


# ----------------------------------------------------------------------------------------
# Encodings

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_zero > 0.3 * half and even_zero < 0.05 * half:
        return "utf-16-le"
    if even_zero > 0.3 * half and odd_zero < 0.05 * half:
        return "utf-16-be"
    return None


def canonical_encoding(name: str) -> str:
    """A codec name as Python knows it ('GBK' -> 'gbk'); an unknown name is a user error."""
    try:
        return codecs.lookup(name.strip()).name
    except (LookupError, AttributeError):
        raise SalesmgmtError("import.unknown_encoding", encoding=name) from None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read with."""
    if encoding:
        enc = canonical_encoding(encoding)
        if enc in ("utf-8", "utf_8") and data.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            raise SalesmgmtError("import.wrong_encoding", encoding=encoding, position=exc.start) from None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise SalesmgmtError("import.wrong_encoding", encoding=enc, position=exc.start) from None
    enc16 = _utf16_without_bom(data)
    if enc16:
        try:
            return data.decode(enc16), enc16
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise SalesmgmtError("import.unknown_file_encoding")


#: Bytes decoded at a time when a whole file is checked or transcoded (the text of a large
#: file is never held whole: only its UTF-8 bytes, which Arrow's CSV reader takes as they are).
_CHUNK = 1 << 23
#: Bytes of a file decoded for its first lines (delimiter, binary check, first record): enough
#: for 65,536 characters even when every character takes four bytes.
_HEAD_BYTES = 1 << 19


def _valid_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8, as Python's strict codec judges it (overlong forms,
    surrogates and code points above U+10FFFF refused), checked by Arrow without a copy."""
    import pyarrow as pa

    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        blob.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _utf8_bytes(data: bytes, enc: str) -> memoryview | bytes | None:
    """The file as UTF-8 bytes without a byte-order mark when it decodes completely with `enc`,
    else None. UTF-8 input is checked and returned as it is (no copy); any other encoding is
    transcoded chunk by chunk."""
    view = memoryview(data)
    utf8 = codecs.lookup(enc).name in ("utf-8", "utf-8-sig")
    parts: list[bytes] = []
    if utf8:
        if not _valid_utf8(data):
            return None
    else:
        decoder = codecs.getincrementaldecoder(enc)()
        try:
            for start in range(0, len(view), _CHUNK):
                parts.append(decoder.decode(view[start : start + _CHUNK]).encode("utf-8"))
            parts.append(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            return None
    bom = codecs.BOM_UTF8
    if utf8:
        # utf-8-sig's own mark, then (as after decoding) one more U+FEFF, if any.
        skip = 3 if data.startswith(bom) and enc.replace("_", "-") == "utf-8-sig" else 0
        skip += 3 if data[skip : skip + 3] == bom else 0
        return view[skip:]
    out = b"".join(parts)
    del parts
    return out[3:] if out.startswith(bom) else out


#: Line numbers of each encoding named when a file mixes them.
_MIXED_LINES_SHOWN = 5


def _refuse_mixed_lines(data: bytes) -> None:
    """Refuses a file read as GB18030 in which some lines are UTF-8 (issue 18, finding 13).

    Such a file is not UTF-8 as a whole, yet its UTF-8 lines often decode as GB18030 too, as
    mojibake ('王强' becomes '鐜嬪己'), so nothing would fail. A line with bytes beyond ASCII that
    is valid UTF-8 is counted as UTF-8; a GBK line of a few characters can be valid UTF-8 by
    chance, so the user who knows the encoding names it (`encoding=`) and is not asked again."""
    utf8: list[int] = []
    other: list[int] = []
    for number, line in enumerate(io.BytesIO(data), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            kind = utf8
        except UnicodeDecodeError:
            kind = other
        if len(kind) <= _MIXED_LINES_SHOWN:
            kind.append(number)
        if len(utf8) > _MIXED_LINES_SHOWN and len(other) > _MIXED_LINES_SHOWN:
            break
    if utf8 and other:

        def shown(lines: list[int]) -> str:
            more = ", …" if len(lines) > _MIXED_LINES_SHOWN else ""
            return ", ".join(str(n) for n in lines[:_MIXED_LINES_SHOWN]) + more

        raise SalesmgmtError("import.mixed_encodings", utf8=shown(utf8), gbk=shown(other))


def decode_to_utf8(data: bytes, encoding: str | None = None) -> tuple[memoryview | bytes, str]:
    """The file as UTF-8 bytes (a leading byte-order mark dropped) and the encoding it was read
    with: the same decision, in the same order, as `decode`, and the same errors, without
    holding the whole text of the file as a Python string."""
    candidates: list[tuple[str, bool]] = []  # (encoding, whether a failure is final)
    if encoding:
        enc = canonical_encoding(encoding)
        if enc in ("utf-8", "utf_8") and data.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        candidates.append((enc, True))
    else:
        bom = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
        if bom:
            candidates.append((bom, True))
        else:
            enc16 = _utf16_without_bom(data)
            if enc16:
                candidates.append((enc16, False))
            candidates += [("utf-8", False), ("gb18030", False)]
    for enc, final in candidates:
        out = _utf8_bytes(data, enc)
        if out is not None:
            if enc == "gb18030" and not final:
                _refuse_mixed_lines(data)
            return out, enc
        if final:
            decode(data, encoding)  # raises the error naming the encoding and the position
            raise AssertionError(enc)  # pragma: no cover - decode failed above
    raise SalesmgmtError("import.unknown_file_encoding")


def utf8_head(buffer: memoryview | bytes, size: int = _HEAD_BYTES) -> str:
    """The text of the first `size` bytes of UTF-8 bytes (a character cut at the end left out)."""
    return codecs.getincrementaldecoder("utf-8")().decode(buffer[:size], final=False)


# ----------------------------------------------------------------------------------------
# File types


def _looks_binary(data: bytes) -> str | None:
    """A name for a file that is plainly not a table (PDF, image, archive...), else None."""
    for magic, name in _MAGIC.items():
        if data.startswith(magic):
            return name
    return None


def _control_ratio(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return bad / len(sample)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (quotes respected)."""
    lines = [ln for ln in text[:65_536].splitlines()[:30] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        counts = []
        for line in lines:
            try:
                counts.append(len(next(csv.reader([line], delimiter=delim))) - 1)
            except (csv.Error, StopIteration):
                counts.append(0)
        head = counts[0]
        consistent = sum(1 for c in counts if c == head and c > 0)
        score = (consistent, max(counts))
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_text_table(buffer: memoryview | bytes, head: str, delimiter: str) -> pd.DataFrame:
    """All records as text; a record's position + 1 is its spreadsheet row. Blank lines are
    kept as empty records so the numbering stays right; short records are padded. `buffer`:
    the file as UTF-8 bytes; `head`: the text of its beginning.

    Arrow's CSV reader first (multi-threaded: a million rows in a fraction of a second, and the
    cells stay Arrow strings); when records have differing lengths, pandas; when some record is
    longer than the first, record by record.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        first = next(csv.reader(io.StringIO(head[:65_536], newline=""), delimiter=delimiter), [])
        names = [f"f{i}" for i in range(max(len(first), 1))]
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(buffer)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            # large_string: what pandas' text columns hold, so that no column is converted.
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, strings_can_be_null=False
            ),
        )
        frame: pd.DataFrame = table.to_pandas(self_destruct=True, split_blocks=True)
        del table
        frame.columns = pd.RangeIndex(frame.shape[1])
        return frame
    except Exception:
        pass
    try:
        frame = pd.read_csv(
            io.BytesIO(buffer),
            sep=delimiter,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
            doublequote=True,
            encoding="utf-8",
        )
        return frame
    except pd.errors.ParserError:
        pass  # more values in some record than in the first: read record by record below
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    text = bytes(buffer).decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in records), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype=object)


#: A sheet's limits (issue 18, finding 3): a tiny workbook can claim a cell in row 5,000,000 or in
#: column XFD, and every reader pads the rows and columns before it (gigabytes from 1.6 KB).
#: Rows: Excel's own limit. Columns: far more than any export to import has. Cells: rows times
#: the widest row, what the table takes once padded (30 million: a 1,000,000-row file of 30
#: columns). Uncompressed: the sum of the archive's members as declared, which is also all that
#: Python's zipfile will inflate of each (a zip bomb stops there).
MAX_EXCEL_ROWS = 1_048_576
MAX_EXCEL_COLUMNS = 1_000
MAX_EXCEL_CELLS = 30_000_000
MAX_EXCEL_UNCOMPRESSED = 1 << 30


class _SheetLimits:
    """Refuses a sheet as soon as one of its cells passes a limit, before anything is padded."""

    def __init__(self) -> None:
        self.widest = 0

    def check(self, row: int, columns: int) -> None:
        """`row`: the 1-based number of a row; `columns`: its width up to its last cell."""
        self.widest = max(self.widest, columns)
        if row > MAX_EXCEL_ROWS or columns > MAX_EXCEL_COLUMNS or row * self.widest > MAX_EXCEL_CELLS:
            self._refuse(row, columns)

    def _refuse(self, row: int, columns: int) -> None:
        from openpyxl.utils import get_column_letter

        ref = f"{get_column_letter(min(max(columns, 1), 18_278))}{row}"  # ZZZ at most
        if row > MAX_EXCEL_ROWS:
            raise SalesmgmtError(
                "import.excel_too_many_rows", rows=f"{row:,}", cell=ref, limit=f"{MAX_EXCEL_ROWS:,}"
            )
        if columns > MAX_EXCEL_COLUMNS:
            raise SalesmgmtError(
                "import.excel_too_many_columns",
                columns=f"{columns:,}",
                cell=ref,
                limit=f"{MAX_EXCEL_COLUMNS:,}",
            )
        raise SalesmgmtError(
            "import.excel_too_many_cells",
            rows=f"{row:,}",
            columns=f"{self.widest:,}",
            cell=ref,
            limit=f"{MAX_EXCEL_CELLS:,}",
        )


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuses an archive whose members would inflate past MAX_EXCEL_UNCOMPRESSED."""
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    if total > MAX_EXCEL_UNCOMPRESSED:
        largest = max(members, key=lambda m: m.file_size)
        raise SalesmgmtError(
            "import.excel_too_large",
            size=f"{total / 2**20:,.0f}",
            member=largest.filename,
            limit=f"{MAX_EXCEL_UNCOMPRESSED / 2**20:,.0f}",
        )


def read_excel(data: bytes, sheet: str | None) -> tuple[list[list[Any]], str, list[str]]:
    """The rows of a sheet (the chosen one, else the first with any value) as cell values:
    real date cells stay dates, numbers stay numbers. Row i of the result is spreadsheet row
    i + 1. The streaming reader below first; openpyxl when it cannot read the file."""
    try:
        return _read_xlsx_streaming(data, sheet)
    except SalesmgmtError:
        raise
    except Exception:
        return _read_xlsx_openpyxl(data, sheet)


def _read_xlsx_openpyxl(data: bytes, sheet: str | None) -> tuple[list[list[Any]], str, list[str]]:
    import openpyxl  # only for Excel files

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SalesmgmtError:
        raise
    except zipfile.BadZipFile:
        raise SalesmgmtError("import.corrupt_excel") from None
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise SalesmgmtError("import.corrupt_excel_detail", detail=detail) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise SalesmgmtError("import.no_such_sheet", sheet=sheet, sheets=", ".join(names))
        candidates = [sheet] if sheet is not None else names
        for name in candidates:
            ws = book[name]
            # The sheet's own claim of its size is not trusted: rows are as wide as their last
            # cell, and a row past the limit stops the reading (gaps up to it are padded once).
            ws.reset_dimensions()
            limits = _SheetLimits()
            rows: list[list[Any]] = []
            number = 0
            for number, values in enumerate(ws.iter_rows(values_only=True, max_row=MAX_EXCEL_ROWS + 1), 1):
                if values:  # openpyxl yields the rows between two rows with cells as empty
                    limits.check(number, len(values))
                    rows.extend([] for _ in range(number - 1 - len(rows)))
                    rows.append(list(values))
            limits.check(number, 0)
            if any(v is not None and str(v).strip() != "" for r in rows for v in r):
                return rows, name, names
        return [], candidates[0] if candidates else "", names
    except SalesmgmtError:
        raise
    except Exception as exc:
        raise SalesmgmtError("import.corrupt_excel_detail", detail=str(exc).splitlines()[0][:200]) from None
    finally:
        book.close()


# A streaming .xlsx reader: the sheet's XML parsed row by row with lxml (which python-pptx and
# openpyxl bring), values only. About ten times faster than openpyxl's cell objects on large
# sheets. Date cells are numbers whose style has a date format, as in openpyxl.
_M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: Built-in number formats that are dates, beyond openpyxl's list: the CJK locale ones.
_CJK_DATE_FORMATS = set(range(27, 37)) | set(range(50, 59))


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _xlsx_date_styles(archive: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell styles (cellXfs) whose number format is a date."""
    from lxml import etree
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if "xl/styles.xml" not in archive.namelist():
        return set()
    root = etree.fromstring(archive.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId")): f.get("formatCode") or "" for f in root.iter(f"{_M}numFmt")}
    dates = set()
    xfs = root.find(f"{_M}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId") or 0)
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
        if fmt_id in _CJK_DATE_FORMATS or (code and is_date_format(code)):
            dates.add(i)
    return dates


def _xlsx_shared_strings(archive: zipfile.ZipFile) -> list[str]:
    from lxml import etree

    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    out = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _event, si in etree.iterparse(stream, tag=f"{_M}si"):
            # Text runs count; phonetic guides (rPh) do not.
            out.append("".join(t.text or "" for t in si.iter(f"{_M}t") if t.getparent().tag != f"{_M}rPh"))
            si.clear()
    return out


def _read_xlsx_streaming(data: bytes, sheet: str | None) -> tuple[list[list[Any]], str, list[str]]:
    from lxml import etree
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    archive = zipfile.ZipFile(io.BytesIO(data))
    _check_archive(archive)
    book = etree.fromstring(archive.read("xl/workbook.xml"))
    pr = book.find(f"{_M}workbookPr")
    epoch = (
        CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
    )
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sheets = [(s.get("name"), targets[s.get(f"{_R}id")]) for s in book.iter(f"{_M}sheet")]
    names = [n for n, _ in sheets]
    if sheet is not None and sheet not in names:
        raise SalesmgmtError("import.no_such_sheet", sheet=sheet, sheets=", ".join(names))
    shared = _xlsx_shared_strings(archive)
    date_styles = _xlsx_date_styles(archive)

    V, T, IS_T = f"{_M}v", f"{_M}t", f"{_M}is/{_M}t"

    def cell_value(c: Any) -> Any:
        kind = c.get("t")
        if kind == "inlineStr":
            text = c.findtext(IS_T)
            return text if text is not None else "".join(t.text or "" for t in c.iter(T))
        text = c.findtext(V)
        if not text:
            return None if text is None or kind in (None, "n") else text
        if kind is None or kind == "n":
            style = c.get("s")
            if style is not None and int(style) in date_styles:
                return from_excel(float(text), epoch)
            try:
                return int(text)
            except ValueError:
                return float(text)
        if kind == "s":
            return shared[int(text)]
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return datetime.fromisoformat(text.replace("Z", ""))
        return text

    columns: dict[str, int] = {}

    def column_of(ref: str) -> int:
        letters = ref.rstrip("0123456789")
        if letters not in columns:
            columns[letters] = _column_index(letters)
        return columns[letters]

    candidates = [(n, p) for n, p in sheets if sheet is None or n == sheet]
    for name, target in candidates:
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        rows: list[list[Any]] = []
        limits = _SheetLimits()
        with archive.open(path) as stream:
            for _event, row in etree.iterparse(stream, tag=f"{_M}row"):
                number = int(row.get("r")) if row.get("r") else len(rows) + 1
                # Where each cell goes, checked against the limits before any padding.
                cells = [(column_of(c.get("r")) if c.get("r") is not None else None, c) for c in row]
                width, position = 0, 0
                for col, _c in cells:
                    position = max(col, position) if col is not None else position
                    width = max(width, position + 1)
                    position += 1
                limits.check(number, width)
                while len(rows) < number - 1:
                    rows.append([])
                values: list[Any] = []
                for col, c in cells:
                    if col is not None:
                        values.extend([None] * (col - len(values)))
                    values.append(cell_value(c))
                rows.append(values)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
        if any(v is not None and str(v).strip() != "" for r in rows for v in r):
            return rows, name, names
    return [], candidates[0][0] if candidates else "", names


#: A byte that is not blank, a NUL or part of a byte-order mark: a file without one is empty.
_SOMETHING = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


def read_table(
    data: bytes, file_name: str, encoding: str | None = None, sheet: str | None = None
) -> RawTable:
    """The cells of a CSV/TSV/text or .xlsx file. Raises SalesmgmtError for what is not a table."""
    if not data or not _SOMETHING.search(data):
        raise SalesmgmtError("import.empty_file")
    lower = file_name.lower()
    if data.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        if not data.startswith(b"PK\x03\x04"):
            raise SalesmgmtError("import.corrupt_excel")
        rows, sheet_name, names = read_excel(data, sheet)
        return RawTable("xlsx", None, None, sheet_name, names, rows=rows)
    if data.startswith(_OLE2) or lower.endswith(".xls"):
        raise SalesmgmtError("import.old_excel")
    if lower.endswith((".numbers", ".ods", ".pdf", ".docx", ".doc", ".zip")):
        raise SalesmgmtError("import.not_a_table", what=lower.rsplit(".", 1)[-1].upper())
    kind = _looks_binary(data)
    if kind:
        raise SalesmgmtError("import.not_a_table", what=kind)
    # A sheet name means nothing to a text file (the command line passes it to every file).
    if b"\x00" in data[:8192] and not (
        data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        or _utf16_without_bom(data)
        or (encoding and "16" in encoding)
        or (encoding and "32" in encoding)
    ):
        raise SalesmgmtError("import.binary_file")
    buffer, used = decode_to_utf8(data, encoding)
    head = utf8_head(buffer)
    if _control_ratio(head) > 0.01:
        raise SalesmgmtError("import.binary_file")
    delimiter = sniff_delimiter(head)
    frame = _read_text_table(buffer, head, delimiter)
    return RawTable("csv", used, delimiter, None, [], frame=frame)


# ----------------------------------------------------------------------------------------
# Header row


def _nonempty(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None and str(v).strip() != ""]


def table_rows(table: RawTable) -> list[list[Any]]:
    """The first rows of the table (for finding the header)."""
    if table.frame is not None:
        return table.frame.head(HEADER_SEARCH_ROWS).values.tolist()
    return table.rows[:HEADER_SEARCH_ROWS]


def find_header_row(rows: list[list[Any]], recognised: Any) -> int:
    """The index of the header row: the first non-empty row when it names at least one known
    column; otherwise (a title above the table) the first row naming the most known columns,
    if it names two or more; else the first non-empty row."""
    first_nonempty = None
    best_index, best_score = None, 1
    for i, row in enumerate(rows):
        cells = _nonempty(row)
        if not cells:
            continue
        score = sum(1 for v in cells if recognised(v))
        if first_nonempty is None:
            first_nonempty = i
            if score >= 1:
                return i
        if score > best_score:
            best_index, best_score = i, score
    if best_index is not None:
        return best_index
    return first_nonempty if first_nonempty is not None else 0


_SPACES = re.compile(r"\s+")


def header_text(value: Any) -> str:
    """A header cell as the column's name: trimmed, inner line breaks as spaces."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _SPACES.sub(" ", text.replace("\ufeff", "")).strip()
