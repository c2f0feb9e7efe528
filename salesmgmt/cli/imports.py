"""`import`, `uploads` and `undo`: imports of exports, and their batches.

Files are read and checked completely before the database is opened, and the database is held
only while writing, so the dashboard can keep using the file between imports.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from salesmgmt import clock, db
from salesmgmt.auth import User, active_user
from salesmgmt.cli.arguments import (
    Subcommands,
    add_db_argument,
    add_force_argument,
    add_lang_argument,
    existing_db,
    message_lang,
    parse_date,
    user_name,
)
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t
from salesmgmt.importer import (
    KINDS,
    ImportRefused,
    Preview,
    RowError,
    apply,
    list_uploads,
    prepare,
    undo,
)
from salesmgmt.importer.fields import KIND_ORDER
from salesmgmt.importer.preview import SUMMARY_NOTES
from salesmgmt.importer.validate import TooManyErrors
from salesmgmt.importer.values import csv_safe, native_text
from salesmgmt.outputs import check_output, output_file

#: Row errors printed per file; all of them go to the --errors file.
SHOWN_ERRORS = 20


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "import", help="import CSV or Excel exports (reps, clients, opportunities, visits, targets)"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    add_db_argument(p)
    p.add_argument(
        "--kind", choices=KINDS, default=None, help="what the files hold (default: detected from the headers)"
    )
    p.add_argument(
        "--mapping",
        default=None,
        metavar="FILE",
        help='JSON file {"source column": "field"}; a null or "ignore" skips a column',
    )
    p.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        help="the date of the export, for the opportunity history (default: today)",
    )
    p.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and leave out the invalid ones"
    )
    p.add_argument(
        "--ignore-unknown",
        action="store_true",
        help="leave out the columns the kind does not use (listed in the summary) instead of refusing "
        "the file and naming them",
    )
    p.add_argument(
        "--errors",
        default=None,
        metavar="OUT.csv",
        help="write the refused rows with their reasons to this CSV file",
    )
    add_force_argument(p)
    p.add_argument("--dry-run", action="store_true", help="check and run the whole import, then roll it back")
    p.add_argument("--encoding", default=None, help="text encoding of the files (default: detected)")
    p.add_argument("--sheet", default=None, help="Excel sheet to read (default: the first with data)")
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="the year of a wide targets sheet (a column per month) that does not say it",
    )
    p.add_argument("--user", default=None, help="name recorded in the upload history")
    p.add_argument(
        "--as-user",
        default=None,
        metavar="USERNAME",
        help="import as that user, within their scope, recorded as theirs (refused for an unknown or disabled user)",
    )
    add_lang_argument(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("uploads", help="list the upload batches")
    add_db_argument(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--as-user",
        default=None,
        metavar="USERNAME",
        help="only the batches that user may see (refused for an unknown or disabled user)",
    )
    add_lang_argument(p)
    p.set_defaults(func=cmd_uploads)

    p = sub.add_parser("undo", help="undo an upload batch")
    p.add_argument("batch", type=int, metavar="BATCH")
    add_db_argument(p)
    p.add_argument("--user", default=None, help="name recorded as who undid it")
    p.add_argument(
        "--as-user",
        default=None,
        metavar="USERNAME",
        help="undo as that user: only a batch within their scope, recorded as theirs",
    )
    add_lang_argument(p)
    p.set_defaults(func=cmd_undo)


def load_mapping(path: str) -> dict[str, str | None]:
    """A mapping file: a JSON object {"source column": "field" or null}."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SalesmgmtError("import.mapping_file_missing", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SalesmgmtError("import.mapping_file_bad", path=path, detail=str(exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SalesmgmtError(
            "import.mapping_file_bad", path=path, detail=f"line {exc.lineno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()
    ):
        raise SalesmgmtError("import.mapping_file_bad", path=path, detail='{"source column": "field", ...}')
    return data


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise SalesmgmtError("import.file_missing", path=path) from None
    except IsADirectoryError:
        raise SalesmgmtError("import.file_missing", path=path) from None
    except OSError as exc:
        raise SalesmgmtError("import.file_unreadable", path=path, detail=str(exc)) from None


def _describe(preview: Preview, lang: str) -> str:
    kind = t(f"import.kind.{preview.kind}", lang) if preview.kind else "?"
    how = preview.encoding or (f"{t('import.sheet', lang)} {preview.sheet}" if preview.sheet else "")
    return t("import.file_line", lang, file=preview.file_name, kind=kind, rows=preview.rows_total, how=how)


def _print_errors(errors: list[RowError], lang: str, out: TextIO) -> None:
    for e in errors[:SHOWN_ERRORS]:
        print("  " + e.message(lang), file=out)
    if len(errors) > SHOWN_ERRORS:
        print("  " + t("import.more_errors", lang, count=len(errors) - SHOWN_ERRORS), file=out)


