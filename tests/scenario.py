"""Write small hand-checked companies for module 2's tests, one readable line per fact.

A deal is written as the list of its states, each valid from its date to the next state's date
(the last one current), exactly as the importer keeps opportunity_history; its current row in
`opportunities` is the last state, closed on the date a won or lost state begins.
"""

from __future__ import annotations

from datetime import date

from salesmgmt.stages import status_of
from salesmgmt.text import name_key


class Company:
    def __init__(self, con) -> None:
        self.con = con
        self._visit = 0

    def rep(
        self,
        rep_id: int,
        name: str,
        team: str | None = "Dragon",
        region: str | None = "East",
        role: str = "sales_engineer",
        manager: str | None = None,
        active: bool = True,
    ) -> int:
        self.con.execute(
            "INSERT INTO reps (rep_id, name, name_key, team, region, role, manager, active)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [rep_id, name, name_key(name), team, region, role, manager, active],
        )
        return rep_id

    def client(
        self,
        client_id: int,
        name: str,
        client_type: str = "owner",
        owner: int | None = None,
        key: bool = False,
        level: int | None = None,
        region: str | None = "East",
    ) -> int:
        self.con.execute(
            "INSERT INTO clients (client_id, name, name_key, client_type, region, key_account,"
            " owner_rep_id, relationship_level) VALUES (?,?,?,?,?,?,?,?)",
            [client_id, name, name_key(name), client_type, region, key, owner, level],
        )
        return client_id

    def deal(
        self,
        opp_id: str,
        rep: int,
        client: int | None,
        states: list[tuple],
        product: str | None = None,
        project: str | None = None,
        lost_reason: str | None = None,
        created: date | None = None,
    ) -> str:
        """states: (valid_from, stage, amount, expected_close_date), oldest first."""
        rows = []
        for i, (start, stage, amount, expected) in enumerate(states):
            end = states[i + 1][0] if i + 1 < len(states) else None
            status = status_of(stage)
            close = start if status != "open" else None
            rows.append((opp_id, start, end, client, rep, product, stage, status, amount, expected, close))
        self.con.executemany(
            "INSERT INTO opportunity_history (opp_id, valid_from, valid_to, client_id, rep_id,"
            " product, stage, status, amount, expected_close_date, close_date)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        last = rows[-1]
        self.con.execute(
            "INSERT INTO opportunities (opp_id, name, client_id, rep_id, product, project, stage,"
            " status, amount, created_date, expected_close_date, close_date, lost_reason)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                opp_id,
                opp_id,
                client,
                rep,
                product,
                project,
                last[6],
                last[7],
                last[8],
                created or states[0][0],
                last[9],
                last[10],
                lost_reason,
            ],
        )
        return opp_id

    def visit(
        self,
        day: date,
        rep: int,
        client: int,
        visit_type: str = "visit",
        accompanied_by: str | None = None,
        notes: str | None = None,
        opp: str | None = None,
        purpose: str | None = None,
    ) -> int:
        self._visit += 1
        self.con.execute(
            "INSERT INTO visits (visit_key, visit_id, visit_date, rep_id, client_id, visit_type,"
            " accompanied_by, opp_id, purpose, notes) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                self._visit,
                f"V{self._visit}",
                day,
                rep,
                client,
                visit_type,
                accompanied_by,
                opp,
                purpose,
                notes,
            ],
        )
        return self._visit

    def target(self, month: date, kind: str, key: str, amount: float) -> None:
        self.con.execute(
            "INSERT INTO targets (month, scope_kind, scope_key, amount) VALUES (?,?,?,?)",
            [month, kind, key, amount],
        )
