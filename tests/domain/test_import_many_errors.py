"""Files full of errors (issue 18, finding 8): rows sharing a key with different values are found
set-wise, as fast as a valid file of the same size is checked, with the same errors as the
row-by-row comparison gave; the command line writes the errors file as it goes."""

from __future__ import annotations

import time

from salesmgmt import importer
from tests.import_fixtures import AS_OF, csv_bytes

HEADER = ["Visit date", "Sales rep", "Client", "Visit type", "Planned", "Notes"]


def visits(pairs: int, singles: int = 0) -> bytes:
    """`pairs` pairs of rows with the same key (date, rep, client, type) and different notes (the
    second of each pair also differs in 'Planned' for odd pairs, after the notes), then `singles`
    rows with keys of their own."""
    rows = [HEADER]
    for j in range(pairs):
        key = [
            f"2024-{1 + j % 12:02d}-{1 + (j // 12) % 28:02d}",
            f"Rep {j % 50}",
            f"Client {j // 336}",
            "visit",
        ]
        rows.append([*key, "yes", f"note {j}a"])
        rows.append([*key, "no" if j % 2 else "yes", f"note {j}b"])
    for i in range(pairs, pairs + singles):
        rows.append(
            [
                f"2024-{1 + i % 12:02d}-{1 + (i // 12) % 28:02d}",
                f"Rep {i % 50}",
                f"Client {i // 336}",
                "call",
                "",
                f"n{i}",
            ]
        )
    return csv_bytes(rows)


def test_rows_sharing_a_key_are_errors_on_both_rows_naming_each_other_and_the_first_difference():
    preview = importer.prepare(visits(3), "visits.csv", as_of=AS_OF)
    assert [(e.row, e.column, e.key, e.values) for e in preview.errors] == [
        (2, "Notes", "import.duplicate_key", {"other": 3, "this_value": "note 0a", "other_value": "note 0b"}),
        (3, "Notes", "import.duplicate_key", {"other": 2, "this_value": "note 0b", "other_value": "note 0a"}),
        (4, "Planned", "import.duplicate_key", {"other": 5, "this_value": "True", "other_value": "False"}),
        (5, "Planned", "import.duplicate_key", {"other": 4, "this_value": "False", "other_value": "True"}),
        (6, "Notes", "import.duplicate_key", {"other": 7, "this_value": "note 2a", "other_value": "note 2b"}),
        (7, "Notes", "import.duplicate_key", {"other": 6, "this_value": "note 2b", "other_value": "note 2a"}),
    ]


def test_three_rows_with_one_key_each_name_the_first():
    rows = [HEADER] + [["2024-05-06", "Rep 1", "Client 1", "visit", "yes", f"n{i}"] for i in range(3)]
    preview = importer.prepare(csv_bytes(rows), "visits.csv", as_of=AS_OF)
    assert [(e.row, e.values["other"]) for e in preview.errors] == [(2, 3), (2, 4), (3, 2), (4, 2)]


def test_ten_thousand_clashing_pairs_are_found_about_as_fast_as_a_valid_file_is_checked():
    clashing, valid = visits(10_000), visits(0, 20_000)

    def seconds(data: bytes) -> tuple[float, importer.Preview]:
        started = time.perf_counter()
        preview = importer.prepare(data, "visits.csv", as_of=AS_OF)
        return time.perf_counter() - started, preview

    seconds(valid)  # warm
    good_time, good = seconds(valid)
    bad_time, bad = seconds(clashing)
    assert good.ok and len(bad.error_rows) == 20_000 and len(bad.errors) == 20_000
    assert bad_time < 3 * good_time + 0.3, (bad_time, good_time)


