"""A manager imports only within their scope."""

from __future__ import annotations

from salesmgmt import auth, importer
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
