"""Import of the exports people already have: CSV and Excel, Chinese and English, validated
before anything is written, applied in one transaction, recorded, and undoable.

    preview = importer.prepare(data, "visits.csv")      # read, map, check: no database needed
    result = importer.apply(con, preview)                # one transaction, one upload batch
    importer.undo(con, result.upload_id)                 # put back what it changed

See docs/importing.md for the formats, the header names, the mapping file and the undo rules.

The modules, in the order a file goes through them: reading (bytes to a table of text), headers
(columns to fields), values and dates (cells), validate (rows), preview (the whole check, no
database); then applying (the transaction), kinds (each kind of file), matching (reps and
clients by code or name), upsert (the generic write and its audit), history (opportunity
intervals); undoing, uploads (the list of batches) and mappings (remembered per set of headers).
A manager's import, history and undo stay within their scope (`scope`, `uploads.batches_in_scope`):
pass `scope=user.scope()` to `apply`, `list_uploads` and `undo`.
"""

from __future__ import annotations

from salesmgmt.importer.applying import ImportResult, apply
from salesmgmt.importer.fields import FIELD_TYPES, FIELDS, KIND_FIELDS, KINDS, REQUIRED
from salesmgmt.importer.headers import headers_signature, template_headers
from salesmgmt.importer.mappings import remember_mapping, remembered_mapping
from salesmgmt.importer.preview import (
    IGNORE,
    ColumnInfo,
    ImportRefused,
    Preview,
    errors_csv,
    errors_frame,
    prepare,
)
from salesmgmt.importer.undoing import undo
from salesmgmt.importer.uploads import list_uploads
from salesmgmt.importer.validate import Note, RowError

__all__ = [
    "FIELDS",
    "FIELD_TYPES",
    "IGNORE",
    "KINDS",
    "KIND_FIELDS",
    "REQUIRED",
    "ColumnInfo",
    "ImportRefused",
    "ImportResult",
    "Note",
    "Preview",
    "RowError",
    "apply",
    "errors_csv",
    "errors_frame",
    "headers_signature",
    "list_uploads",
    "prepare",
    "remember_mapping",
    "remembered_mapping",
    "template_headers",
    "undo",
]
