"""The monthly plan & review on the tiny company (tests/tiny.py), May 2026 as of May 31:
the rep's report, remedial actions, save / revise / sign, the weekly review and the exports."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.metrics import plan_document, plans
from salesmgmt.periods import Period
from tests import tiny

MAY = Period.parse("2026-05")
ALL = Filters()
ZHANG, LI, WANG = 1, 2, 3


def kinds(actions) -> list[tuple[str, str | None]]:
    return [
        (a["kind"], a["opp_id"] if isinstance(a["opp_id"], str) else a["client"])
        for a in actions.to_dict(orient="records")
    ]


def test_the_report_lists_each_open_deal_with_its_age_and_the_last_visit(tiny_con):
    report = plans.rep_report(tiny_con, LI, MAY, ALL, tiny.AS_OF)
    assert report["rep"]["name"] == "李娜 Li" and report["rep"]["manager"] == "陈总 Chen"
    f = report["figures"]
    assert f["target"] == 200_000 and f["won_amount"] == 0
    assert f["attainment_probability"] == pytest.approx(0.08) and report["low"]
    deals = report["deals"].set_index("opp_id")
    assert list(deals.index) == ["O5", "O9"]  # by expected close date
    assert deals.loc["O5", "age_days"] == 60  # April 1 -> May 31
    assert deals.loc["O9", "age_days"] == 29  # May 2 -> May 31
    assert deals.loc["O9", "probability"] == pytest.approx(0.1)
    assert deals.loc["O5", "last_visit"] == date(2026, 5, 14)  # Li's last visit to 江苏钢构
    assert deals.loc["O5", "days_since_visit"] == 17
    assert deals["overdue"].all() and deals["in_month"].all()


def test_remedial_actions_follow_from_the_data(tiny_con):
    li = plans.rep_report(tiny_con, LI, MAY, ALL, tiny.AS_OF)["actions"]
    # The gap (200,000) is covered at Li's 100% historical win rate: no pipeline to add.
    assert kinds(li) == [("advance_deal", "O9"), ("overdue_deal", "O5"), ("overdue_deal", "O9")]
    wang = plans.rep_report(tiny_con, WANG, MAY, ALL, tiny.AS_OF)
    assert wang["figures"]["attainment_probability"] == 0.0
    actions = wang["actions"].to_dict(orient="records")
    # No historical win rate: the whole gap less the open pipeline of May (none).
    assert actions[0]["kind"] == "add_pipeline" and actions[0]["amount"] == 100_000
    assert kinds(wang["actions"])[1:] == [("visit_client", "西部业主"), ("pull_in", "O8")]
    text = plans.action_text(actions[1], "en")
    assert text == "Visit 西部业主: never visited (open pipeline CNY 20,000)."
    assert "拜访 西部业主：从未拜访" in plans.action_text(actions[1], "zh")
    zhang = plans.rep_report(tiny_con, ZHANG, MAY, ALL, tiny.AS_OF)
    assert not zhang["low"], "Zhang already made the month"
    visit = [a for a in zhang["actions"].to_dict(orient="records") if a["kind"] == "visit_client"]
    assert visit[0]["client"] == "华东设计院" and visit[0]["days"] == 91  # last visit March 1


def test_a_plan_is_saved_signed_by_both_and_revised_with_its_history_kept(tiny_con):
    first = plans.save_plan(
        tiny_con,
        LI,
        MAY,
        ALL,
        saved_on=date(2026, 5, 4),
        saved_by="陈总 Chen",
        visits=[(2, date(2026, 5, 5), "报价跟进"), {"client_id": 1, "planned_date": "2026-05-12"}],
        commitments="Close O5 by May 25",
        remedial_actions="1. Advance O9",
    )
    at = datetime(2026, 5, 4, 10, 30)
    plans.sign_plan(tiny_con, first, "manager", "陈总 Chen", ALL, at=at, signer_role="manager")
    plans.sign_plan(tiny_con, first, "rep", " 李娜 Li ", ALL, at=at, signer_role="rep")
    with pytest.raises(SalesmgmtError) as exc:
        plans.sign_plan(tiny_con, first, "manager", "Someone", ALL, signer_role="director")
    assert exc.value.key == "plan.error.already_signed"

    second = plans.save_plan(
        tiny_con,
        LI,
        MAY,
        ALL,
        saved_on=date(2026, 5, 11),
        visits=[(2, date(2026, 5, 6), None), (1, date(2026, 5, 12), None), (2, date(2026, 5, 27), "签约")],
        commitments="Close O5 by May 25",
        review_notes="Week 1: O5 in negotiation",
    )
    revisions = plans.plan_revisions(tiny_con, LI, MAY, ALL)
    assert list(revisions["revision"]) == [2, 1]
    assert list(revisions["planned_visits"]) == [3, 2]
    latest = plans.plan_detail(tiny_con, LI, MAY, ALL, tiny.AS_OF)
    assert latest["plan_id"] == second and latest["revision"] == 2
    assert latest["manager_signed_by"] is None, "a new revision is signed anew"
    assert latest["review_notes"] == "Week 1: O5 in negotiation"
    old = plans.plan_detail(tiny_con, LI, MAY, ALL, tiny.AS_OF, revision=1)
    assert old["manager_signed_by"] == "陈总 Chen" and old["rep_signed_by"] == "李娜 Li"
    assert old["rep_signed_at"] == at and old["saved_by"] == "陈总 Chen"
    assert list(old["visits"]["client"]) == ["江苏钢构", "华东设计院"]
    assert old["visits"].iloc[0]["purpose"] == "报价跟进"


#: Three planned visits of Li's May: client 2 on Wed 6 May (visited Tue 5 May, the same week),
#: client 1 on Tue 12 May (not visited that week) and client 2 on Wed 27 May (week not over).
THREE_VISITS = [(2, date(2026, 5, 6), None), (1, date(2026, 5, 12), None), (2, date(2026, 5, 27), None)]


def test_a_planned_visit_is_done_when_the_client_is_visited_in_the_same_week(tiny_con):
    plans.save_plan(tiny_con, LI, MAY, ALL, saved_on=date(2026, 5, 4), visits=THREE_VISITS)
    visits = plans.plan_detail(tiny_con, LI, MAY, ALL, tiny.AS_OF)["visits"]
    assert list(visits["status"]) == ["done", "missed", "upcoming"]
    assert visits.iloc[0]["done_on"] == date(2026, 5, 5)  # the Tuesday before the planned day
    # The week of May 25 ends on Sunday May 31, the as-of date: not over yet.


def test_the_weekly_review_sets_planned_against_actual(tiny_con):
    tiny_con.execute(
        "UPDATE opportunity_history SET valid_to = DATE '2026-05-20', stage = 'quote' WHERE opp_id = 'O5'"
    )
    tiny_con.execute(
        "INSERT INTO opportunity_history (opp_id, valid_from, rep_id, client_id, stage,"
        " status, amount, probability, expected_close_date) VALUES ('O5', DATE"
        " '2026-05-20', 2, 2, 'negotiation', 'open', 100000, 0.8, DATE '2026-05-25')"
    )
    plans.save_plan(tiny_con, LI, MAY, ALL, saved_on=date(2026, 5, 4), visits=THREE_VISITS)
    review = plans.weekly_review(tiny_con, LI, MAY, ALL, tiny.AS_OF).set_index("week")
    assert list(review.index) == [
        date(2026, 4, 27),
        date(2026, 5, 4),
        date(2026, 5, 11),
        date(2026, 5, 18),
        date(2026, 5, 25),
    ]
    assert not review.loc[date(2026, 4, 27), "norm_applies"], "its Monday is in April"
    w1, w2, w3, w4 = (review.loc[date(2026, 5, d)] for d in (4, 11, 18, 25))
    assert (w1.planned, w1.planned_done, w1.visits, w1.unplanned_visits) == (1, 1, 2, 1)
    assert (w2.planned, w2.planned_missed, w2.visits) == (1, 1, 2)
    assert (w3.planned, w3.visits, w3.deals_advanced, w3.below_norm) == (0, 0, 1, True)
    assert w4.state == "current" and w4.planned == 1 and not w4.below_norm
    zhang = plans.weekly_review(tiny_con, ZHANG, MAY, ALL, tiny.AS_OF).set_index("week")
    assert zhang.loc[date(2026, 5, 4), "won_amount"] == 60_000  # O1 on May 10
    assert zhang.loc[date(2026, 5, 18), "won_count"] == 1  # O2 on May 20
    assert zhang.loc[date(2026, 4, 27), "visits"] == 1  # May 1 (April 30 is not May)


def test_fewer_than_two_planned_visits_a_week_is_flagged(tiny_con):
    dates = [date(2026, 5, 4), date(2026, 5, 8), date(2026, 5, 12), date(2026, 5, 1)]
    below = plans.weeks_below_norm(dates, MAY)
    assert below == [(date(2026, 5, 11), 1), (date(2026, 5, 18), 0), (date(2026, 5, 25), 0)]
    # November 2026 ends on Monday 30: a plan cannot fill that week, so it is not checked.
    november = plans.weeks_below_norm([], Period.parse("2026-11"))
    assert [w for w, _ in november] == [date(2026, 11, d) for d in (2, 9, 16, 23)]


@pytest.mark.parametrize(
    "visits,key",
    [
        ([(2, date(2026, 6, 1), None)], "plan.error.date_outside_month"),
        ([(99, date(2026, 5, 5), None)], "plan.error.unknown_client"),
        ([(2, None, None)], "plan.error.visit_without_date"),
    ],
)
def test_a_plan_with_a_bad_visit_is_refused_whole(tiny_con, visits, key):
    with pytest.raises(SalesmgmtError) as exc:
        plans.save_plan(tiny_con, LI, MAY, ALL, saved_on=date(2026, 5, 4), visits=visits)
    assert exc.value.key == key
    assert tiny_con.execute("SELECT count(*) FROM monthly_plans").fetchone()[0] == 0


def test_a_rep_outside_the_filters_is_refused_everywhere(tiny_con):
    plan_id = plans.save_plan(tiny_con, LI, MAY, ALL, saved_on=date(2026, 5, 4), visits=[])
    tiger = Filters(scope_teams=("Tiger",))
    calls = [
        lambda: plans.rep_report(tiny_con, LI, MAY, tiger, tiny.AS_OF),
        lambda: plans.save_plan(tiny_con, LI, MAY, tiger, saved_on=date(2026, 5, 4), visits=[]),
        lambda: plans.plan_revisions(tiny_con, LI, MAY, tiger),
        lambda: plans.plan_detail(tiny_con, LI, MAY, tiger, tiny.AS_OF),
        lambda: plans.weekly_review(tiny_con, LI, MAY, tiger, tiny.AS_OF),
        lambda: plan_document.export_file(tiny_con, LI, MAY, tiger, tiny.AS_OF, "en", file_type="html"),
    ]
    for call in calls:
        with pytest.raises(SalesmgmtError) as exc:
            call()
        assert exc.value.key == "plan.error.rep_out_of_scope"
    with pytest.raises(SalesmgmtError) as exc:
        plans.sign_plan(tiny_con, plan_id, "rep", "李娜 Li", tiger, signer_role="rep")
    assert exc.value.key == "plan.error.no_plan"
    assert plans.plan_visit_status(tiny_con, MAY, tiger, tiny.AS_OF).empty
    with pytest.raises(SalesmgmtError):
        plans.rep_report(tiny_con, LI, Period.parse("2026-Q2"), ALL, tiny.AS_OF)


def test_the_one_page_report_in_excel_and_html_is_in_the_users_language(tiny_con):
    plan_id = plans.save_plan(
        tiny_con,
        LI,
        MAY,
        ALL,
        saved_on=date(2026, 5, 4),
        visits=[
            (2, date(2026, 5, 6), "<b>报价</b>"),
            (1, date(2026, 5, 7), None),
            (2, date(2026, 5, 12), ""),
        ],
        commitments='=HYPERLINK("http://x")',
        remedial_actions="<script>alert(1)</script>",
    )
    plans.sign_plan(
        tiny_con, plan_id, "manager", "陈总 Chen", ALL, at=datetime(2026, 5, 4, 9, 0), signer_role=None
    )
    data = plan_document.export_file(tiny_con, LI, MAY, ALL, tiny.AS_OF, "zh")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells[0] == "月度规划与评估报告 — 李娜 Li，2026年5月"
    assert '=HYPERLINK("http://x")' in cells, "a formula-like text stays text"
    assert "陈总 Chen 签字，2026-05-04 09:00" in cells
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, "fitted to one page when printed"
    assert sheet.page_setup.fitToHeight in (None, 1) and sheet.page_setup.fitToWidth in (None, 1)
    page = plan_document.export_file(tiny_con, LI, MAY, ALL, tiny.AS_OF, "en", file_type="html")
    assert "<h1>Monthly plan &amp; review — 李娜 Li, May 2026</h1>" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "&lt;b&gt;报价&lt;/b&gt;" in page
    assert "done" in page and "not signed" in page


@pytest.mark.parametrize(
    "role,manager,rep",
    [("director", True, False), ("manager", True, False), ("rep", False, True), (None, True, True)],
)
def test_a_manager_or_director_signs_as_the_manager_and_a_rep_as_the_engineer(role, manager, rep):
    assert plans.may_sign("manager", role) is manager
    assert plans.may_sign("rep", role) is rep, "None: the app runs open, without users"


@pytest.mark.parametrize("party,role", [("manager", "rep"), ("rep", "manager"), ("rep", "director")])
def test_a_signature_the_rule_does_not_allow_is_refused_and_nothing_is_signed(tiny_con, party, role):
    plan_id = plans.save_plan(tiny_con, LI, MAY, ALL, saved_on=date(2026, 5, 4), visits=[])
    with pytest.raises(SalesmgmtError) as exc:
        plans.sign_plan(tiny_con, plan_id, party, "Someone", ALL, signer_role=role)
    assert exc.value.key == f"plan.error.sign_as_{party}"
    assert exc.value.message("en") != exc.value.message("zh"), "said in both languages"
    plan = plans.plan_detail(tiny_con, LI, MAY, ALL, tiny.AS_OF)
    assert plan is not None and plan["manager_signed_by"] is None and plan["rep_signed_by"] is None


def test_a_signature_records_the_signed_in_user_beside_the_name_typed(tiny_con):
    """Issue 18, finding 15: a typed name alone says nothing of who signed."""
    plan_id = plans.save_plan(tiny_con, LI, MAY, ALL, saved_on=date(2026, 5, 4), visits=[])
    plans.sign_plan(tiny_con, plan_id, "manager", "陈总 Chen", ALL, signer_role="manager", signer_user="chen")
    plans.sign_plan(tiny_con, plan_id, "rep", "李娜 Li", ALL, signer_role=None)  # the app running open
    plan = plans.plan_detail(tiny_con, LI, MAY, ALL, tiny.AS_OF)
    assert plan is not None
    assert (plan["manager_signed_by"], plan["manager_signed_user"]) == ("陈总 Chen", "chen")
    assert (plan["rep_signed_by"], plan["rep_signed_user"]) == ("李娜 Li", None)
    revisions = plans.plan_revisions(tiny_con, LI, MAY, ALL)
    assert list(revisions["manager_signed_user"]) == ["chen"]
