"""Targets (目标分解): the year's grid of monthly targets per rep, team and region, and its save.

The grid (`year_grid`) has one line per rep in the filters' scope, grouped by region and team;
after each team's reps, the sum of its reps, the team's own target (targets.scope_kind 'team')
and the unallocated difference (own target minus the reps' sum); the same for each region after
its teams; the company's sum last. Columns: the twelve months, the quarters and the year.

Saving (`save_grid`) writes only the changed cells, as rows of the long targets layout, through
the importer (`importer.prepare` + `importer.apply`, kind 'targets'): one audited upload batch,
checked against the user's scope, that undo puts back. The wide Excel layout is read by
`salesmgmt.importer.wide_targets` and written by `wide_workbook`, so the file goes round trip.

Scope: a manager sees and saves the reps, teams and regions of their scope (the importer
refuses anything else); a rep sees their own line and saves nothing.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt import clock, importer
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import t
from salesmgmt.importer import template_headers
from salesmgmt.importer.fields import KIND_FIELDS
from salesmgmt.importer.reading import read_table
from salesmgmt.importer.wide_targets import LONG_FIELDS, CellsRefused, WideSheet, read_wide
from salesmgmt.measures import Measure
from salesmgmt.query import run
from salesmgmt.text import name_key

MONTHS = [f"m{m:02d}" for m in range(1, 13)]
QUARTERS = [f"q{q}" for q in range(1, 5)]
YEAR = "year_total"
AMOUNTS = [*MONTHS, *QUARTERS, YEAR]
#: The grid's lines a user edits; the others are computed.
EDITABLE = ("rep", "team_target", "region_target")

MEASURES = [
    Measure(
        "unallocated_target",
        "Unallocated",
        "未分配",
        "money",
        "A team's (region's) own target for the month minus the sum of its reps' (teams' reps') "
        "targets; empty when the unit has no own target. Negative when the reps hold more than the unit.",
    ),
]

_REPS_SQL = """
SELECT r.rep_id, r.name, r.code, r.team, r.region
FROM reps r
WHERE {where}
  AND (r.active OR EXISTS (SELECT 1 FROM targets t WHERE t.scope_kind = 'rep'
                           AND t.scope_key = CAST(r.rep_id AS VARCHAR) AND year(t.month) = $year))
ORDER BY r.region NULLS LAST, r.team NULLS LAST, r.name, r.rep_id
"""

_TARGETS_SQL = """
SELECT t.scope_kind, t.scope_key, month(t.month) AS month, CAST(t.amount AS DOUBLE) AS amount
FROM targets t
WHERE year(t.month) = $year
  AND ((t.scope_kind = 'rep' AND t.scope_key IN (SELECT CAST(r.rep_id AS VARCHAR) FROM reps r WHERE {where}))
       OR (t.scope_kind = 'team' AND t.scope_key IN (SELECT r.team FROM reps r WHERE {where_team}))
       OR (t.scope_kind = 'region' AND t.scope_key IN (SELECT r.region FROM reps r WHERE {where_region})))
"""

_ROSTER_SQL = "SELECT r.code, r.name_key, r.team, r.region FROM reps r WHERE {where}"


def read_only(scope: Filters) -> bool:
    """A rep's scope (their own figures): they see their line and edit nothing."""
    return scope.scope_rep_ids is not None and not scope.scope_teams and not scope.scope_regions


def _unit_visible(scope: Filters, kind: str, name: str | None, region: str | None) -> bool:
    """Whether a team's or region's own lines belong in this user's grid."""
    if name is None or read_only(scope):
        return False
    if not scope._scope():
        return True
    regions, teams = scope.scope_regions or (), scope.scope_teams or ()
    if kind == "team":
        return name in teams or region in regions
    return name in regions


def _amounts(values: dict[int, float]) -> dict[str, float]:
    row = {m: values.get(i, np.nan) for i, m in enumerate(MONTHS, start=1)}
    for q, quarter in enumerate(QUARTERS):
        part = [values[m] for m in range(3 * q + 1, 3 * q + 4) if m in values]
        row[quarter] = sum(part) if part else np.nan
    row[YEAR] = sum(values.values()) if values else np.nan
    return row


