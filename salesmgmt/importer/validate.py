"""Row validation: every cell parsed, every rule checked, before anything is written.

Input: the source cells (one column per source column, indexed by spreadsheet row) and the
mapping of source columns to fields. Output: the normalised rows (one column per field), the row
errors, and which rows are exact repeats of an earlier row (dropped without complaint).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t
from salesmgmt.importer import dates as D
from salesmgmt.importer import values as V
from salesmgmt.importer.fields import FIELD_TYPES, KIND_FIELDS, MAX_LENGTH, NAME_FIELDS, REQUIRED
from salesmgmt.importer.headers import header_multiplier, header_unit
from salesmgmt.stages import status_of
from salesmgmt.text import BIDI_PATTERN, name_key


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one cell (or row): `row` as a spreadsheet shows it (header = row 1 when
    the header is the first line), `column` the source column's name, `key` the message. Slots:
    a file full of errors holds millions of these (64 bytes each, not 150)."""

    row: int
    column: str
    key: str
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def reason(self, lang: str = "en") -> str:
        """The reason alone (for the errors file's reason column)."""
        return t(self.key, lang, **self.values)

    def message(self, lang: str = "en") -> str:
        where = (
            t("import.at_row_column", lang, row=self.row, column=self.column)
            if self.column
            else t("import.at_row", lang, row=self.row)
        )
        return where + self.reason(lang)


