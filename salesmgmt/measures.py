"""Every measure the product shows, defined once: key, labels, format and definition.

Each metrics module may declare its own `MEASURES` list; `salesmgmt.glossary` gathers them all,
looks one up by key (tables and the scorecard take their headers, units and formats from it) and
generates docs/glossary.md. This module imports nothing of `metrics`, which imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesmgmt.stages import OPEN_STAGES, UNKNOWN_OPEN_PROBABILITY

#: Client visits a sales engineer should make each week (the seed's "at least two a week").
VISIT_NORM_PER_WEEK = 2
#: Probability bands of the forecast categories (like Salesforce's commit / best case).
COMMIT_MIN_PROBABILITY = 0.70
BEST_CASE_MIN_PROBABILITY = 0.40
#: A key account with no visit for this many days is "going cold".
COLD_ACCOUNT_DAYS = 60
#: Monte Carlo for attainment_probability when there are too many deals to enumerate: at most
#: PROBABILITY_DRAWS draws, in batches, stopping once the standard error is at most that of
#: PROBABILITY_DRAWS draws at 50%; a chance a tail bound puts below PROBABILITY_NEGLIGIBLE is 0.
PROBABILITY_DRAWS = 200_000
PROBABILITY_BATCH = 10_000
PROBABILITY_NEGLIGIBLE = 1e-4
#: Deals of the largest variance whose total is enumerated exactly for each draw of the others.
PROBABILITY_CONDITIONED = 12
PROBABILITY_SEED = 20240601
#: The pipeline inspection compares the as-of day with this many days earlier unless told (a week).
INSPECTION_DAYS = 7
#: An open deal with no visit on it or its client for this many days has "no recent visit".
NO_VISIT_DAYS = 30


@dataclass(frozen=True)
class Measure:
    key: str
    label_en: str
    label_zh: str
    fmt: str  # 'money' | 'percent' | 'count' | 'number' | 'probability'
    definition: str

    def label(self, lang: str) -> str:
        """The measure's name in `lang`: '赢单金额' / 'Won'."""
        return self.label_zh if lang == "zh" else self.label_en

    def header(self, lang: str) -> str:
        """The name with the unit where there is one: '赢单金额（万元）' / 'Won (CNY)'."""
        from salesmgmt.i18n import with_money_unit

        return with_money_unit(self.label(lang), lang) if self.fmt == "money" else self.label(lang)

    def format(self, value: float | int | None, lang: str, with_unit: bool = True) -> str:
        """A value of this measure as text in `lang` ('1,234.6 万元', 'CNY 12,345,678', '45%', '12')."""
        from salesmgmt.i18n import format_count, format_money, format_number, format_percent

        if self.fmt == "money":
            return format_money(value, lang, with_unit=with_unit)
        if self.fmt in ("percent", "probability"):
            return format_percent(value)
        if self.fmt == "count":
            return format_count(value)
        return format_number(value)


_stage_defaults = ", ".join(f"{k} {int(p * 100)}%" for k, p in OPEN_STAGES)

