"""The national demo company (`demo --scale large`) and history kept as change intervals.

Generating the whole national company takes minutes (bench/run.py does it and times it); here
the same size is built with one team per region and four or five engineers per team, and its
per-engineer figures are scaled up to the full company.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from salesmgmt import db
from salesmgmt.cli import build_parser
from salesmgmt.demo import (
    LARGE_SIZE,
    NATIONAL_REGIONS,
    SIZES,
    STANDARD_SIZE,
    build_demo_frames,
    generate_demo,
)
from salesmgmt.exports import export_csv
from salesmgmt.importer import apply, prepare

AS_OF = date(2026, 11, 27)
SLICE = dataclasses.replace(LARGE_SIZE, teams_per_region=1, engineers_per_team=(4, 5))
FULL_ENGINEERS = LARGE_SIZE.teams * sum(LARGE_SIZE.engineers_per_team) / 2


@pytest.fixture(scope="module")
def frames():
    return build_demo_frames(AS_OF, 7, SLICE)


def _scale(frames) -> float:
    """Full company / slice, in engineers."""
    return FULL_ENGINEERS / int((frames["reps"]["role"] == "sales_engineer").sum())


def test_the_large_size_is_a_hundred_teams_in_ten_regions_over_three_years():
    assert SIZES == {"standard": STANDARD_SIZE, "large": LARGE_SIZE}
    assert (LARGE_SIZE.regions, LARGE_SIZE.teams) == (10, 100)
    assert LARGE_SIZE.history_years == 3
    assert FULL_ENGINEERS + LARGE_SIZE.teams + 1 >= 1_000  # engineers, managers, the director


def test_scaled_to_the_full_size_the_company_has_the_clients_deals_and_visits_asked_for(frames):
    factor = _scale(frames)
    assert len(frames["clients"]) * factor >= 100_000
    assert len(frames["opportunities"]) * factor >= 200_000
    assert len(frames["visits"]) * factor >= 1_000_000


def test_every_team_belongs_to_one_region_and_each_region_has_its_own_teams(frames):
    reps = frames["reps"].dropna(subset=["team"])
    assert (reps.groupby("team")["region"].nunique() == 1).all()
    assert sorted(reps["region"].unique()) == sorted(r[0] for r in NATIONAL_REGIONS)
    assert reps["team"].nunique() == SLICE.teams
    clients = frames["clients"]
    assert set(clients["region"]) == set(reps["region"])


def test_history_and_visits_go_back_three_years(frames):
    three_years_ago = AS_OF - timedelta(days=3 * 365)
    assert frames["visits"]["visit_date"].min().date() <= three_years_ago + timedelta(days=7)
    assert frames["opportunity_history"]["valid_from"].min().date() <= three_years_ago
    assert frames["visits"]["visit_date"].max().date() <= AS_OF


def test_names_codes_and_ids_stay_unique_at_scale(frames):
    clients, reps = frames["clients"], frames["reps"]
    assert clients["name_key"].is_unique and clients["code"].is_unique
    assert reps["name"].is_unique and reps["code"].is_unique
    assert frames["opportunities"]["opp_id"].is_unique
    assert frames["visits"]["visit_id"].is_unique


def test_visits_and_deals_are_with_clients_of_the_reps_region(frames):
    region_of_rep = frames["reps"].set_index("rep_id")["region"]
    region_of_client = frames["clients"].set_index("client_id")["region"]
    for table in ("visits", "opportunities"):
        rows = frames[table]
        assert (
            rows["rep_id"].map(region_of_rep).to_numpy() == rows["client_id"].map(region_of_client).to_numpy()
        ).all(), table


def test_the_standard_size_is_still_the_four_teams_of_east_china():
    reps = build_demo_frames(AS_OF, 7)["reps"]
    assert reps["team"].dropna().nunique() == 4
    assert reps["team"].iloc[1:].iloc[0] == "龙 Dragon"


def test_the_demo_command_offers_the_large_scale():
    args = build_parser().parse_args(["demo", "--scale", "large"])
    assert args.scale == "large" and args.scale in SIZES


def test_a_year_of_weekly_reuploads_of_an_unchanged_pipeline_adds_no_rows(tmp_path):
    path = tmp_path / "weekly.duckdb"
    start = AS_OF - timedelta(days=364)
    with db.connect(path) as con:
        generate_demo(con, as_of=start, seed=3)
        # Twenty deals keep the test short: each import's cost is mostly fixed.
        pipeline = b"\n".join(export_csv(con, "opportunities", "zh").split(b"\n")[:21]) + b"\n"
        before = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("opportunities", "opportunity_history")
        }
        for week in range(1, 53):
            preview = prepare(pipeline, f"pipeline-week-{week}.csv", as_of=start + timedelta(weeks=week))
            result = apply(con, preview)
            assert (result.added, result.updated, result.unchanged) == (0, 0, 20)
        after = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("opportunities", "opportunity_history")
        }
        batches = con.execute("SELECT count(*) FROM uploads").fetchone()[0]
    assert after == before
    assert batches == 52
