"""The sales school at deal level on a made-up team of eight reps, each closing three won and
three lost deals in May 2026. Planted differences: every won deal starts at the design institute
and is followed up 4 days after the quote, every lost deal starts at the owner and is followed up
after 14 days. Planted non-differences: the manager rides along on one won and one lost deal of
each rep; both kinds of deal see the same two parties, two visits before the quote and close in
80 days."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesmgmt import db
from salesmgmt.filters import Filters
from salesmgmt.metrics import school_deals as sd
from salesmgmt.text import name_key

AS_OF = date(2026, 5, 31)
REPS = 8


def planted(con) -> None:
    con.execute(
        "INSERT INTO clients (client_id, name, name_key, client_type) VALUES"
        " (1, '设计院', 'di', 'design_institute'), (2, '业主', 'owner', 'owner')"
    )
    key = 0
    for rep in range(1, REPS + 1):
        name = f"R{rep:02d}"
        con.execute(
            "INSERT INTO reps (rep_id, name, name_key, team, region, manager)"
            " VALUES (?, ?, ?, 'T', 'E', '经理 M')",
            [rep, name, name_key(name)],
        )
        con.execute("INSERT INTO targets VALUES ('2026-05-01', 'rep', ?, 100000, NULL)", [str(rep)])
        for k in range(6):
            won = k < 3
            opp = f"D{rep}-{k}"
            status = "won" if won else "lost"
            amount = 50_000 * (2 if rep <= 2 else 1)
            con.execute(
                "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount,"
                " created_date, close_date) VALUES (?, ?, 2, ?, ?, ?, '2026-03-01', '2026-05-20')",
                [opp, rep, status, status, amount],
            )
            for day, stage, state in (
                ("2026-03-01", "qualified", "open"),
                ("2026-04-01", "quote", "open"),
                ("2026-05-20", status, status),
            ):
                con.execute(
                    "INSERT INTO opportunity_history (opp_id, valid_from, rep_id, client_id, stage,"
                    " status) VALUES (?, ?, ?, 2, ?, ?)",
                    [opp, day, rep, stage, state],
                )
            first, second = (1, 2) if won else (2, 1)
            followup = "2026-04-05" if won else "2026-04-15"
            for day, client, along in (
                ("2026-03-02", first, "经理 M" if k in (0, 3) else None),
                ("2026-03-10", second, None),
                (followup, 1, None),
            ):
                key += 1
                con.execute(
                    "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, accompanied_by, opp_id)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [key, day, rep, client, along, opp],
                )


@pytest.fixture
def team(tmp_path):
    path = tmp_path / "deals.duckdb"
    with db.connect(path) as con:
        planted(con)
    return path


def by_behaviour(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("behaviour")


def test_each_deal_carries_its_behaviours(team):
    with db.connect(team, read_only=True) as con:
        deals = sd.deal_behaviours(con, sd.window_for(AS_OF), Filters(), AS_OF)
    assert len(deals) == REPS * 6
    won = deals[deals["opp_id"] == "D1-0"].iloc[0]
    assert (won.design_institute_first, won.parties_met, won.owner_met) == (1.0, 2.0, 1.0)
    assert (won.visits_before_quote, won.ride_along, won.followup_days_after_quote) == (2.0, 1.0, 4.0)
    assert won.days_to_close == 80.0  # 1 March to 20 May
    lost = deals[deals["opp_id"] == "D1-4"].iloc[0]
    assert (lost.design_institute_first, lost.ride_along, lost.followup_days_after_quote) == (0.0, 0.0, 14.0)
    assert set(deals.loc[deals["top"], "rep_id"]) == {1, 2}, (
        "the top quarter of eight: the two who won double"
    )


def test_the_planted_differences_are_clear_and_the_planted_sameness_is_none(team):
    with db.connect(team, read_only=True) as con:
        found = sd.deal_school(con, AS_OF, Filters())
    wl = by_behaviour(found.won_vs_lost)
    di = wl.loc["design_institute_first"]
    assert (di.winners, di.others, di.difference) == (1.0, 0.0, 1.0)
    assert (di.ci_low, di.ci_high) == (1.0, 1.0), "every rep's deals alike: every resample the same"
    assert (di.n_winners, di.n_others, di.verdict) == (24, 24, "clear")
    follow = wl.loc["followup_days_after_quote"]
    assert (follow.winners, follow.others, follow.difference, follow.verdict) == (4.0, 14.0, -10.0, "clear")
    ride = wl.loc["ride_along"]
    assert ride.winners == ride.others == pytest.approx(1 / 3)
    assert (ride.ci_low, ride.ci_high, ride.verdict) == (0.0, 0.0, "none")
    for same in ("parties_met", "owner_met", "visits_before_quote", "days_to_close"):
        assert wl.loc[same, "verdict"] == "none", same
    assert list(found.steps["behaviour"]) == ["design_institute_first", "followup_days_after_quote"]
    assert found.skipped.empty, "every rep does what the won deals do on half of their deals"


def test_the_interval_resamples_reps_not_deals():
    # Rep 1: won deals start at the design institute, lost ones do not; rep 2: neither does.
    deals = pd.DataFrame(
        {
            "rep_id": [1, 1, 2, 2],
            **{b: [1.0, 0.0, 0.0, 0.0] for b in sd.BEHAVIOURS},
        }
    )
    won = pd.Series([True, False, True, False])
    row = by_behaviour(sd.compare_deals(deals, won, ~won)).loc["design_institute_first"]
    assert row.difference == 0.5
    # A resample holds rep 1 twice (+1), once (+0.5) or not at all (0): the interval spans 0 to 1.
    assert (row.ci_low, row.ci_high) == (0.0, 1.0)
    assert row.verdict == "too_few", f"two deals a side: below {sd.MIN_DEALS}"


def test_one_rep_is_too_few_to_conclude(team):
    with db.connect(team, read_only=True) as con:
        found = sd.deal_school(con, AS_OF, Filters().one_rep(1))
    assert set(found.won_vs_lost["verdict"]) == {"too_few"}
    assert set(found.won_vs_lost["n_winners"]) <= {3}


def test_a_step_reads_in_the_seeds_terms():
    row = pd.Series(
        dict(
            behaviour="design_institute_first",
            winners=0.62,
            others=0.18,
            difference=0.44,
            ci_low=0.30,
            ci_high=0.57,
            verdict="clear",
        )
    )
    row = next(pd.DataFrame([row]).itertuples())
    assert sd.step_text(row, "en") == (
        "Visit the design institute first: 62% of won deals started there, 18% of lost deals"
        " (difference +44 points, interval 30 to 57; clear)"
    )
    assert sd.step_text(row, "zh").startswith("先拜访设计院：62%的赢单从设计院开始，输单为18%")


def test_the_playbook_downloads_as_excel_and_a_printable_page(team):
    import io

    import openpyxl

    with db.connect(team, read_only=True) as con:
        xlsx = sd.playbook_file(con, AS_OF, Filters(), 12, "en")
        page = sd.playbook_file(con, AS_OF, Filters(), 12, "zh", file_type="html").decode("utf-8")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Sales school playbook" in cells
    assert any(c.startswith("Visit the design institute first: 100% of won deals") for c in cells)
    assert "Every rep's deals follow every step of the playbook." in cells
    assert "先拜访设计院：100%的赢单从设计院开始" in page and "优秀销售学校打法" in page
