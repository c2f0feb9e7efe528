"""The sales-manager meeting of module 3 (a period): teams side by side on module 1 and 2 figures,
each team's monthly trend, and the issues to escalate. (The sales school's best practices it shows
are `salesmgmt.metrics.school`'s.)

Scope rule: that of `salesmgmt.metrics.meetings` (every function takes a Filters and returns
nothing outside it: a fact belongs to a rep, and only reps in the filter are read).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.filters import Filters
from salesmgmt.i18n import format_money, format_percent, t
from salesmgmt.measures import COLD_ACCOUNT_DAYS
from salesmgmt.metrics import coaching, operations
from salesmgmt.metrics.core import NO_GROUP, figures
from salesmgmt.metrics.overview import attention
from salesmgmt.metrics.team_meeting import row_mask
from salesmgmt.periods import Period
from salesmgmt.query import run

#: Open deals of at least this amount (CNY) are escalated when overdue or stalled.
ESCALATE_DEAL_AMOUNT = 1_000_000

KEY_ACCOUNTS_SQL = f"""
WITH fr AS (SELECT r.rep_id, coalesce(r.team, '{NO_GROUP}') AS team FROM reps r WHERE {{where}}),
seen AS (
    SELECT DISTINCT v.client_id FROM visits v
    WHERE v.visit_date >= $start AND v.visit_date < $end AND v.visit_date <= $as_of
)
SELECT fr.team, count(*) AS key_accounts, count(seen.client_id) AS key_accounts_visited
FROM clients c JOIN fr ON fr.rep_id = c.owner_rep_id LEFT JOIN seen ON seen.client_id = c.client_id
WHERE c.key_account
GROUP BY 1
"""


def teams_side_by_side(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """One row per team: module 1's figures (core.figures at team level) and module 2's
    ride_alongs (coaching's definition) and ride_alongs_per_engineer, key_accounts,
    key_account_coverage and cold_key_accounts (no visit for COLD_ACCOUNT_DAYS days)."""
    from salesmgmt.metrics.overview import cold_key_accounts

    frame = figures(con, period, filters, as_of, "team", with_probability=True)
    frame = frame[frame["team"] != NO_GROUP]
    keys = run(con, KEY_ACCOUNTS_SQL, filters, {"start": period.start, "end": period.end, "as_of": as_of})
    frame = frame.merge(keys, on="team", how="left")
    rides = coaching.coaching_summary(con, period, filters, as_of)
    frame["ride_alongs"] = frame["team"].map(rides.groupby("team")["ride_alongs"].sum())
    for col in ("ride_alongs", "key_accounts", "key_accounts_visited"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["ride_alongs_per_engineer"] = frame["ride_alongs"] / frame["engineers"].where(
        frame["engineers"] > 0
    )
    frame["key_account_coverage"] = frame["key_accounts_visited"] / frame["key_accounts"].where(
        frame["key_accounts"] > 0
    )
    cold = cold_key_accounts(con, filters, as_of, COLD_ACCOUNT_DAYS)
    frame["cold_key_accounts"] = frame["team"].map(cold.groupby("team").size()).fillna(0).astype("int64")
    return frame.reset_index(drop=True)


def team_trends(
    con: duckdb.DuckDBPyConnection, filters: Filters, last: Period, as_of: date, months: int = 6
) -> pd.DataFrame:
    """Each team's figures month by month, the `months` months ending with `last`'s last month:
    team, month, target, won_amount, attainment, win_rate, visits_per_week (core.figures)."""
    end_month = Period.month_of(min(last.last_day, as_of))
    rows = []
    for i in range(months - 1, -1, -1):
        month = end_month.shift(-i)
        f = figures(con, month, filters, min(as_of, month.last_day), "team", with_probability=False)
        f = f[f["team"] != NO_GROUP]
        f.insert(1, "month", month.start)
        rows.append(f[["team", "month", "target", "won_amount", "attainment", "win_rate", "visits_per_week"]])
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


#: Above this many teams a trend draws the TREND_ENDS highest and lowest of the last month.
TREND_TEAMS = 12
TREND_ENDS = 5


def trend_ends(
    trends: pd.DataFrame, ends: int = TREND_ENDS, most: int = TREND_TEAMS
) -> tuple[pd.DataFrame, int]:
    """The rows of `team_trends` worth a line each: every team up to `most` teams; beyond, the
    `ends` teams with the highest and the `ends` with the lowest attainment in the last month
    (teams without one then left out). Returns (rows, number of teams in all)."""
    total = trends["team"].nunique() if len(trends) else 0
    if total <= most:
        return trends, total
    last = trends[trends["month"] == trends["month"].max()].dropna(subset=["attainment"])
    ranked = last.sort_values(["attainment", "team"], ascending=[False, True], kind="stable")["team"]
    keep = set(ranked.head(ends)) | set(ranked.iloc[ends:].tail(ends))
    return trends[trends["team"].isin(keep)], total


ISSUE_KINDS = ("team_behind", "overdue_deal", "stalled_deal", "cold_key_accounts", "below_norm")


def issues_to_escalate(
    con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """What the manager meeting should escalate, one row per issue: kind (ISSUE_KINDS), team,
    subject (a team, deal or rep), amount, value (attainment, days or a count), detail, stage
    (of a deal).

    - team_behind: the overview's rule (measure behind_target: forecast under 90% of target, or,
      after the first days of the period, won under 80% of the pro-rata target);
    - overdue_deal / stalled_deal: open deals of ESCALATE_DEAL_AMOUNT or more whose expected close
      date has passed, else that are stalled (in their stage longer than usual: the sales
      operations rule, `operations.stalled_deals`);
    - cold_key_accounts: per team, key accounts without a visit for COLD_ACCOUNT_DAYS days;
    - below_norm: per team, sales engineers meeting the visit norm in under half the weeks.
    """
    rows: list[dict[str, Any]] = []
    behind: Any
    d: Any
    found = attention(con, period, filters, as_of)
    for behind in found["teams_behind"].itertuples():
        if behind.team == NO_GROUP:
            continue
        rows.append(
            dict(
                kind="team_behind",
                team=behind.team,
                subject=behind.team,
                amount=float(behind.gap),
                value=float(behind.forecast_attainment) if pd.notna(behind.forecast_attainment) else np.nan,
                detail=float(behind.attainment) if pd.notna(behind.attainment) else np.nan,
            )
        )
    open_deals = operations.open_deals_at(con, filters, as_of)  # read once, for both kinds
    big = open_deals[open_deals["amount"] >= ESCALATE_DEAL_AMOUNT]
    overdue = big[row_mask(big["expected_close_date"], lambda d: d is not None and d < as_of)]
    for d in overdue.sort_values(["amount", "opp_id"], ascending=[False, True]).itertuples():
        rows.append(_deal_issue("overdue_deal", d, float((as_of - d.expected_close_date).days)))
    stalled = operations.stalled_among(big, operations.usual_stage_days(con, filters, as_of))
    stalled = stalled[~stalled["opp_id"].isin(overdue["opp_id"])]
    for d in stalled.sort_values(["amount", "opp_id"], ascending=[False, True]).itertuples():
        rows.append(_deal_issue("stalled_deal", d, float(d.days_in_stage)))
    for team, group in found["cold_accounts"].groupby("team"):
        rows.append(
            _team_issue("cold_key_accounts", team, group["client"], float(group["open_amount"].sum()))
        )
    for team, group in found["reps_below_norm"].groupby("team"):
        rows.append(_team_issue("below_norm", team, group["rep"], np.nan))
    frame = pd.DataFrame(rows, columns=["kind", "team", "subject", "amount", "value", "detail", "stage"])
    frame["_o"] = frame["kind"].map({k: i for i, k in enumerate(ISSUE_KINDS)})
    return (
        frame.sort_values(["_o", "amount"], ascending=[True, False], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _team_issue(kind: str, team: Any, names: pd.Series, amount: float) -> dict[str, Any]:
    """An issue row about a team: how many `names` (clients or reps) it has, the first three."""
    return dict(
        kind=kind,
        team=team,
        subject=team,
        amount=amount,
        value=float(len(names)),
        detail=", ".join(names.head(3)),
    )


def _deal_issue(kind: str, deal: Any, value: float) -> dict[str, Any]:
    """An issue row about an open deal (a row of `operations.open_deals_at`)."""
    return dict(
        kind=kind,
        team=deal.team,
        subject=deal.opportunity,
        amount=float(deal.amount),
        value=value,
        detail=f"{deal.owner} · {deal.client or ''}",
        stage=deal.stage,
    )


def issue_text(row: Any, lang: str, escape: Callable[[str], str] = str) -> str:
    """An issue of `issues_to_escalate` in words (`escape` as in rankings.recognition_text)."""
    detail = row.detail
    stage = getattr(row, "stage", None)
    stage_text = ""
    if isinstance(stage, str) and stage:
        stage_text = t(f"stage.{stage}", lang)
        if stage_text.startswith("stage."):  # a stage of an imported CRM, kept as it came
            stage_text = stage
    return t(
        f"mm.issue_line.{row.kind}",
        lang,
        team=escape(row.team),
        subject=escape(row.subject),
        stage=escape(stage_text),
        amount=format_money(row.amount, lang),
        value="–" if row.value != row.value else f"{row.value:.0f}",
        pct=format_percent(row.value),
        detail=escape(detail) if isinstance(detail, str) else format_percent(detail),
    )