@dataclass(frozen=True)
class Note:
    """A remark about the file that does not stop the import (how ambiguous dates were read,
    which values took a default, which columns are not stored)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    column: str | None = None

    def message(self, lang: str = "en") -> str:
        prefix = t("import.at_column", lang, column=self.column) if self.column else ""
        return prefix + t(self.key, lang, **self.values)


@dataclass
class Validated:
    rows: pd.DataFrame
    errors: list[RowError]
    notes: list[Note]
    #: Spreadsheet rows that repeat an earlier row exactly (same key, same values).
    repeats: list[int]


#: Row errors kept per file (issue 18, finding 8: 300 MB of invalid rows built gigabytes of
#: errors): those of the first rows. The rest are counted, and such a file is refused whole, even
#: when importing the valid rows: it is the wrong file or the wrong mapping, not a few bad rows.
MAX_ROW_ERRORS = 100_000


class TooManyErrors(SalesmgmtError):
    """A file with more than MAX_ROW_ERRORS row errors: `errors` are those of its first rows."""

    SHOWN = 5

    def __init__(self, errors: list[RowError], count: int, rows: int) -> None:
        last = errors[-1].row if errors else 0
        super().__init__("import.too_many_errors", count=count, rows=rows, limit=MAX_ROW_ERRORS, last=last)
        self.errors = errors
        self.count = count

    def message(self, lang: str = "en") -> str:
        lines = [e.message(lang) for e in self.errors[: self.SHOWN]]
        more = t("import.more_errors", lang, count=f"{self.count - len(lines):,}")
        return "\n".join([super().message(lang), *("  " + line for line in [*lines, more])])


class _Collector:
    """The row errors of a file: at most MAX_ROW_ERRORS kept, those of its first rows; all of
    them counted, and which rows (and which rows per column) have one, as masks."""

    def __init__(self, rows: pd.Index) -> None:
        self.errors: list[RowError] = []
        self.rows = rows
        self.numbers = rows.to_numpy(dtype=np.int64)
        self.count = 0
        self.bad = np.zeros(len(rows), dtype=bool)
        self.by_column: dict[str, npt.NDArray[np.bool_]] = {}
        #: Errors in this spreadsheet row and below are counted, not kept (None: all kept).
        self.cut: int | None = None

    def add_column(self, errs: pd.Series, column: str) -> None:
        """`errs`: per row, None or (key, values)."""
        bad = errs.notna().to_numpy()
        if not bad.any():
            return
        positions = self._take(self.rows.get_indexer(errs.index[bad]), column)
        values = errs.to_numpy(dtype=object)[bad]
        if len(positions) < len(values):
            values = values[np.isin(self.rows.get_indexer(errs.index[bad]), positions)]
        for row, (key, vals) in zip(self.numbers[positions].tolist(), values):
            self.errors.append(RowError(row, column, key, vals))

    def add(self, row: int, column: str, key: str, **vals: Any) -> None:
        """One error; its row is marked by `mark` (a set of rows at once)."""
        self.count += 1
        if self.cut is not None and row >= self.cut:
            return
        self.errors.append(RowError(row, column, key, vals))
        if len(self.errors) > MAX_ROW_ERRORS:
            self._trim(np.empty(0, dtype=np.int64))

    def add_rows(self, rows: pd.Index, column: str, key: str, **vals: Any) -> None:
        for row in self.numbers[self._take(self.rows.get_indexer(rows), column)].tolist():
            self.errors.append(RowError(row, column, key, dict(vals)))

    def mark(self, rows: pd.Index) -> None:
        self.bad[self.rows.get_indexer(rows)] = True

    def flagged(self, columns: list[str]) -> npt.NDArray[np.bool_]:
        """Per row: whether it has an error in one of `columns`."""
        out = np.zeros(len(self.rows), dtype=bool)
        for column in columns:
            if column in self.by_column:
                out |= self.by_column[column]
        return out

    def _take(self, positions: npt.NDArray[np.intp], column: str) -> npt.NDArray[np.intp]:
        """Counts and marks the errors at `positions` (row positions) and returns those to keep."""
        self.count += len(positions)
        self.bad[positions] = True
        if column not in self.by_column:
            self.by_column[column] = np.zeros(len(self.rows), dtype=bool)
        self.by_column[column][positions] = True
        if self.cut is not None:
            positions = positions[self.numbers[positions] < self.cut]
        if len(self.errors) + len(positions) > MAX_ROW_ERRORS:
            self._trim(self.numbers[positions])
            positions = positions[self.numbers[positions] < (self.cut or 0)]
        return positions

    def _trim(self, coming: npt.NDArray[np.int64]) -> None:
        """Sets the cut so that the kept errors and those `coming` (rows) are MAX_ROW_ERRORS at
        most, whole rows at a time, and drops the kept ones past it."""
        kept = np.fromiter((e.row for e in self.errors), dtype=np.int64, count=len(self.errors))
        together = np.sort(np.concatenate([kept, coming]))
        self.cut = int(together[MAX_ROW_ERRORS])
        self.errors = [e for e in self.errors if e.row < self.cut]

    def result(self) -> list[RowError]:
        """The errors in row order; raises TooManyErrors when some were only counted."""
        self.errors.sort(key=lambda e: (e.row, e.column))
        if self.cut is not None:
            raise TooManyErrors(self.errors, self.count, int(self.bad.sum()))
        return self.errors


def validate(
    cells: pd.DataFrame,
    mapping: dict[str, str],
    kind: str,
    lengths: dict[int, int] | None = None,
    width: int | None = None,
) -> Validated:
    """Parse and check every row. `mapping` holds only the columns the kind stores."""
    col_of = {f: c for c, f in mapping.items()}
    out = pd.DataFrame(index=cells.index)
    out.index.name = "row"
    errs = _Collector(out.index)
    notes: list[Note] = []

    # Ragged records: more values than the header has columns.
    if lengths and width is not None:
        ragged = pd.Series(
            {
                row: ("import.ragged_row", {"count": n, "width": width})
                for row, n in lengths.items()
                if n > width
            },
            dtype=object,
        )
        errs.add_column(ragged.reindex(out.index), "")

    # Dates: a/b/yyyy is decided per column; a column with no evidence follows the file's.
    date_fields = [f for f in KIND_FIELDS[kind] if FIELD_TYPES[f] == "date" and f in col_of]
    votes = {f: D.date_order_votes(cells[col_of[f]]) for f in date_fields}
    file_mf = sum(v[0] for v in votes.values())
    file_df = sum(v[1] for v in votes.values())

    for fname in KIND_FIELDS[kind]:
        if fname not in col_of:
            continue
        column = col_of[fname]
        raw = cells[column]
        ftype = FIELD_TYPES[fname]
        if ftype in ("text", "code"):
            text = V.to_text(raw, fold=ftype == "code")
            # Every spreadsheet error value starts with "#": look at those cells alone.
            spread = text.str.startswith("#").fillna(False).astype(bool)
            if spread.any():
                spread[spread] = text[spread].str.casefold().isin(V.SPREADSHEET_ERRORS)
            if spread.any():
                errs.add_rows(text.index[spread], column, "import.spreadsheet_error")
                text = text.mask(spread)
            out[fname] = _checked_text(text, fname, column, errs)
            continue
        raw = _typed_input(raw)
        if ftype == "date":
            mf, dfv = votes[fname]
            if mf or dfv:
                day_first = dfv > mf
            else:
                day_first = file_df > file_mf
                if D.has_ambiguous_dates(raw):
                    notes.append(
                        Note("import.note_day_first" if day_first else "import.note_month_first", {}, column)
                    )
            parsed = D.parse_dates(raw, day_first)
            if mf and dfv:
                notes.append(
                    Note(
                        "import.note_mixed_dates_dmy" if day_first else "import.note_mixed_dates_mdy",
                        {},
                        column,
                    )
                )
        elif ftype == "money":
            parsed = V.parse_money(raw, header_multiplier(column))
        elif ftype == "probability":
            unit = header_unit(column)
            parsed = V.parse_probability(_as_percents(raw) if unit and unit.percent else raw)
        elif ftype == "flag":
            parsed = V.parse_flags(raw)
        elif ftype == "level":
            parsed = V.parse_levels(raw)
        elif ftype == "period":
            parsed = D.parse_periods(raw)
        elif ftype == "stage":
            parsed = V.parse_stages(raw)
        elif ftype == "status":
            parsed = V.parse_statuses(raw)
        elif ftype == "client_type":
            parsed = V.parse_vocabulary(raw, V.client_type_of, "other")
        elif ftype == "visit_type":
            parsed = V.parse_vocabulary(raw, V.visit_type_of, "other")
        elif ftype == "role":
            parsed = V.parse_vocabulary(raw, V.role_of, None)
        else:  # pragma: no cover - every type is handled above
            raise AssertionError(ftype)
        errs.add_column(parsed.errors, column)
        for key, vals in parsed.notes:
            notes.append(Note(key, vals, column))
        out[fname] = parsed.values

    _derive(out, kind, col_of)
    if kind == "opportunities" and "opportunity_id" not in col_of:
        out.insert(0, "opportunity_id", derived_keys(out))
    _check_required(out, kind, col_of, errs)
    repeats = _check_duplicates(out, kind, col_of, errs)
    return Validated(out, errs.result(), notes, repeats)


#: Bidirectional controls (salesmgmt.text, the one list).
BIDI_CONTROLS = BIDI_PATTERN


def _checked_text(text: pd.Series, fname: str, column: str, errs: _Collector) -> pd.Series:
    """A text column without its cells that are too long, or that hold a bidirectional control
    in a name or code (issue 18, finding 16): each is a row error, the cell left empty."""
    limit = MAX_LENGTH[fname]
    lengths = text.str.len()
    bad = (lengths > limit).fillna(False).to_numpy(dtype=bool, copy=True)
    found = np.empty(len(text), dtype=object)
    for i, length in zip(np.flatnonzero(bad), lengths[bad]):
        found[i] = ("import.too_long", {"length": int(length), "limit": limit})
    if fname in NAME_FIELDS:
        bidi = text.str.contains(BIDI_CONTROLS.pattern, regex=True).fillna(False).to_numpy(dtype=bool) & ~bad
        for i, value in zip(np.flatnonzero(bidi), text[bidi]):
            char = BIDI_CONTROLS.search(value)
            found[i] = ("import.bidi_control", {"char": f"U+{ord(char[0]) if char else 0:04X}"})
        bad = bad | bidi
    if not bad.any():
        return text
    errs.add_column(pd.Series(found, index=text.index), column)
    return text.mask(bad)


def _typed_input(raw: pd.Series) -> pd.Series:
    """A typed column's cells: text stripped (NA when empty), Excel values as they are."""
    if raw.dtype == object:

        def clean(v: Any) -> Any:
            if isinstance(v, str):
                v = v.strip()
                return v if v else None
            return v

        cleaned = raw.map(clean)
        return cleaned.where(cleaned.notna(), None)
    text = raw.astype("string").str.strip()
    return text.mask(text == "")


