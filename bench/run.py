"""The scale-and-speed benchmark: one run, one table.

    python bench/run.py [--skip-pages] [--rows 1000000]

1. Import: a 1,000,000-row visits export (the app's own export of the large company, Chinese
   headers, UTF-8 with BOM) imported with salesmgmt's importer into the large company without
   its visits, against DuckDB's own `read_csv` loading the same file into a table. Both twice,
   alternately; the best of each counts (other programs share the machine). Goal within 3x,
   limit 4x. Then the command-line import in a child process: its wall time and peak memory
   (goal under 1.5 GB).
2. Pages: every page's domain queries on the large company, run the way a first view runs them
   (uncached, a fresh connection each), recorded from the pages themselves (AppTest).
3. The plain-pandas way: the same figures computed as a pandas dashboard would (read the CSVs,
   filter, group), against the app's domain functions; the figures are checked equal. Goal:
   at least 10x faster.

The large company is generated once under $SALESMGMT_BENCH_DIR (default /tmp/salesmgmt-bench);
bench/pages.py measures the pages in a real browser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AS_OF, BENCH_DIR, ROOT, large_db, machine

IMPORT_GOAL, IMPORT_LIMIT = 3.0, 4.0
MEMORY_LIMIT_MB = 1500
PANDAS_GOAL = 10.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Files


def visits_csv(db_file: Path, rows: int) -> Path:
    """The first `rows` visits of the app's own visits export (by date), made once."""
    path = BENCH_DIR / f"visits-{rows}.csv"
    if path.exists():
        return path
    from salesmgmt import db
    from salesmgmt.exports import export_csv

    log(f"exporting {rows:,} visits to {path}...")
    with db.connect(db_file, read_only=True) as con:
        data = export_csv(con, "visits", "zh")
    lines = data.split(b"\n")
    if len(lines) - 2 < rows:
        raise SystemExit(f"the large company has only {len(lines) - 2:,} visits")
    tmp = path.with_suffix(".part")
    tmp.write_bytes(b"\n".join(lines[: rows + 1]) + b"\n")
    tmp.replace(path)
    return path


def import_base(db_file: Path) -> Path:
    """The large company without its visits: where the visits export is imported."""
    path = BENCH_DIR / "import-base.duckdb"
    if path.exists():
        return path
    from salesmgmt import db

    log(f"making {path}...")
    tmp = path.with_suffix(".part.duckdb")
    shutil.copyfile(db_file, tmp)
    with db.connect(tmp) as con:
        con.execute("DELETE FROM visits")
        con.execute("CHECKPOINT")
    tmp.replace(path)
    return path


def export_csvs(db_file: Path) -> dict[str, Path]:
    """The company as the CSV exports a team already has (the app's own export, English
    headers): what a plain pandas dashboard would read. Made once."""
    from salesmgmt import db
    from salesmgmt.exports import export_csv

    out = {}
    for kind in ("reps", "opportunities", "visits", "targets"):
        path = BENCH_DIR / f"export-{kind}.csv"
        if not path.exists():
            log(f"exporting {kind} to {path}...")
            with db.connect(db_file, read_only=True) as con:
                path.write_bytes(export_csv(con, kind, "en"))
        out[kind] = path
    return out


