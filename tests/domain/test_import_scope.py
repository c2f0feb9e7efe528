"""A manager imports only within their scope."""

from __future__ import annotations

import pytest

from salesmgmt import auth, importer
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.importer.scope import scope_errors, within_scope

VISITS = (
    "date,rep,client,type\n"
    "2026-05-27,张伟 Zhang,华东设计院,visit\n"
    "2026-05-27,王强 Wang,西部业主,visit\n"
    "2026-05-28,新人 Newcomer,华东设计院,visit\n"
).encode()


def test_a_manager_cannot_import_rows_of_another_team_or_create_reps(tiny_con):
    dragon = auth.add_user(tiny_con, "chen", "manager", "pw", teams=("Dragon",)).scope()
    preview = importer.prepare(VISITS, "v.csv")
    assert preview.ok
    errors = scope_errors(tiny_con, preview, dragon)
    assert [(e.row, e.column) for e in errors] == [(3, "rep"), (4, "rep")]
    assert "not one of the reps you manage" in errors[0].message("en")
    checked = within_scope(tiny_con, preview, dragon)
    assert not checked.ok and preview.ok, "the original preview is kept"
    result = importer.apply(tiny_con, checked, skip_invalid=True, user="chen")
    assert result.added == 1 and result.refused == 2


def test_a_director_or_the_command_line_is_not_limited(tiny_con):
    preview = importer.prepare(VISITS, "v.csv")
    assert scope_errors(tiny_con, preview, None) == []
    assert scope_errors(tiny_con, preview, Filters()) == []


def test_team_targets_and_reps_files_are_checked_against_the_teams(tiny_con):
    dragon = Filters(scope_teams=("Dragon",))
    targets = importer.prepare(
        b"period,team,amount\n2026-06,Dragon,100\n2026-06,Tiger,100\n", "t.csv", kind="targets"
    )
    assert [e.row for e in scope_errors(tiny_con, targets, dragon)] == [3]
    reps = importer.prepare(b"rep,team\nA,Dragon\nB,Tiger\n", "r.csv", kind="reps")
    assert [e.row for e in scope_errors(tiny_con, reps, dragon)] == [3]


# --- Records the file matches: a manager neither updates nor takes over another team's (issue 18, 1)


def _dragon(con) -> Filters:
    return auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",)).scope()


def _refused(con, data: bytes, scope: Filters, kind: str | None = None) -> list[importer.RowError]:
    """The file imported as `scope`: refused, nothing written; the errors it names."""
    preview = importer.prepare(data, "f.csv", kind=kind)
    assert preview.ok, preview.error_messages()
    before = con.execute("SELECT count(*) FROM upload_changes").fetchone()
    try:
        importer.apply(con, preview, scope=scope, user="chen")
    except importer.ImportRefused as exc:
        assert con.execute("SELECT count(*) FROM upload_changes").fetchone() == before
        assert scope_errors(con, preview, scope) == exc.errors, "the preview shows the same errors"
        return exc.errors
    raise AssertionError("the import was not refused")


def test_a_managers_reps_file_cannot_move_another_teams_rep_into_their_team(tiny_con):
    dragon = _dragon(tiny_con)
    tiny_con.execute("UPDATE reps SET code = 'T03' WHERE rep_id = 3")
    errors = _refused(
        tiny_con, "Sales rep,Rep code,Team,Region\n王强 Wang,T03,Dragon,East\n".encode(), dragon
    )
    assert [(e.row, e.key) for e in errors] == [(2, "import.not_yours_rep")]
    assert "王强 Wang" in errors[0].message("en") and "Tiger" in errors[0].message("en")
    assert "Tiger" in errors[0].message("zh")
    assert tiny_con.execute("SELECT team, region FROM reps WHERE rep_id = 3").fetchone() == ("Tiger", "West")
    by_name = _refused(tiny_con, "rep,team\n王强 Wang,Dragon\n".encode(), dragon, kind="reps")
    assert [e.key for e in by_name] == ["import.not_yours_rep"]


def test_a_managers_opportunities_file_cannot_reassign_or_change_another_teams_deal(tiny_con):
    dragon = _dragon(tiny_con)
    reassign = _refused(tiny_con, "opportunity_id,rep,amount\nO8,张伟 Zhang,20000\n".encode(), dragon)
    assert [(e.row, e.key) for e in reassign] == [(2, "import.not_yours_opportunity")]
    assert "O8" in reassign[0].message("en") and "王强 Wang" in reassign[0].message("en")
    amount = _refused(tiny_con, "opportunity_id,client,amount\nO8,西部业主,1\n".encode(), dragon)
    assert [e.key for e in amount] == ["import.not_yours_opportunity"]
    assert tiny_con.execute("SELECT rep_id, amount FROM opportunities WHERE opp_id = 'O8'").fetchone() == (
        3,
        20000,
    )


def test_a_managers_visits_file_cannot_edit_another_teams_visit_by_its_id(tiny_con):
    dragon = _dragon(tiny_con)
    tiny_con.execute(
        "INSERT INTO visits (visit_key, visit_id, visit_date, rep_id, client_id, visit_type, notes) "
        "VALUES (100, 'V-T1', DATE '2026-05-20', 3, 3, 'visit', 'Tiger notes')"
    )
    data = "visit id,date,rep,client,type,notes\nV-T1,2026-05-27,张伟 Zhang,华东设计院,visit,mine now\n"
    errors = _refused(tiny_con, data.encode(), dragon)
    assert [(e.row, e.key) for e in errors] == [(2, "import.not_yours_visit")]
    assert "V-T1" in errors[0].message("en") and "Tiger" in errors[0].message("en")
    assert tiny_con.execute("SELECT rep_id, notes FROM visits WHERE visit_id = 'V-T1'").fetchone() == (
        3,
        "Tiger notes",
    )


