"""Writing a validated file into the database: one transaction, one upload batch, an audit of
every row it changed (see `upsert`), undoable (see `undoing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.i18n import t
from salesmgmt.importer.kinds import APPLIERS
from salesmgmt.importer.mappings import remember_mapping
from salesmgmt.importer.preview import ImportRefused, Preview, Progress
from salesmgmt.importer.scope import within_scope
from salesmgmt.importer.upsert import Batch, new_id
from salesmgmt.importer.validate import RowError

#: Names of created reps and clients shown in a summary (all of them are in `ImportResult`).
SHOWN_NAMES = 20


@dataclass
class ImportResult:
    """What an import did. Counts are rows of the file; `refused` counts rows not imported."""

    upload_id: int | None
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    created_reps: list[str] = field(default_factory=list)
    created_clients: list[str] = field(default_factory=list)
    #: True when nothing was kept (a test run): the counts say what an import would do.
    dry_run: bool = False
    #: Rows refused while matching against the database (ambiguous names, out-of-date as-of).
    errors: list[RowError] = field(default_factory=list)

    def summary(self, lang: str = "en") -> str:
        key = "import.summary_dry_run" if self.dry_run else "import.summary"
        text = t(
            key,
            lang,
            batch=self.upload_id,
            kind=t(f"import.kind.{self.kind}", lang),
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            refused=self.refused,
        )
        for key, names in (
            ("import.created_reps", self.created_reps),
            ("import.created_clients", self.created_clients),
        ):
            if names:
                shown = ", ".join(names[:SHOWN_NAMES])
                if len(names) > SHOWN_NAMES:
                    shown += " " + t("import.more_errors", lang, count=len(names) - SHOWN_NAMES)
                text += "\n" + t(key, lang, count=len(names), names=shown)
        return text


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


def apply(
    con: duckdb.DuckDBPyConnection,
    preview: Preview,
    skip_invalid: bool = False,
    user: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    scope: Filters | None = None,
) -> ImportResult:
    """Write a prepared file in one transaction as one upload batch.

    Refused (SalesmgmtError, nothing written) when the file could not be read, or when any row
    is invalid and `skip_invalid` is False. With `skip_invalid`, invalid rows are left out and
    counted as refused. `dry_run` does everything and rolls it back: the counts say what an
    import would do. `progress(fraction, step_key)` is called as the work advances.

    `scope`: the importing user's (a manager's); rows outside it, or that would change a record
    outside it, are row errors like any other (see `scope`), checked inside the transaction.
    """
    progress = progress or (lambda _fraction, _step: None)
    if preview.file_error is not None:
        raise preview.file_error
    _refuse_invalid(preview, skip_invalid)
    kind = preview.kind
    assert kind is not None
    result = ImportResult(upload_id=None, kind=kind, dry_run=dry_run)
    try:
        with db.transaction(con):
            checked = within_scope(con, preview, scope)
            scope_refused = checked.errors[len(preview.errors) :]
            preview = checked
            _refuse_invalid(preview, skip_invalid)
            rows = preview.valid_rows
            upload_id = new_id(con, "uploads")
            con.execute(
                "INSERT INTO uploads (upload_id, file_name, file_hash, kind, encoding, as_of, "
                "rows_total, user_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    upload_id,
                    preview.file_name,
                    preview.file_hash,
                    kind,
                    preview.encoding or (f"xlsx:{preview.sheet}" if preview.sheet else None),
                    preview.as_of,
                    preview.rows_total,
                    user,
                ],
            )
            ctx = Batch(con, upload_id, preview.as_of, preview.field_columns)
            progress(0.1, "import.step_writing")
            outcome = APPLIERS[kind](ctx, rows)
            progress(0.9, "import.step_saving")
            if ctx.errors and not skip_invalid:
                raise ImportRefused(preview.file_name, ctx.errors)
            if outcome.empty:
                raise ImportRefused(
                    preview.file_name, [*preview.errors, *ctx.errors], key="import.nothing_valid"
                )
            counts = outcome.value_counts()
            result.upload_id = upload_id
            result.added = int(counts.get("added", 0))
            result.updated = int(counts.get("updated", 0))
            result.unchanged = int(counts.get("unchanged", 0)) + len(preview.repeats)
            refused_rows = preview.error_rows | {e.row for e in ctx.errors}
            result.refused = len(refused_rows)
            result.created_reps = ctx.created["reps"]
            result.created_clients = ctx.created["clients"]
            result.errors = [*scope_refused, *ctx.errors]
            con.execute(
                "UPDATE uploads SET rows_added = ?, rows_updated = ?, rows_unchanged = ?, "
                "rows_refused = ?, created_reps = ?, created_clients = ? WHERE upload_id = ?",
                [
                    result.added,
                    result.updated,
                    result.unchanged,
                    result.refused,
                    len(result.created_reps),
                    len(result.created_clients),
                    upload_id,
                ],
            )
            if preview.user_mapping:
                remember_mapping(con, preview.signature, preview.user_mapping, kind, user)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.upload_id = None
    progress(1.0, "import.step_done")
    return result


def _refuse_invalid(preview: Preview, skip_invalid: bool) -> None:
    """Refuse a file with invalid rows (unless they are to be skipped) or without valid ones."""
    if preview.errors and not skip_invalid:
        raise ImportRefused(preview.file_name, preview.errors)
    if preview.valid_rows.empty:
        raise ImportRefused(preview.file_name, preview.errors, key="import.nothing_valid")