def _number(cell: Any) -> float | None:
    """A cell's number when it is a plain number ("60", 0.6), else None ("60%", "n/a")."""
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        return float(cell)
    try:
        return float(str(cell))
    except ValueError:
        return None


def _as_percents(raw: pd.Series) -> pd.Series:
    """A probability column headed with "%" ("Probability, %"): its plain numbers are percents,
    so 1 is 1%, not 100%. A column whose numbers are all fractions between 0 and 1 (0.25, 0.6)
    was written as fractions despite its header and is read as it is."""
    numbers = [n for n in (_number(v) for v in raw.dropna().unique()) if n is not None]
    if numbers and all(0 <= n <= 1 for n in numbers) and any(not n.is_integer() for n in numbers):
        return raw

    def percent(cell: Any) -> Any:
        if cell is None or _number(cell) is None:
            return cell
        return f"{cell.strip()}%" if isinstance(cell, str) else f"{float(cell):g}%"

    return raw.map(percent).astype(object)


#: An opportunities file without an id column: what identifies a deal, in order, each part the
#: first field of its group that the file has. Who (the client, else the rep), what (the deal's
#: name, else its product) and when (the day it was created). See `derived_keys`.
DERIVED_KEY: tuple[tuple[str, ...], ...] = (
    ("client_code", "client", "rep_code", "rep"),
    ("opportunity_name", "product"),
    ("created_date",),
)
#: The prefix of a derived opportunity id (an id an export gave never starts with it by chance).
DERIVED_PREFIX = "auto-"


