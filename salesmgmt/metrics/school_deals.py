"""The sales school at deal level (issue 14): what won deals have that lost deals lack.

Each deal closed (won or lost) in the window is one row, with the behaviours measured on the visits
linked to it and on its history. Two comparisons: won deals against lost deals, and the top
performers' won deals against the other reps' won deals. A rep's deals are not independent, so
the interval of each difference comes from a bootstrap over reps: resample the reps with
replacement and take all their deals (the rep-level module's resampling, fixed seed).

The visits of a deal: the deal's rep's client visits and meetings dated from PROJECT_LEAD_DAYS
before the deal was created to its close, that are linked to the deal (visits.opp_id), or linked
to no deal and made to the deal's client or to a client of another deal of the same project.
The day a deal reached the quote stage: its first history row at quote, negotiation or won.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt.documents import Document, Facts, Note, Table, Text, to_html, to_xlsx
from salesmgmt.errors import SalesmgmtError
from salesmgmt.filters import Filters
from salesmgmt.i18n import format_percent, t
from salesmgmt.measures import Measure
from salesmgmt.metrics import school
from salesmgmt.metrics.core import figures
from salesmgmt.metrics.project_chain import CHAIN_TYPES, PROJECT_LEAD_DAYS
from salesmgmt.metrics.ride_alongs import ride_pairs
from salesmgmt.periods import Period
from salesmgmt.query import run

DEFAULT_MONTHS = 12
#: Window choices on the page (months).
WINDOW_MONTHS = (6, 12, 24)
MAX_MONTHS = 36
#: No verdict with fewer deals than this on either side, or fewer reps than MIN_REPS in all.
MIN_DEALS = 20
MIN_REPS = 4
#: "Large enough": a share differing by at least this many points (as a fraction), a mean by
#: at least this many pooled deal-level standard deviations.
MIN_SHARE_DIFFERENCE = 0.10
MIN_EFFECT = 0.3
DRAWS = 400
SEED = school.BOOTSTRAP_SEED

#: The behaviours, in display order, and which of them are shares (the others are means).
BEHAVIOURS: tuple[str, ...] = (
    "design_institute_first",
    "parties_met",
    "owner_met",
    "visits_before_quote",
    "ride_along",
    "followup_days_after_quote",
    "days_to_close",
)
SHARES = frozenset({"design_institute_first", "owner_met", "ride_along"})
#: Compared, but never a step: an outcome of the deal, not something a rep does.
OUTCOMES = frozenset({"days_to_close"})
COMPARISONS = ("won_vs_lost", "top_vs_others")

_VISITS = (
    "the deal's visits (the deal rep's client visits and meetings from "
    f"{PROJECT_LEAD_DAYS} days before the deal was created to its close, linked to the deal, or "
    "linked to no deal and made to the deal's client or a client of the deal's project)"
)
MEASURES: list[Measure] = [
    Measure(
        "design_institute_first",
        "Design institute first",
        "先拜访设计院",
        "percent",
        f"Share of closed deals whose first visit (among {_VISITS}) went to a design institute; "
        "deals without a visit are left out.",
    ),
    Measure(
        "parties_met",
        "Parties met",
        "拜访的项目方数",
        "number",
        f"Per closed deal, how many of the four kinds of party ({', '.join(CHAIN_TYPES)}) were "
        f"visited among {_VISITS} (0-4); the mean over deals.",
    ),
    Measure(
        "owner_met",
        "Owner met",
        "拜访了业主",
        "percent",
        f"Share of closed deals with a visit to an owner among {_VISITS}.",
    ),
    Measure(
        "visits_before_quote",
        "Visits before the quote",
        "报价前拜访数",
        "number",
        "Per closed deal that reached the quote stage (its first history row at quote, "
        "negotiation or won), the deal's visits dated before that day; the mean over deals.",
    ),
    Measure(
        "ride_along",
        "Manager rode along",
        "经理陪访",
        "percent",
        "Share of closed deals with at least one ride-along (the rep's own manager named in "
        "accompanied_by) among the deal's visits.",
    ),
    Measure(
        "followup_days_after_quote",
        "Days to follow up the quote",
        "报价后跟进天数",
        "number",
        "Per closed deal that reached the quote stage, days from that day to the deal's next "
        "visit after it (deals without one are left out); the mean over deals.",
    ),
    Measure(
        "days_to_close",
        "Days to close",
        "成交周期天数",
        "number",
        "Per closed deal, days from its creation (else its first history row) to its close date; "
        "the mean over deals.",
    ),
    Measure(
        "deal_difference",
        "Difference (deals)",
        "差异（商机）",
        "number",
        "Winners' value - others' value (a share's points, or a mean's units). Winners: won deals "
        "(against lost deals), or the top performers' won deals (against the other reps' won "
        "deals; top performers as in the rep-level school). Closed deals: close date in the "
        "window (the N whole months ending with as_of's month, up to as_of).",
    ),
    Measure(
        "deal_interval",
        "95% interval (deals)",
        "95%区间（商机）",
        "number",
        f"Percentile interval of the difference over {DRAWS} resamples of the reps (with "
        "replacement, each bringing all of its closed deals; fixed seed).",
    ),
    Measure(
        "deal_verdict",
        "Verdict (deals)",
        "结论（商机）",
        "count",
        f"too_few: fewer than {MIN_DEALS} deals with a value on either side or fewer than "
        f"{MIN_REPS} reps; clear: the interval excludes 0 and the difference is large enough "
        f"(a share {MIN_SHARE_DIFFERENCE:.0%} points, a mean {MIN_EFFECT} pooled standard "
        "deviations); suggestive: one of the two; none: neither.",
    ),
]


def check_months(months: int) -> None:
    """A window of 1 to MAX_MONTHS months; refused otherwise."""
    if not 1 <= months <= MAX_MONTHS:
        raise SalesmgmtError("sd.error.months", value=months, most=MAX_MONTHS)


def window_for(as_of: date, months: int = DEFAULT_MONTHS) -> Period:
    """The `months` whole months ending with as_of's month (deals count up to as_of)."""
    check_months(months)
    last = Period.month_of(as_of)
    return Period("months", last.shift(-(months - 1)).start, last.end)


