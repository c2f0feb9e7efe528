"""Exports and imports agree: a database written out as import files and read into an empty
database gives the same figures, and read into itself changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from salesmgmt import db, exports, importer
from salesmgmt.filters import Filters
from salesmgmt.metrics import core
from salesmgmt.periods import Period
from tests import tiny
from tests.import_fixtures import snapshot

DATA_TABLES = ("reps", "clients", "opportunities", "opportunity_history", "visits", "targets")


def figures_by_rep_name(con, period: Period, as_of: date) -> pd.DataFrame:
    frame = core.figures(con, period, Filters(), as_of)
    names = dict(con.execute("SELECT rep_id, name FROM reps").fetchall())
    frame["rep_name"] = frame["rep_id"].map(names)
    return frame.drop(columns=["rep_id"]).set_index("rep_name").sort_index()


def import_directory(con, directory: Path, as_of: date) -> list[importer.ImportResult]:
    results = []
    for kind in importer.KINDS:
        path = directory / f"{kind}.csv"
        if len(path.read_bytes().splitlines()) < 2:
            continue  # nothing of this kind (the tiny company has no check-ins): a header alone
        preview = importer.prepare(path.read_bytes(), path.name, as_of=as_of)
        assert preview.ok, (kind, preview.file_error, preview.error_messages(limit=5))
        assert preview.kind == kind
        results.append(importer.apply(con, preview))
    return results


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tiny_companys_exports_imported_into_an_empty_database_give_the_same_figures(tmp_path, lang):
    with db.connect(tmp_path / "source.duckdb") as con:
        tiny.load(con)
        exports.export_all(con, tmp_path / "out", lang)
        expected = {p: figures_by_rep_name(con, Period.parse(p), tiny.AS_OF) for p in ("2026-05", "2026-Q2")}
    with db.connect(tmp_path / "copy.duckdb") as con:
        results = import_directory(con, tmp_path / "out", tiny.AS_OF)
        assert [r.added for r in results] == [4, 3, 9, 14, 5]
        for period, frame in expected.items():
            pd.testing.assert_frame_equal(
                figures_by_rep_name(con, Period.parse(period), tiny.AS_OF), frame, check_dtype=False
            )


def test_importing_a_databases_own_exports_into_it_changes_nothing(tmp_path):
    with db.connect(tmp_path / "source.duckdb") as con:
        tiny.load(con)
        exports.export_all(con, tmp_path / "out", "zh")
        before = snapshot(con)
        results = import_directory(con, tmp_path / "out", tiny.AS_OF)
        assert all(r.added == 0 and r.updated == 0 for r in results), [r.summary() for r in results]
        after = snapshot(con)
        for table in DATA_TABLES:
            assert after[table] == before[table], table


def test_exports_are_utf8_with_bom_and_use_the_template_headers(tmp_path):
    with db.connect(tmp_path / "source.duckdb") as con:
        tiny.load(con)
        for kind in importer.KINDS:
            data = exports.export_csv(con, kind, "zh")
            assert data.startswith(b"\xef\xbb\xbf")
            header = data.decode("utf-8-sig").splitlines()[0]
            assert header == ",".join(importer.template_headers(kind, "zh"))


def test_the_demo_companys_exports_reproduce_its_figures(tmp_path):
    demo = pytest.importorskip("salesmgmt.demo")
    as_of = date(2026, 5, 31)
    with db.connect(tmp_path / "demo.duckdb") as con:
        demo.generate_demo(con, as_of=as_of)
        exports.export_all(con, tmp_path / "out", "zh")
        expected = figures_by_rep_name(con, Period.parse("2026-Q2"), as_of)
        counts = db.table_counts(con)
        again = import_directory(con, tmp_path / "out", as_of)
        assert all(r.added == 0 and r.updated == 0 for r in again), [r.summary() for r in again]
    with db.connect(tmp_path / "copy.duckdb") as con:
        results = import_directory(con, tmp_path / "out", as_of)
        assert [r.added for r in results] == [counts[k] for k in importer.KINDS]
        pd.testing.assert_frame_equal(
            figures_by_rep_name(con, Period.parse("2026-Q2"), as_of), expected, check_dtype=False
        )
