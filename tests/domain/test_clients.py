"""Client relationships on a small company whose every figure is checked by hand.

As of 30 June 2026: the visit trend compares (1 Apr, 30 Jun] with (1 Jan, 1 Apr]; the pipeline
now with 1 April; won revenue (30 Jun 2025, 30 Jun 2026] with the year before.

C1 Key Institute: key account (cadence 30 days) of rep A, level 4. Visits 15 Jan, 10 Feb,
   10 Mar, 20 Mar, 20 Apr (by rep B, with Product manager Liu), 16 May: last 45 days ago, 2
   recent against 4 before. Deals: K1 open 200,000 since 1 Jan; K2 open 100,000 from 1 Feb, lost
   1 May; K3 open 50,000 from 1 Feb, won 1 Jun; K4 won 100,000 on 1 Sep 2025; K5 won 300,000 on
   10 Jan 2025. Pipeline 1 Apr: 350,000; now 200,000, plus 50,000 won since.
C2 Quiet Owner: other client (cadence 90) of rep A, no level. One visit, 15 Feb (135 days);
   won 80,000 on 1 Mar 2026; P1 lost 10,000 (1-15 Mar).
C3 Tiger Steel: key account of rep B, level 2, never visited; T1 open 100,000 since 1 May.
C4 Ownerless: other client without owner; one visit 20 Jun.
Project "Plant X": K1 (C1), T1 (C3) and P1 (C2).
"""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.metrics import clients
from salesmgmt.review_pack import review_pack_html, review_pack_xlsx
from tests.scenario import Company

AS_OF = date(2026, 6, 30)
DRAGON = Filters(teams=("Dragon",))


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "clients.duckdb") as con:
        c = Company(con)
        c.rep(1, "A", "Dragon")
        c.rep(2, "B", "Tiger", "West")
        c.client(1, "Key Institute", "design_institute", owner=1, key=True, level=4)
        c.client(2, "Quiet Owner", "owner", owner=1)
        c.client(3, "Tiger Steel", "steel_structure", owner=2, key=True, level=2)
        c.client(4, "Ownerless", "construction")
        for day in (date(2026, 1, 15), date(2026, 2, 10), date(2026, 3, 10), date(2026, 3, 20)):
            c.visit(day, 1, 1, notes='=HYPERLINK("x") <script>alert(1)</script>')
        c.visit(date(2026, 4, 20), 2, 1, accompanied_by="Product manager Liu")
        c.visit(date(2026, 5, 16), 1, 1, purpose="technical exchange")
        c.visit(date(2026, 2, 15), 1, 2)
        c.visit(date(2026, 6, 20), 1, 4)
        far = date(2026, 12, 31)
        c.deal(
            "K1", 1, 1, [(date(2026, 1, 1), "solution", 200_000, far)], project="Plant X", product="Skylight"
        )
        c.deal(
            "K2",
            1,
            1,
            [(date(2026, 2, 1), "quote", 100_000, far), (date(2026, 5, 1), "lost", 100_000, far)],
            lost_reason="Price",
        )
        c.deal("K3", 1, 1, [(date(2026, 2, 1), "quote", 50_000, far), (date(2026, 6, 1), "won", 50_000, far)])
        c.deal(
            "K4", 1, 1, [(date(2025, 6, 1), "quote", 100_000, far), (date(2025, 9, 1), "won", 100_000, far)]
        )
        c.deal(
            "K5", 1, 1, [(date(2024, 10, 1), "quote", 300_000, far), (date(2025, 1, 10), "won", 300_000, far)]
        )
        c.deal("Q1", 1, 2, [(date(2026, 1, 1), "quote", 80_000, far), (date(2026, 3, 1), "won", 80_000, far)])
        c.deal(
            "P1",
            1,
            2,
            [(date(2026, 3, 1), "lead", 10_000, far), (date(2026, 3, 15), "lost", 10_000, far)],
            project="Plant X",
        )
        c.deal("T1", 2, 3, [(date(2026, 5, 1), "lead", 100_000, far)], project="Plant X")
        yield con


@pytest.mark.parametrize(
    "facts, parts",
    [
        # days, key, recent, previous, now, then, won since, won 12m, prior 12m, level
        (
            (45, True, 2, 4, 200_000, 350_000, 50_000, 150_000, 300_000, 4),
            dict(
                recency=22.5,
                visit_trend=7.5,
                pipeline=20 * (0.5 + 0.5 * 250 / 350),
                revenue=10,
                relationship=11.25,
            ),
        ),
        (
            (135, False, 0, 1, 0, 0, 0, 80_000, 0, None),
            dict(recency=22.5, visit_trend=0, pipeline=0, revenue=20, relationship=None),
        ),
        (
            (None, True, 0, 0, 100_000, 0, 0, 0, 0, 2),
            dict(recency=0, visit_trend=0, pipeline=20, revenue=0, relationship=3.75),
        ),
        (
            (30, True, 3, 0, 1, 1, 0, 1, 1, 5),
            dict(recency=30, visit_trend=15, pipeline=20, revenue=20, relationship=15),
        ),
        (
            (90, True, 1, 3, 0, 5, 0, 0, 0, 1),
            dict(recency=0, visit_trend=5, pipeline=0, revenue=0, relationship=0),
        ),
    ],
)
def test_the_health_formula_part_by_part(facts, parts):
    got = clients.health_parts(*facts)
    for name, value in parts.items():
        assert got[name] == (None if value is None else pytest.approx(value)), name
    points = sum(v for v in parts.values() if v is not None)
    assert got["score"] == pytest.approx(points / (85 if parts["relationship"] is None else 100) * 100)


