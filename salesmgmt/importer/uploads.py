"""The list of upload batches, for the import page and the command line."""

from __future__ import annotations

import duckdb
import pandas as pd

LIST_UPLOADS_SQL = """
WITH blocked AS (
    SELECT c1.upload_id, list(DISTINCT c2.upload_id ORDER BY c2.upload_id) AS blocked_by
    FROM upload_changes c1
    JOIN upload_changes c2 ON c2.entity = c1.entity AND c2.entity_key = c1.entity_key
                          AND c2.upload_id > c1.upload_id
    JOIN uploads u2 ON u2.upload_id = c2.upload_id AND u2.undone_at IS NULL
    GROUP BY c1.upload_id
)
SELECT u.upload_id, u.created_at, u.file_name, u.file_hash, u.kind, u.as_of, u.encoding,
       u.rows_total, u.rows_added, u.rows_updated, u.rows_unchanged, u.rows_refused,
       u.created_reps, u.created_clients, u.user_name, u.undone_at, u.undone_by,
       CASE WHEN u.undone_at IS NULL THEN coalesce(b.blocked_by, []) ELSE [] END AS blocked_by,
       u.undone_at IS NULL AND b.blocked_by IS NULL AS can_undo
FROM uploads u LEFT JOIN blocked b ON b.upload_id = u.upload_id
ORDER BY u.upload_id DESC
"""


def list_uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload batch, newest first, with its counts, who and when, whether it was undone,
    and `blocked_by`: later batches that changed the same rows (undo those first)."""
    return con.execute(LIST_UPLOADS_SQL).df()
