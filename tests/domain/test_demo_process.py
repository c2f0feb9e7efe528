"""The demo company carries its process, not only its exports: monthly plans made, signed and
reviewed weekly; key-account reviews on their cadence; deals the sales school can learn from."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesmgmt import db
from salesmgmt.demo import DEMO_STORIES, build_demo_frames, generate_demo
from salesmgmt.demo.process import OVERDUE_REVIEW_SHARE, PLAN_MONTHS
from salesmgmt.filters import Filters
from salesmgmt.metrics import client_reviews, plan_records, school_deals
from salesmgmt.periods import Period

AS_OF = date(2026, 11, 27)
SEED = 7


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("process") / "demo.duckdb"
    with db.connect(path) as con:
        generate_demo(con, as_of=AS_OF, seed=SEED)
    with db.connect(path, read_only=True) as con:
        yield con


def _df(con, sql: str, *params) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def test_every_engineer_has_a_plan_for_this_month_made_on_its_first_working_day_and_signed_by_both(demo):
    plans = _df(
        demo,
        """SELECT r.rep_id, mp.saved_on, mp.rep_signed_by, mp.manager_signed_by, r.name, r.manager
           FROM reps r LEFT JOIN monthly_plans mp
             ON mp.rep_id = r.rep_id AND mp.month = DATE '2026-11-01' AND mp.revision = 1
           WHERE r.role = 'sales_engineer'""",
    )
    assert plans.saved_on.notna().all()
    assert (plans.saved_on.dt.date == date(2026, 11, 2)).all()  # 1 November 2026 is a Sunday
    assert (plans.rep_signed_by == plans.name).all()
    assert (plans.manager_signed_by == plans.manager).all()


def test_plans_go_back_six_months_and_are_revised_every_monday_with_review_notes(demo):
    months = _df(demo, "SELECT DISTINCT month FROM monthly_plans ORDER BY 1").month.dt.date.tolist()
    assert months == [Period.month_of(AS_OF).shift(-k).start for k in range(PLAN_MONTHS, -1, -1)]
    later = _df(demo, "SELECT saved_on, review_notes FROM monthly_plans WHERE revision > 1")
    assert len(later) > 0
    assert (later.saved_on.dt.dayofweek == 0).all()
    assert later.review_notes.str.contains("周复盘").all()
    revisions = _df(
        demo,
        "SELECT rep_id, count(*) AS n FROM monthly_plans WHERE month = DATE '2026-11-01' GROUP BY 1",
    )
    # Revision 1 on 2 November, then the Mondays 9, 16 and 23 November (as-of is the 27th).
    assert (revisions.n == 4).all()


def test_some_planned_visits_were_missed_as_the_visits_table_shows_and_the_struggler_misses_more(demo):
    october = plan_records.plan_visit_status(demo, Period.month_of(date(2026, 10, 1)), Filters(), AS_OF)
    counts = october.status.value_counts()
    assert counts["missed"] > 0 and counts["done"] > 3 * counts["missed"]
    missed = october[october.status == "missed"]
    seen = _df(
        demo,
        """SELECT rep_id, client_id, CAST(date_trunc('week', visit_date) AS DATE) AS week
           FROM visits WHERE visit_type = 'visit'""",
    )
    seen_weeks = set(zip(seen.rep_id, seen.client_id, seen.week.dt.date, strict=True))
    assert not any(k in seen_weeks for k in zip(missed.rep_id, missed.client_id, missed.week, strict=True))
    half = plan_records.plan_visit_status(
        demo, Period("months", date(2026, 5, 1), date(2026, 11, 1)), Filters(), AS_OF
    )
    share = half.assign(missed=half.status == "missed").groupby("rep").missed.mean()
    assert share[DEMO_STORIES["struggling_rep"]] > share.median() > share[DEMO_STORIES["star_rep"]]


def test_a_review_after_a_missed_visit_names_a_remedial_action(demo):
    plans = _df(demo, "SELECT review_notes, remedial_actions FROM monthly_plans WHERE revision > 1")
    with_missed = plans[~plans.review_notes.str.contains("未完成 0 次")]
    assert len(with_missed) > 0
    assert with_missed.remedial_actions.str.startswith("下周补访").all()
    assert plans[plans.review_notes.str.contains("未完成 0 次")].remedial_actions.isna().all()


def test_only_a_few_key_accounts_are_overdue_for_review_and_the_cold_account_is_one_of_them(demo):
    due = client_reviews.reviews_due(demo, Filters(), AS_OF)
    key_accounts = int(demo.execute("SELECT count(*) FROM clients WHERE key_account").fetchone()[0])
    overdue = due[due.days_to_review < 0]
    assert 1 <= len(overdue) <= round(key_accounts * OVERDUE_REVIEW_SHARE) + 1
    assert DEMO_STORIES["cold_account"] in set(overdue.client)
    assert due.last_review_date.notna().all()  # every key account has been reviewed
    assert len(due) < key_accounts / 4


def test_reviews_follow_the_cadence(demo):
    gaps = _df(
        demo,
        """SELECT date_diff('day', lag(review_date) OVER (PARTITION BY client_id ORDER BY review_date),
                            review_date) AS gap FROM client_reviews""",
    ).gap.dropna()
    assert gaps.between(
        client_reviews.REVIEW_INTERVAL_DAYS - 10, client_reviews.REVIEW_INTERVAL_DAYS + 10
    ).all()


def test_the_school_finds_won_deals_start_at_the_design_institute_more_often_than_lost_ones(demo):
    deals = school_deals.deal_behaviours(demo, school_deals.window_for(AS_OF, 24), Filters(), AS_OF)
    first = deals.groupby("status").design_institute_first.mean()
    assert first["won"] > first["lost"]
    star = deals[deals.rep == DEMO_STORIES["star_rep"]].groupby("status")
    assert star.design_institute_first.mean()["won"] > star.design_institute_first.mean()["lost"]
    assert star.ride_along.mean()["won"] > star.ride_along.mean()["lost"]


def test_the_school_finds_three_clear_behaviours_of_won_deals_and_one_that_makes_no_difference(demo):
    found = school_deals.deal_school(demo, AS_OF, Filters()).won_vs_lost.set_index("behaviour")
    behaviours = found.drop(index=list(school_deals.OUTCOMES))
    assert (behaviours.verdict == "clear").sum() >= 3
    assert {"design_institute_first", "ride_along", "followup_days_after_quote"} <= set(
        behaviours.index[behaviours.verdict == "clear"]
    )
    assert behaviours.verdict["owner_met"] == "none"


def test_won_deals_are_followed_up_within_days_of_the_quote_and_lost_ones_later(demo):
    deals = school_deals.deal_behaviours(demo, school_deals.window_for(AS_OF, 12), Filters(), AS_OF)
    days = deals.groupby("status").followup_days_after_quote.mean()
    assert days["won"] < 8 < days["lost"]


def test_the_stars_opening_visits_of_won_deals_bring_the_manager_along(demo):
    rides = _df(
        demo,
        """SELECT v.accompanied_by, r.manager FROM visits v JOIN reps r USING (rep_id)
           JOIN clients c USING (client_id)
           WHERE r.name = ? AND c.client_type = 'design_institute' AND v.purpose IN ('初次拜访', '项目信息收集')
             AND v.opp_id IS NULL""",
        DEMO_STORIES["star_rep"],
    )
    assert (rides.accompanied_by == rides.manager).sum() >= 3


def test_the_process_is_the_same_for_the_same_seed_and_as_of():
    first, again = build_demo_frames(AS_OF, SEED), build_demo_frames(AS_OF, SEED)
    for table in ("monthly_plans", "plan_visits", "client_reviews"):
        pd.testing.assert_frame_equal(first[table], again[table])


def test_a_plan_made_early_in_the_month_meets_the_visit_norm_in_every_week_ahead():
    frames = build_demo_frames(date(2026, 12, 3), SEED)
    plans, visits = frames["monthly_plans"], frames["plan_visits"]
    first = plans[(plans.month == pd.Timestamp("2026-12-01")) & (plans.revision == 1)]
    whole_weeks = visits.planned_date.between(pd.Timestamp("2026-12-07"), pd.Timestamp("2026-12-27"))
    ahead = visits[visits.plan_id.isin(first.plan_id) & whole_weeks]
    weeks = ahead.assign(week=ahead.planned_date.dt.to_period("W")).groupby(["plan_id", "week"]).size()
    engineers = (frames["reps"].role == "sales_engineer").sum()
    assert len(first) == engineers
    assert len(weeks) == 3 * engineers  # the weeks of 7, 14 and 21 December, for everyone
    assert (weeks >= 2).all()
