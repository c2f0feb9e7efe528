"""Filters compile to a WHERE fragment with named parameters and to a description (table-driven,
as datasette's tests/test_filters.py), and `query.run` puts them into SQL or refuses to."""

from __future__ import annotations

import duckdb
import pytest

from salesmgmt.filters import Filters
from salesmgmt.query import compile_sql, run

CASES = [
    # (filters, WHERE, parameters, description in English)
    (Filters(), "TRUE", {}, "All regions, teams and reps"),
    (
        Filters(regions=("East",)),
        "r.region IN ($f_region_0)",
        {"f_region_0": "East"},
        "Region: East",
    ),
    (
        Filters(teams=("龙 Dragon", "虎 Tiger")),
        "r.team IN ($f_team_0, $f_team_1)",
        {"f_team_0": "龙 Dragon", "f_team_1": "虎 Tiger"},
        "Team: 龙 Dragon, 虎 Tiger",
    ),
    (
        Filters(regions=("East",), rep_ids=(17, 23), labels=("李娜", "王强")),
        "r.region IN ($f_region_0) AND r.rep_id IN ($f_rep_id_0, $f_rep_id_1)",
        {"f_region_0": "East", "f_rep_id_0": 17, "f_rep_id_1": 23},
        "Region: East; Rep: 李娜, 王强",
    ),
    (
        Filters(rep_ids=(17,)),
        "r.rep_id IN ($f_rep_id_0)",
        {"f_rep_id_0": 17},
        "Rep: 17",
    ),
    (
        Filters(scope_teams=("龙 Dragon",)),
        "(r.team IN ($f_scope_team_0))",
        {"f_scope_team_0": "龙 Dragon"},
        "Everything you may see · your scope: Team: 龙 Dragon",
    ),
    (
        Filters(teams=("虎 Tiger",), scope_regions=("East",), scope_teams=("龙 Dragon",)),
        "r.team IN ($f_team_0) AND (r.region IN ($f_scope_region_0) OR r.team IN ($f_scope_team_0))",
        {"f_team_0": "虎 Tiger", "f_scope_region_0": "East", "f_scope_team_0": "龙 Dragon"},
        "Team: 虎 Tiger · your scope: Region: East; Team: 龙 Dragon",
    ),
    (
        Filters(scope_rep_ids=(5,)),
        "(r.rep_id IN ($f_scope_rep_id_0))",
        {"f_scope_rep_id_0": 5},
        "Everything you may see · your scope: your own figures",
    ),
    (Filters(scope_rep_ids=()), "FALSE", {}, "Everything you may see · your scope: your own figures"),
    (
        Filters(scope_teams=(), scope_regions=()),
        "FALSE",
        {},
        "Everything you may see · your scope: nothing (no team, region or rep was given to you)",
    ),
]


@pytest.mark.parametrize(("filters", "where", "params", "description"), CASES)
def test_filters_compile_to_a_where_fragment_named_parameters_and_a_description(
    filters, where, params, description
):
    compiled = filters.where("r")
    assert compiled.sql == where
    assert compiled.params == params
    assert filters.describe("en") == description


def test_a_fragment_takes_the_alias_and_the_parameter_prefix_it_is_given():
    compiled = Filters(teams=("A",)).where("vr", prefix="where_visit")
    assert compiled.sql == "vr.team IN ($where_visit_team_0)"
    assert compiled.params == {"where_visit_team_0": "A"}


def test_an_alias_that_is_not_an_identifier_is_refused():
    with pytest.raises(ValueError):
        Filters().where("r; DROP TABLE reps")


def test_the_names_of_the_chosen_reps_are_no_part_of_the_selection():
    assert Filters(rep_ids=(1,), labels=("李娜",)) == Filters(rep_ids=(1,))
    assert "李娜" not in repr(Filters(rep_ids=(1,), labels=("李娜",)))


def test_scope_only_keeps_the_scope_and_drops_the_choices():
    chosen = Filters(teams=("A",), rep_ids=(1,), scope_regions=("East",))
    assert chosen.scope_only() == Filters(scope_regions=("East",))
    assert chosen.one_rep(7) == Filters(teams=("A",), rep_ids=(7,), scope_regions=("East",))


@pytest.fixture
def reps():
    con = duckdb.connect()
    con.execute("CREATE TABLE reps (rep_id INTEGER, team VARCHAR, region VARCHAR)")
    con.execute("INSERT INTO reps VALUES (1, 'A', 'East'), (2, 'B', 'East'), (3, 'C', 'West')")
    yield con
    con.close()


def test_run_narrows_a_query_by_the_filters_and_binds_its_own_values(reps):
    sql = "SELECT rep_id FROM reps r WHERE {where} AND r.rep_id >= $min ORDER BY 1"
    found = run(reps, sql, Filters(regions=("East",)), {"min": 2})
    assert found["rep_id"].tolist() == [2]


def test_several_fragments_in_one_query_each_on_its_own_alias(reps):
    sql = "SELECT a.rep_id FROM reps a JOIN reps b ON a.region = b.region WHERE {where_a} AND {where_b} ORDER BY 1"
    found = run(reps, sql, Filters(teams=("A", "B")), scopes={"where_a": "a", "where_b": "b"})
    assert found["rep_id"].tolist() == [1, 1, 2, 2]


def test_user_text_never_becomes_sql(reps):
    found = run(reps, "SELECT count(*) AS n FROM reps r WHERE {where}", Filters(teams=("A' OR '1'='1",)))
    assert found["n"].tolist() == [0]


def test_a_query_without_its_placeholder_or_with_one_left_unfilled_is_refused():
    with pytest.raises(ValueError, match="no {where}"):
        compile_sql("SELECT * FROM reps r", Filters())
    with pytest.raises(ValueError, match="was not given a scope"):
        compile_sql("SELECT * FROM reps r WHERE {where} AND {where_owner}", Filters())
    with pytest.raises(ValueError, match="used twice"):
        compile_sql("SELECT 1 FROM reps r WHERE {where}", Filters(teams=("A",)), {"where_team_0": 1})
