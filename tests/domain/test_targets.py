"""The targets grid (目标分解) on the tiny company, checked by hand.

Stored targets (tests/tiny.py): April 2026 张伟 80,000; May 2026 张伟 100,000, 李娜 200,000,
王强 100,000 and the Tiger team's own 150,000. Dragon (张伟, 李娜, 陈总) is in East, Tiger (王强)
in West.
"""

from __future__ import annotations

import pandas as pd
import pytest

from salesmgmt import importer, targets
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters

DIRECTOR = Filters()
DRAGON_MANAGER = Filters(scope_teams=("Dragon",))
ZHANG = Filters(scope_rep_ids=(1,))


def line(grid: pd.DataFrame, key: str) -> pd.Series:
    return grid.set_index("key").loc[key]


def stored(con, kind: str, key: str, month: str) -> float | None:
    row = con.execute(
        "SELECT amount FROM targets WHERE scope_kind = ? AND scope_key = ? AND month = CAST(? AS DATE)",
        [kind, key, month],
    ).fetchone()
    return None if row is None else float(row[0])


def test_the_grid_has_a_line_per_rep_grouped_by_team_and_region_with_subtotals(tiny_con):
    grid = targets.year_grid(tiny_con, 2026, DIRECTOR)
    assert list(grid["key"]) == [
        "rep:1", "rep:2", "rep:4", "team_sum:Dragon", "team_target:Dragon", "team_gap:Dragon",
        "region_sum:East", "region_target:East", "region_gap:East",
        "rep:3", "team_sum:Tiger", "team_target:Tiger", "team_gap:Tiger",
        "region_sum:West", "region_target:West", "region_gap:West", "company_sum:",
    ]  # fmt: skip


def test_quarters_and_the_year_add_up_the_months(tiny_con):
    zhang = line(targets.year_grid(tiny_con, 2026, DIRECTOR), "rep:1")
    assert zhang["m04"] == 80_000 and zhang["m05"] == 100_000
    assert zhang["q2"] == 180_000 and zhang["year_total"] == 180_000
    assert pd.isna(zhang["q1"]) and pd.isna(zhang["m01"])


def test_a_teams_subtotal_is_the_sum_of_its_reps(tiny_con):
    grid = targets.year_grid(tiny_con, 2026, DIRECTOR)
    dragon = line(grid, "team_sum:Dragon")
    assert dragon["m05"] == 300_000  # 张伟 100,000 + 李娜 200,000
    assert dragon["year_total"] == 380_000  # and 张伟's April 80,000
    assert line(grid, "region_sum:East")["year_total"] == 380_000
    assert line(grid, "company_sum:")["year_total"] == 480_000  # with 王强's 100,000


def test_a_teams_own_target_stands_beside_its_reps_sum_and_the_unallocated_difference(tiny_con):
    grid = targets.year_grid(tiny_con, 2026, DIRECTOR)
    assert line(grid, "team_target:Tiger")["m05"] == 150_000
    assert line(grid, "team_sum:Tiger")["m05"] == 100_000
    assert line(grid, "team_gap:Tiger")["m05"] == 50_000  # 150,000 - 100,000
    # Dragon has no own target: nothing to allocate, so no difference either
    assert pd.isna(line(grid, "team_target:Dragon")["m05"]) and pd.isna(line(grid, "team_gap:Dragon")["m05"])


def test_a_manager_sees_their_team_and_not_the_region_nor_other_teams(tiny_con):
    grid = targets.year_grid(tiny_con, 2026, DRAGON_MANAGER)
    assert set(grid["key"]) == {
        "rep:1", "rep:2", "rep:4", "team_sum:Dragon", "team_target:Dragon", "team_gap:Dragon", "company_sum:",
    }  # fmt: skip


def test_a_rep_sees_only_their_own_line(tiny_con):
    grid = targets.year_grid(tiny_con, 2026, ZHANG)
    assert list(grid["key"]) == ["rep:1"]
    assert targets.read_only(ZHANG) and not targets.read_only(DRAGON_MANAGER)


def edited(
    con, scope: Filters, changes: dict[tuple[str, str], object], multiplier: float = 1
) -> pd.DataFrame:
    grid = targets.year_grid(con, 2026, scope)
    shown = grid.copy()
    for column in targets.MONTHS:
        shown[column] = shown[column] / multiplier
    for (key, column), value in changes.items():
        shown[column] = shown[column].astype(object)
        shown.loc[shown["key"] == key, column] = value
    return shown


def test_saving_writes_only_the_changed_cells_as_one_batch_that_undo_puts_back(tiny_con):
    grid = edited(tiny_con, DIRECTOR, {("rep:2", "m06"): 12.5, ("team_target:Dragon", "m05"): 40}, 10_000)
    changes = targets.grid_changes(tiny_con, 2026, grid, 10_000, DIRECTOR)
    assert changes.errors == [] and len(changes.cells) == 2 and changes.after_total == 525_000
    result = targets.save_grid(tiny_con, 2026, grid, 10_000, DIRECTOR, user="wang")
    assert (result.added, result.updated) == (2, 0)
    assert stored(tiny_con, "rep", "2", "2026-06-01") == 125_000  # 12.5 万
    assert stored(tiny_con, "team", "Dragon", "2026-05-01") == 400_000
    assert line(targets.year_grid(tiny_con, 2026, DIRECTOR), "team_gap:Dragon")["m05"] == 100_000
    batch = importer.list_uploads(tiny_con).set_index("upload_id").loc[result.upload_id]
    assert batch["kind"] == "targets" and batch["user_name"] == "wang"
    importer.undo(tiny_con, result.upload_id)
    assert stored(tiny_con, "rep", "2", "2026-06-01") is None
    assert stored(tiny_con, "team", "Dragon", "2026-05-01") is None


