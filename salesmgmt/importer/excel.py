"""Excel workbooks read as rows of cell values: a streaming reader of the sheet XML (about ten
times faster than openpyxl's cell objects on large sheets), openpyxl when it cannot read the file,
and the limits that keep a tiny hostile workbook from exhausting memory (issue 18, finding 3)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from salesmgmt.errors import SalesmgmtError

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
