"""From the bytes of an uploaded file to a preview: what the file is, how its columns map to fields,
its rows parsed, and everything wrong with them. Nothing here touches the database, so a file is
read and checked completely before the database is opened.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import pandas as pd

from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t
from salesmgmt.importer import headers as H
from salesmgmt.importer import wide_targets
from salesmgmt.importer.fields import FIELD_TYPES, FIELDS, KIND_FIELDS, KINDS, REQUIRED
from salesmgmt.importer.reading import RawTable, find_header_row, header_text, read_table, table_rows
from salesmgmt.importer.validate import Note, RowError, derived_key_fields, validate
from salesmgmt.importer.values import blank, csv_safe, native_text

#: Mapping values that mean "skip this column".
IGNORE = "ignore"
_IGNORE_VALUES = {None, "", "-", IGNORE, "none", "skip", "忽略", "不导入"}
SAMPLE_VALUES = 3
#: Notes that say how the file was read (units, the key of a file without ids, the columns left
#: out): repeated with the summary of an import, so nothing is dropped or converted silently.
SUMMARY_NOTES = frozenset(
    {
        "import.note_unit_foreign",
        "import.note_unit_scale",
        "import.note_unit_money",
        "import.note_unit_percent",
        "import.note_unit_unused",
        "import.note_derived_key",
        "import.note_left_out",
    }
)


class ColumnInfo(NamedTuple):
    """One source column: its header, the field it maps to (None: not imported), sample cells."""

    source: str
    field: str | None
    samples: list[str]


@dataclass
class Preview:
    """A file read, mapped and checked; what `apply` writes and the app's preview shows."""

    file_name: str
    file_hash: str
    as_of: date
    lang: str = "en"
    kind: str | None = None
    #: The text encoding used ('utf-8', 'gb18030', 'utf-16', ...); None for Excel files.
    encoding: str | None = None
    delimiter: str | None = None
    #: Excel: the sheet read and all sheet names; empty for text files.
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    #: The spreadsheet row of the header (1 unless title rows sit above it).
    header_row: int = 1
    columns: list[ColumnInfo] = field(default_factory=list)
    #: Source column -> field (None: not imported), as used.
    mapping: dict[str, str | None] = field(default_factory=dict)
    #: The mapping the caller gave (remembered for files with the same headers on import).
    user_mapping: dict[str, str | None] | None = None
    #: Parsed rows, one column per field, indexed by spreadsheet row ("row").
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: list[RowError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    #: Rows that repeat an earlier row exactly: imported once, counted as unchanged.
    repeats: list[int] = field(default_factory=list)
    #: Columns the kind does not use and nobody mapped (refused unless `ignore_unknown`).
    unknown: list[str] = field(default_factory=list)
    #: True when the columns the kind does not use are left out on request (`--ignore-unknown`).
    ignore_unknown: bool = False
    #: Every source column not imported (unknown, not stored by the kind, mapped to "ignore").
    left_out: list[str] = field(default_factory=list)
    #: A file of opportunities without an id column: the source columns its key is built from.
    derived_key: list[str] = field(default_factory=list)
    file_error: SalesmgmtError | None = None
    _cells: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def ok(self) -> bool:
        """Readable, and no row has an error."""
        return self.file_error is None and not self.errors

    @property
    def rows_total(self) -> int:
        return len(self.rows) if self.file_error is None else len(self._cells)

    @property
    def error_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    @property
    def valid_rows(self) -> pd.DataFrame:
        """The rows an import writes: no error, and not a repeat of an earlier row."""
        drop = self.error_rows | set(self.repeats)
        return self.rows[~self.rows.index.isin(list(drop))] if drop else self.rows

    @property
    def field_columns(self) -> dict[str, str]:
        """Field -> source column, for the fields the kind stores."""
        return {f: c for c, f in self.mapping.items() if f}

    @property
    def signature(self) -> str:
        return H.headers_signature(c.source for c in self.columns)

    def summary_notes(self, lang: str | None = None) -> list[str]:
        """How the file was read, for the summary of its import (units, key, columns left out)."""
        return [n.message(lang or self.lang) for n in self.notes if n.key in SUMMARY_NOTES]

    def error_messages(self, lang: str | None = None, limit: int | None = None) -> list[str]:
        lang = lang or self.lang
        errors = self.errors if limit is None else self.errors[:limit]
        return [e.message(lang) for e in errors]


class ImportRefused(SalesmgmtError):
    """An import refused because of invalid rows; the message shows the first few."""

    SHOWN = 5

    def __init__(self, file_name: str, errors: list[RowError], key: str = "import.refused") -> None:
        rows = len({e.row for e in errors})
        super().__init__(key, file=file_name, rows=rows)
        self.errors = errors

    def message(self, lang: str = "en") -> str:
        head = super().message(lang)
        lines = [e.message(lang) for e in self.errors[: self.SHOWN]]
        if len(self.errors) > self.SHOWN:
            lines.append(t("import.more_errors", lang, count=len(self.errors) - self.SHOWN))
        return "\n".join([head, *("  " + line for line in lines)])


def _mapping_value(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text.casefold() in _IGNORE_VALUES else text


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _cells_frame(table: RawTable, header_index: int) -> tuple[list[str], pd.DataFrame]:
    """Header names and the data cells below the header, indexed by spreadsheet row."""
    if table.frame is not None:
        frame = table.frame
        header_cells = frame.iloc[header_index].tolist() if len(frame) > header_index else []
        data = frame.iloc[header_index + 1 :]
    else:
        width = max((len(r) for r in table.rows), default=0)
        rows = [list(r) + [None] * (width - len(r)) for r in table.rows]
        frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
        header_cells = rows[header_index] if len(rows) > header_index else []
        data = frame.iloc[header_index + 1 :]
    data = data.set_axis(pd.RangeIndex(header_index + 2, header_index + 2 + len(data), name="row"), axis=0)
    return [header_text(h) for h in header_cells], data


def _is_empty(data: pd.DataFrame) -> pd.DataFrame:
    if data.empty:
        return data.astype(bool)
    if not any(pd.api.types.is_object_dtype(dtype) for dtype in data.dtypes):
        return pd.DataFrame(
            {
                c: blank(s)
                if s.dtype == "str"
                else (s.astype("string").str.strip().fillna("") == "").to_numpy(bool)
                for c, s in data.items()
            },
            index=data.index,
        )
    return data.map(
        lambda v: v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
    )


#: A progress callback: the fraction done (0..1) and a catalogue key naming the step.
Progress = Callable[[float, str], None]


def _no_progress(_fraction: float, _step: str) -> None:
    return None


def prepare(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    mapping: dict[str, str | None] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    as_of: date | None = None,
    lang: str = "en",
    progress: Progress | None = None,
    year: int | None = None,
    ignore_unknown: bool = False,
) -> Preview:
    """Read, map and check a file. Never raises for a bad file: see `preview.file_error`.
    `progress(fraction, step_key)` is called as the work advances (for a progress bar).
    `year`: the year of a wide targets sheet whose headers and title do not say it.
    `ignore_unknown`: leave out the columns the kind does not use (listed in the notes) instead
    of refusing the file and naming them."""
    preview = Preview(
        file_name=file_name,
        file_hash=hashlib.sha256(data).hexdigest(),
        as_of=as_of or date.today(),
        lang=lang,
        user_mapping=dict(mapping) if mapping else None,
        ignore_unknown=ignore_unknown,
    )
    try:
        _prepare(preview, data, kind, mapping, encoding, sheet, progress or _no_progress, year)
    except SalesmgmtError as exc:
        preview.file_error = exc
    except Exception as exc:
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        preview.file_error = SalesmgmtError("import.unreadable", detail=detail)
    return preview


def _prepare(
    preview: Preview,
    data: bytes,
    kind: str | None,
    mapping: dict[str, str | None] | None,
    encoding: str | None,
    sheet: str | None,
    progress: Progress,
    year: int | None = None,
) -> None:
    if kind is not None and kind not in KINDS:
        raise SalesmgmtError("import.unknown_kind_name", kind=kind, kinds=", ".join(KINDS))
    user = {header_text(k): _mapping_value(v) for k, v in (mapping or {}).items()}
    for source, target in user.items():
        if target is not None and target not in FIELDS:
            raise SalesmgmtError(
                "import.mapping_unknown_field", column=source, field=target, fields=", ".join(FIELDS)
            )

    progress(0.0, "import.step_reading")
    table = read_table(data, preview.file_name, encoding, sheet)
    if kind in (None, "targets"):  # the wide layout (a column per month) read as the long one
        table = wide_targets.long_table(table, year) or table
    progress(0.3, "import.step_checking")
    preview.encoding, preview.delimiter = table.encoding, table.delimiter
    preview.sheet, preview.sheet_names = table.sheet, table.sheet_names

    def recognised(cell: Any) -> bool:
        text = header_text(cell)
        return bool(text) and (text in user or H.guess_field(text) is not None or H.is_ignored_header(text))

    header_index = find_header_row(table_rows(table), recognised)
    preview.header_row = header_index + 1
    names, cells = _cells_frame(table, header_index)
    if not names or all(not n for n in names):
        raise SalesmgmtError("import.empty_file")

    empty = _is_empty(cells)
    blank = empty.all(axis=1)
    if blank.any():
        cells = cells[~blank]
        empty = empty.loc[cells.index]
    has_data = ~empty.all(axis=0) if len(cells) else pd.Series(False, index=cells.columns)

    # Column names: a header-less column is dropped when empty; with data it is a ragged row
    # (text files) or a column to name (Excel). Repeated headers cannot be told apart.
    width = max((i + 1 for i, n in enumerate(names) if n), default=0)
    keep_positions, source_names = [], []
    ragged_rows: set[int] = set()
    seen: dict[str, int] = {}
    for pos in range(cells.shape[1] if cells.shape[1] else len(names)):
        name = names[pos] if pos < len(names) else ""
        col_has_data = bool(has_data.iloc[pos]) if pos < len(has_data) else False
        if not name:
            if not col_has_data:
                continue
            if table.format == "csv" and pos >= width:
                ragged_rows.update(int(r) for r in empty.index[~empty.iloc[:, pos].to_numpy()])
                continue
            name = t("import.unnamed_column", preview.lang, letter=_column_letter(pos))
        if name in seen:
            raise SalesmgmtError(
                "import.duplicate_header",
                column=name,
                first=_column_letter(seen[name]),
                second=_column_letter(pos),
            )
        seen[name] = pos
        keep_positions.append(pos)
        source_names.append(name)
    cells = (
        cells.iloc[:, keep_positions]
        if len(cells.columns)
        else pd.DataFrame(columns=range(len(keep_positions)))
    )
    cells.columns = source_names
    preview._cells = cells

    # Mapping: the user's word first, else the header's. Then the kind, then its reading of each.
    generic: dict[str, str | None] = {}
    for name in source_names:
        if name in user:
            generic[name] = user[name]
        elif H.is_ignored_header(name):
            generic[name] = None
        else:
            generic[name] = H.guess_field(name)
    detected = kind or H.detect_kind(generic.values())
    preview.kind = detected
    field_of: dict[str, str | None] = {}
    for name in source_names:
        field_of[name] = H.for_kind(generic[name], detected) if detected else generic[name]
    preview.mapping = field_of
    preview.columns = [ColumnInfo(name, field_of[name], _samples(cells[name])) for name in source_names]
    if detected is None:
        raise SalesmgmtError("import.unknown_kind", columns=", ".join(source_names[:12]))

    stored = set(KIND_FIELDS[detected])
    unknown = [
        n for n in source_names if field_of[n] is None and n not in user and not H.is_ignored_header(n)
    ]
    preview.unknown = unknown
    if unknown and not preview.ignore_unknown:
        raise SalesmgmtError("import.unknown_columns", columns=", ".join(unknown), kind=detected)
    if unknown:  # left out on request: a choice remembered with the mapping, as one made by hand
        preview.user_mapping = {**(preview.user_mapping or {}), **dict.fromkeys(unknown)}
    by_field: dict[str, str] = {}
    for name in source_names:
        f = field_of[name]
        if f is None:
            continue
        if f not in stored:
            preview.notes.append(Note("import.note_not_stored", {"field": f, "kind": detected}, name))
            field_of[name] = None
            continue
        if f in by_field:
            raise SalesmgmtError("import.duplicate_field", field=f, first=by_field[f], second=name)
        by_field[f] = name
    preview.columns = [ColumnInfo(name, field_of[name], _samples(cells[name])) for name in source_names]
    for group in REQUIRED[detected]:
        if not any(f in by_field for f in group):
            if detected == "opportunities" and group == ("opportunity_id",):
                _derived_key(preview, by_field)
                continue
            raise SalesmgmtError(
                "import.missing_column", kind=detected, fields=" / ".join(group), headers=_headers_of(group)
            )
    if cells.empty and not ragged_rows:
        raise SalesmgmtError("import.no_rows")
    preview.notes.extend(_unit_notes(by_field))
    preview.left_out = [n for n in source_names if field_of[n] is None]
    if preview.left_out:
        preview.notes.append(Note("import.note_left_out", {"columns": ", ".join(preview.left_out)}))

    mapped = cells[[by_field[f] for f in KIND_FIELDS[detected] if f in by_field]]
    lengths = {}
    for row in ragged_rows:
        filled = (~empty.loc[row]).to_numpy().nonzero()[0]
        lengths[row] = int(filled.max()) + 1 if len(filled) else width
    result = validate(mapped, {c: f for f, c in by_field.items()}, detected, lengths, width)
    progress(1.0, "import.step_checked")
    preview.rows = result.rows
    preview.errors = result.errors
    preview.notes.extend(result.notes)
    preview.repeats = result.repeats
    if header_index > 0:
        preview.notes.append(Note("import.note_header_row", {"row": header_index + 1}))


def _headers_of(fields: tuple[str, ...]) -> str:
    """The template headers of fields, for a message: 'Client, 客户名称 / Client code, 客户编号'."""
    return " / ".join(f"{H.TEMPLATE_HEADERS['en'][f]}, {H.TEMPLATE_HEADERS['zh'][f]}" for f in fields)


def _derived_key(preview: Preview, by_field: dict[str, str]) -> None:
    """An opportunities file without an id column: its deals are keyed by what identifies them
    (`validate.derived_keys`), or the file is refused naming what it lacks."""
    fields = derived_key_fields(by_field)
    if not any(f in by_field for f in ("client", "client_code", "rep", "rep_code")):
        return  # the file names no client or rep: the next required column refuses it
    if not fields:
        raise SalesmgmtError(
            "import.no_key",
            id=_headers_of(("opportunity_id",)),
            what=_headers_of(("opportunity_name", "product")),
        )
    preview.derived_key = [by_field[f] for f in fields]
    preview.notes.append(Note("import.note_derived_key", {"columns": " + ".join(preview.derived_key)}))


def _unit_notes(by_field: dict[str, str]) -> list[Note]:
    """What each unit in a used column's header was read as ("Deal Value, $": USD, as is)."""
    notes = []
    for fname, column in by_field.items():
        unit = H.header_unit(column)
        if unit is None:
            continue
        values = {"unit": unit.text, "currency": unit.currency, "scale": f"{unit.scale:,}"}
        if FIELD_TYPES[fname] == "money" and not unit.percent:
            if unit.currency and unit.currency != H.COMPANY_CURRENCY:
                key = "import.note_unit_foreign"
                values["company"] = H.COMPANY_CURRENCY
            elif unit.scale != 1:
                key = "import.note_unit_scale"
            else:
                key = "import.note_unit_money"
        elif FIELD_TYPES[fname] == "probability" and unit.percent:
            key = "import.note_unit_percent"
        else:
            key = "import.note_unit_unused"
        notes.append(Note(key, values, column))
    return notes


def _samples(series: pd.Series) -> list[str]:
    out: list[str] = []
    for v in series.iloc[:2000]:
        text = v if isinstance(v, str) else native_text(v)
        if text is None or not str(text).strip():
            continue
        text = str(text).strip()
        if text not in out:
            out.append(text)
        if len(out) >= SAMPLE_VALUES:
            break
    return out


def errors_frame(preview: Preview, lang: str = "en") -> pd.DataFrame:
    """The refused rows as the file had them, with the source row first and the reasons last."""
    row_col = t("import.errors_row_header", lang)
    reason_col = t("import.errors_reason_header", lang)
    if preview.file_error is not None:
        return pd.DataFrame({row_col: [""], reason_col: [preview.file_error.message(lang)]})
    reasons: dict[int, list[str]] = {}
    for e in preview.errors:
        prefix = t("import.at_column", lang, column=e.column) if e.column else ""
        reasons.setdefault(e.row, []).append(prefix + e.reason(lang))
    rows = sorted(reasons)
    cells = preview._cells.reindex(rows)
    out = pd.DataFrame(index=rows)
    out[row_col] = rows
    for column in cells.columns:
        out[column] = [v if isinstance(v, str) else (native_text(v) or "") for v in cells[column]]
    out[reason_col] = ["; ".join(reasons[r]) for r in rows]
    return out.reset_index(drop=True)


def errors_csv(preview: Preview, lang: str = "en", extra: list[RowError] | None = None) -> bytes:
    """The refused rows with a reason column, as a CSV for Excel (UTF-8 with BOM), formula-like
    cells made inert. Fix the rows in it and import it again: the row and reason columns are
    ignored by the importer. `extra`: rows refused later, while importing."""
    if extra:
        preview = _with_errors(preview, extra)
    return frame_to_csv(errors_frame(preview, lang))


def _with_errors(preview: Preview, extra: list[RowError]) -> Preview:
    from dataclasses import replace

    return replace(preview, errors=sorted([*preview.errors, *extra], key=lambda e: (e.row, e.column)))


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """A DataFrame as CSV bytes for spreadsheets: UTF-8 with BOM, text cells that a spreadsheet
    would run as formulas prefixed with '."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) in ("string", "str"):
            safe[column] = safe[column].map(lambda v: csv_safe(v) if isinstance(v, str) else v)
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")
