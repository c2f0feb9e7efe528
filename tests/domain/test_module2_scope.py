"""Module 2 never returns anything outside the user's scope (tests/tiny.py's company).

For every scope a user can have - one team, one region, one rep, nothing - every function of
products, operations, coaching and clients is run, and each rep, team, owner and client in its
answer must belong to the scope: reps by their own team/region/id, clients by their owner rep
(the rule of salesmgmt.metrics.clients), deals and visits by their rep.
"""

from __future__ import annotations

import pandas as pd
import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import clients, coaching, deals, operations, products
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")
Q2 = Period.parse("2026-Q2")
AS_OF = tiny.AS_OF
REPS = {rep_id: (name, team, region) for rep_id, name, team, region, _, _ in tiny.REPS}
OWNER = {client_id: owner for client_id, _, _, _, _, owner in tiny.CLIENTS}
CLIENT_ID = {name: client_id for client_id, name, *_ in tiny.CLIENTS}

SCOPES = {
    "team Tiger": Filters(scope_teams=("Tiger",)),
    "team Dragon": Filters(scope_teams=("Dragon",)),
    "region West": Filters(scope_regions=("West",)),
    "rep 2": Filters(scope_rep_ids=(2,)),
    "nothing": Filters(scope_rep_ids=()),
}


def reps_in(scope: Filters) -> set[int]:
    out = set()
    for rep_id, (_, team, region) in REPS.items():
        checks = []
        if scope.scope_teams is not None:
            checks.append(team in scope.scope_teams)
        if scope.scope_regions is not None:
            checks.append(region in scope.scope_regions)
        if scope.scope_rep_ids is not None:
            checks.append(rep_id in scope.scope_rep_ids)
        if any(checks):
            out.add(rep_id)
    return out


def answers(con) -> dict[str, callable]:
    """Every module 2 function, called with a scope."""
    return {
        "product_table": lambda f: products.product_table(con, Q2, f, AS_OF),
        "product_trend": lambda f: products.product_trend(con, f, MAY, AS_OF, 3),
        "product_breakdown": lambda f: products.product_breakdown(con, Q2, f, "team"),
        "deal_figures": lambda f: deals.deal_figures(con, Q2, f, ("rep_id", "team")),
        "pipeline_at": lambda f: deals.pipeline_at(con, f, (AS_OF,), ("rep_id",)),
        "open_funnel": lambda f: operations.open_funnel(con, f, AS_OF, ("team",)),
        "conversion_by_team": lambda f: operations.conversion_by_team(con, MAY, f),
        "operation_figures": lambda f: operations.operation_figures(con, MAY, f, AS_OF, ("team",)),
        "operations_trend": lambda f: operations.operations_trend(con, f, MAY, AS_OF, 3, ("team",)),
        "open_deals_at": lambda f: operations.open_deals_at(con, f, AS_OF),
        "stalled_deals": lambda f: operations.stalled_deals(con, f, AS_OF),
        "pushed_deals": lambda f: operations.pushed_deals(con, f, AS_OF, min_times=0),
        "lost_reasons": lambda f: operations.lost_reasons(con, MAY, f, ("team",)),
        "ride_along_visits": lambda f: coaching.ride_along_visits(con, f, Q2.start, Q2.end),
        "coaching_by_month": lambda f: coaching.coaching_by_month(con, f, MAY, AS_OF, 3),
        "coaching_summary": lambda f: coaching.coaching_summary(con, MAY, f, AS_OF),
        "before_after": lambda f: coaching.before_after(con, f, AS_OF),
        "coaching_plan": lambda f: coaching.coaching_plan(con, f, AS_OF),
        "client_health": lambda f: clients.client_health(con, f, AS_OF),
        "reviews_due": lambda f: clients.reviews_due(con, f, AS_OF),
        "project_members": lambda f: clients.project_members(con, f, AS_OF, open_only=False),
    }


def check(frame: pd.DataFrame, allowed: set[int], what: str) -> None:
    names = {REPS[r][0] for r in allowed}
    teams = {REPS[r][1] for r in allowed}
    if "rep_id" in frame:
        assert set(frame["rep_id"].dropna().astype(int)) <= allowed, what
    if "team" in frame:
        assert set(frame["team"].dropna()) <= teams, what
    for column in ("rep", "owner"):
        if column in frame:
            assert set(frame[column].dropna()) <= names, f"{what}: {column}"
    if "client_id" in frame and what in ("client_health", "reviews_due"):
        assert {OWNER[c] for c in frame["client_id"]} <= allowed, what


@pytest.fixture
def with_projects(tiny_con):
    """The tiny company, its deals grouped into one project and a review recorded."""
    tiny_con.execute("UPDATE opportunities SET project = 'Plant X'")
    clients.record_review(
        tiny_con, 1, Filters(), review_date=AS_OF, participants="Chen", development_plan="Plan"
    )
    return tiny_con


@pytest.mark.parametrize("scope_name", list(SCOPES))
def test_no_function_of_module_2_answers_outside_the_scope(with_projects, scope_name):
    scope = SCOPES[scope_name]
    allowed = reps_in(scope)
    for what, call in answers(with_projects).items():
        check(call(scope), allowed, what)
    for client_id, owner in OWNER.items():
        profile = clients.client_profile(with_projects, client_id, scope, AS_OF)
        assert (profile is not None) == (owner in allowed), (scope_name, client_id)


@pytest.mark.parametrize("scope_name", ["team Tiger", "team Dragon", "rep 2"])
def test_a_scope_sees_exactly_its_own_share_of_the_whole(tiny_con, scope_name):
    scope = SCOPES[scope_name]
    allowed = reps_in(scope)
    whole = deals.deal_figures(tiny_con, Q2, Filters(), ("rep_id",)).set_index("rep_id")
    mine = products.product_table(tiny_con, Q2, scope, AS_OF)
    assert mine["won_amount"].sum() == whole.loc[list(allowed & set(whole.index)), "won_amount"].sum()


def test_nothing_means_nothing(tiny_con):
    for what, call in answers(tiny_con).items():
        assert call(SCOPES["nothing"]).empty, what