def _fresh_copy(source: Path, name: str) -> Path:
    target = BENCH_DIR / name
    for stale in (target, Path(str(target) + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


# --------------------------------------------------------------------------------------
# 1. Import


def time_read_csv(csv: Path) -> float:
    """DuckDB's own CSV reader loading the file into a table of a new database file."""
    import duckdb

    target = BENCH_DIR / "read_csv.duckdb"
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        started = time.perf_counter()
        con.execute("CREATE TABLE visits_csv AS SELECT * FROM read_csv(?)", [str(csv)])
        con.execute("CHECKPOINT")
        return time.perf_counter() - started
    finally:
        con.close()
        target.unlink(missing_ok=True)


def time_import(csv: Path, base: Path) -> tuple[float, float, float, str]:
    """salesmgmt's importer in this process: read and check the file, then apply it.
    Returns (total, prepare, apply seconds, summary)."""
    from salesmgmt import db
    from salesmgmt.importer import apply, prepare

    target = _fresh_copy(base, "import-run.duckdb")
    started = time.perf_counter()
    preview = prepare(csv.read_bytes(), csv.name, as_of=AS_OF)
    prepared = time.perf_counter()
    with db.connect(target) as con:
        result = apply(con, preview)
    done = time.perf_counter()
    return done - started, prepared - started, done - prepared, result.summary()


def cli_import(csv: Path, base: Path) -> tuple[float, float, int]:
    """`python -m salesmgmt import` in a child process: wall seconds, peak memory (MB), status."""
    target = _fresh_copy(base, "import-cli.duckdb")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "salesmgmt",
            "import",
            str(csv),
            "--db",
            str(target),
            "--as-of",
            AS_OF.isoformat(),
            "--user",
            "bench",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode


# --------------------------------------------------------------------------------------
# 3. The plain-pandas way


def _period():
    from salesmgmt.periods import Period

    return Period.month_of(AS_OF)


def pandas_figures(csvs: dict[str, Path]) -> tuple[dict[str, object], float]:
    """The figures a plain pandas dashboard computes on each view: read the CSV exports, filter,
    group. Returns them and the seconds spent reading.

    - team_month: per team, the month's won amount and count, lost count, open pipeline expected
      in the month, visits of type 'visit', and the rep targets of the month (core.figures);
    - trend: won amount and visits per month over twelve months (overview.monthly_trend);
    - weeks_ok: per engineer, the counted weeks of the month meeting the visit norm.
    """
    import pandas as pd

    from salesmgmt.i18n import t
    from salesmgmt.measures import VISIT_NORM_PER_WEEK
    from salesmgmt.metrics.core import week_window

    won_label, lost_label, open_label = (t(f"status.{s}", "en") for s in ("won", "lost", "open"))
    visit_label = t("visit_type.visit", "en")
    period = _period()
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    started = time.perf_counter()
    reps = pd.read_csv(csvs["reps"], encoding="utf-8-sig")
    opps = pd.read_csv(
        csvs["opportunities"], encoding="utf-8-sig", parse_dates=["Close date", "Expected close date"]
    )
    visits = pd.read_csv(csvs["visits"], encoding="utf-8-sig", parse_dates=["Visit date"])
    targets = pd.read_csv(csvs["targets"], encoding="utf-8-sig")
    reading = time.perf_counter() - started

    team_of = reps.set_index("Rep code")["Team"]
    closed = opps[(opps["Close date"] >= start) & (opps["Close date"] < end)]
    won = closed[closed["Status"] == won_label]
    lost = closed[closed["Status"] == lost_label]
    open_ = opps[
        (opps["Status"] == open_label)
        & (opps["Expected close date"] >= start)
        & (opps["Expected close date"] < end)
    ]
    month_visits = visits[
        (visits["Visit type"] == visit_label) & (visits["Visit date"] >= start) & (visits["Visit date"] < end)
    ]
    month_targets = targets[targets["Period"] == f"{period.start:%Y-%m}"]
    team_month = (
        pd.DataFrame(
            {
                "won_amount": won.groupby(won["Rep code"].map(team_of))["Amount"].sum(),
                "won_count": won.groupby(won["Rep code"].map(team_of)).size(),
                "lost_count": lost.groupby(lost["Rep code"].map(team_of)).size(),
                "open_amount": open_.groupby(open_["Rep code"].map(team_of))["Amount"].sum(),
                "visits": month_visits.groupby(month_visits["Rep code"].map(team_of)).size(),
                "target": month_targets.groupby(month_targets["Rep code"].map(team_of))["Amount"].sum(),
            }
        )
        .fillna(0)
        .sort_index()
    )

    first = pd.Timestamp(period.start) - pd.DateOffset(months=11)
    won12 = opps[(opps["Status"] == won_label) & (opps["Close date"] >= first) & (opps["Close date"] < end)]
    vis12 = visits[
        (visits["Visit type"] == visit_label) & (visits["Visit date"] >= first) & (visits["Visit date"] < end)
    ]
    months = pd.period_range(first, periods=12, freq="M")
    trend = (
        pd.DataFrame(
            {
                "won_amount": won12.groupby(won12["Close date"].dt.to_period("M"))["Amount"].sum(),
                "visits": vis12.groupby(vis12["Visit date"].dt.to_period("M")).size(),
            }
        )
        .reindex(months)
        .fillna(0)
    )

    week_from, week_to, _weeks = week_window(period, AS_OF)
    counted = visits[
        (visits["Visit type"] == visit_label)
        & (visits["Visit date"] >= pd.Timestamp(week_from))
        & (visits["Visit date"] < pd.Timestamp(week_to))
    ]
    per_week = counted.groupby([counted["Rep code"], counted["Visit date"].dt.to_period("W-SUN")]).size()
    engineers = reps[reps["Role"] == t("role.sales_engineer", "en")]["Rep code"]
    weeks_ok = (
        per_week[per_week >= VISIT_NORM_PER_WEEK].groupby(level=0).size().reindex(engineers, fill_value=0)
    )
    return {"team_month": team_month, "trend": trend, "weeks_ok": weeks_ok}, reading


def duckdb_figures(db_file: Path) -> dict[str, object]:
    """The same figures from the app's own domain functions (a fresh connection, no cache)."""
    from salesmgmt import db
    from salesmgmt.filters import Filters
    from salesmgmt.metrics import core, overview

    period = _period()
    with db.connect(db_file, read_only=True) as con:
        teams = core.figures(con, period, Filters(), AS_OF, "team", with_probability=False)
        trend = overview.monthly_trend(con, Filters(), period, 12)
        reps = core.figures(con, period, Filters(), AS_OF, "rep", with_probability=False)
    return {"team_month": teams, "trend": trend, "weeks_ok": reps}


def same_figures(p: dict, d: dict) -> bool:
    """The pandas figures equal the app's (the comparison is fair only if they are)."""
    import numpy as np

    teams = d["team_month"].set_index("team").sort_index()
    pm = p["team_month"].reindex(teams.index).fillna(0)
    checks = [
        np.allclose(pm[c].to_numpy(float), teams[c].to_numpy(float))
        for c in ("won_amount", "won_count", "lost_count", "open_amount", "visits", "target")
    ]
    trend = d["trend"]
    checks.append(np.allclose(p["trend"]["won_amount"].to_numpy(float), trend["won_amount"].to_numpy(float)))
    checks.append(np.allclose(p["trend"]["visits"].to_numpy(float), trend["visits"].to_numpy(float)))
    reps = d["weeks_ok"]
    engineers = reps[(reps["role"] == "sales_engineer")].set_index("rep_id").sort_index()
    code = {rid: f"E{rid:03d}" for rid in engineers.index}  # the demo's rep codes
    checks.append(
        np.array_equal(
            p["weeks_ok"].reindex([code[r] for r in engineers.index], fill_value=0).to_numpy(),
            engineers["weeks_meeting_norm"].to_numpy(),
        )
    )
    return all(checks)


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-pages", action="store_true", help="leave out the pages' queries")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)

    started = time.perf_counter()
    db_file = large_db(log)
    csv = visits_csv(db_file, args.rows)
    base = import_base(db_file)
    csvs = export_csvs(db_file)
    header = f"Machine: {machine()}"

    log("timing the import against read_csv (twice each)...")
    read_runs, import_runs = [], []
    for _ in range(2):
        read_runs.append(time_read_csv(csv))
        import_runs.append(time_import(csv, base))
    read_s = min(read_runs)
    best = min(import_runs)
    log("the command-line import (peak memory)...")
    cli_s, cli_mb, cli_status = cli_import(csv, base)

    pages: list[tuple[str, int, float, str]] = []
    frame_calls: list = []
    if not args.skip_pages:
        from queries import all_pages, page_calls

        for name, page_file in all_pages():
            log(f"page {name}...")
            calls, errors = page_calls(db_file, page_file)
            own = [c for c in calls if not c.frame]
            # The sidebar's queries: AppTest runs them only for the entry page (the overview).
            frame_calls = frame_calls or [c for c in calls if c.frame]
            slowest = max(own, key=lambda c: c.seconds, default=None)
            pages.append(
                (
                    name,
                    len(own),
                    sum(c.seconds for c in own),
                    (
                        f"{slowest.function.rsplit('.', 2)[-2]}.{slowest.function.rsplit('.', 1)[-1]} "
                        f"{slowest.seconds:.2f}"
                        if slowest
                        else ""
                    )
                    + (f"  EXCEPTION: {errors[0].splitlines()[0][:80]}" if errors else ""),
                )
            )
        frame_s = sum(c.seconds for c in frame_calls)

    log("the plain-pandas way against the domain functions (twice each)...")
    pandas_runs, duck_runs, reading_runs = [], [], []
    for _ in range(2):
        t = time.perf_counter()
        p_fig, reading = pandas_figures(csvs)
        pandas_runs.append(time.perf_counter() - t)
        reading_runs.append(reading)
        t = time.perf_counter()
        d_fig = duckdb_figures(db_file)
        duck_runs.append(time.perf_counter() - t)
    equal = same_figures(p_fig, d_fig)
    read_only = min(reading_runs)

    mb = csv.stat().st_size / 1e6
    ratio = best[0] / read_s
    print(header)
    print(f"Large company: {db_file} ({db_file.stat().st_size / 1e6:.0f} MB), as of {AS_OF}")
    print()
    print(f"1. Import of {args.rows:,} visits ({mb:.0f} MB CSV, Chinese headers)   seconds   vs read_csv")
    print(f"   DuckDB read_csv into a table                          {read_s:8.2f}      1.0x")
    print(
        f"   salesmgmt importer (read, check, apply, audit)         {best[0]:8.2f}  {ratio:8.1f}x  "
        f"(goal {IMPORT_GOAL:.0f}x, limit {IMPORT_LIMIT:.0f}x: "
        f"{'within the goal' if ratio <= IMPORT_GOAL else 'within the limit' if ratio <= IMPORT_LIMIT else 'OVER THE LIMIT'})"
    )
    print(f"     of which read and check the file (prepare)           {best[1]:8.2f}")
    print(f"     of which write: one transaction with audit (apply)   {best[2]:8.2f}")
    print(
        f"   command line import, whole process                     {cli_s:8.2f}            "
        f"peak memory {cli_mb:,.0f} MB (limit {MEMORY_LIMIT_MB:,}: "
        f"{'ok' if cli_mb < MEMORY_LIMIT_MB else 'OVER'}){'' if cli_status == 0 else f'  EXIT {cli_status}'}"
    )
    print(f"   ({best[3]})")
    if pages:
        print()
        print("2. Each page's domain queries on the large company, uncached (first view)")
        print(f"   {'page':<18} {'calls':>5} {'seconds':>8}  slowest call")
        for name, n, seconds, slow in pages:
            print(f"   {name:<18} {n:>5} {seconds:>8.2f}  {slow}")
        print(
            f"   {'(sidebar, any page)':<18} {len(frame_calls):>5} {frame_s:>8.2f}  "
            f"filters and sign-in check, shared by every page"
        )
    print()
    pandas_s, duck_s = min(pandas_runs), min(duck_runs)
    print("3. Team figures of the month, 12-month trend, weeks meeting the visit norm per engineer")
    print(
        f"   plain pandas: read the CSV exports, filter, group      {pandas_s:8.2f}  "
        f"(reading alone {read_only:.2f})"
    )
    print(
        f"   salesmgmt domain functions on DuckDB                   {duck_s:8.2f}  "
        f"{pandas_s / duck_s:8.1f}x faster (goal {PANDAS_GOAL:.0f}x); "
        f"same figures: {'yes' if equal else 'NO'}"
    )
    print(
        f"   pandas with the frames already in memory               {pandas_s - read_only:8.2f}  "
        f"{(pandas_s - read_only) / duck_s:8.1f}x"
    )
    print()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