def _sum(lines: list[dict[int, float]]) -> dict[int, float]:
    out: dict[int, float] = {}
    for line in lines:
        for month, amount in line.items():
            out[month] = out.get(month, 0.0) + amount
    return out


def year_grid(con: duckdb.DuckDBPyConnection, year: int, filters: Filters) -> pd.DataFrame:
    """The year's grid: columns key, line, label, region, team, rep, rep_code, rep_id, then
    m01..m12, q1..q4, year_total (CNY; empty where no target is set). `label` is the rep's name
    or the unit's name; `line` one of rep, team_sum, team_target, team_gap, region_sum,
    region_target, region_gap, company_sum."""
    params = {"year": year}
    reps = run(con, _REPS_SQL, filters, params)
    scopes = {"where": "r", "where_team": "r", "where_region": "r"}
    found = run(con, _TARGETS_SQL, filters, params, scopes)
    by_unit: dict[tuple[str, str], dict[int, float]] = {}
    for kind, key, month, amount in found.itertuples(index=False):
        by_unit.setdefault((kind, key), {})[int(month)] = float(amount)
    lines: list[dict[str, Any]] = []

    def add(line: str, label: str, values: dict[int, float], **who: Any) -> None:
        base = {"region": None, "team": None, "rep": None, "rep_code": None, "rep_id": None}
        lines.append(
            {"key": f"{line}:{who.get('rep_id') or label}", "line": line, "label": label}
            | base
            | who
            | _amounts(values)
        )

    region_sums: list[dict[int, float]] = []
    for region, in_region in reps.groupby("region", dropna=False, sort=False):
        region_name = None if pd.isna(region) else str(region)
        team_sums: list[dict[int, float]] = []
        for team, in_team in in_region.groupby("team", dropna=False, sort=False):
            team_name = None if pd.isna(team) else str(team)
            rep_lines = []
            for rep in in_team.to_dict("records"):
                values = by_unit.get(("rep", str(rep["rep_id"])), {})
                rep_lines.append(values)
                code = None if rep["code"] is None or pd.isna(rep["code"]) else str(rep["code"])
                add(
                    "rep",
                    str(rep["name"]),
                    values,
                    region=region_name,
                    team=team_name,
                    rep=str(rep["name"]),
                    rep_code=code,
                    rep_id=int(rep["rep_id"]),
                )
            team_sum = _sum(rep_lines)
            team_sums.append(team_sum)
            if _unit_visible(filters, "team", team_name, region_name):
                assert team_name is not None
                _unit_lines(
                    add,
                    "team",
                    team_name,
                    team_sum,
                    by_unit.get(("team", team_name)),
                    region=region_name,
                    team=team_name,
                )
        region_sum = _sum(team_sums)
        region_sums.append(region_sum)
        if _unit_visible(filters, "region", region_name, region_name):
            assert region_name is not None
            _unit_lines(
                add,
                "region",
                region_name,
                region_sum,
                by_unit.get(("region", region_name)),
                region=region_name,
            )
    if not read_only(filters) and len(reps):
        add("company_sum", "", _sum(region_sums))
    columns = ["key", "line", "label", "region", "team", "rep", "rep_code", "rep_id", *AMOUNTS]
    return pd.DataFrame(lines, columns=columns)


def _unit_lines(
    add: Any, kind: str, name: str, reps_sum: dict[int, float], own: dict[int, float] | None, **who: Any
) -> None:
    add(f"{kind}_sum", name, reps_sum, **who)
    add(f"{kind}_target", name, own or {}, **who)
    gap = {m: amount - reps_sum.get(m, 0.0) for m, amount in (own or {}).items()}
    add(f"{kind}_gap", name, gap, **who)


def line_label(row: Any, lang: str) -> str:
    """A grid line's name as the page shows it: the rep, or '龙 Dragon · 团队目标'."""
    if row["line"] == "rep":
        return str(row["label"])
    name = row["label"] or t(
        "targets.no_team" if str(row["line"]).startswith("team") else "targets.no_region", lang
    )
    return t(f"targets.line.{row['line']}", lang, name=name)