def test_changing_a_target_is_an_update_and_emptying_one_sets_it_to_zero(tiny_con):
    grid = edited(tiny_con, DIRECTOR, {("rep:1", "m05"): 90_000, ("rep:1", "m04"): None})
    result = targets.save_grid(tiny_con, 2026, grid, 1, DIRECTOR)
    assert (result.added, result.updated) == (0, 2)
    assert stored(tiny_con, "rep", "1", "2026-05-01") == 90_000
    assert stored(tiny_con, "rep", "1", "2026-04-01") == 0
    importer.undo(tiny_con, result.upload_id)
    assert stored(tiny_con, "rep", "1", "2026-05-01") == 100_000


def test_nothing_changed_saves_nothing(tiny_con):
    result = targets.save_grid(tiny_con, 2026, edited(tiny_con, DIRECTOR, {}), 1, DIRECTOR)
    assert result.upload_id is None and importer.list_uploads(tiny_con).empty


@pytest.mark.parametrize(
    ("key", "column", "value", "message_key"),
    [
        ("rep:1", "m03", -5, "targets.negative"),
        ("rep:1", "m03", "abc", "targets.not_a_number"),
        ("team_sum:Dragon", "m05", 1, "targets.computed_row"),
        ("team_gap:Tiger", "m05", 0, "targets.computed_row"),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_saved(
    tiny_con, key, column, value, message_key
):
    grid = edited(tiny_con, DIRECTOR, {(key, column): value, ("rep:2", "m06"): 5})
    with pytest.raises(targets.TargetsRefused) as refused:
        targets.save_grid(tiny_con, 2026, grid, 1, DIRECTOR)
    [error] = refused.value.errors
    row = list(grid["key"]).index(key) + 1
    assert (error.row, error.column, error.key) == (
        row,
        targets.t(f"targets.col.{column}", "en"),
        message_key,
    )
    assert error.message("zh").startswith(f"第 {row} 行")
    assert stored(tiny_con, "rep", "2", "2026-06-01") is None


def test_a_line_not_in_the_roster_is_refused(tiny_con):
    grid = edited(tiny_con, DIRECTOR, {("rep:2", "m06"): 5})
    grid.loc[0, "key"], grid.loc[0, "label"] = "rep:99", "Ghost"
    with pytest.raises(targets.TargetsRefused) as refused:
        targets.save_grid(tiny_con, 2026, grid, 1, DIRECTOR)
    assert [(e.row, e.key) for e in refused.value.errors] == [(1, "targets.not_in_view")]


def test_a_manager_saves_their_team_but_cannot_change_another_team(tiny_con):
    mine = edited(tiny_con, DRAGON_MANAGER, {("rep:2", "m06"): 7_000, ("team_target:Dragon", "m06"): 9_000})
    assert targets.save_grid(tiny_con, 2026, mine, 1, DRAGON_MANAGER, user="chen").added == 2
    # a Tiger line slipped into the manager's grid (a crafted request): the import's scope check refuses it
    theirs = edited(tiny_con, DIRECTOR, {("rep:3", "m06"): 1_000, ("team_target:Tiger", "m06"): 2_000})
    theirs = theirs[theirs["key"].isin(["rep:3", "team_target:Tiger"])]
    with pytest.raises(targets.TargetsRefused) as refused:
        targets.save_grid(tiny_con, 2026, theirs, 1, DRAGON_MANAGER, user="chen")
    assert [(e.row, e.key) for e in refused.value.errors] == [
        (1, "targets.not_in_view"),
        (2, "targets.not_in_view"),
    ]
    assert stored(tiny_con, "rep", "3", "2026-06-01") is None


def test_a_rep_cannot_save(tiny_con):
    with pytest.raises(SalesmgmtError) as refused:
        targets.save_grid(tiny_con, 2026, edited(tiny_con, ZHANG, {("rep:1", "m06"): 1}), 1, ZHANG)
    assert refused.value.key == "targets.read_only"


def test_a_negative_unallocated_difference_is_shown_and_is_no_error(tiny_con):
    grid = edited(tiny_con, DIRECTOR, {("team_target:Tiger", "m05"): 60_000})
    targets.save_grid(tiny_con, 2026, grid, 1, DIRECTOR)
    after = targets.year_grid(tiny_con, 2026, DIRECTOR)
    assert line(after, "team_gap:Tiger")["m05"] == -40_000  # 60,000 - 王强's 100,000
    assert targets.grid_changes(tiny_con, 2026, after, 1, DIRECTOR).errors == []