def test_a_managers_clients_file_without_an_owner_cannot_edit_another_teams_client(tiny_con):
    dragon = _dragon(tiny_con)
    errors = _refused(
        tiny_con, "client,client_type\n西部业主,construction\n".encode(), dragon, kind="clients"
    )
    assert [(e.row, e.key) for e in errors] == [(2, "import.not_yours_client")]
    assert "西部业主" in errors[0].message("en") and "王强 Wang" in errors[0].message("en")
    assert tiny_con.execute("SELECT client_type FROM clients WHERE client_id = 3").fetchone() == ("owner",)


def test_a_manager_still_updates_their_own_teams_records(tiny_con):
    dragon = _dragon(tiny_con)
    for data, kind in (
        ("rep,team,region\n李娜 Li,Dragon,East\n", "reps"),
        ("client,client_type\n华东设计院,construction\n", "clients"),
        ("opportunity_id,rep,amount\nO4,李娜 Li,55000\n", None),
    ):
        preview = importer.prepare(data.encode(), "f.csv", kind=kind)
        assert scope_errors(tiny_con, preview, dragon) == []
        importer.apply(tiny_con, preview, scope=dragon, user="chen")
    assert tiny_con.execute("SELECT rep_id, amount FROM opportunities WHERE opp_id = 'O4'").fetchone() == (
        2,
        55000,
    )


def test_with_skip_invalid_a_manager_imports_only_the_rows_of_their_own_records(tiny_con):
    dragon = _dragon(tiny_con)
    preview = importer.prepare(b"opportunity_id,client,amount\nO4,x,51000\nO8,y,1\n", "o.csv")
    result = importer.apply(tiny_con, preview, scope=dragon, skip_invalid=True, user="chen")
    assert (result.updated, result.refused) == (1, 1)
    assert [(e.row, e.key) for e in result.errors] == [(3, "import.not_yours_opportunity")]
    assert tiny_con.execute("SELECT amount FROM opportunities WHERE opp_id = 'O8'").fetchone() == (20000,)


def test_a_team_manager_cannot_set_the_target_of_the_whole_region(tiny_con):
    dragon = _dragon(tiny_con)
    errors = _refused(tiny_con, b"period,region,amount\n2026-06,East,100\n", dragon, kind="targets")
    assert [e.key for e in errors] == ["import.out_of_scope_region"]


# --- Upload history and undo: a manager sees and undoes only batches all in scope (issue 18, 2)


def _two_managers_batches(con) -> tuple[Filters, Filters]:
    """The Tiger manager imports a visit of Wang (batch 1), the Dragon manager one of Zhang
    (batch 2); their scopes."""
    dragon = _dragon(con)
    tiger = auth.add_user(con, "wu", "manager", "pw", teams=("Tiger",)).scope()
    for data, scope, user in (
        ("date,rep,client,type\n2026-05-27,王强 Wang,西部业主,visit\n", tiger, "wu"),
        ("date,rep,client,type\n2026-05-27,张伟 Zhang,华东设计院,visit\n", dragon, "chen"),
    ):
        importer.apply(con, importer.prepare(data.encode(), "v.csv"), scope=scope, user=user)
    return dragon, tiger


def test_a_manager_sees_only_the_batches_of_their_own_records(tiny_con):
    dragon, tiger = _two_managers_batches(tiny_con)
    assert importer.list_uploads(tiny_con, scope=dragon, user="chen")["upload_id"].tolist() == [2]
    assert importer.list_uploads(tiny_con, scope=tiger, user="wu")["upload_id"].tolist() == [1]
    assert importer.list_uploads(tiny_con, scope=Filters())["upload_id"].tolist() == [2, 1]
    assert importer.list_uploads(tiny_con)["upload_id"].tolist() == [2, 1], "no users: everything"


def test_a_manager_cannot_undo_another_teams_batch(tiny_con):
    dragon, _tiger = _two_managers_batches(tiny_con)
    with pytest.raises(SalesmgmtError) as refused:
        importer.undo(tiny_con, 1, user="chen", scope=dragon)
    assert refused.value.key == "import.undo_not_yours"
    assert "Batch 1" in refused.value.message("en") and "批次 1" in refused.value.message("zh")
    assert tiny_con.execute("SELECT undone_at FROM uploads WHERE upload_id = 1").fetchone() == (None,)
    assert tiny_con.execute("SELECT count(*) FROM visits WHERE rep_id = 3").fetchone() == (1,)
    importer.undo(tiny_con, 2, user="chen", scope=dragon)
    assert importer.list_uploads(tiny_con, scope=dragon, user="chen")["upload_id"].tolist() == [2], (
        "an undone batch of the manager's own stays in their history"
    )


def test_a_directors_batch_that_moved_a_rep_between_teams_is_not_a_managers_to_undo(tiny_con):
    dragon = _dragon(tiny_con)
    moved = importer.prepare("rep,team,region\n王强 Wang,Dragon,East\n".encode(), "r.csv", kind="reps")
    importer.apply(tiny_con, moved, user="wang")
    assert tiny_con.execute("SELECT team FROM reps WHERE rep_id = 3").fetchone() == ("Dragon",)
    assert importer.list_uploads(tiny_con, scope=dragon, user="chen").empty, "Wang was Tiger's before it"
    with pytest.raises(SalesmgmtError):
        importer.undo(tiny_con, 1, user="chen", scope=dragon)
