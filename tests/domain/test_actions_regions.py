"""The Action review and the Regional review on the tiny company (tests/tiny.py) plus a few
visits, clients and history rows added here; May 2026 as of May 31, every number by hand.

Counted weeks of May: the weeks of Monday 4, 11, 18 and 25 (May 1-3 belong to April's week).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from salesmgmt.filters import Filters
from salesmgmt.metrics import actions, plans, regions
from salesmgmt.periods import Period
from salesmgmt.text import name_key
from tests import tiny

MAY = Period.parse("2026-05")
ALL = Filters()
W1, W2, W3, W4 = (date(2026, 5, d) for d in (4, 11, 18, 25))


@pytest.fixture
def con(tiny_con):
    """Tiny plus: Wang visits 西部业主 on May 6 and 7; Zhang visits 华东设计院 on May 27 (marked
    planned, about O4); O4 moves solution -> quote on May 29 and O5 quote -> negotiation on
    May 20; O8 qualified -> solution on May 8. Two clients more: a construction company owned by
    Wang and never visited, and one without an owner that Li visited in March."""
    c = tiny_con
    c.executemany(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, visit_type, planned, opp_id)"
        " VALUES (?, ?, ?, ?, 'visit', ?, ?)",
        [
            (101, date(2026, 5, 6), 3, 3, None, None),
            (102, date(2026, 5, 7), 3, 3, None, None),
            (103, date(2026, 5, 27), 1, 1, True, "O4"),
            (104, date(2026, 3, 10), 2, 5, None, None),
        ],
    )
    for opp, split, before, after in (
        ("O4", date(2026, 5, 29), "solution", "quote"),
        ("O5", date(2026, 5, 20), "quote", "negotiation"),
        ("O8", date(2026, 5, 8), "qualified", "solution"),
    ):
        c.execute(
            "INSERT INTO opportunity_history (opp_id, valid_from, rep_id, client_id, stage, status,"
            " amount, probability, expected_close_date) SELECT opp_id, ?, rep_id, client_id, ?,"
            " status, amount, probability, expected_close_date FROM opportunity_history"
            " WHERE opp_id = ?",
            [split, after, opp],
        )
        c.execute(
            "UPDATE opportunity_history SET valid_to = ?, stage = ? WHERE opp_id = ? AND valid_from < ?",
            [split, before, opp, split],
        )
    c.executemany(
        "INSERT INTO clients (client_id, name, name_key, client_type, region, key_account, owner_rep_id)"
        " VALUES (?, ?, ?, 'construction', ?, FALSE, ?)",
        [
            (4, "西部建工", name_key("西部建工"), "West", 3),
            (5, "苏州三建", name_key("苏州三建"), "East", None),
        ],
    )
    return c


def test_the_heat_map_counts_each_engineers_visits_per_counted_week(con):
    weekly = actions.weekly_visits(con, MAY, ALL, tiny.AS_OF)
    grid = {(r.rep, r.week): r.visits for r in weekly.itertuples()}
    assert sorted({r for r, _ in grid}) == sorted(["张伟 Zhang", "李娜 Li", "王强 Wang"]), (
        "sales engineers only: the manager is left out"
    )
    assert [grid[("张伟 Zhang", w)] for w in (W1, W2, W3, W4)] == [2, 1, 3, 1]
    assert [grid[("李娜 Li", w)] for w in (W1, W2, W3, W4)] == [2, 2, 0, 0]
    assert [grid[("王强 Wang", w)] for w in (W1, W2, W3, W4)] == [2, 0, 0, 0]
    assert weekly["meets_norm"].sum() == 5


def test_engineers_below_the_norm_several_weeks_in_a_row(con):
    streaks = actions.norm_streaks(actions.weekly_visits(con, MAY, ALL, tiny.AS_OF)).set_index("rep")
    assert streaks.loc["张伟 Zhang", "longest_streak"] == 1 and streaks.loc["张伟 Zhang", "weeks_below"] == 2
    assert streaks.loc["李娜 Li", "longest_streak"] == 2 and streaks.loc["李娜 Li", "current_streak"] == 2
    assert streaks.loc["王强 Wang", "longest_streak"] == 3
    assert list(actions.reps_below_norm(con, MAY, ALL, tiny.AS_OF)["rep"]) == ["王强 Wang"]
    assert list(actions.reps_below_norm(con, MAY, ALL, tiny.AS_OF, streak=2)["rep"]) == [
        "王强 Wang",
        "李娜 Li",
    ]


def test_planned_visits_of_the_latest_plan_against_those_done(con):
    plans.save_plan(con, 2, MAY, ALL, saved_on=date(2026, 5, 1), visits=[(1, date(2026, 5, 4), None)])
    plans.save_plan(
        con,
        2,
        MAY,
        ALL,
        saved_on=date(2026, 5, 4),
        visits=[(2, date(2026, 5, 6), None), (1, date(2026, 5, 12), None), (2, date(2026, 5, 27), None)],
    )
    frame = actions.planned_vs_done(con, MAY, ALL, tiny.AS_OF).set_index("rep")
    li = frame.loc["李娜 Li"]
    assert (li.visits, li.planned, li.planned_done, li.planned_missed) == (4, 3, 1, 1)
    assert li.planned_done_share == 0.5, "the upcoming one is left out"
    zhang = frame.loc["张伟 Zhang"]
    assert (zhang.visits, zhang.visits_marked_planned, zhang.planned) == (8, 1, 0)
    assert np.isnan(zhang.planned_done_share)
    quarter = actions.planned_vs_done(con, Period.parse("2026-Q2"), ALL, tiny.AS_OF).set_index("rep")
    assert quarter.loc["李娜 Li", "planned"] == 3
    assert actions.planned_vs_done(con, MAY, Filters(teams=("Tiger",)), tiny.AS_OF)["planned"].sum() == 0


def test_the_share_of_visits_to_each_client_type(con):
    share = actions.client_type_share(con, MAY, ALL, by="team")
    dragon = share[share["group"] == "Dragon"].set_index("client_type")
    # Dragon: Zhang 7 + Li 4 + Chen 1 visits to 江苏钢构, and Zhang's one to 华东设计院.
    assert dragon.loc["steel_structure", "visits"] == 12
    assert dragon.loc["design_institute", "share"] == pytest.approx(1 / 13)
    assert dragon.loc["owner", "visits"] == 0
    tiger = share[share["group"] == "Tiger"].set_index("client_type")
    assert tiger.loc["owner", "share"] == 1.0
    assert list(dragon.index) == list(actions.CLIENT_TYPES)


def test_visits_followed_by_opportunity_progress_within_two_weeks(con):
    progress = actions.visit_progress(con, MAY, ALL, date(2026, 6, 10))
    by_rep = progress["by_rep"].set_index("rep")
    # As of June 10 every May visit's 14 days are over (May 27 + 14 = June 10).
    # Li's visits of May 7, 13 and 14 precede O5's move on May 20; May 5 is 15 days before.
    assert (by_rep.loc["李娜 Li", "visits"], by_rep.loc["李娜 Li", "visits_with_progress"]) == (4, 3)
    # Zhang: only the May 27 visit about O4 (quote on May 29); O5 is Li's deal.
    assert (by_rep.loc["张伟 Zhang", "visits"], by_rep.loc["张伟 Zhang", "visits_with_progress"]) == (8, 1)
    assert by_rep.loc["王强 Wang", "share"] == 1.0
    assert by_rep.loc["陈总 Chen", "visits_with_progress"] == 0
    assert by_rep["visits_in_window"].sum() == 0
    first = progress["visits"].iloc[0]
    assert (first.visit_date, first.opp_id, first.stage_before, first.stage_after, first.days_after) == (
        date(2026, 5, 27),
        "O4",
        "solution",
        "quote",
        2,
    )
    shorter = actions.visit_progress(con, MAY, ALL, tiny.AS_OF, days=6)["by_rep"].set_index("rep")
    assert shorter.loc["李娜 Li", "visits_with_progress"] == 1, "May 14 + 6 days = May 20 counts"


def test_only_visits_whose_two_weeks_are_over_are_judged(con):
    progress = actions.visit_progress(con, MAY, ALL, tiny.AS_OF)
    by_rep = progress["by_rep"].set_index("rep")
    # As of May 31 a visit is judged when made on or before May 17. Zhang's visits of May 1, 4,
    # 6 and 12 are (none followed by progress); those of May 18, 19, 20 and 27 are still open,
    # so the May 27 visit before O4's quote on May 29 does not count yet.
    zhang = by_rep.loc["张伟 Zhang"]
    assert (zhang.visits, zhang.visits_with_progress, zhang.visits_in_window) == (4, 0, 4)
    assert zhang.share == 0
    # Li's four visits (May 5-14) are all judged: 3 of 4.
    assert by_rep.loc["李娜 Li", "share"] == pytest.approx(3 / 4)
    # The list holds judged visits only: the most recent is Li's May 14 before O5's move on May 20.
    first = progress["visits"].iloc[0]
    assert (first.visit_date, first.opp_id, first.days_after) == (date(2026, 5, 14), "O5", 6)
    assert date(2026, 5, 27) not in set(progress["visits"]["visit_date"])


def test_on_the_first_of_the_month_no_visit_is_judged_yet(con):
    by_rep = actions.visit_progress(con, MAY, ALL, date(2026, 5, 1))["by_rep"].set_index("rep")
    # Only Zhang's May 1 visit is made by May 1, and its 14 days run to May 15: no share, not 0%.
    assert (by_rep.loc["张伟 Zhang", "visits"], by_rep.loc["张伟 Zhang", "visits_in_window"]) == (0, 1)
    assert np.isnan(by_rep.loc["张伟 Zhang", "share"])
    assert by_rep["visits"].sum() == 0


def test_each_region_against_its_target_with_growth(con):
    review = regions.region_review(con, MAY, ALL, tiny.AS_OF).set_index("region")
    east, west = review.loc["East"], review.loc["West"]
    assert east.target == 300_000 and west.target == 150_000  # Tiger's own target
    assert east.attainment == pytest.approx(1 / 3) and west.attainment == 0
    assert east.win_rate == pytest.approx(2 / 3) and west.win_rate == 0
    assert east.won_previous == 50_000 and east.growth_prev == pytest.approx(1.0)  # O6 in April
    assert east.won_last_year == 0 and np.isnan(east.growth_yoy)
    assert east.pipeline_coverage == pytest.approx(250_000 / 200_000)
    # Under way on May 12: April counts its first 12 days only, before O6 (April 30).
    early = regions.region_review(con, MAY, ALL, date(2026, 5, 12)).set_index("region")
    assert early.loc["East", "won_previous"] == 0


def test_client_type_penetration_counts_reached_clients_of_each_type(con):
    pen = regions.client_penetration(con, MAY, ALL)
    got = {(r.region, r.client_type): (r.reached, r.clients) for r in pen.itertuples() if r.clients}
    assert got == {
        ("East", "design_institute"): (1, 1),  # open O4
        ("East", "steel_structure"): (1, 1),
        ("East", "construction"): (0, 1),  # 苏州三建: no owner, Li's (March) visit
        ("West", "owner"): (1, 1),
        ("West", "construction"): (0, 1),  # 西部建工: never visited
    }
    east = pen[(pen["region"] == "East") & (pen["client_type"] == "owner")].iloc[0]
    assert east.clients == 0 and np.isnan(east.penetration)


def test_the_drill_down_goes_region_team_rep_and_keeps_the_scope(con):
    teams = regions.drill_down(con, MAY, ALL, tiny.AS_OF, region="East")
    assert list(teams["team"]) == ["Dragon"] and teams.iloc[0].target == 300_000
    reps = regions.drill_down(con, MAY, ALL, tiny.AS_OF, region="East", team="Dragon")
    assert set(reps["rep"]) == {"张伟 Zhang", "李娜 Li", "陈总 Chen"}
    scoped = Filters(scope_rep_ids=(1,))
    assert list(regions.drill_down(con, MAY, scoped, tiny.AS_OF, region="East", team="Dragon")["rep"]) == [
        "张伟 Zhang"
    ]
    assert regions.drill_down(con, MAY, scoped, tiny.AS_OF, region="West").empty


def test_regions_month_by_month(con):
    frame = regions.regions_over_time(con, ALL, MAY, months=2)
    rows = {(r.region, r.month): (r.won_amount, r.target) for r in frame.itertuples()}
    assert rows[("East", date(2026, 4, 1))] == (50_000, 80_000)
    assert rows[("East", date(2026, 5, 1))] == (100_000, 300_000)
    assert rows[("West", date(2026, 5, 1))] == (0, 150_000)
    assert np.isnan(rows[("West", date(2026, 4, 1))][1])
    april = frame[(frame["region"] == "East") & (frame["month"] == date(2026, 4, 1))].iloc[0]
    assert april.attainment == pytest.approx(0.625)


def test_nothing_outside_the_scope_is_returned(con):
    nobody = Filters(scope_rep_ids=())
    assert actions.weekly_visits(con, MAY, nobody, tiny.AS_OF).empty
    assert actions.planned_vs_done(con, MAY, nobody, tiny.AS_OF).empty
    assert actions.client_type_share(con, MAY, nobody).empty
    assert actions.visit_progress(con, MAY, nobody, tiny.AS_OF)["by_rep"].empty
    assert regions.region_review(con, MAY, nobody, tiny.AS_OF).empty
    assert regions.client_penetration(con, MAY, nobody).empty
    assert regions.regions_over_time(con, nobody, MAY, 2).empty