def derived_key_fields(fields: set[str] | dict[str, str]) -> list[str]:
    """The fields a derived key is built from in a file with these fields ([] when the file
    names neither a client or rep nor a deal name or product: no key can be built)."""
    parts = [next((f for f in group if f in fields), None) for group in DERIVED_KEY]
    if parts[0] is None or parts[1] is None:
        return []
    return [f for f in parts if f is not None]


def derived_keys(out: pd.DataFrame) -> pd.Series:
    """The opportunity id of each row of a file without one: a hash of the folded client (its
    code when given; else the rep), deal name (else product) and created date, so the same deal
    gets the same id in next week's export whatever its stage, amount or dates then. Rows that
    share those parts are told apart by their order in the file (the second gets '-2'), even
    when identical: without ids, every row of an export is a deal (the public Maven CRM export
    has hundreds of open deals that differ only by their missing id)."""
    who = pd.Series(None, index=out.index, dtype=object)
    for tag, code, name in (("c", "client_code", "client"), ("r", "rep_code", "rep")):
        if code in out or name in out:
            tagged = tag + ":" + _who(out, name, code).astype(object)
            who = who.where(who.notna(), tagged)
    what = pd.Series(None, index=out.index, dtype=object)
    for name in ("opportunity_name", "product"):
        if name in out:
            what = what.where(what.notna(), V.map_distinct(out[name], name_key))
    when = pd.Series(None, index=out.index, dtype=object)
    if "created_date" in out:
        days = pd.to_datetime(out["created_date"]).to_numpy(dtype="datetime64[D]")
        when = pd.Series(days.astype(str), index=out.index, dtype=object).where(~np.isnat(days))
    parts = [p.astype(object).where(p.notna(), "") for p in (who, what, when)]
    base = (parts[0] + "\x1f" + parts[1] + "\x1f" + parts[2]).astype(object)
    ids = V.map_distinct(
        base, lambda b: DERIVED_PREFIX + hashlib.blake2b(b.encode("utf-8"), digest_size=6).hexdigest()
    ).astype(object)
    nth = base.groupby(base, sort=False).cumcount()
    later = nth > 0
    if later.any():
        ids[later] = ids[later] + "-" + (nth[later] + 1).astype(str)
    return ids