DEALS_SQL = f"""
WITH d AS (
    SELECT o.opp_id, o.rep_id, r.name AS rep, r.team, o.client_id, o.status,
           nullif(trim(o.project), '') AS project, o.close_date,
           coalesce(o.created_date,
                    (SELECT min(h.valid_from) FROM opportunity_history h WHERE h.opp_id = o.opp_id))
               AS created
    FROM opportunities o JOIN reps r ON r.rep_id = o.rep_id
    WHERE {{where}} AND o.status IN ('won', 'lost')
      AND o.close_date >= $start AND o.close_date < $end AND o.close_date <= $as_of
),
quoted AS (
    SELECT h.opp_id, min(h.valid_from) AS quoted_on FROM opportunity_history h SEMI JOIN d USING (opp_id)
    WHERE h.stage IN ('quote', 'negotiation', 'won') GROUP BY 1
),
project_clients AS (
    SELECT DISTINCT trim(o.project) AS project, o.client_id FROM opportunities o
    WHERE trim(o.project) IN (SELECT project FROM d)
),
dv AS (   -- the deal's visits
    SELECT DISTINCT d.opp_id, v.visit_key, v.visit_date, c.client_type,
           rp.manager IS NOT NULL AS ride
    FROM d JOIN visits v ON v.rep_id = d.rep_id
    JOIN reps vr ON vr.rep_id = v.rep_id
    LEFT JOIN clients c ON c.client_id = v.client_id
    LEFT JOIN {{pairs}} rp ON rp.accompanied_by = v.accompanied_by AND rp.manager = vr.manager
                          AND v.visit_type = 'visit'
    WHERE v.visit_type IN ('visit', 'meeting')
      AND v.visit_date >= d.created - INTERVAL {PROJECT_LEAD_DAYS} DAY AND v.visit_date <= d.close_date
      AND (v.opp_id = d.opp_id
           OR (v.opp_id IS NULL AND (v.client_id = d.client_id
               OR v.client_id IN (SELECT pc.client_id FROM project_clients pc WHERE pc.project = d.project))))
),
firsts AS (
    SELECT opp_id, bool_or(client_type = 'design_institute') AS di_first FROM (
        SELECT opp_id, client_type, visit_date, min(visit_date) OVER (PARTITION BY opp_id) AS first_day
        FROM dv) WHERE visit_date = first_day GROUP BY 1
),
per_deal AS (
    SELECT dv.opp_id,
           count(DISTINCT dv.client_type) FILTER (WHERE dv.client_type IN
               ({", ".join(f"'{c}'" for c in CHAIN_TYPES)})) AS parties,
           bool_or(dv.client_type = 'owner') AS owner_met,
           bool_or(dv.ride) AS ride_along,
           count(*) FILTER (WHERE dv.visit_date < q.quoted_on) AS before_quote,
           min(dv.visit_date) FILTER (WHERE dv.visit_date > q.quoted_on) AS next_after_quote
    FROM dv LEFT JOIN quoted q USING (opp_id) GROUP BY 1
)
SELECT d.opp_id, d.rep_id, d.rep, d.team, d.status,
       CAST(f.di_first AS DOUBLE) AS design_institute_first,
       CAST(coalesce(p.parties, 0) AS DOUBLE) AS parties_met,
       CAST(coalesce(p.owner_met, false) AS DOUBLE) AS owner_met,
       CAST(CASE WHEN q.quoted_on IS NOT NULL THEN coalesce(p.before_quote, 0) END AS DOUBLE)
           AS visits_before_quote,
       CAST(coalesce(p.ride_along, false) AS DOUBLE) AS ride_along,
       CAST(date_diff('day', q.quoted_on, p.next_after_quote) AS DOUBLE) AS followup_days_after_quote,
       CAST(date_diff('day', d.created, d.close_date) AS DOUBLE) AS days_to_close
FROM d LEFT JOIN quoted q USING (opp_id) LEFT JOIN per_deal p USING (opp_id)
LEFT JOIN firsts f USING (opp_id)
ORDER BY d.opp_id
"""


