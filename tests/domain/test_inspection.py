"""The pipeline inspection, checked by hand on tests/inspection_history.py: June 2026 read on
June 15 against June 8. Every flag is true for some deal and false for others."""

from __future__ import annotations

from datetime import date

import pytest

from salesmgmt import db
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.glossary import find
from salesmgmt.metrics import inspection
from salesmgmt.periods import Period
from tests import inspection_history as history

JUNE = Period.parse(history.PERIOD)

#: Each deal's flags worked out from its states on June 8 and June 15 (see the history's module):
#: N1 first appears June 10; U1 20,000 -> 30,000; D1 50,000 -> 40,000 and June 18 -> June 28;
#: P1 June 25 -> June 20 and negotiation -> quote; S1 June 29 -> July 15 (out of June); W1 won
#: June 12; L1 lost June 9; X1 106 days in solution (> 60), expected June 5, client 1 not visited
#: since March 1; tiny's O8 75 days in solution, expected June 10, client 3 never visited; D1 is
#: at client 1 too; V1 is at client 1 but was visited itself on June 2.
EXPECTED_FLAGS = {
    "P1": {"pulled_in", "stage_back"},
    "W1": {"won"},
    "S1": {"pushed", "slipped"},
    "D1": {"amount_down", "pushed", "no_recent_visit"},
    "U1": {"amount_up"},
    "L1": {"lost"},
    "O8": {"stalled", "no_recent_visit", "overdue"},
    "X1": {"stalled", "no_recent_visit", "overdue"},
    "N1": {"new"},
    "V1": set(),
}


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "inspection.duckdb") as con:
        history.load(con)
        yield con


def flags(frame) -> dict[str, set[str]]:
    return {row.opp_id: set(inspection.flags_of(row)) for _, row in frame.iterrows()}


def test_each_deal_of_june_has_the_flags_worked_out_by_hand(con):
    frame = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE)
    # Biggest amount first; A1 (August) and M1 (won in May) are not of June.
    assert list(frame["opp_id"]) == list(EXPECTED_FLAGS)
    assert flags(frame) == EXPECTED_FLAGS


def test_every_flag_is_true_for_some_deal_and_false_for_others(con):
    frame = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE)
    for flag in inspection.FLAGS:
        assert frame[flag].any() and not frame[flag].all(), flag


def test_the_earlier_day_is_a_week_before_unless_told(con):
    told = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE)
    default = inspection.inspection(con, JUNE, Filters(), history.AS_OF)
    assert inspection.default_since(history.AS_OF) == date(2026, 6, 8)
    assert default.equals(told)


def test_pushed_count_counts_every_push_of_the_history(con):
    frame = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE).set_index("opp_id")
    # D1: June 5 -> June 18 (May 20) and June 18 -> June 28 (June 9); S1 once; P1 was pulled in.
    assert frame["pushed_count"].to_dict() == {
        "P1": 0,
        "W1": 0,
        "S1": 1,
        "D1": 2,
        "U1": 0,
        "L1": 0,
        "O8": 0,
        "X1": 0,
        "N1": 0,
        "V1": 0,
    }


def test_amounts_before_and_after_and_the_stay_in_stage(con):
    frame = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE).set_index("opp_id")
    assert frame.loc["U1", ["amount_before", "amount", "change"]].tolist() == [20_000, 30_000, 10_000]
    assert frame.loc["D1", "change"] == -10_000
    assert frame.loc["N1", "change"] == 10_000  # new: nothing before
    assert frame.loc["D1", "close_expected_before"] == date(2026, 6, 18)
    assert frame.loc["D1", "expected_close_date"] == date(2026, 6, 28)
    # Days in the current stage on June 15; closed deals have none.
    assert frame["days_in_stage"].dropna().astype(int).to_dict() == {
        "P1": 5,  # quote since June 10
        "S1": 45,  # solution since May 1
        "D1": 45,
        "U1": 45,
        "O8": 75,  # since April 1
        "X1": 106,  # since March 1
        "N1": 5,
        "V1": 45,
    }
    assert set(frame["usual_days"].dropna()) == {60.0}  # three completed stays: the default
    assert frame.loc["V1", "last_visit"] == date(2026, 6, 2)
    assert frame.loc["X1", "last_visit"] == date(2026, 3, 1)
    assert frame.loc["O8", "last_visit"] is None


def test_a_rep_sees_only_their_own_deals(con):
    frame = inspection.inspection(con, JUNE, Filters(scope_rep_ids=(2,)), history.AS_OF, history.SINCE)
    assert list(frame["opp_id"]) == ["X1"]
    # The visit on client 1 by rep 1 in March is outside rep 2's scope: X1 was never visited.
    assert frame.loc[0, "last_visit"] is None and frame.loc[0, "no_recent_visit"]


def test_a_manager_of_another_team_sees_nothing_of_dragon(con):
    frame = inspection.inspection(con, JUNE, Filters(scope_teams=("Tiger",)), history.AS_OF, history.SINCE)
    assert list(frame["opp_id"]) == ["O8"]


def test_an_earlier_day_not_before_the_as_of_day_is_refused(con):
    with pytest.raises(SalesmgmtError) as refused:
        inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.AS_OF)
    assert "2026-06-15" in refused.value.message("en") and "--since" in refused.value.message("en")


def test_counts_per_flag(con):
    frame = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE)
    counts = inspection.flag_counts(frame).set_index("flag")
    assert counts.loc["no_recent_visit"].tolist() == [3, 75_000]  # D1 40,000 + O8 20,000 + X1 15,000
    assert counts.loc["pushed"].tolist() == [2, 100_000]  # S1 60,000 + D1 40,000
    assert counts.loc["new"].tolist() == [1, 10_000]
    assert list(inspection.with_flags(frame, ("won", "lost"))["opp_id"]) == ["W1", "L1"]


def test_the_biggest_changes_rank_amount_moves_by_their_size(con):
    frame = inspection.inspection(con, JUNE, Filters(), history.AS_OF, history.SINCE)
    # P1 80,000, W1 70,000, S1 60,000, L1 25,000, U1 +10,000, D1 -10,000, N1 10,000 (names break ties).
    assert list(inspection.biggest_changes(frame)["opp_id"]) == ["P1", "W1", "S1", "L1", "D1", "N1", "U1"]
    assert list(inspection.biggest_changes(frame, 2)["opp_id"]) == ["P1", "W1"]


def test_every_flag_is_in_the_glossary():
    for flag in inspection.FLAGS:
        measure = find(flag)
        assert measure is not None and "Pipeline inspection flag" in measure.definition
