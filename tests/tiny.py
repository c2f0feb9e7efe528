"""A tiny fixed company whose figures are checked by hand in the tests (see test_metrics_core.py).

Period of interest: May 2026, as of 2026-05-31. Mondays in May: 4, 11, 18, 25 -> 4 norm weeks.
"""

from __future__ import annotations

from datetime import date

from salesmgmt.text import name_key

AS_OF = date(2026, 5, 31)

REPS = [
    # rep_id, name, team, region, role, manager
    (1, "张伟 Zhang", "Dragon", "East", "sales_engineer", "陈总 Chen"),
    (2, "李娜 Li", "Dragon", "East", "sales_engineer", "陈总 Chen"),
    (3, "王强 Wang", "Tiger", "West", "sales_engineer", None),
    (4, "陈总 Chen", "Dragon", "East", "sales_manager", None),
]

CLIENTS = [
    # client_id, name, type, region, key account, owner rep
    (1, "华东设计院", "design_institute", "East", True, 1),
    (2, "江苏钢构", "steel_structure", "East", True, 2),
    (3, "西部业主", "owner", "West", False, 3),
]

OPPORTUNITIES = [
    # id, rep, client, stage, status, amount, probability, created, expected close, close
    ("O1", 1, 1, "won", "won", 60_000, None, date(2026, 3, 1), date(2026, 5, 10), date(2026, 5, 10)),
    ("O2", 1, 2, "won", "won", 40_000, None, date(2026, 3, 1), date(2026, 5, 20), date(2026, 5, 20)),
    ("O3", 1, 1, "lost", "lost", 30_000, None, date(2026, 3, 1), date(2026, 5, 15), date(2026, 5, 15)),
    ("O4", 1, 1, "quote", "open", 50_000, None, date(2026, 4, 1), date(2026, 5, 30), None),
    ("O5", 2, 2, "negotiation", "open", 100_000, 0.8, date(2026, 4, 1), date(2026, 5, 25), None),
    ("O6", 2, 2, "won", "won", 50_000, None, date(2026, 2, 1), date(2026, 4, 30), date(2026, 4, 30)),
    ("O7", 3, 3, "lost", "lost", 10_000, None, date(2026, 2, 1), date(2026, 5, 3), date(2026, 5, 3)),
    ("O8", 3, 3, "solution", "open", 20_000, None, date(2026, 4, 1), date(2026, 6, 10), None),
    ("O9", 2, 2, "lead", "open", 100_000, None, date(2026, 5, 2), date(2026, 5, 28), None),
]

TARGETS = [
    # month, kind, key, amount
    (date(2026, 5, 1), "rep", "1", 100_000),
    (date(2026, 5, 1), "rep", "2", 200_000),
    (date(2026, 5, 1), "rep", "3", 100_000),
    (date(2026, 5, 1), "team", "Tiger", 150_000),
    (date(2026, 4, 1), "rep", "1", 80_000),
]

VISITS = [
    # date, rep, client, type, accompanied by
    (date(2026, 5, 1), 1, 2, "visit", None),  # before the first Monday: counts, but in no week
    (date(2026, 5, 4), 1, 2, "visit", "陈总 Chen"),
    (date(2026, 5, 6), 1, 2, "visit", None),
    (date(2026, 5, 12), 1, 2, "visit", None),
    (date(2026, 5, 18), 1, 2, "visit", None),
    (date(2026, 5, 19), 1, 2, "visit", None),
    (date(2026, 5, 20), 1, 2, "visit", None),
    (date(2026, 5, 26), 1, 2, "call", None),
    (date(2026, 5, 5), 2, 2, "visit", None),
    (date(2026, 5, 7), 2, 2, "visit", None),
    (date(2026, 5, 13), 2, 2, "visit", None),
    (date(2026, 5, 14), 2, 2, "visit", None),
    (date(2026, 5, 5), 4, 2, "visit", None),
    (date(2026, 3, 1), 1, 1, "visit", None),
]


def load(con) -> None:
    """Write the tiny company into an empty, migrated database."""
    con.executemany(
        "INSERT INTO reps (rep_id, name, name_key, team, region, role, manager) VALUES (?,?,?,?,?,?,?)",
        [(i, n, name_key(n), t, r, role, m) for i, n, t, r, role, m in REPS],
    )
    con.executemany(
        "INSERT INTO clients (client_id, name, name_key, client_type, region, key_account, owner_rep_id)"
        " VALUES (?,?,?,?,?,?,?)",
        [(i, n, name_key(n), ty, r, k, o) for i, n, ty, r, k, o in CLIENTS],
    )
    con.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, probability,"
        " created_date, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
        OPPORTUNITIES,
    )
    con.executemany(
        "INSERT INTO opportunity_history (opp_id, valid_from, rep_id, client_id, stage, status, amount,"
        " probability, expected_close_date, close_date)"
        " SELECT opp_id, created_date, rep_id, client_id, stage, status, amount, probability,"
        " expected_close_date, close_date FROM opportunities WHERE opp_id = ?",
        [(o[0],) for o in OPPORTUNITIES],
    )
    con.executemany("INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)", TARGETS)
    con.executemany(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, visit_type, accompanied_by)"
        " VALUES (?,?,?,?,?,?)",
        [(i + 1, *v) for i, v in enumerate(VISITS)],
    )