def deal_behaviours(
    con: duckdb.DuckDBPyConnection, window: Period, filters: Filters, as_of: date
) -> pd.DataFrame:
    """One row per deal closed in the window in scope: opp_id, rep_id, rep, team, status, top
    (the rep is a top performer), then each behaviour of BEHAVIOURS (NaN where it has no value)."""
    with ride_pairs(con, filters) as pairs:
        deals = run(
            con,
            DEALS_SQL.replace("{pairs}", pairs),
            filters,
            {"start": window.start, "end": window.end, "as_of": as_of},
        )
    reps = figures(con, window, filters, as_of, "rep", with_probability=False)
    reps = reps[reps["role"] == "sales_engineer"].reset_index(drop=True)
    top_ids = set(reps.loc[school.top_performers(reps), "rep_id"].astype(int)) if len(reps) else set()
    deals["top"] = deals["rep_id"].astype(int).isin(top_ids)
    return deals


def _rep_sums(rep_index: np.ndarray, values: np.ndarray, reps: int) -> tuple[np.ndarray, np.ndarray]:
    """reps x behaviours: the sum of each behaviour's values over a rep's deals, and their count."""
    have = ~np.isnan(values)
    sums = np.zeros((reps, values.shape[1]))
    counts = np.zeros((reps, values.shape[1]))
    np.add.at(sums, rep_index, np.where(have, values, 0.0))
    np.add.at(counts, rep_index, have.astype(float))
    return sums, counts


def verdict(
    n_winners: int, n_others: int, reps: int, difference: float, low: float, high: float, large: bool
) -> str:
    """'too_few', 'clear', 'suggestive' or 'none' (see the deal_verdict measure)."""
    if n_winners < MIN_DEALS or n_others < MIN_DEALS or reps < MIN_REPS or difference != difference:
        return "too_few"
    excludes_zero = low > 0 or high < 0
    if excludes_zero and large:
        return "clear"
    return "suggestive" if excludes_zero or large else "none"