MEASURES: list[Measure] = [
    Measure(
        "target",
        "Target",
        "目标",
        "money",
        "Sum of the monthly targets in the period. A team's or region's own target is used "
        "when one was given for that month, else the sum of its reps' targets.",
    ),
    Measure(
        "won_amount",
        "Won",
        "赢单金额",
        "money",
        "Sum of the amounts of opportunities won (status won) with a close date in the period.",
    ),
    Measure(
        "won_count",
        "Deals won",
        "赢单数",
        "count",
        "Number of opportunities won with a close date in the period.",
    ),
    Measure(
        "lost_count",
        "Deals lost",
        "输单数",
        "count",
        "Number of opportunities lost with a close date in the period.",
    ),
    Measure(
        "win_rate",
        "Win rate",
        "赢率",
        "percent",
        "won_count / (won_count + lost_count); empty when both are 0.",
    ),
    Measure(
        "open_amount",
        "Open pipeline",
        "在途商机金额",
        "money",
        "Sum of the amounts of open opportunities whose expected close date is in the period.",
    ),
    Measure(
        "weighted_amount",
        "Weighted pipeline",
        "加权商机金额",
        "money",
        "Sum over the same open opportunities of amount x probability; when a row has no "
        f"probability its stage's default is used ({_stage_defaults}; any other stage "
        f"{int(UNKNOWN_OPEN_PROBABILITY * 100)}%).",
    ),
    Measure(
        "commit_amount",
        "Commit",
        "承诺",
        "money",
        "won_amount plus the amounts of open opportunities in the period with probability "
        f">= {int(COMMIT_MIN_PROBABILITY * 100)}%.",
    ),
    Measure(
        "best_case_amount",
        "Best case",
        "最佳情况",
        "money",
        "commit_amount plus the amounts of open opportunities in the period with probability "
        f">= {int(BEST_CASE_MIN_PROBABILITY * 100)}% and below "
        f"{int(COMMIT_MIN_PROBABILITY * 100)}%.",
    ),
    Measure("forecast", "Forecast", "预测", "money", "won_amount + weighted_amount."),
    Measure(
        "attainment", "Attainment", "完成率", "percent", "won_amount / target; empty when there is no target."
    ),
    Measure(
        "forecast_attainment",
        "Forecast attainment",
        "预测完成率",
        "percent",
        "forecast / target; empty when there is no target.",
    ),
    Measure(
        "attainment_probability",
        "Chance of making target",
        "达成目标概率",
        "probability",
        "Probability that won_amount plus the open opportunities of the period that close "
        "reaches the target, each open deal closing independently with its probability. "
        "Exact for up to 18 deals. Beyond, 0 (or 1) when Hoeffding's inequality puts the "
        f"chance below {PROBABILITY_NEGLIGIBLE:.2%} (above {1 - PROBABILITY_NEGLIGIBLE:.2%}); "
        "else Monte Carlo with a fixed seed: the deals other than the "
        f"{PROBABILITY_CONDITIONED} of the largest variance (amount^2 x p x (1 - p)) are "
        f"drawn, and for each draw the chance that those {PROBABILITY_CONDITIONED} make up "
        "the rest is computed exactly; in batches of "
        f"{PROBABILITY_BATCH:,} draws until the standard error is at most that of "
        f"{PROBABILITY_DRAWS:,} plain draws at 50% ({50 / PROBABILITY_DRAWS**0.5:.2f} "
        f"percentage points), at most {PROBABILITY_DRAWS:,} draws. 1 when already reached; 0 "
        "when out of "
        "reach even if every deal closes; empty without a target.",
    ),
    Measure("gap", "Gap to target", "目标缺口", "money", "max(target - won_amount, 0)."),
    Measure(
        "visits",
        "Client visits",
        "客户拜访",
        "count",
        "Visits of type 'visit' (not calls or meetings) in the period.",
    ),
    Measure(
        "visits_per_week",
        "Visits per engineer-week",
        "人均周拜访",
        "number",
        "Client visits made by sales engineers in the counted weeks / (number of active sales "
        "engineers x counted weeks). Counted weeks are the Monday-to-Sunday weeks whose Monday "
        "lies in the period and on or before the as-of date. For one rep: their own visits in "
        "the counted weeks / counted weeks.",
    ),
    Measure(
        "weeks_meeting_norm",
        "Weeks meeting the visit norm",
        "达标周数",
        "count",
        f"Weeks (as above) in which the rep made at least {VISIT_NORM_PER_WEEK} client "
        "visits (configurable).",
    ),
    Measure(
        "norm_share",
        "Share of rep-weeks meeting the norm",
        "周拜访达标率",
        "percent",
        "weeks_meeting_norm summed over active sales engineers / (active sales engineers x counted weeks).",
    ),
    Measure(
        "days_since_visit",
        "Days since last visit",
        "距上次拜访天数",
        "count",
        "as-of date minus the date of the client's last visit of any type by anyone. A key "
        f"account is going cold after {COLD_ACCOUNT_DAYS} days.",
    ),
]