# ------------------------------------------------------------------------------------------
# Changes and the save


@dataclass(frozen=True)
class CellError:
    """A bad cell of the grid: its line (1-based, as shown), the line's name, the column."""

    row: int
    label: str
    column: str
    key: str
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def message(self, lang: str = "en") -> str:
        where = t("targets.at_cell", lang, row=self.row, label=self.label, column=self.column)
        return where + t(self.key, lang, **self.values)


class TargetsRefused(CellsRefused):
    """A save or an import refused: every bad cell named; nothing was written."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__("targets.refused", errors)


@dataclass
class GridChanges:
    """The cells a save would write: one row per cell (row, label, line, month, before, after,
    and the long layout's rep_code, rep, team, region), amounts in CNY; or the errors."""

    cells: pd.DataFrame
    errors: list[CellError]

    @property
    def lines(self) -> int:
        return int(self.cells["row"].nunique()) if len(self.cells) else 0

    @property
    def before_total(self) -> float:
        return float(self.cells["before"].fillna(0).sum()) if len(self.cells) else 0.0

    @property
    def after_total(self) -> float:
        return float(self.cells["after"].sum()) if len(self.cells) else 0.0


def _cell_amount(value: Any, multiplier: float) -> float | None | str:
    """A cell as CNY, None when empty, or the message key of what is wrong with it."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return "targets.not_a_number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "targets.not_a_number"
    if math.isnan(number) or math.isinf(number):
        return "targets.not_a_number"
    if number < 0:
        return "targets.negative"
    return round(number * multiplier, 2)


def grid_changes(
    con: duckdb.DuckDBPyConnection,
    year: int,
    edited: pd.DataFrame,
    multiplier: float,
    filters: Filters,
    lang: str = "en",
) -> GridChanges:
    """The cells of `edited` (the grid as the page shows it: `key` and m01..m12 in the unit
    `multiplier` CNY, 10,000 for 万元) that differ from the stored targets, checked: a cell that
    is not a number or is negative, a change to a computed line, a line not in the roster are
    errors naming the line and column. An emptied cell that held a target sets it to 0."""
    current = year_grid(con, year, filters).drop_duplicates("key").set_index("key")
    keys = edited["key"].tolist() if "key" in edited.columns else [None] * len(edited)
    known = current.reindex([k if k in current.index else None for k in keys])
    stored_records = known.reset_index().to_dict("records")
    given = {m: edited[m].tolist() if m in edited.columns else [None] * len(edited) for m in MONTHS}
    labels = edited["label"].tolist() if "label" in edited.columns else keys
    columns_shown = {m: t(f"targets.col.{m}", lang) for m in MONTHS}
    cells: list[dict[str, Any]] = []
    errors: list[CellError] = []
    for i, stored in enumerate(stored_records):
        position = i + 1
        if keys[i] not in current.index:
            label = str(labels[i] or keys[i])
            errors.append(
                CellError(
                    position, label, t("targets.col.rep", lang), "targets.not_in_view", {"value": label}
                )
            )
            continue
        label = line_label(stored, lang)
        editable = stored["line"] in EDITABLE
        for number, month in enumerate(MONTHS, start=1):
            raw = given[month][i]
            before = None if pd.isna(stored[month]) else float(stored[month])
            if not editable:  # computed (a difference may be negative): only an edit is wrong
                if not _same(_computed_cell(raw, multiplier), None if before is None else round(before, 2)):
                    errors.append(CellError(position, label, columns_shown[month], "targets.computed_row"))
                continue
            amount = _cell_amount(raw, multiplier)
            if isinstance(amount, str):
                errors.append(CellError(position, label, columns_shown[month], amount, {"value": raw}))
                continue
            after = amount if amount is not None else (0.0 if before else None)
            if after is None or _same(after, before):
                continue
            line = stored["line"]
            cells.append(
                {
                    "row": position,
                    "label": label,
                    "line": line,
                    "month": number,
                    "before": before,
                    "after": after,
                    "rep_code": stored["rep_code"] if line == "rep" else None,
                    "rep": stored["rep"] if line == "rep" else None,
                    "team": stored["team"] if line == "team_target" else None,
                    "region": stored["region"] if line == "region_target" else None,
                }
            )
    columns = ["row", "label", "line", "month", "before", "after", "rep_code", "rep", "team", "region"]
    return GridChanges(pd.DataFrame(cells, columns=columns), errors)


def _computed_cell(value: Any, multiplier: float) -> float | None:
    """A computed line's cell as the page returns it, in CNY (NaN for anything not a number)."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return None if math.isnan(number) else round(number * multiplier, 2)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 0.005


def _long_csv(rows: pd.DataFrame, year: int) -> bytes:
    out = pd.DataFrame({f: rows[f] for f in ("rep_code", "rep", "team", "region")})
    out["period"] = [f"{year}-{int(m):02d}" for m in rows["month"]]
    out["amount"] = [f"{a:.2f}" for a in rows["after"]]
    return out[list(LONG_FIELDS)].to_csv(index=False).encode("utf-8")


def save_grid(
    con: duckdb.DuckDBPyConnection,
    year: int,
    edited: pd.DataFrame,
    multiplier: float,
    scope: Filters,
    user: str | None = None,
    lang: str = "en",
) -> importer.ImportResult:
    """Save the grid's changed cells as one upload batch (undo puts it back). Refused
    (TargetsRefused, nothing written) when a cell is bad or outside the user's scope; a rep
    may not save (SalesmgmtError targets.read_only)."""
    if read_only(scope):
        raise SalesmgmtError("targets.read_only")
    changes = grid_changes(con, year, edited, multiplier, scope, lang)
    if changes.errors:
        raise TargetsRefused(changes.errors)
    if changes.cells.empty:
        return importer.ImportResult(upload_id=None, kind="targets")
    cells = changes.cells
    origin = [
        (int(r), str(lb), t(f"targets.col.m{int(m):02d}", lang))
        for r, lb, m in zip(cells["row"], cells["label"], cells["month"])
    ]
    preview = importer.prepare(
        _long_csv(cells, year), f"targets-{year}.csv", kind="targets", as_of=clock.today(), lang=lang
    )
    names = {f: t(f"targets.col.{f}", lang) for f in _NAME_FIELDS}
    return _apply(con, preview, origin, names, user, scope)


def _apply(
    con: duckdb.DuckDBPyConnection,
    preview: importer.Preview,
    origin: list[tuple[int, str, str]],
    names: dict[str, str],
    user: str | None,
    scope: Filters,
) -> importer.ImportResult:
    """Apply a prepared long file; its row errors named by the grid's (sheet's) row and column:
    `origin[i]` is the (row, label, month column) of the long file's i-th row, `names` the
    column showing each name field."""
    if preview.file_error is not None:
        raise preview.file_error
    try:
        if preview.errors:
            raise importer.ImportRefused(preview.file_name, preview.errors)
        return importer.apply(con, preview, user=user, scope=scope)
    except importer.ImportRefused as refused:
        seen: dict[tuple[int, str], CellError] = {}
        for error in refused.errors:
            row, label, column = (
                origin[error.row - 2] if 2 <= error.row < len(origin) + 2 else (error.row, "", "")
            )
            field_of = {template_headers("targets", "en")[i]: f for i, f in enumerate(_TEMPLATE_FIELDS)}
            if error.column in field_of and field_of[error.column] in names:
                column = names[field_of[error.column]]
            seen.setdefault((row, error.key), CellError(row, label, column, error.key, error.values))
        raise TargetsRefused(list(seen.values())) from refused


_NAME_FIELDS = ("rep_code", "rep", "team", "region")
_TEMPLATE_FIELDS = KIND_FIELDS["targets"]


# ------------------------------------------------------------------------------------------
# The wide sheet: import and download


def read_sheet(data: bytes, file_name: str, year: int | None = None) -> WideSheet:
    """A wide targets sheet read (WideRefused naming its bad cells; targets.not_wide when it
    has no month columns)."""
    sheet = read_wide(read_table(data, file_name), year)
    if sheet is None:
        raise SalesmgmtError("targets.not_wide")
    return sheet


def import_wide(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    scope: Filters,
    year: int | None = None,
    user: str | None = None,
    lang: str = "en",
) -> importer.ImportResult:
    """Import a wide targets sheet as one upload batch. Every name must be in the roster (a
    sheet never creates reps); bad cells, names and rows outside the user's scope are refused
    (TargetsRefused naming the sheet's row and column), and nothing is written."""
    if read_only(scope):
        raise SalesmgmtError("targets.read_only")
    sheet = read_sheet(data, file_name, year)
    _check_roster(con, sheet, lang)
    preview = importer.prepare(data, file_name, kind="targets", year=year, as_of=clock.today(), lang=lang)
    names = {str(c.field): c.header for c in sheet.columns if c.role == "name"}
    origin = []
    for (row, column), who in zip(sheet.origin, sheet.long.itertuples(index=False)):
        origin.append((row, str(who.rep or who.rep_code or who.team or who.region), column))
    return _apply(con, preview, origin, names, user, scope)


def _check_roster(con: duckdb.DuckDBPyConnection, sheet: WideSheet, lang: str) -> None:
    roster = run(con, _ROSTER_SQL, Filters())
    codes = set(roster["code"].dropna())
    keys = set(roster["name_key"])
    teams, regions = set(roster["team"].dropna()), set(roster["region"].dropna())
    header = {c.field: c.header for c in sheet.columns if c.role == "name"}
    errors: dict[tuple[int, str], CellError] = {}
    for (row, _column), who in zip(sheet.origin, sheet.long.itertuples(index=False)):
        label = str(who.rep or who.rep_code or who.team or who.region)
        bad: tuple[str, Any] | None = None
        if who.rep_code is not None or who.rep is not None:
            known_code = who.rep_code is not None and who.rep_code in codes
            if not known_code and (who.rep is None or name_key(str(who.rep)) not in keys):
                bad = ("rep_code", who.rep_code) if who.rep is None else ("rep", who.rep)
        elif who.team is not None and who.team not in teams:
            bad = ("team", who.team)
        elif who.team is None and who.region not in regions:
            bad = ("region", who.region)
        if bad is not None:
            column = header.get(bad[0], bad[0])
            errors.setdefault(
                (row, column), CellError(row, label, column, "targets.not_in_roster", {"value": bad[1]})
            )
    if errors:
        raise TargetsRefused(list(errors.values()))


def wide_rows(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid's editable lines in the wide layout's order (reps, then each unit's own target
    where set): rep_code, rep, team, region and m01..m12 in CNY."""
    keep = grid[
        (grid["line"] == "rep") | (grid["line"].isin(["team_target", "region_target"]) & grid[YEAR].notna())
    ]
    out = keep[["line", "rep_code", "rep", "team", "region", *MONTHS]].copy()
    out.loc[out["line"] == "region_target", "team"] = None
    for column in _NAME_FIELDS:  # empty names as None, never NaN (which would be written 'nan')
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.drop(columns="line").reset_index(drop=True)


def wide_workbook(grid: pd.DataFrame, year: int, lang: str = "en") -> bytes:
    """The grid as the wide Excel layout (a title row with the year and the unit, then rep
    code, rep, team, region, a column per month and the total; amounts in 万 in Chinese, CNY in
    English; names written as text). `importer.prepare` reads it back to the same targets."""
    from openpyxl import Workbook

    divisor = 10_000 if lang == "zh" else 1
    rows = wide_rows(grid)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(year)
    sheet.append([t("targets.sheet_title", lang, year=year)])
    names = [t(f"targets.col.{c}", lang) for c in ("rep_code", "rep", "team", "region")]
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    sheet.append([*names, *months, t("targets.sheet_total", lang)])
    for record in rows.itertuples(index=False):
        values = [getattr(record, m) for m in MONTHS]
        amounts = [None if pd.isna(v) else float(v) / divisor for v in values]
        filled = [a for a in amounts if a is not None]
        texts = [record.rep_code, record.rep, record.team, record.region]
        sheet.append([*texts, *amounts, sum(filled) if filled else None])
        for cell in sheet[sheet.max_row][:4]:
            if cell.value is not None:
                cell.value = str(cell.value)
                cell.data_type = "s"  # a name starting with '=' stays text, never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