def compare_deals(
    deals: pd.DataFrame,
    winners: pd.Series,
    others: pd.Series,
    level: str = "deal",
    draws: int = DRAWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Winners' deals against others' deals (two boolean masks over `deals`), one row per
    behaviour in BEHAVIOURS order: behaviour, level, winners, others, difference, ci_low,
    ci_high, n_winners, n_others, verdict, reps, effect (the difference in pooled deal-level
    standard deviations; NaN without spread)."""
    used = deals[winners | others].reset_index(drop=True)
    win = winners[winners | others].to_numpy(bool)
    codes, uniques = pd.factorize(used["rep_id"])
    values = used[list(BEHAVIOURS)].to_numpy(float)
    reps = len(uniques)
    rows = []
    if reps:
        rng = np.random.default_rng(seed)
        counts = school._resample_counts(rng, reps, draws)  # draws x reps
        sw, cw = _rep_sums(codes[win], values[win], reps)
        so, co = _rep_sums(codes[~win], values[~win], reps)
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = (counts @ sw) / (counts @ cw) - (counts @ so) / (counts @ co)
    for j, name in enumerate(BEHAVIOURS):
        a = values[win, j][~np.isnan(values[win, j])]
        b = values[~win, j][~np.isnan(values[~win, j])]
        mean_a = float(a.mean()) if len(a) else float("nan")
        mean_b = float(b.mean()) if len(b) else float("nan")
        difference = mean_a - mean_b
        low = high = float("nan")
        if reps:
            column = np.round(diff[:, j], 12)
            column = column[~np.isnan(column)]
            if column.size and len(a) and len(b):
                low, high = (float(q) for q in np.quantile(column, [0.025, 0.975]))
        pooled = school.pooled_sd(a, b)
        effect = difference / pooled if pooled and pooled == pooled else float("nan")
        if name in SHARES:
            large = abs(difference) >= MIN_SHARE_DIFFERENCE
        else:
            large = bool(abs(effect) >= MIN_EFFECT) if effect == effect else difference != 0 and pooled == 0
        rows.append(
            dict(
                behaviour=name,
                level=level,
                winners=mean_a,
                others=mean_b,
                difference=difference,
                ci_low=low,
                ci_high=high,
                n_winners=len(a),
                n_others=len(b),
                verdict=verdict(len(a), len(b), reps, difference, low, high, large),
                reps=reps,
                effect=effect,
            )
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class DealSchool:
    """The deal-level school of a window: the deals, the two comparisons, the steps (won vs
    lost, clear or suggestive, most important first) and per rep the steps the rep skips."""

    window: Period
    deals: pd.DataFrame
    won_vs_lost: pd.DataFrame
    top_vs_others: pd.DataFrame
    steps: pd.DataFrame
    skipped: pd.DataFrame


def playbook(comparison: pd.DataFrame) -> pd.DataFrame:
    """The clear then suggestive differences of behaviours (not OUTCOMES), the biggest in pooled
    standard deviations first (a difference with no spread at all first of all)."""
    found = comparison[
        comparison["verdict"].isin(["clear", "suggestive"]) & ~comparison["behaviour"].isin(OUTCOMES)
    ].copy()
    found["_rank"] = (found["verdict"] != "clear").astype(int)
    found["_size"] = -found["effect"].abs().fillna(float("inf"))
    return (
        found.sort_values(["_rank", "_size"], kind="stable")
        .drop(columns=["_rank", "_size"])
        .reset_index(drop=True)
    )


def skipped_steps(deals: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """Per rep, the playbook's steps the rep skips: the rep's value over their closed deals is
    on the others' side of the midpoint between winners and others. rep_id, rep, team,
    behaviour, value, winners, others, verdict."""
    columns = ["rep_id", "rep", "team", "behaviour", "value", "winners", "others", "verdict"]
    if deals.empty or steps.empty:
        return pd.DataFrame(columns=columns)
    means = deals.groupby(["rep_id", "rep", "team"], dropna=False)[list(steps["behaviour"])].mean()
    long = means.reset_index().melt(["rep_id", "rep", "team"], var_name="behaviour", value_name="value")
    long = long.merge(steps[["behaviour", "winners", "others", "verdict"]], on="behaviour")
    midpoint = (long["winners"] + long["others"]) / 2
    sign = np.sign(long["winners"] - long["others"])
    skips = long[(sign * (long["value"] - midpoint) < 0) & long["value"].notna()].copy()
    skips["_order"] = skips["behaviour"].map({b: i for i, b in enumerate(steps["behaviour"])})
    return skips.sort_values(["rep", "_order"]).drop(columns="_order")[columns].reset_index(drop=True)


def deal_school(
    con: duckdb.DuckDBPyConnection, as_of: date, filters: Filters, months: int = DEFAULT_MONTHS
) -> DealSchool:
    """The deal-level sales school over the `months` months up to as_of, in the filters' scope."""
    window = window_for(as_of, months)
    deals = deal_behaviours(con, window, filters, as_of)
    won, lost = deals["status"] == "won", deals["status"] == "lost"
    won_vs_lost = compare_deals(deals, won, lost)
    top_vs_others = compare_deals(deals, won & deals["top"], won & ~deals["top"])
    steps = playbook(won_vs_lost)
    return DealSchool(window, deals, won_vs_lost, top_vs_others, steps, skipped_steps(deals, steps))


def rep_level(con: duckdb.DuckDBPyConnection, as_of: date, filters: Filters, months: int) -> pd.DataFrame:
    """The rep-level school in the deal-level table's columns (winners: top performers)."""
    window = school.window_for(as_of, months)
    found = school.compare(school.behaviour_by_rep(con, window, filters, as_of))
    return pd.DataFrame(
        {
            "behaviour": found["behaviour"],
            "level": "rep",
            "winners": found["mean_top"],
            "others": found["mean_rest"],
            "difference": found["difference"],
            "ci_low": found["low"],
            "ci_high": found["high"],
            "n_winners": found["n_top"],
            "n_others": found["n_rest"],
            "verdict": found["verdict"].replace({"no_difference": "none"}),
        }
    )


# ------------------------------------------------------------------------------------------
# Words


def value_text(behaviour: str, value: float) -> str:
    """'62%' for a share, '3.4' for a mean, '–' when missing."""
    if value != value:
        return "–"
    return format_percent(value) if behaviour in SHARES else f"{value:.1f}"


def difference_text(behaviour: str, value: float, lang: str) -> str:
    """'44 points' / '44个百分点' for a share, '+2.1' for a mean."""
    if value != value:
        return "–"
    if behaviour in SHARES:
        return t("sd.points", lang, n=f"{value * 100:+.0f}")
    return f"{value:+.1f}"


def interval_text(behaviour: str, low: float, high: float, lang: str) -> str:
    """'30 to 57 points' for a share, '-12.0 to -8.0' for a mean, '–' when missing."""
    if low != low or high != high:
        return "–"
    if behaviour in SHARES:
        return t("sd.interval.points", lang, low=_bound(behaviour, low), high=_bound(behaviour, high))
    return t("sd.interval", lang, low=_bound(behaviour, low), high=_bound(behaviour, high))


def _bound(behaviour: str, value: float) -> str:
    """An interval's end: '30' (points) for a share, '-8.0' for a mean."""
    if value != value:
        return "–"
    # + 0.0 turns a rounded -0 into 0
    return f"{round(value * 100) + 0.0:.0f}" if behaviour in SHARES else f"{round(value, 1) + 0.0:.1f}"


def step_text(row: Any, lang: str, against: str = "lost") -> str:
    """One step in the seed's terms: 'Visit the design institute first: 62% of won deals ...'."""
    return t(
        f"sd.step.{row.behaviour}",
        lang,
        winners=value_text(row.behaviour, row.winners),
        others=value_text(row.behaviour, row.others),
        group=t(f"sd.group.{against}", lang),
    ) + t(
        "sd.step.tail",
        lang,
        difference=difference_text(row.behaviour, row.difference, lang),
        low=_bound(row.behaviour, row.ci_low),
        high=_bound(row.behaviour, row.ci_high),
        verdict=t(f"sd.verdict.{row.verdict}", lang),
    )


# ------------------------------------------------------------------------------------------
# The playbook as a document (Excel and printable)


def _compared_row(row: Any, lang: str) -> list[str]:
    return [
        t(f"sd.b.{row.behaviour}", lang),
        value_text(row.behaviour, row.winners),
        value_text(row.behaviour, row.others),
        interval_text(row.behaviour, row.ci_low, row.ci_high, lang),
        str(int(row.n_winners)),
        str(int(row.n_others)),
        t(f"sd.verdict.{row.verdict}", lang),
    ]


def skipped_text(row: Any, lang: str) -> str:
    """A step a rep skips in words: 'Bring your manager along: this rep 8%, won deals 60%'."""
    return t(
        "sd.skipped.step",
        lang,
        step=t(f"sd.name.{row.behaviour}", lang),
        value=value_text(row.behaviour, row.value),
        winners=value_text(row.behaviour, row.winners),
    )


def playbook_document(found: DealSchool, lang: str, against: str = "lost") -> Document:
    """The playbook of a deal-level school: the steps, every behaviour compared, and per rep the
    steps the rep skips (texts in `lang`)."""
    comparison = found.won_vs_lost if against == "lost" else found.top_vs_others
    steps = playbook(comparison)
    deals = found.deals
    facts = Facts(
        "",
        [
            (t("sd.doc.won", lang), str(int((deals["status"] == "won").sum()))),
            (t("sd.doc.lost", lang), str(int((deals["status"] == "lost").sum()))),
            (t("sd.doc.reps", lang), str(int(deals["rep_id"].nunique()))),
        ],
    )
    step_rows = [[str(i), step_text(row, lang, against)] for i, row in enumerate(steps.itertuples(), start=1)]
    compared = Table(
        t("sd.doc.compared", lang),
        [
            t("ss.col.behaviour", lang),
            t("sd.col.winners", lang),
            t(f"sd.col.{against}", lang),
            t("ss.col.interval", lang),
            t("sd.col.n_winners", lang),
            t(f"sd.col.n_{against}", lang),
            t("ss.col.verdict", lang),
        ],
        [_compared_row(row, lang) for row in comparison.itertuples()],
    )
    skipped = skipped_steps(deals, steps)
    per_rep = Table(
        t("sd.section.reps", lang),
        [t("ss.col.rep", lang), t("ss.col.team", lang), t("ss.col.step", lang)],
        [[str(row.rep), str(row.team), skipped_text(row, lang)] for row in skipped.itertuples()],
    )
    sections: list[Facts | Table | Text | Note] = [
        facts,
        Table(t("sd.section.steps", lang), ["#", t("ss.col.step", lang)], step_rows)
        if step_rows
        else Note(t("sd.steps.none", lang), t("sd.section.steps", lang)),
        compared,
        per_rep if len(skipped) else Note(t("sd.skipped.none_all", lang), t("sd.section.reps", lang)),
        Note(t("sd.method", lang, draws=DRAWS, min_deals=MIN_DEALS, min_reps=MIN_REPS)),
    ]
    return Document(
        t("sd.doc.title", lang),
        school.window_label(found.window, lang),
        sections,
        lang=lang,
        sheet_name="playbook",
        column_widths=(24, 14, 14, 20, 10, 10, 14),
    )


def playbook_file(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    filters: Filters,
    months: int,
    lang: str,
    against: str = "lost",
    file_type: str = "xlsx",
) -> bytes:
    """The playbook document as Excel (xlsx) or a printable page (html, UTF-8)."""
    document = playbook_document(deal_school(con, as_of, filters, months), lang, against)
    return to_html(document).encode("utf-8") if file_type == "html" else to_xlsx(document)