def _derive(out: pd.DataFrame, kind: str, col_of: dict[str, str]) -> None:
    """Values that follow from others: an opportunity's status, a visit's default type."""
    if kind == "opportunities" and ("status" in col_of or "stage" in col_of):
        stage = out["stage"] if "stage" in out else pd.Series(None, index=out.index, dtype=object)
        from_stage = stage.map(lambda s: status_of(s) if isinstance(s, str) else "open")
        explicit = out["status"] if "status" in out else pd.Series(None, index=out.index, dtype=object)
        out["status"] = explicit.where(explicit.notna(), from_stage).astype(object)
        # A closed deal with no stage of its own takes won/lost as its stage (stage column only).
        closed = out["status"].isin(["won", "lost"]) & stage.isna()
        if "stage" in out and closed.any():
            out["stage"] = stage.where(~closed, out["status"])
    if kind == "visits":
        if "type" not in out:
            out["type"] = "visit"
        else:
            out["type"] = out["type"].where(out["type"].notna(), "visit")


def _check_required(out: pd.DataFrame, kind: str, col_of: dict[str, str], errs: _Collector) -> None:
    for group in REQUIRED[kind]:
        present = [f for f in group if f in col_of]
        if not present:
            continue  # a missing column is a file error, reported before validation (or a derived key)
        empty = pd.Series(True, index=out.index)
        for f in present:
            empty &= out[f].isna()
        empty &= ~errs.flagged([col_of[f] for f in present])
        if empty.any():
            column = col_of[present[0]]
            if len(group) == 1:
                errs.add_rows(out.index[empty], column, "import.required")
            else:
                names = " / ".join(col_of[f] for f in present)
                errs.add_rows(out.index[empty], column, "import.required_one_of", columns=names)


def _who(out: pd.DataFrame, name: str, code: str) -> pd.Series:
    """The identity of a rep or client within the file: its code when given, else its name key
    (marked with a leading NUL so that it never equals a code)."""
    if code in out and out[code].notna().all():
        return out[code]  # every row has its code: no name keys needed
    by_name = pd.Series(None, index=out.index, dtype=object)
    if name in out:
        by_name = V.map_distinct(out[name], lambda v: "\x00" + name_key(v))
    if code not in out:
        return by_name
    return out[code].astype(object).where(out[code].notna(), by_name)


