"""The demo company: deterministic, complete, consistent, and telling its scripted stories."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from salesmgmt import db
from salesmgmt.demo import DEMO_STORIES, PRODUCTS, TEAMS, generate_demo
from salesmgmt.periods import Period
from salesmgmt.stages import STAGE_ORDER

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 27)
SEED = 7
TABLES = ["reps", "clients", "opportunities", "opportunity_history", "visits", "targets"]


def _make(path: Path, seed: int = SEED, as_of: date = AS_OF) -> dict[str, int]:
    with db.connect(path) as con:
        return generate_demo(con, as_of=as_of, seed=seed)


def _contents(path: Path) -> dict[str, list[tuple]]:
    with db.connect(path, read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    _make(path)
    return path


@pytest.fixture(scope="module")
def demo(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        yield con


def _one(con, sql: str, *params):
    """The single value of a query; params are positional, or one dict of named ones."""
    args = params[0] if len(params) == 1 and isinstance(params[0], dict) else list(params)
    return con.execute(sql, args).fetchone()[0]


# --- determinism and replacement


def test_the_same_seed_gives_the_same_company(demo_db, tmp_path):
    again = tmp_path / "again.duckdb"
    _make(again)
    assert _contents(again) == _contents(demo_db)


def test_a_different_seed_gives_a_different_company(demo_db, tmp_path):
    other = tmp_path / "other.duckdb"
    _make(other, seed=SEED + 1)
    mine, theirs = _contents(demo_db), _contents(other)
    assert mine["clients"] != theirs["clients"]
    assert mine["visits"] != theirs["visits"]
    assert mine["opportunities"] != theirs["opportunities"]


def test_generating_again_replaces_all_data_instead_of_adding(tmp_path):
    path = tmp_path / "twice.duckdb"
    with db.connect(path) as con:
        con.execute("INSERT INTO uploads (upload_id, file_name, kind) VALUES (1, 'x.csv', 'visits')")
        con.execute(
            "INSERT INTO upload_changes (upload_id, seq, entity, entity_key, action) "
            "VALUES (1, 1, 'visit', 'V1', 'insert')"
        )
        con.execute(
            "INSERT INTO monthly_plans (plan_id, rep_id, month, revision, saved_on) "
            "VALUES (1, 1, DATE '2026-11-01', 1, DATE '2026-11-02')"
        )
        first = generate_demo(con, as_of=AS_OF, seed=3)
        second = generate_demo(con, as_of=AS_OF, seed=3)
        assert first == second
        for table in ("uploads", "upload_changes"):
            assert _one(con, f"SELECT count(*) FROM {table}") == 0
        # The stale plan is gone: the plans are the demo's own, once.
        for table in ("monthly_plans", "plan_visits", "client_reviews"):
            assert _one(con, f"SELECT count(*) FROM {table}") == second[table] > 0
        # An import after the demo gets fresh ids from the sequences.
        assert _one(con, "SELECT nextval('rep_seq')") > second["reps"]
        assert _one(con, "SELECT nextval('visit_seq')") > second["visits"]
        assert _one(con, "SELECT nextval('plan_seq')") > second["monthly_plans"]
        assert _one(con, "SELECT nextval('review_seq')") > second["client_reviews"]


# --- shape of the company


def test_the_company_is_big_enough_to_explore(demo):
    counts = {t: _one(demo, f"SELECT count(*) FROM {t}") for t in TABLES}
    assert counts["clients"] >= 300
    assert counts["opportunities"] >= 500
    assert counts["visits"] >= 5000
    assert counts["targets"] >= 300
    assert counts["opportunity_history"] > counts["opportunities"]


def test_one_director_and_four_teams_of_a_manager_and_eight_to_ten_engineers(demo):
    director = demo.execute("SELECT name, team, region, manager FROM reps WHERE role = 'director'").fetchall()
    assert len(director) == 1 and director[0][1:] == (None, None, None)
    boss = director[0][0]
    for team, region in TEAMS:
        managers = demo.execute(
            "SELECT name, region, manager FROM reps WHERE role = 'sales_manager' AND team = ?", [team]
        ).fetchall()
        assert len(managers) == 1 and managers[0][1:] == (region, boss)
        engineers = demo.execute(
            "SELECT DISTINCT region, manager, count(*) OVER () FROM reps "
            "WHERE role = 'sales_engineer' AND team = ?",
            [team],
        ).fetchall()
        assert engineers == [(region, managers[0][0], engineers[0][2])]
        assert 8 <= engineers[0][2] <= 10
    assert _one(
        demo,
        "SELECT count(DISTINCT name) = count(*) AND min(length(name)) >= 2 "
        "AND max(length(name)) <= 3 FROM reps",
    )
    assert _one(demo, "SELECT count(*) FROM reps WHERE code <> printf('E%03d', rep_id)") == 0


def test_clients_are_of_the_seed_types_in_the_team_regions_owned_by_an_engineer_there(demo):
    types = dict(demo.execute("SELECT client_type, count(*) FROM clients GROUP BY 1").fetchall())
    assert set(types) <= {"design_institute", "steel_structure", "construction", "owner", "other"}
    assert min(types[t] for t in ("design_institute", "steel_structure", "construction", "owner")) >= 30
    assert _one(demo, "SELECT count(DISTINCT name_key) = count(*) FROM clients")
    assert (
        _one(
            demo,
            """SELECT count(*) FROM clients c LEFT JOIN reps r ON r.rep_id = c.owner_rep_id
                         WHERE r.role IS DISTINCT FROM 'sales_engineer' OR r.region <> c.region""",
        )
        == 0
    )
    key_share = _one(demo, "SELECT avg(key_account::INT) FROM clients")
    assert 0.07 <= key_share <= 0.14
    key_types = _one(
        demo,
        """SELECT avg((client_type IN ('steel_structure', 'design_institute'))::INT)
                              FROM clients WHERE key_account""",
    )
    assert key_types >= 0.7
    assert _one(
        demo,
        "SELECT avg(relationship_level) FILTER (WHERE key_account) > "
        "avg(relationship_level) FILTER (WHERE NOT key_account) FROM clients",
    )


def test_opportunities_use_the_products_stages_and_statuses_of_the_app(demo):
    products = {p for p, *_ in PRODUCTS}
    used = demo.execute("SELECT DISTINCT product FROM opportunities").fetchall()
    assert {r[0] for r in used} == products
    stages = demo.execute("SELECT DISTINCT stage FROM opportunity_history").fetchall()
    assert {r[0] for r in stages} <= set(STAGE_ORDER)
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunities WHERE status <> CASE stage
                         WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost' ELSE 'open' END""",
        )
        == 0
    )
    assert _one(demo, "SELECT count(*) FROM opportunities WHERE amount NOT BETWEEN 50000 AND 3000000") == 0
    assert _one(demo, "SELECT count(*) FROM opportunities WHERE status = 'won' AND close_date IS NULL") == 0
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunities WHERE status = 'lost'
                         AND (close_date IS NULL OR lost_reason IS NULL)""",
        )
        == 0
    )
    assert (
        _one(
            demo,
            "SELECT count(*) FROM opportunities WHERE name <> project || '-' || split_part(product, ' ', 1)",
        )
        == 0
    )
    assert (
        _one(
            demo, "SELECT count(*) FROM opportunities WHERE NOT regexp_matches(opp_id, '^OPP-\\d{4}-\\d{4}$')"
        )
        == 0
    )
    # Mostly the stage's default probability, sometimes the rep's own.
    explicit = _one(demo, "SELECT avg((probability IS NOT NULL)::INT) FROM opportunity_history")
    assert 0.01 < explicit < 0.3


def test_projects_reach_clients_of_different_types(demo):
    chains = _one(
        demo,
        """SELECT count(*) FROM (
        SELECT o.project FROM opportunities o JOIN clients c USING (client_id)
        GROUP BY o.project HAVING count(DISTINCT c.client_type) >= 3)""",
    )
    assert chains >= 30


def test_open_deals_are_expected_mostly_in_the_next_four_months_some_overdue(demo):
    soon, overdue, total = demo.execute(
        """
        SELECT count(*) FILTER (WHERE expected_close_date BETWEEN $d AND $d + INTERVAL 4 MONTH),
               count(*) FILTER (WHERE expected_close_date < $d), count(*)
        FROM opportunities WHERE status = 'open'""",
        {"d": AS_OF},
    ).fetchone()
    assert soon / total >= 0.7
    assert overdue >= 5


# --- history


def test_every_opportunity_has_exactly_one_current_interval_equal_to_its_row(demo):
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunities o
        WHERE (SELECT count(*) FROM opportunity_history h
               WHERE h.opp_id = o.opp_id AND h.valid_to IS NULL) <> 1""",
        )
        == 0
    )
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunities o JOIN opportunity_history h
        ON h.opp_id = o.opp_id AND h.valid_to IS NULL
        WHERE (o.client_id, o.rep_id, o.product, o.stage, o.status, o.amount, o.probability,
               o.expected_close_date, o.close_date)
          IS DISTINCT FROM (h.client_id, h.rep_id, h.product, h.stage, h.status, h.amount, h.probability,
               h.expected_close_date, h.close_date)""",
        )
        == 0
    )


def test_history_intervals_follow_each_other_without_overlap_and_stop_at_as_of(demo):
    # Each interval ends where the next begins; the first begins on the created date.
    assert (
        _one(
            demo,
            """SELECT count(*) FROM (
        SELECT valid_from, valid_to,
               lead(valid_from) OVER (PARTITION BY opp_id ORDER BY valid_from) AS next
        FROM opportunity_history) WHERE valid_to IS DISTINCT FROM next OR valid_to <= valid_from""",
        )
        == 0
    )
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunities o JOIN
        (SELECT opp_id, min(valid_from) AS first FROM opportunity_history GROUP BY 1) f USING (opp_id)
        WHERE f.first <> o.created_date""",
        )
        == 0
    )
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunity_history
        WHERE valid_from > $d OR valid_to > $d OR close_date > $d""",
            {"d": AS_OF},
        )
        == 0
    )
    assert (
        _one(
            demo,
            """SELECT count(*) FROM opportunity_history h JOIN opportunities o USING (opp_id)
        WHERE h.expected_close_date < o.created_date OR h.close_date < o.created_date""",
        )
        == 0
    )


def test_deals_change_amounts_and_slip_in_the_history(demo):
    amounts, slips = demo.execute("""
        SELECT count(*) FILTER (WHERE amount <> prev_amount),
               count(*) FILTER (WHERE expected_close_date > prev_expected)
        FROM (SELECT amount, expected_close_date,
                     lag(amount) OVER w AS prev_amount,
                     lag(expected_close_date) OVER w AS prev_expected
              FROM opportunity_history
              WINDOW w AS (PARTITION BY opp_id ORDER BY valid_from))""").fetchone()
    assert amounts >= 50 and slips >= 50


# --- visits


def test_visits_are_to_clients_of_the_reps_region_and_linked_deals_are_theirs(demo):
    assert (
        _one(
            demo,
            """SELECT count(*) FROM visits v JOIN reps r USING (rep_id)
                         JOIN clients c USING (client_id)
                         WHERE c.region <> r.region OR r.role <> 'sales_engineer'""",
        )
        == 0
    )
    assert (
        _one(
            demo,
            """SELECT count(*) FROM visits v JOIN opportunities o USING (opp_id)
                         WHERE o.rep_id <> v.rep_id OR o.client_id <> v.client_id
                            OR v.visit_date < o.created_date""",
        )
        == 0
    )
    assert (
        _one(
            demo,
            "SELECT count(*) FROM visits v WHERE opp_id IS NOT NULL AND opp_id NOT IN "
            "(SELECT opp_id FROM opportunities)",
        )
        == 0
    )
    own = _one(
        demo, "SELECT avg((c.owner_rep_id = v.rep_id)::INT) FROM visits v JOIN clients c USING (client_id)"
    )
    assert own >= 0.8
    assert _one(demo, "SELECT avg((opp_id IS NOT NULL)::INT) FROM visits") >= 0.3


def test_visits_look_like_field_work(demo):
    n, planned, weekend, after, keys = demo.execute(
        """
        SELECT count(*), avg(planned::INT), avg((dayofweek(visit_date) IN (0, 6))::INT),
               count(*) FILTER (WHERE visit_date > $d),
               count(*) FILTER (WHERE visit_id <> printf('V%06d', visit_key))
        FROM visits""",
        {"d": AS_OF},
    ).fetchone()
    assert 0.62 <= planned <= 0.78
    assert weekend < 0.05
    assert after == 0 and keys == 0
    assert _one(demo, "SELECT min(visit_key) = 1 AND max(visit_key) = count(*) FROM visits")
    types = dict(demo.execute("SELECT visit_type, count(*) FROM visits GROUP BY 1").fetchall())
    assert types["visit"] / n > 0.7 and types["call"] > 0 and types["meeting"] > 0
    assert _one(demo, "SELECT count(*) FROM visits WHERE purpose IS NULL OR outcome IS NULL") == 0


def test_managers_ride_along_about_once_or_twice_a_month(demo):
    per_month = _one(
        demo,
        """
        SELECT count(*) FILTER (WHERE v.accompanied_by IS NOT NULL) / count(DISTINCT v.rep_id) / 26.0
        FROM visits v JOIN reps r USING (rep_id)""",
    )
    assert 0.8 <= per_month <= 2.0
    assert (
        _one(
            demo,
            """SELECT count(*) FROM visits v JOIN reps r USING (rep_id)
                         WHERE v.accompanied_by IS NOT NULL AND v.accompanied_by <> r.manager""",
        )
        == 0
    )


def test_spring_festival_empties_the_diary_for_about_two_weeks(demo):
    def weekly(start: date) -> float:
        return _one(
            demo,
            "SELECT count(*) FROM visits WHERE visit_date >= ? AND visit_date < ?",
            start,
            start + timedelta(days=7),
        )

    normal = weekly(date(2026, 3, 16))
    assert weekly(date(2026, 2, 16)) < 0.1 * normal  # the week of 17 February 2026
    assert weekly(date(2026, 2, 23)) < 0.6 * normal


def test_most_engineers_visit_about_twice_a_week(demo):
    start = AS_OF - timedelta(weeks=13)
    rates = [
        r[0]
        for r in demo.execute(
            """
        SELECT count(v.visit_key) / 13.0 FROM reps r LEFT JOIN visits v
          ON v.rep_id = r.rep_id AND v.visit_type = 'visit' AND v.visit_date > ?
        WHERE r.role = 'sales_engineer' GROUP BY r.rep_id""",
            [start],
        ).fetchall()
    ]
    rates.sort()
    assert 1.7 <= rates[len(rates) // 2] <= 2.5
    assert sum(1.5 <= x <= 3.0 for x in rates) >= 0.6 * len(rates)
    assert sum(x < 1.5 for x in rates) >= 3  # and some clearly below


# --- targets


def test_every_engineer_has_a_monthly_target_through_the_end_of_the_as_of_year(demo):
    months = _one(demo, "SELECT count(DISTINCT month) FROM targets")
    first, last = demo.execute("SELECT min(month), max(month) FROM targets").fetchone()
    assert first <= date(AS_OF.year - 2, AS_OF.month, 1) and last == date(AS_OF.year, 12, 1)
    engineers = _one(demo, "SELECT count(*) FROM reps WHERE role = 'sales_engineer'")
    # Teams have targets of their own besides (tests/domain/test_demo_calls.py).
    assert _one(demo, "SELECT count(*) FROM targets WHERE scope_kind = 'rep'") == months * engineers
    assert (
        _one(
            demo,
            """SELECT count(*) FROM targets t
                         LEFT JOIN reps r ON t.scope_key = r.rep_id::VARCHAR
                         WHERE t.scope_kind = 'rep' AND r.role IS DISTINCT FROM 'sales_engineer'
                         OR day(t.month) <> 1""",
        )
        == 0
    )


def _attainment(con, period: Period, where: str = "TRUE", value: str | None = None) -> float:
    """Won amount over target in `period` for the reps matching `where` (`$p` is `value`)."""
    params = {"start": period.start, "end": period.end}
    if value is not None:
        params["p"] = value
    return float(
        _one(
            con,
            f"""
        SELECT (SELECT sum(o.amount) FROM opportunities o JOIN reps r USING (rep_id)
                WHERE o.status = 'won' AND o.close_date >= $start AND o.close_date < $end AND {where})
             / (SELECT sum(t.amount) FROM targets t JOIN reps r ON t.scope_key = r.rep_id::VARCHAR
                WHERE t.month >= $start AND t.month < $end AND {where})""",
            params,
        )
    )


def test_the_company_as_a_whole_is_around_target(demo):
    last_full = Period.containing(AS_OF, "quarter").previous()
    history = Period("custom", date(2024, 10, 1), last_full.end)
    assert 0.9 <= _attainment(demo, history) <= 1.05


# --- the scripted stories


def test_the_wolf_team_is_behind_target_while_the_other_teams_are_on_it(demo):
    last_full = Period.containing(AS_OF, "quarter").previous()
    by_team = {team: _attainment(demo, last_full, "r.team = $p", team) for team, _ in TEAMS}
    assert DEMO_STORIES["team_behind"] == "狼 Wolf"
    assert 0.62 <= by_team["狼 Wolf"] <= 0.78
    for team, value in by_team.items():
        if team != "狼 Wolf":
            assert 0.93 <= value <= 1.12, (team, value)
    # The current quarter so far, against the part of its targets already due.
    current = Period.containing(AS_OF, "quarter")
    won = dict(
        demo.execute(
            """
        SELECT r.team, CAST(sum(o.amount) AS DOUBLE) FROM opportunities o JOIN reps r USING (rep_id)
        WHERE o.status = 'won' AND o.close_date >= ? GROUP BY 1""",
            [current.start],
        ).fetchall()
    )
    due = dict(
        demo.execute(
            """
        SELECT r.team, CAST(sum(t.amount * least(1, greatest(0,
                   (least(?::DATE, last_day(t.month)) - t.month + 1)
                   / day(last_day(t.month))))) AS DOUBLE)
        FROM targets t JOIN reps r ON t.scope_key = r.rep_id::VARCHAR
        WHERE t.month >= ? AND t.month < ? GROUP BY 1""",
            [AS_OF, current.start, current.end],
        ).fetchall()
    )
    assert won["狼 Wolf"] / due["狼 Wolf"] < 0.8
    assert all(won[t] / due[t] > 0.9 for t, _ in TEAMS if t != "狼 Wolf")


def _visits_per_week(con, name: str, weeks: int, types: tuple[str, ...]) -> float:
    return _one(
        con,
        f"""SELECT count(*) / {weeks}.0 FROM visits v JOIN reps r USING (rep_id)
        WHERE r.name = ? AND v.visit_date > ? AND v.visit_type IN ({", ".join("?" for _ in types)})""",
        name,
        AS_OF - timedelta(weeks=weeks),
        *types,
    )


def test_the_star_rep_sells_half_again_his_target_and_visits_well_above_the_norm(demo):
    name = DEMO_STORIES["star_rep"]
    assert _one(demo, "SELECT team FROM reps WHERE name = ?", name) == "龙 Dragon"
    last_two = Period(
        "custom",
        Period.containing(AS_OF, "quarter").shift(-2).start,
        Period.containing(AS_OF, "quarter").start,
    )
    assert 1.35 <= _attainment(demo, last_two, "r.name = $p", name) <= 1.65
    assert _visits_per_week(demo, name, 26, ("visit",)) > 2.5


def test_the_struggling_rep_visits_far_below_the_norm_and_sells_little(demo):
    name = DEMO_STORIES["struggling_rep"]
    assert _one(demo, "SELECT team FROM reps WHERE name = ?", name) == "虎 Tiger"
    last_two = Period(
        "custom",
        Period.containing(AS_OF, "quarter").shift(-2).start,
        Period.containing(AS_OF, "quarter").start,
    )
    assert 0.3 <= _attainment(demo, last_two, "r.name = $p", name) <= 0.5
    assert _visits_per_week(demo, name, 26, ("visit", "call", "meeting")) < 1.2


def test_the_key_account_going_cold_had_regular_visits_then_none_and_a_shrinking_pipeline(demo):
    name = DEMO_STORIES["cold_account"]
    client_id, key, ctype = demo.execute(
        "SELECT client_id, key_account, client_type FROM clients WHERE name = ?", [name]
    ).fetchone()
    assert key and ctype == "design_institute"
    last, before = demo.execute(
        "SELECT max(visit_date), count(*) FROM visits WHERE client_id = ?", [client_id]
    ).fetchone()
    assert 60 <= (AS_OF - last).days <= 90
    assert before >= 5
    # Every other key account has been seen within the last 60 days.
    assert (
        _one(
            demo,
            """SELECT count(*) FROM clients c WHERE key_account AND client_id <> ? AND
        coalesce((SELECT max(visit_date) FROM visits v WHERE v.client_id = c.client_id),
                 DATE '1900-01-01') < ?""",
            client_id,
            AS_OF - timedelta(days=60),
        )
        == 0
    )
    # Its open pipeline shrank after the last visit: deals cut, pushed out or lost.
    at_last_visit, now = demo.execute(
        """
        SELECT sum(h.amount) FILTER (WHERE h.valid_from <= $last AND coalesce(h.valid_to, $far) > $last
                                     AND h.status = 'open'),
               sum(h.amount) FILTER (WHERE h.valid_to IS NULL AND h.status = 'open')
        FROM opportunity_history h WHERE h.client_id = $c""",
        {"last": last, "far": date(9999, 1, 1), "c": client_id},
    ).fetchone()
    assert now < Decimal("0.8") * at_last_visit
    pushed = _one(
        demo,
        """SELECT count(DISTINCT opp_id) FROM (
        SELECT opp_id, valid_from, expected_close_date,
               lag(expected_close_date) OVER (PARTITION BY opp_id ORDER BY valid_from) AS prev
        FROM opportunity_history WHERE client_id = ?)
        WHERE expected_close_date > prev AND valid_from > ?""",
        client_id,
        last,
    )
    assert pushed >= 1


# --- the command line


def test_the_demo_command_writes_a_database_that_status_reports(tmp_path):
    path = tmp_path / "cli.duckdb"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "salesmgmt",
            "demo",
            "--db",
            str(path),
            "--as-of",
            "2026-11-27",
            "--seed",
            "7",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "visits" in made.stdout
    status = subprocess.run(
        [sys.executable, "-m", "salesmgmt", "status", "--db", str(path), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    counts = json.loads(status.stdout)
    assert counts["visits"] >= 5000 and counts["opportunities"] >= 500 and counts["uploads"] == 0
