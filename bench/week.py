"""The manager's week on the large company (issue 13's speed goals), one run, one table:

    python bench/week.py

- saving a whole year's targets grid (every rep x 12 months) as one audited batch, new and then
  every cell changed again (goal: under 3 s);
- the weekly call's board and accuracy view, and the pipeline inspection's domain call (the page's
  first view in a real browser: `python bench/pages.py --pages inspection`; goal under 3 s).

Works on a copy of the large company (never the original), under $SALESMGMT_BENCH_DIR.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AS_OF, BENCH_DIR, large_db, machine


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> int:
    from salesmgmt import db, targets
    from salesmgmt.filters import Filters
    from salesmgmt.metrics import calls, inspection
    from salesmgmt.periods import Period

    source = large_db()
    copy = BENCH_DIR / "week.duckdb"
    for stale in (copy, Path(str(copy) + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    everyone = Filters()
    month = Period.month_of(AS_OF)
    year = AS_OF.year + 1  # a year with no targets yet: every cell is new
    print(f"Machine: {machine()}")
    print(f"Large company copy: {copy}, as of {AS_OF}")
    with db.connect(copy) as con:
        grid, read_s = _timed(targets.year_grid, con, year, everyone)
        reps = grid["line"] == "rep"
        for i, column in enumerate(targets.MONTHS):
            grid.loc[reps, column] = 100_000.0 + i * 1_000 + grid.loc[reps, "rep_id"].astype(float)
        first, new_s = _timed(targets.save_grid, con, year, grid, 1, everyone, user="bench")
        again = targets.year_grid(con, year, everyone)
        for column in targets.MONTHS:
            again.loc[again["line"] == "rep", column] = again.loc[again["line"] == "rep", column] + 1
        second, update_s = _timed(targets.save_grid, con, year, again, 1, everyone, user="bench")
        _board, board_s = _timed(calls.week_board, con, month, everyone, AS_OF, AS_OF)
        _acc, accuracy_s = _timed(calls.call_accuracy, con, month.shift(-1), everyone, AS_OF)
        found, inspect_s = _timed(inspection.inspection, con, month, everyone, AS_OF)
    cells = int(reps.sum()) * 12
    print(f"{'what':<58} {'seconds':>8}")
    print(f"{'targets grid of ' + str(int(reps.sum())) + ' reps read':<58} {read_s:8.2f}")
    print(
        f"{f'targets grid saved, {cells:,} new cells (batch {first.upload_id})':<58} {new_s:8.2f}   goal < 3 s"
    )
    print(f"{f'targets grid saved, {second.updated:,} cells changed again':<58} {update_s:8.2f}   goal < 3 s")
    print(f"{'weekly call board of the month':<58} {board_s:8.2f}")
    print(f"{'weekly call accuracy of the last month':<58} {accuracy_s:8.2f}")
    print(f"{f'pipeline inspection of the month ({len(found):,} deals)':<58} {inspect_s:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
