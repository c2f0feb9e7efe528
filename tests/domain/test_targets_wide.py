"""The wide targets layout (a column per month, as Chinese teams keep it in Excel) imports as the
long layout's rows; the grid downloads in it and goes round trip. Figures checked by hand on the
tiny company (reps 张伟 Zhang, 李娜 Li in Dragon/East; 王强 Wang in Tiger/West)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from openpyxl import Workbook, load_workbook

from salesmgmt import importer, targets
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.importer.wide_targets import WideRefused, month_of_header

ZH_MONTHS = [f"{m}月" for m in range(1, 13)]
EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()  # noqa: SIM905
ISO_MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def csv(*rows: list[object]) -> bytes:
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows).encode("utf-8")


def xlsx(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def long_rows(preview: importer.Preview) -> list[tuple[str, str, float]]:
    rows = preview.rows
    return [(str(r["rep"]), str(r["period"]), float(r["amount"])) for _, r in rows.iterrows()]


@pytest.mark.parametrize(
    ("header", "month", "year"),
    [("3月", 3, None), ("三月", 3, None), ("Mar", 3, None), ("March", 3, None), ("2026-03", 3, 2026),
     ("2026年3月", 3, 2026), ("2026/3", 3, 2026), ("3月(万元)", 3, None), ("13月", 13, None), ("2026-13", 13, 2026)],
)  # fmt: skip
def test_each_month_header_form_is_read(header, month, year):
    assert month_of_header(header) == (month, year)


def test_other_headers_are_not_months():
    assert [month_of_header(h) for h in ("销售人员", "合计", "Q1", "Marketing", "2026")] == [None] * 5


@pytest.mark.parametrize(
    ("title", "months", "year"),
    [(["2026年销售目标分解"], ZH_MONTHS, None), ([], EN_MONTHS, 2026), ([], ISO_MONTHS, None)],
    ids=["zh-months-year-in-title", "en-months-year-given", "iso-months"],
)
def test_a_wide_sheet_gives_exactly_the_long_layouts_rows(title, months, year):
    data = csv(
        *([title] if title else []),
        ["销售人员", *months],
        ["张伟 Zhang", 100, None, None, None, 200] + [None] * 7,
        ["李娜 Li"] + [None] * 11 + [50.5],
    )
    preview = importer.prepare(data, "targets.csv", year=year)
    assert preview.ok and preview.kind == "targets"
    assert long_rows(preview) == [
        ("张伟 Zhang", "2026-01", 100.0),
        ("张伟 Zhang", "2026-05", 200.0),
        ("李娜 Li", "2026-12", 50.5),
    ]


def test_amounts_count_in_wan_when_the_title_says_so():
    data = xlsx(["2026年销售目标分解（单位：万元）"], ["销售人员", *ZH_MONTHS], ["张伟 Zhang", 12.5, 3])
    assert long_rows(importer.prepare(data, "t.xlsx")) == [
        ("张伟 Zhang", "2026-01", 125_000.0),
        ("张伟 Zhang", "2026-02", 30_000.0),
    ]


def test_amounts_count_in_wan_when_a_month_header_says_so():
    data = csv(["销售人员", *[f"{m}(万元)" for m in ISO_MONTHS]], ["张伟 Zhang", 1])
    assert long_rows(importer.prepare(data, "t.csv")) == [("张伟 Zhang", "2026-01", 10_000.0)]


def test_the_total_column_is_checked_and_not_stored():
    ok = csv(["销售人员", *ISO_MONTHS, "合计"], ["张伟 Zhang", 10, 20] + [None] * 10 + [30])
    assert long_rows(importer.prepare(ok, "t.csv")) == [
        ("张伟 Zhang", "2026-01", 10.0),
        ("张伟 Zhang", "2026-02", 20.0),
    ]
    wrong = csv(["销售人员", *ISO_MONTHS, "合计"], ["张伟 Zhang", 10, 20] + [None] * 10 + [40])
    preview = importer.prepare(wrong, "t.csv")
    assert isinstance(preview.file_error, WideRefused)
    [error] = preview.file_error.errors
    assert (error.row, error.column, error.key) == (2, "合计", "targets.wide_total_mismatch")
    assert "30" in error.message("en")


def test_a_title_row_above_the_header_shifts_the_row_numbers_in_messages():
    data = csv(["2026年销售目标分解"], ["销售人员", *ZH_MONTHS], ["张伟 Zhang", 5, -3])
    [error] = importer.prepare(data, "t.csv").file_error.errors
    assert (error.row, error.column, error.key) == (3, "2月", "import.negative_money")
    assert error.message("zh").startswith("第 3 行，列“2月”")


def test_every_bad_cell_is_named_and_the_file_refused_whole():
    data = csv(["销售人员", *ISO_MONTHS], ["张伟 Zhang", "abc", 5], ["李娜 Li", 1, "-2"], [None, 7])
    error = importer.prepare(data, "t.csv").file_error
    assert isinstance(error, WideRefused)
    assert [(e.row, e.column, e.key) for e in error.errors] == [
        (2, "2026-01", "import.bad_money"),
        (3, "2026-02", "import.negative_money"),
        (4, "", "targets.wide_no_name"),
    ]


def test_a_month_that_does_not_exist_is_named():
    data = csv(["销售人员", *ZH_MONTHS[:11], "13月"], ["张伟 Zhang", 1])
    error = importer.prepare(data, "t.csv", year=2026).file_error
    assert [(e.row, e.column, e.key) for e in error.errors] == [(1, "13月", "targets.wide_no_such_month")]


def test_without_a_year_anywhere_the_sheet_asks_for_one():
    preview = importer.prepare(csv(["销售人员", *ZH_MONTHS], ["张伟 Zhang", 1]), "t.csv")
    assert preview.file_error.key == "targets.wide_no_year"


def test_a_team_row_and_a_region_row_are_their_own_targets(tiny_con):
    data = csv(
        ["2026年目标"],
        ["销售人员", "团队", "区域", *ZH_MONTHS],
        [None, "Tiger", "West", 1, 2],
        [None, None, "West", 3],
    )
    result = targets.import_wide(tiny_con, data, "t.csv", Filters())
    assert result.added == 3
    grid = targets.year_grid(tiny_con, 2026, Filters()).set_index("key")
    assert grid.loc["team_target:Tiger", "m02"] == 2 and grid.loc["region_target:West", "m01"] == 3


def test_a_name_not_in_the_roster_is_refused_by_row_and_column(tiny_con):
    data = csv(["2026年目标"], ["序号", "销售人员", *ZH_MONTHS], [1, "张伟 Zhang", 1], [2, "Nobody", 1])
    with pytest.raises(targets.TargetsRefused) as refused:
        targets.import_wide(tiny_con, data, "t.csv", Filters())
    assert [(e.row, e.column, e.key) for e in refused.value.errors] == [
        (4, "销售人员", "targets.not_in_roster")
    ]
    assert tiny_con.execute("SELECT count(*) FROM uploads").fetchone() == (0,)


def test_a_manager_importing_another_teams_rep_is_refused_at_that_row(tiny_con):
    data = csv(["销售人员", *ISO_MONTHS], ["张伟 Zhang", 1], ["王强 Wang", 2])
    with pytest.raises(targets.TargetsRefused) as refused:
        targets.import_wide(tiny_con, data, "t.csv", Filters(scope_teams=("Dragon",)))
    assert [(e.row, e.column, e.key) for e in refused.value.errors] == [
        (3, "销售人员", "import.out_of_scope_rep")
    ]
    assert tiny_con.execute("SELECT count(*) FROM uploads").fetchone() == (0,)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_downloaded_grid_imports_back_to_the_same_targets(tiny_con, lang):
    director = Filters()
    edits = targets.year_grid(tiny_con, 2026, director)
    edits.loc[edits["key"] == "region_target:East", "m03"] = 123_456.78
    targets.save_grid(tiny_con, 2026, edits, 1, director)
    before = tiny_con.execute("SELECT * EXCLUDE (upload_id) FROM targets ORDER BY ALL").fetchall()
    workbook = targets.wide_workbook(targets.year_grid(tiny_con, 2026, director), 2026, lang)
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet["A1"].value == (
        "2026年销售目标分解（单位：万元）" if lang == "zh" else "Sales targets 2026 (CNY)"
    )
    assert sheet["E2"].value == "2026-01" and sheet["B3"].data_type == "s"
    result = targets.import_wide(tiny_con, workbook, "targets.xlsx", director)
    assert result.added == 0 and result.updated == 0 and result.unchanged > 0
    assert tiny_con.execute("SELECT * EXCLUDE (upload_id) FROM targets ORDER BY ALL").fetchall() == before


def test_the_import_command_reads_a_wide_sheet_with_year(tiny_db, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_bytes(csv(["销售人员", *ZH_MONTHS], ["李娜 Li", 1, 2]))
    command = [sys.executable, "-m", "salesmgmt", "import", "--db", str(tiny_db), str(path)]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert refused.returncode == 1 and "--year" in refused.stderr
    done = subprocess.run([*command, "--year", "2027"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout


def test_a_sheet_without_month_columns_is_not_wide(tiny_con):
    with pytest.raises(SalesmgmtError) as refused:
        targets.import_wide(
            tiny_con, csv(["销售人员", "期间", "金额"], ["张伟 Zhang", "2026-05", 1]), "t.csv", Filters()
        )
    assert refused.value.key == "targets.not_wide"