#: Refused rows put together at a time in the errors file, which is written as it goes.
ERROR_ROWS_PER_CHUNK = 20_000


def _write_errors(
    path: str, previews: list[Preview], extra: dict[str, list[RowError]], lang: str, args: argparse.Namespace
) -> int:
    """The refused rows into `path` (`args`: never onto the database, --force to replace a file),
    as `errors_frame` lays them out, written a chunk of rows at a time: a file with millions of
    refused rows never has its whole table, or its whole CSV text, in memory (issue 18, finding 8).
    Returns the number of rows written."""
    files = []
    for preview in previews:
        # A file with too many errors is refused whole, but the errors of its first rows are kept.
        kept = preview.file_error.errors if isinstance(preview.file_error, TooManyErrors) else []
        errs = sorted(
            [*preview.errors, *kept, *extra.get(preview.file_name, [])], key=lambda e: (e.row, e.column)
        )
        if preview.file_error is not None or errs:
            files.append((preview, errs))
    row_col, reason_col = t("import.errors_row_header", lang), t("import.errors_reason_header", lang)
    several = len(previews) > 1
    columns: list[str] = []  # the source columns of every file, in order of appearance
    for preview, _errs in files:
        if preview.file_error is None or isinstance(preview.file_error, TooManyErrors):
            columns += [c for c in preview._cells.columns if c not in columns]
    header = [row_col, *columns, reason_col]
    written = 0
    with output_file(Path(path), db.resolve_db_path(args.db), args.force) as out:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([t("import.errors_file_header", lang), *header] if several else header)
        for preview, errs in files:
            lead = [preview.file_name] if several else []
            if preview.file_error is not None:
                message = SalesmgmtError.message(preview.file_error, lang)  # without the first errors
                writer.writerow([*lead, "", *[""] * len(columns), csv_safe(message)])
                written += 1
            for rows, reasons in _reason_chunks(errs, lang):
                cells = preview._cells.reindex(rows)
                texts = [
                    [_cell_text(v) for v in cells[c]] if c in cells else [""] * len(rows) for c in columns
                ]
                for i, (row, reason) in enumerate(zip(rows, reasons)):
                    writer.writerow([*lead, row, *(texts_of[i] for texts_of in texts), csv_safe(reason)])
                written += len(rows)
        text.flush()
        text.detach()
    return written


def _reason_chunks(errors: list[RowError], lang: str) -> Iterator[tuple[list[int], list[str]]]:
    """The refused rows (sorted `errors`) and each one's reasons, ERROR_ROWS_PER_CHUNK at a time.
    A reason is worded once per distinct error (the errors of a column share their values)."""
    worded: dict[tuple[str, str, int], str] = {}
    rows: list[int] = []
    reasons: list[str] = []
    for row, group in itertools.groupby(errors, key=lambda e: e.row):
        parts = []
        for e in group:
            known = (e.column, e.key, id(e.values))
            if known not in worded:
                if len(worded) > ERROR_ROWS_PER_CHUNK:  # errors with values of their own
                    worded.clear()
                prefix = t("import.at_column", lang, column=e.column) if e.column else ""
                worded[known] = prefix + e.reason(lang)
            parts.append(worded[known])
        rows.append(row)
        reasons.append("; ".join(parts))
        if len(rows) == ERROR_ROWS_PER_CHUNK:
            yield rows, reasons
            rows, reasons = [], []
    if rows:
        yield rows, reasons


def _cell_text(value: Any) -> str:
    """A source cell as the errors file writes it (formula-like text made inert)."""
    if isinstance(value, str):
        return csv_safe(value)
    text = None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else native_text(value)
    return csv_safe(text) if text else ""


def _acting_user(args: argparse.Namespace) -> User | None:
    """The user of `--as-user` (refused for an unknown or disabled one, before any file is read)."""
    if not args.as_user:
        return None
    with db.connect(existing_db(args.db)) as con:
        return active_user(con, args.as_user)


def cmd_import(args: argparse.Namespace) -> int:
    try:
        return _cmd_import(args)
    except SalesmgmtError:
        raise
    except Exception as exc:  # the contract: a message, never a traceback
        raise SalesmgmtError("error.unexpected", detail=f"{type(exc).__name__}: {exc}") from exc


