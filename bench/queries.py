"""Every page's domain queries on the large company, timed one by one, uncached.

    python bench/queries.py [--pages forecast,coaching] [--top 5]
    python bench/queries.py --save DIR      # keep every call's result (pickles)
    python bench/queries.py --compare DIR   # and check a change left every result the same
    python bench/queries.py --replay DIR    # run the saved calls again (no AppTest) and compare

Each page is run once with Streamlit's AppTest while `queries.query` is replaced by a recorder that
runs the domain function on a fresh connection (no cache: a first view) and times it. So the
list of queries is always the pages' own, whatever they call today.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AS_OF, ROOT, large_db, machine

from app import layout, queries

#: Functions that moved since results were saved: old path -> new path (saved results stay
#: comparable across a reorganisation that changes no figure).
MOVED = {
    "salesmgmt.importer.batches.list_uploads": "salesmgmt.importer.uploads.list_uploads",
    "salesmgmt.metrics.plans.plan_revisions": "salesmgmt.metrics.plan_records.plan_revisions",
    "salesmgmt.metrics.plans.plan_detail": "salesmgmt.metrics.plan_records.plan_detail",
    "salesmgmt.metrics.plans.weekly_review": "salesmgmt.metrics.plan_review.weekly_review",
}

#: Queries the frame (dashboard.py's sidebar and sign-in gate) makes on every page.
FRAME_FUNCTIONS = {"salesmgmt.metrics.directory.filter_options", "salesmgmt.auth.user_count"}


@dataclass
class Call:
    page: str
    function: str
    args: tuple
    kwargs: dict
    seconds: float
    rows: int | None
    result: Any = None

    @property
    def frame(self) -> bool:
        return self.function in FRAME_FUNCTIONS


def _rows(result: Any) -> int | None:
    """The size of what a query sent back (rows of a frame, or the largest frame inside)."""
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        return len(result)
    if isinstance(result, dict):
        sizes = [_rows(v) for v in result.values()]
        return max((s for s in sizes if s is not None), default=None)
    if isinstance(result, (list, tuple)):
        sizes = [_rows(v) for v in result]
        known = [s for s in sizes if s is not None]
        return max(known) if known else (len(result) if isinstance(result, list) else None)
    if hasattr(result, "__dataclass_fields__"):
        return _rows(vars(result))
    return None


def page_calls(db_file: Path, page_file: str, lang: str = "zh") -> tuple[list[Call], list[str]]:
    """Run one page with AppTest; return its timed domain calls and any exception messages."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from salesmgmt import db

    calls: list[Call] = []
    original = queries.query

    def recording(fn, *args, **kwargs):
        started = time.perf_counter()
        with db.connect(db_file) as con:
            result = fn(con, *args, **kwargs)
        calls.append(
            Call(
                page_file,
                f"{fn.__module__}.{fn.__qualname__}",
                args,
                kwargs,
                time.perf_counter() - started,
                _rows(result),
                result,
            )
        )
        return result

    os.environ["SALESMGMT_DB"] = str(db_file)
    os.environ["SALESMGMT_TODAY"] = AS_OF.isoformat()
    queries.query = recording
    try:
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        at.query_params["lang"] = lang
        if page_file != "pages/overview.py":
            at.switch_page(page_file)
        at.run()
        errors = [e.message for e in at.exception]
    finally:
        queries.query = original
    return calls, errors


def all_pages() -> list[tuple[str, str]]:
    """(url path, file) of every page of the app."""

    return [(e[2] or "overview", e[0]) for entries in layout.PAGES.values() for e in entries]


def measure(
    db_file: Path, pages: list[tuple[str, str]] | None = None, lang: str = "zh"
) -> dict[str, tuple[list[Call], list[str]]]:
    out = {}
    for name, page_file in pages or all_pages():
        out[name] = page_calls(db_file, page_file, lang)
    return out