def test_each_clients_score_from_its_facts(con):
    health = clients.client_health(con, Filters(), AS_OF).set_index("client")
    c1 = health.loc["Key Institute"]
    assert c1.days_since_visit == 45 and c1.visits_recent == 2 and c1.visits_previous == 4
    assert (c1.pipeline_now, c1.pipeline_then, c1.won_since_then) == (200_000, 350_000, 50_000)
    assert (c1.won_last_12m, c1.won_prior_12m) == (150_000, 300_000)
    assert c1.health_score == pytest.approx(22.5 + 7.5 + 20 * (0.5 + 0.5 * 250 / 350) + 10 + 11.25)
    assert health.loc["Quiet Owner"].health_score == pytest.approx(42.5 / 85 * 100)
    assert health.loc["Tiger Steel"].health_score == pytest.approx(23.75)
    assert health.loc["Ownerless"].health_score == pytest.approx(45 / 85 * 100)


def test_key_accounts_going_cold_come_first(con):
    health = clients.client_health(con, Filters(), AS_OF)
    assert list(health["client"]) == ["Tiger Steel", "Key Institute", "Quiet Owner", "Ownerless"]
    cold = health.set_index("client")["going_cold"]
    assert cold["Tiger Steel"], "never visited"
    assert cold["Key Institute"], "visited 45 days ago, but 200,000 + 50,000 won < 350,000"
    assert not cold["Quiet Owner"], "not a key account"


def test_the_search_finds_clients_by_part_of_their_name_in_the_health_order(con):
    health = clients.client_health(con, Filters(), AS_OF)
    assert list(clients.find_clients(health, "steel")["client"]) == ["Tiger Steel"]
    assert list(clients.find_clients(health, " OWNER ")["client"]) == ["Quiet Owner", "Ownerless"]
    assert clients.find_clients(health, "Panda").empty
    assert len(clients.find_clients(health, "")) == 4, "no text: every client"


def test_a_client_belongs_to_the_scope_of_its_owner_with_all_its_facts(con):
    health = clients.client_health(con, DRAGON, AS_OF).set_index("client")
    assert list(health.index) == ["Key Institute", "Quiet Owner"], "no Tiger client, no ownerless one"
    assert health.loc["Key Institute"].visits_recent == 2, "rep B's visit still counts for it"
    assert clients.client_health(con, Filters(scope_rep_ids=()), AS_OF).empty
    assert clients.client_profile(con, 3, DRAGON, AS_OF) is None


def test_the_explanation_names_the_facts_behind_each_part(con):
    c1 = clients.client_health(con, Filters(), AS_OF).set_index("client_id").loc[1].to_dict()
    parts = {p["part"]: p for p in clients.health_explanation(c1, "en")}
    assert parts["recency"]["points"] == 22.5 and parts["recency"]["max"] == 30
    assert "45 days ago" in parts["recency"]["detail"] and "30 days" in parts["recency"]["detail"]
    assert "2 visits" in parts["visit_trend"]["detail"]
    zh = {p["part"]: p for p in clients.health_explanation(c1, "zh")}
    assert "45" in zh["recency"]["detail"] and "万元" in zh["pipeline"]["detail"]


def test_the_profile_has_the_visits_deals_and_people(con):
    profile = clients.client_profile(con, 1, Filters(), AS_OF)
    assert profile["client"]["client"] == "Key Institute"
    assert len(profile["visits"]) == 6 and profile["visits"].iloc[0].visit_date == date(2026, 5, 16)
    assert list(profile["deals"]["opp_id"][:1]) == ["K1"], "open deals first"
    people = profile["people"].set_index("person")
    assert people.loc["A", "visits"] == 5 and people.loc["B", "visits"] == 1
    assert people.loc["Product manager Liu", "role"] == "along"
    assert profile["last_review"] is None and profile["next_review_date"] is None


def test_a_scoped_profile_counts_every_visit_but_names_only_people_in_scope(con):
    profile = clients.client_profile(con, 1, DRAGON, AS_OF)
    assert profile["client"]["visits_recent"] == 2, "rep B's visit still counts"
    by_b = profile["visits"][profile["visits"]["visit_date"] == date(2026, 4, 20)].iloc[0]
    assert pd.isna(by_b.rep) and pd.isna(by_b.accompanied_by) and not by_b.in_scope
    people = profile["people"]
    assert list(people["role"]) == ["rep", "outside"]
    assert pd.isna(people.iloc[1].person) and people.iloc[1].visits == 1
    assert "B" not in set(profile["deals"]["rep"].dropna()) | set(people["person"].dropna())
    page = review_pack_html(con, 1, DRAGON, AS_OF, "en")
    assert "Product manager Liu" not in page and "a colleague outside your view" in page