def _cmd_import(args: argparse.Namespace) -> int:
    lang = message_lang(args)
    if args.errors:  # an errors file that cannot be written is refused before anything is read
        check_output(Path(args.errors), db.resolve_db_path(args.db), args.force)
    acting = _acting_user(args)
    mapping = load_mapping(args.mapping) if args.mapping else None
    as_of: date = args.as_of or clock.today()
    previews = []
    for path in args.files:
        # The file's bytes are not kept: the preview holds what the import needs.
        previews.append(
            prepare(
                _read(path),
                Path(path).name,
                kind=args.kind,
                mapping=mapping,
                encoding=args.encoding,
                sheet=args.sheet,
                as_of=as_of,
                lang=lang,
                year=args.year,
                ignore_unknown=args.ignore_unknown,
            )
        )

    refused = False
    for preview in previews:
        print(_describe(preview, lang))
        # How the file was read is said with the summary of its import (or here, when refused).
        applied = preview.file_error is None and (
            not preview.errors or (args.skip_invalid and not preview.valid_rows.empty)
        )
        for note in preview.notes:
            if not (applied and note.key in SUMMARY_NOTES):
                print("  " + note.message(lang))
        if preview.file_error is not None:
            print("  " + preview.file_error.message(lang), file=sys.stderr)
            refused = True
            continue
        if preview.errors:
            print("  " + t("import.rows_with_errors", lang, rows=len(preview.error_rows)), file=sys.stderr)
            _print_errors(preview.errors, lang, sys.stderr)
            if not args.skip_invalid or preview.valid_rows.empty:
                refused = True
    if refused:
        if args.errors:
            _write_errors(args.errors, previews, {}, lang, args)
            print(t("import.errors_written", lang, path=args.errors), file=sys.stderr)
        print(t("import.refused_nothing_written", lang), file=sys.stderr)
        return 1

    # Every file is readable and valid: now the database, one batch per file.
    extra: dict[str, list[RowError]] = {}
    user = acting.username if acting else user_name(args.user)
    scope = acting.scope() if acting else None
    status = 0
    with db.connect(args.db) as con:
        for preview in sorted(previews, key=lambda p: KIND_ORDER[p.kind or "reps"]):
            try:
                result = apply(
                    con, preview, skip_invalid=args.skip_invalid, user=user, dry_run=args.dry_run, scope=scope
                )
            except ImportRefused as exc:
                print(exc.message(lang), file=sys.stderr)
                extra[preview.file_name] = exc.errors
                print(t("import.refused_file_not_written", lang, file=preview.file_name), file=sys.stderr)
                status = 1
                break
            extra[preview.file_name] = result.errors
            print(f"{preview.file_name}: " + result.summary(lang))
            for line in preview.summary_notes(lang):
                print("  " + line)
            if result.errors:
                _print_errors(result.errors, lang, sys.stderr)
    if args.errors and (any(p.errors for p in previews) or any(extra.values())):
        _write_errors(args.errors, previews, extra, lang, args)
        print(t("import.errors_written", lang, path=args.errors), file=sys.stderr)
    return status


def cmd_uploads(args: argparse.Namespace) -> int:
    lang = message_lang(args)
    path = existing_db(args.db)
    with db.connect(path) as con:
        acting = active_user(con, args.as_user) if args.as_user else None
        frame = list_uploads(con, acting.scope() if acting else None, acting.username if acting else None)
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return 0
    if frame.empty:
        print(t("import.no_uploads", lang))
        return 0
    for row in frame.itertuples(index=False):
        state = _upload_state(row, lang)
        print(
            t(
                "import.upload_line",
                lang,
                batch=row.upload_id,
                when=str(row.created_at)[:16],
                file=row.file_name,
                kind=t(f"import.kind.{row.kind}", lang),
                rows=row.rows_total,
                added=row.rows_added,
                updated=row.rows_updated,
                unchanged=row.rows_unchanged,
                refused=row.rows_refused,
                user=row.user_name if isinstance(row.user_name, str) and row.user_name else "–",
            )
            + (f"  [{state}]" if state else "")
        )
    return 0


def _upload_state(row: Any, lang: str) -> str:
    """Undone (when, by whom), blocked by later batches, or nothing; `row` is a list_uploads row."""
    if not pd.isna(row.undone_at):
        return t("import.undone_on", lang, when=str(row.undone_at)[:16], user=row.undone_by or "–")
    if len(row.blocked_by):
        return t("import.undo_blocked_by", lang, batches=", ".join(str(b) for b in row.blocked_by))
    return ""


def cmd_undo(args: argparse.Namespace) -> int:
    lang = message_lang(args)
    path = existing_db(args.db)
    with db.connect(path) as con:
        acting = active_user(con, args.as_user) if args.as_user else None
        if acting:
            undo(con, args.batch, user=acting.username, scope=acting.scope())
        else:
            undo(con, args.batch, user=user_name(args.user))
    print(t("import.undone", lang, batch=args.batch))
    return 0