def main(argv: list[str] | None = None) -> int:
    import faulthandler

    if os.environ.get("BENCH_TRACEBACK_AFTER"):
        faulthandler.dump_traceback_later(float(os.environ["BENCH_TRACEBACK_AFTER"]), exit=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=None, help="comma-separated url paths (overview for the first)")
    parser.add_argument("--top", type=int, default=3, help="slowest calls listed per page")
    parser.add_argument("--db", default=None)
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--save", default=None, metavar="DIR")
    parser.add_argument("--compare", default=None, metavar="DIR")
    parser.add_argument("--replay", default=None, metavar="DIR")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    db_file = Path(args.db) if args.db else large_db()
    pages = all_pages()
    if args.pages:
        wanted = {p.strip() for p in args.pages.split(",")}
        pages = [p for p in pages if p[0] in wanted]
    print(f"Machine: {machine()}")
    print(f"{'page':<18} {'calls':>5} {'seconds':>8}  slowest calls (seconds, rows returned)")
    for name, page_file in pages:
        if args.replay:
            try:
                calls, errors = replay(db_file, Path(args.replay), name), []
            except FileNotFoundError:
                continue
            args.compare = args.replay
        else:
            calls, errors = page_calls(db_file, page_file, args.lang)
        own = [c for c in calls if not c.frame]
        slow = sorted(own, key=lambda c: -c.seconds)[: args.top]
        listed = "; ".join(
            f"{c.function.rsplit('.', 2)[-2]}.{c.function.rsplit('.', 1)[-1]} {c.seconds:.2f} ({c.rows})"
            for c in slow
        )
        print(f"{name:<18} {len(own):>5} {sum(c.seconds for c in own):>8.2f}  {listed}", flush=True)
        for e in errors:
            print(f"  exception: {e.splitlines()[0][:200]}")
        if args.save:
            _save(Path(args.save), name, calls)
        if args.compare:
            for line in _compare(Path(args.compare), name, calls):
                print("  " + line)
    return 0


def saved_calls(directory: Path, page: str) -> list[tuple[str, tuple, dict]]:
    """The (function, args, kwargs) a page made when its calls were saved."""
    import datetime
    import pickle

    from salesmgmt.filters import Filters
    from salesmgmt.periods import Period

    names = {"datetime": datetime, "Period": Period, "Filters": Filters}
    with open(directory / f"{page}.pkl", "rb") as f:
        saved = pickle.load(f)
    return [(function, eval(args, names), eval(kwargs, names)) for function, args, kwargs, _result in saved]


def replay(db_file: Path, directory: Path, page: str) -> list[Call]:
    """Run a page's saved calls again, each on a fresh connection, timed."""
    import importlib

    from salesmgmt import db

    calls = []
    for saved, args, kwargs in saved_calls(directory, page):
        function = MOVED.get(saved, saved)
        module, _, name = function.rpartition(".")
        fn = getattr(importlib.import_module(module), name)
        started = time.perf_counter()
        with db.connect(db_file) as con:
            result = fn(con, *args, **kwargs)
        calls.append(Call(page, function, args, kwargs, time.perf_counter() - started, _rows(result), result))
    return calls


def _save(directory: Path, page: str, calls: list[Call]) -> None:
    import pickle

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{page}.pkl", "wb") as f:
        pickle.dump([(c.function, repr(c.args), repr(c.kwargs), c.result) for c in calls], f)


def _same(a: Any, b: Any) -> bool:
    import pandas as pd

    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b)
            return True
        except AssertionError:
            return False
    if isinstance(a, pd.Series):
        return isinstance(b, pd.Series) and a.equals(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        return _same(vars(a), vars(b))
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return False


def _normalised(text: str) -> str:
    import datetime

    from salesmgmt.filters import Filters
    from salesmgmt.periods import Period

    return repr(eval(text, {"datetime": datetime, "Period": Period, "Filters": Filters}))


def _compare(directory: Path, page: str, calls: list[Call]) -> list[str]:
    """Differences between this run's results and the saved ones (same calls, same order)."""
    import pickle

    try:
        with open(directory / f"{page}.pkl", "rb") as f:
            saved = pickle.load(f)
    except FileNotFoundError:
        return [f"no saved results for {page}"]
    problems = []
    now = [(c.function, repr(c.args), repr(c.kwargs), c.result) for c in calls]
    # The arguments as today's classes write them (a field added or hidden since is no change).
    saved = [
        (MOVED.get(function, function), _normalised(args), _normalised(kwargs), result)
        for function, args, kwargs, result in saved
    ]
    if [s[:3] for s in saved] != [n[:3] for n in now]:
        return ["the page makes other calls than when saved"]
    for (function, *_rest, before), (_f, *_r, after) in zip(saved, now):
        if not _same(before, after):
            problems.append(f"DIFFERENT: {function}")
    return problems or ["same results"]


if __name__ == "__main__":
    sys.exit(main())