def test_the_errors_file_is_written_in_chunks_and_reads_as_the_errors_table(tmp_path, monkeypatch):
    import pandas as pd

    from salesmgmt.cli import imports, main
    from salesmgmt.i18n import t
    from tests.domain.test_import_large import bad_file

    monkeypatch.setattr(imports, "ERROR_ROWS_PER_CHUNK", 3)  # several chunks from a small file
    first, second = tmp_path / "visits.csv", tmp_path / "more.csv"
    first.write_bytes(bad_file(5))
    second.write_bytes(visits(4))
    errors = tmp_path / "errors.csv"
    db_path = tmp_path / "x.duckdb"
    assert main(["import", "--db", str(db_path), "--errors", str(errors), str(first), str(second)]) == 1
    expected = []
    for path in (first, second):
        frame = importer.errors_frame(importer.prepare(path.read_bytes(), path.name, as_of=AS_OF), "en")
        frame.insert(0, t("import.errors_file_header", "en"), path.name)
        expected.append(frame)
    table = pd.concat(expected, ignore_index=True)
    reason = t("import.errors_reason_header", "en")  # last, also after a second file's own columns
    table = table[[c for c in table.columns if c != reason] + [reason]]
    table = table.astype(object).where(table.notna(), "")
    from salesmgmt.importer.preview import frame_to_csv

    assert errors.read_bytes() == frame_to_csv(table)


def every_row_wrong(rows: int) -> bytes:
    """`rows` visits, each with two errors: a date that does not exist and a flag that is none."""
    return csv_bytes(
        [HEADER] + [["2024-02-30", f"Rep {i}", f"Client {i}", "visit", "maybe", f"n{i}"] for i in range(rows)]
    )


def test_only_the_first_errors_are_kept_and_the_rest_counted(monkeypatch):
    from salesmgmt.importer import validate

    monkeypatch.setattr(validate, "MAX_ROW_ERRORS", 1000)
    preview = importer.prepare(every_row_wrong(3000), "visits.csv", as_of=AS_OF)
    refusal = preview.file_error
    assert refusal is not None and refusal.key == "import.too_many_errors"
    kept = refusal.errors
    # The errors of the first 500 rows (two each), in row order: rows 2..501.
    assert len(kept) == 1000 and {e.row for e in kept} == set(range(2, 502))
    assert [e.row for e in kept] == sorted(e.row for e in kept)
    message = refusal.message("en")
    assert "6,000 errors in 3,000 rows" in message and "1,000" in message
    assert "Row 2, column" in message and "and 5,995 more" in message
    assert "6,000" in refusal.message("zh")


def test_a_file_with_too_many_errors_is_refused_even_when_skipping_invalid_rows(tmp_path, monkeypatch):
    from salesmgmt import db
    from salesmgmt.errors import SalesmgmtError
    from salesmgmt.importer import validate

    monkeypatch.setattr(validate, "MAX_ROW_ERRORS", 1000)
    preview = importer.prepare(every_row_wrong(3000), "visits.csv", as_of=AS_OF)
    with db.connect(tmp_path / "x.duckdb") as con:
        try:
            importer.apply(con, preview, skip_invalid=True)
        except SalesmgmtError as refused:
            assert refused.key == "import.too_many_errors"
        else:
            raise AssertionError("imported")
        assert con.execute("SELECT count(*) FROM visits").fetchone() == (0,)


def test_the_errors_file_of_a_file_with_too_many_errors_lists_the_kept_rows(tmp_path, monkeypatch):
    from salesmgmt.cli import main
    from salesmgmt.importer import validate

    monkeypatch.setattr(validate, "MAX_ROW_ERRORS", 1000)
    source, errors = tmp_path / "visits.csv", tmp_path / "errors.csv"
    source.write_bytes(every_row_wrong(3000))
    assert main(["import", "--db", str(tmp_path / "x.duckdb"), "--errors", str(errors), str(source)]) == 1
    lines = errors.read_text(encoding="utf-8-sig").splitlines()
    assert "6,000 errors" in lines[1] and lines[2].startswith("2,2024-02-30,Rep 0,")
    assert len(lines) == 2 + 500 and lines[-1].startswith("501,")