def row_keys(out: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The key of each row within the file (what makes two rows the same record), as columns."""
    if kind == "reps":
        return pd.DataFrame({"who": _who(out, "rep", "rep_code")})
    if kind == "clients":
        return pd.DataFrame({"who": _who(out, "client", "client_code")})
    if kind == "opportunities":
        return pd.DataFrame({"id": out["opportunity_id"]})
    if kind == "visits":
        # A row with a visit id is keyed by its id alone: the other parts are worked out only
        # for the rows without one (empty for the rows with one).
        has_id = out["visit_id"].notna() if "visit_id" in out else None
        part = out if has_id is None else out[~has_id]
        keys = pd.DataFrame(
            {
                "date": part["date"],
                "rep": _who(part, "rep", "rep_code").astype(object),
                "client": _who(part, "client", "client_code").astype(object),
                "type": part["type"].astype(object),
            },
            index=part.index,
        )
        if has_id is not None:
            keys = keys.reindex(out.index)
            keys.insert(0, "id", out["visit_id"])
        return keys
    if kind == "targets":
        rep = _who(out, "rep", "rep_code")
        team = out["team"] if "team" in out else pd.Series(None, index=out.index, dtype=object)
        region = out["region"] if "region" in out else pd.Series(None, index=out.index, dtype=object)
        scope = [
            f"rep|{r}"
            if isinstance(r, str)
            else f"team|{tm}"
            if isinstance(tm, str)
            else f"region|{rg}"
            if isinstance(rg, str)
            else None
            for r, tm, rg in zip(rep, team, region)
        ]
        return pd.DataFrame({"scope": pd.Series(scope, index=out.index, dtype=object)})
    if kind == "checkins":
        empty = pd.Series(None, index=out.index, dtype=object)
        who = _who(out, "rep", "rep_code").astype(object)
        return pd.DataFrame({"rep": who, "date": out.get("date", empty), "at": out["checked_at"]})
    raise AssertionError(kind)


def _same(a: Any, b: Any) -> bool:
    a_na, b_na = _isna(a), _isna(b)
    if a_na or b_na:
        return a_na and b_na
    return bool(a == b)


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _check_duplicates(out: pd.DataFrame, kind: str, col_of: dict[str, str], errs: _Collector) -> list[int]:
    """Rows with the same key: identical ones are repeats (kept once); different ones are an
    error on each, naming the other row and the first column where they differ."""
    ok = out[~errs.bad] if errs.bad.any() else out
    if ok.empty:
        return []
    keys = row_keys(ok, kind)
    if kind == "targets":
        return _check_target_overlaps(ok, keys["scope"], col_of, errs)
    has_key = keys.notna().any(axis=1)
    if not has_key.all():
        ok, keys = ok[has_key], keys[has_key]
    dup = _duplicated(keys)
    if not dup.any():
        return []
    ok, keys = ok[dup], keys[dup]
    # Exact repeats (same key, same values) first, in one vectorised pass.
    whole = pd.concat([keys.set_axis([f"_key_{c}" for c in keys.columns], axis=1), ok], axis=1)
    repeated = whole.duplicated(keep="first").to_numpy()
    repeats = [int(r) for r in ok.index[repeated]]
    ok, keys = ok[~repeated], keys[~repeated]
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return sorted(repeats)
    _clashes(ok[dup], keys[dup], list(out.columns), col_of, errs, repeats)
    return sorted(repeats)


def _clashes(
    rows: pd.DataFrame,
    keys: pd.DataFrame,
    compare: list[str],
    col_of: dict[str, str],
    errs: _Collector,
    repeats: list[int],
) -> None:
    """Rows sharing a key with different values: each later row of a key against the first one,
    compared set-wise (issue 18, finding 8: 290,000 clashing pairs took minutes row by row). An
    error on each of the two rows names the other and the first field where they differ."""
    errs.mark(rows.index)
    group = keys.groupby(list(keys.columns), dropna=False, sort=False).ngroup().to_numpy()
    position = np.arange(len(rows))
    first = pd.Series(position).groupby(group, sort=False).transform("first").to_numpy()
    later = first != position
    a = rows.iloc[first[later]].reset_index(drop=True)
    b = rows.iloc[position[later]].reset_index(drop=True)
    differs = np.column_stack([_differs(a[f], b[f]) for f in compare])
    which = differs.argmax(axis=1)
    found = differs[np.arange(len(which)), which]
    first_rows, later_rows = rows.index[first[later]], rows.index[position[later]]
    for i in np.flatnonzero(~found):  # pragma: no cover - exact repeats were removed before
        repeats.append(int(later_rows[i]))
    for k, f in enumerate(compare):
        picked = np.flatnonzero(found & (which == k))
        if not len(picked):
            continue
        column = col_of.get(f, f)
        values_a = a[f].to_numpy(dtype=object)[picked]
        values_b = b[f].to_numpy(dtype=object)[picked]
        for this, other, x, y in zip(
            later_rows[picked].tolist(), first_rows[picked].tolist(), values_a, values_b
        ):
            va, vb = _show(x), _show(y)
            errs.add(this, column, "import.duplicate_key", other=other, this_value=vb, other_value=va)
            errs.add(other, column, "import.duplicate_key", other=this, this_value=va, other_value=vb)


def _differs(a: pd.Series, b: pd.Series) -> npt.NDArray[np.bool_]:
    """Per position: whether two aligned columns hold different values (two empties are equal)."""
    a_na, b_na = a.isna().to_numpy(), b.isna().to_numpy()
    try:
        equal = (a == b).fillna(False).to_numpy(dtype=bool)
    except TypeError:  # values that do not compare as a column: one by one
        equal = np.array([_same(x, y) for x, y in zip(a, b)], dtype=bool)
    return ~((a_na & b_na) | (~a_na & ~b_na & equal))


def _duplicated(keys: pd.DataFrame) -> np.ndarray:
    """`keys.duplicated(keep=False)`: with an id column, rows with an id (the other parts empty)
    compared by id alone and the others by the other parts (the same result, in less work)."""
    if "id" not in keys or keys.shape[1] == 1:
        return keys.duplicated(keep=False).to_numpy()
    has_id = keys["id"].notna().to_numpy()
    dup = np.zeros(len(keys), dtype=bool)
    dup[has_id] = keys["id"][has_id].duplicated(keep=False).to_numpy()
    if not has_id.all():
        dup[~has_id] = keys.drop(columns="id")[~has_id].duplicated(keep=False).to_numpy()
    return dup


def _check_target_overlaps(
    ok: pd.DataFrame, scopes: pd.Series, col_of: dict[str, str], errs: _Collector
) -> list[int]:
    """Targets collide per month: a year target and a month target for the same rep overlap."""
    months = ok["period"].map(lambda p: D.period_months(p) if isinstance(p, str) else [])
    expanded = pd.DataFrame(
        {"scope": scopes, "months": months, "amount": ok["amount"], "period": ok["period"]}
    ).explode("months")
    expanded = expanded[expanded["months"].notna() & expanded["scope"].notna()]
    key = expanded["scope"] + "|" + expanded["months"].astype(str)
    dup = key.duplicated(keep=False)
    repeats: set[int] = set()
    reported: set[tuple[int, int]] = set()
    if not dup.any():
        return []
    for _key, group in key[dup].groupby(key[dup], sort=False).groups.items():
        rows = list(dict.fromkeys(group))
        first = rows[0]
        for other in rows[1:]:
            first_period: Any = ok.at[first, "period"]
            other_period: Any = ok.at[other, "period"]
            same = first_period == other_period and _same(ok.at[first, "amount"], ok.at[other, "amount"])
            if same:
                repeats.add(int(other))
                continue
            if (first, other) in reported:
                continue
            reported.add((first, other))
            column = col_of.get("period", "")
            a = f"{first_period}: {_show(ok.at[first, 'amount'])}"
            b = f"{other_period}: {_show(ok.at[other, 'amount'])}"
            errs.mark(pd.Index([first, other]))
            errs.add(
                int(other), column, "import.duplicate_key", other=int(first), this_value=b, other_value=a
            )
            errs.add(
                int(first), column, "import.duplicate_key", other=int(other), this_value=a, other_value=b
            )
    return sorted(repeats)


def _show(v: Any) -> str:
    if _isna(v):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 else str(v)
    return str(v)
