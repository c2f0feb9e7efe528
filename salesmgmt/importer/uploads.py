"""The list of upload batches, for the import page and the command line, and whose they are.

A manager sees (and may undo) only the batches whose rows are all theirs: every row a batch
changed is, now and (for a row it updated) before it, a record of a rep in their scope (see
`importer.scope` for what that means per kind). A row the batch added that no longer exists
(undone, or deleted since) is counted as the uploader's: their own batch stays in their history.
A director, or anyone while there are no users, sees every batch.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.importer.scope import unrestricted
from salesmgmt.query import compile_sql, compose

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


#: Whether each row a batch changed is in the scope: now (`n`, None when the row is gone) and,
#: for an update, before it (`b`). The owner of a rep is the rep; of a client its owner rep (a
#: client the batch created without an owner goes with the batch's other rows); of an
#: opportunity, its history and a visit their rep; of a target its rep, team (with the team's
#: region when it has one) or region.
_ROWS_IN_SCOPE_SQL = """
WITH ch AS (
    SELECT c.upload_id, c.seq, c.entity, c.action, c.before_json,
           CASE WHEN c.entity IN ('rep', 'client', 'visit') THEN TRY_CAST(c.entity_key AS BIGINT) END AS id,
           CASE WHEN c.entity = 'opportunity' THEN c.entity_key
                WHEN c.entity = 'opportunity_history' THEN json_extract_string(c.entity_key, '$.opp_id')
           END AS opp_id,
           CASE WHEN c.entity = 'target' THEN json_extract_string(c.entity_key, '$.scope_kind') END AS t_kind,
           CASE WHEN c.entity = 'target' THEN json_extract_string(c.entity_key, '$.scope_key') END AS t_key
    FROM upload_changes c {only}),
team_region AS (SELECT team, min(region) AS region FROM reps WHERE team IS NOT NULL
                GROUP BY team HAVING count(DISTINCT region) = 1),
n AS (
    SELECT ch.upload_id, ch.seq,
           CASE ch.entity WHEN 'rep' THEN rr.rep_id IS NOT NULL WHEN 'client' THEN cl.client_id IS NOT NULL
                WHEN 'visit' THEN v.visit_key IS NOT NULL WHEN 'target' THEN TRUE
                ELSE o.opp_id IS NOT NULL END AS found,
           ch.entity = 'client' AND ch.action = 'insert' AND cl.client_id IS NOT NULL
               AND cl.owner_rep_id IS NULL AS created_ownerless,
           ow.rep_id,
           CASE WHEN ch.t_kind = 'team' THEN ch.t_key ELSE ow.team END AS team,
           CASE WHEN ch.t_kind = 'team' THEN tr.region WHEN ch.t_kind = 'region' THEN ch.t_key
                ELSE ow.region END AS region
    FROM ch
    LEFT JOIN reps rr ON ch.entity = 'rep' AND rr.rep_id = ch.id
    LEFT JOIN clients cl ON ch.entity = 'client' AND cl.client_id = ch.id
    LEFT JOIN visits v ON ch.entity = 'visit' AND v.visit_key = ch.id
    LEFT JOIN opportunities o ON o.opp_id = ch.opp_id
    LEFT JOIN team_region tr ON ch.t_kind = 'team' AND tr.team = ch.t_key
    LEFT JOIN reps ow ON ow.rep_id = CASE ch.entity WHEN 'rep' THEN rr.rep_id WHEN 'client' THEN cl.owner_rep_id
                                       WHEN 'visit' THEN v.rep_id
                                       WHEN 'target' THEN TRY_CAST(CASE WHEN ch.t_kind = 'rep' THEN ch.t_key END
                                                                   AS BIGINT)
                                       ELSE o.rep_id END),
b AS (
    SELECT ch.upload_id, ch.seq,
           CASE WHEN ch.entity = 'rep' THEN ch.id ELSE bo.rep_id END AS rep_id,
           CASE WHEN ch.entity = 'rep' THEN json_extract_string(ch.before_json, '$.team')
                WHEN ch.t_kind = 'team' THEN ch.t_key ELSE bo.team END AS team,
           CASE WHEN ch.entity = 'rep' THEN json_extract_string(ch.before_json, '$.region')
                WHEN ch.t_kind = 'team' THEN tr.region WHEN ch.t_kind = 'region' THEN ch.t_key
                ELSE bo.region END AS region
    FROM ch
    LEFT JOIN team_region tr ON ch.t_kind = 'team' AND tr.team = ch.t_key
    LEFT JOIN reps bo ON bo.rep_id = TRY_CAST(CASE ch.entity
        WHEN 'rep' THEN NULL
        WHEN 'client' THEN json_extract_string(ch.before_json, '$.owner_rep_id')
        WHEN 'target' THEN CASE WHEN ch.t_kind = 'rep' THEN ch.t_key END
        ELSE json_extract_string(ch.before_json, '$.rep_id') END AS BIGINT)
    WHERE ch.action = 'update'),
rows_ok AS (
    SELECT ch.upload_id,
           CASE WHEN ch.action = 'update'
                THEN coalesce({where_before}, FALSE)
                     AND (NOT n.found OR n.created_ownerless OR coalesce({where_now}, FALSE))
                WHEN NOT n.found THEN NULL
                ELSE n.created_ownerless OR coalesce({where_now}, FALSE) END AS ok
    FROM ch JOIN n ON n.upload_id = ch.upload_id AND n.seq = ch.seq
    LEFT JOIN b ON b.upload_id = ch.upload_id AND b.seq = ch.seq)
SELECT u.upload_id FROM uploads u LEFT JOIN rows_ok r ON r.upload_id = u.upload_id
{only_batch}
GROUP BY u.upload_id, u.user_name
HAVING coalesce(bool_and(coalesce(r.ok, u.user_name = $user)), u.user_name = $user)
"""


def batches_in_scope(
    con: duckdb.DuckDBPyConnection, scope: Filters, user: str | None = None, batch: int | None = None
) -> set[int]:
    """The upload batches (all, or only `batch`) whose rows are all within `scope`; `user`: the
    user's name, whose own batches count their vanished rows as theirs (see the module)."""
    if batch is None:
        sql = compose(_ROWS_IN_SCOPE_SQL, only="", only_batch="")
    else:
        sql = compose(
            _ROWS_IN_SCOPE_SQL, only="WHERE c.upload_id = $batch", only_batch="WHERE u.upload_id = $batch"
        )
    params: dict[str, object] = {"user": user} | ({"batch": batch} if batch is not None else {})
    text, named = compile_sql(sql, scope.scope_only(), params, {"where_now": "n", "where_before": "b"})
    return {int(r[0]) for r in con.execute(text, named).fetchall()}


def list_uploads(
    con: duckdb.DuckDBPyConnection, scope: Filters | None = None, user: str | None = None
) -> pd.DataFrame:
    """Every upload batch (a manager's `scope`: those all within it, see the module), newest
    first, with its counts, who and when, whether it was undone, and `blocked_by`: later batches
    that changed the same rows (undo those first). `user`: the name of who asks."""
    frame = con.execute(LIST_UPLOADS_SQL).df()
    if unrestricted(scope):
        return frame
    assert scope is not None
    mine = batches_in_scope(con, scope, user)
    return frame[frame["upload_id"].isin(mine)].reset_index(drop=True)
