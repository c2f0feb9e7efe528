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
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from salesmgmt.errors import SalesmgmtError
from salesmgmt.importer.excel import read_excel

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
