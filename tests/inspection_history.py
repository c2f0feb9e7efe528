"""A small opportunity history for the pipeline inspection, checked by hand in
tests/domain/test_inspection.py: the tiny company (tests/tiny.py) plus deals whose June 2026
states show every inspection flag, read on AS_OF = June 15 against SINCE = June 8 (a week before).

No stage has five completed stays (there are three: P1 70 days in negotiation, W1 42 in
negotiation, L1 39 in quote), so the usual time in every stage is the 60-day default and a deal
is stalled after 60 days in its stage. Visits within the 30 days up to June 15 (after May 16):
client 2 (tiny: May 18, 19, 20, 26) and deal V1 (June 2, at client 2); client 1's last is
March 1, client 3 has none.
"""

from __future__ import annotations

from datetime import date

from tests import tiny

AS_OF = date(2026, 6, 15)
SINCE = date(2026, 6, 8)
PERIOD = "2026-06"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


#: opp_id, rep, client, states: (valid_from, stage, status, amount, expected close, close date);
#: each state is valid until the next one's valid_from.
DEALS = [
    ("N1", 1, 2, [(d(6, 10), "lead", "open", 10_000, d(6, 30), None)]),
    (
        "U1",
        1,
        2,
        [
            (d(5, 1), "qualified", "open", 20_000, d(6, 20), None),
            (d(6, 12), "qualified", "open", 30_000, d(6, 20), None),
        ],
    ),
    (
        "D1",
        1,
        1,
        [
            (d(5, 1), "quote", "open", 50_000, d(6, 5), None),
            (d(5, 20), "quote", "open", 50_000, d(6, 18), None),
            (d(6, 9), "quote", "open", 40_000, d(6, 28), None),
        ],
    ),
    (
        "P1",
        1,
        2,
        [
            (d(4, 1), "negotiation", "open", 80_000, d(6, 25), None),
            (d(6, 10), "quote", "open", 80_000, d(6, 20), None),
        ],
    ),
    (
        "S1",
        1,
        2,
        [
            (d(5, 1), "solution", "open", 60_000, d(6, 29), None),
            (d(6, 11), "solution", "open", 60_000, d(7, 15), None),
        ],
    ),
    (
        "W1",
        1,
        2,
        [
            (d(5, 1), "negotiation", "open", 70_000, d(6, 30), None),
            (d(6, 12), "won", "won", 70_000, d(6, 30), d(6, 12)),
        ],
    ),
    (
        "L1",
        1,
        3,
        [
            (d(5, 1), "quote", "open", 25_000, d(6, 20), None),
            (d(6, 9), "lost", "lost", 25_000, d(6, 20), d(6, 9)),
        ],
    ),
    ("X1", 2, 1, [(d(3, 1), "solution", "open", 15_000, d(6, 5), None)]),
    ("V1", 1, 1, [(d(5, 1), "lead", "open", 5_000, d(6, 30), None)]),
    # Not of June: expected in August; won in May.
    ("A1", 1, 2, [(d(5, 1), "lead", "open", 9_000, d(8, 20), None)]),
    (
        "M1",
        1,
        2,
        [
            (d(4, 1), "quote", "open", 9_000, d(5, 20), None),
            (d(5, 20), "won", "won", 9_000, d(5, 20), d(5, 20)),
        ],
    ),
]

#: A visit on deal V1 at another client than its own (the deal's, not its client's).
DEAL_VISIT = (d(6, 2), 1, 2, "V1")


def load(con) -> None:
    """The tiny company and DEALS into an empty, migrated database."""
    tiny.load(con)
    for opp_id, rep_id, client_id, states in DEALS:
        ends = [s[0] for s in states[1:]] + [None]
        for (valid_from, stage, status, amount, expected, closed), valid_to in zip(states, ends):
            con.execute(
                "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, rep_id, client_id, stage,"
                " status, amount, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [opp_id, valid_from, valid_to, rep_id, client_id, stage, status, amount, expected, closed],
            )
        _, stage, status, amount, expected, closed = states[-1]
        con.execute(
            "INSERT INTO opportunities (opp_id, name, rep_id, client_id, stage, status, amount,"
            " created_date, expected_close_date, close_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                opp_id,
                f"Deal {opp_id}",
                rep_id,
                client_id,
                stage,
                status,
                amount,
                states[0][0],
                expected,
                closed,
            ],
        )
    day, rep_id, client_id, opp_id = DEAL_VISIT
    con.execute(
        "INSERT INTO visits (visit_key, visit_date, rep_id, client_id, opp_id) VALUES (1000, ?, ?, ?, ?)",
        [day, rep_id, client_id, opp_id],
    )