def test_recording_a_review_sets_the_plan_and_the_next_date(con):
    review_id = clients.record_review(
        con,
        1,
        DRAGON,
        review_date=date(2026, 6, 10),
        participants="A, 陈总",
        findings="Phase 2 in design",
        development_plan="Get skylights specified in phase 2",
        recorded_by="chen",
    )
    assert review_id == 1
    profile = clients.client_profile(con, 1, Filters(), AS_OF)
    assert profile["development_plan"] == "Get skylights specified in phase 2"
    assert profile["next_review_date"] == date(2026, 9, 8), "90 days after the review by default"
    assert profile["reviews"].iloc[0].recorded_by == "chen"
    clients.record_review(
        con,
        1,
        DRAGON,
        review_date=date(2026, 6, 20),
        participants="A",
        development_plan="Follow up",
        next_review_date=date(2026, 7, 10),
    )
    profile = clients.client_profile(con, 1, Filters(), AS_OF)
    assert profile["development_plan"] == "Follow up" and len(profile["reviews"]) == 2


@pytest.mark.parametrize(
    "change, key",
    [
        (dict(development_plan="  "), "cl.error.no_plan"),
        (dict(participants=""), "cl.error.no_participants"),
        (dict(next_review_date=date(2026, 6, 1)), "cl.error.next_before"),
        (dict(client_id=3), "cl.error.not_in_scope"),
    ],
)
def test_a_review_is_refused_with_a_reason(con, change, key):
    args = dict(client_id=1, review_date=date(2026, 6, 10), participants="A", development_plan="Plan")
    args.update(change)
    client_id = args.pop("client_id")
    with pytest.raises(SalesmgmtError) as info:
        clients.record_review(con, client_id, DRAGON, **args)
    assert info.value.key == key
    assert con.execute("SELECT count(*) FROM client_reviews").fetchone()[0] == 0


def test_reviews_due_lists_key_accounts_never_reviewed_or_due_soon(con):
    due = clients.reviews_due(con, Filters(), AS_OF)
    assert list(due["client"]) == ["Key Institute", "Tiger Steel"], "never reviewed, by name"
    clients.record_review(
        con,
        1,
        Filters(),
        review_date=date(2026, 6, 1),
        participants="A",
        development_plan="Plan",
        next_review_date=date(2026, 7, 10),
    )
    due = clients.reviews_due(con, Filters(), AS_OF).set_index("client")
    assert list(due.index) == ["Tiger Steel", "Key Institute"]
    assert due.loc["Key Institute", "days_to_review"] == 10
    clients.record_review(
        con, 1, Filters(), review_date=date(2026, 6, 2), participants="A", development_plan="Plan"
    )
    assert list(clients.reviews_due(con, Filters(), AS_OF)["client"]) == ["Tiger Steel"]


def test_the_project_chain_shows_which_links_were_visited(con):
    chain = clients.project_coverage(con, Filters(), AS_OF).set_index("project")
    x = chain.loc["Plant X"]
    assert (x.design_institute, x.steel_structure, x.construction, x.owner) == (
        "visited",
        "not_visited",
        "none",
        "visited",
    )
    assert x.design_institute_clients == "Key Institute"
    assert x.design_institute_last_visit == date(2026, 5, 16)
    assert x.links_known == 3 and x.links_visited == 2 and x.chain_coverage == 0.5
    assert x.open_amount == 300_000 and x.started == date(2026, 1, 1)


def test_the_project_chain_keeps_to_the_deals_in_scope(con):
    x = clients.project_coverage(con, DRAGON, AS_OF).set_index("project").loc["Plant X"]
    assert x.steel_structure == "none", "Tiger's deal is outside the scope"
    assert x.open_amount == 200_000 and x.links_known == 2
    assert clients.project_coverage(con, Filters(scope_rep_ids=()), AS_OF).empty


def test_the_review_pack_in_excel_is_safe_and_in_the_users_language(con):
    clients.record_review(
        con,
        1,
        Filters(),
        review_date=date(2026, 6, 10),
        participants="A",
        development_plan="Get skylights specified",
    )
    data = review_pack_xlsx(con, 1, Filters(), AS_OF, "zh")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    texts = [str(c.value) for c in cells]
    assert any("Key Institute" in v for v in texts)
    assert "Get skylights specified" in texts
    assert any("重点客户" in v for v in texts), "Chinese labels"
    formula_like = [c for c in cells if str(c.value).startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like), "text, never a formula"


def test_the_review_pack_in_html_escapes_what_users_typed(con):
    page = review_pack_html(con, 1, Filters(), AS_OF, "en")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Key Institute" in page and "Skylight" in page
    with pytest.raises(SalesmgmtError):
        review_pack_html(con, 3, DRAGON, AS_OF, "en")
