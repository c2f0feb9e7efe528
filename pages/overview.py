"""Overview: the director's first screen for the chosen period."""

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar
from app.charts import overview as charts
from app.charts import theme
from app.texts import lang, t
from salesmgmt.measures import COLD_ACCOUNT_DAYS, VISIT_NORM_PER_WEEK
from salesmgmt.metrics import core, overview

layout.page_header("page.overview")
period, filters, as_of = sidebar.period(), sidebar.filters(), sidebar.as_of()

now = queries.query(core.totals, period, filters, as_of)
# Like with like: the period so far against the same days of the previous period.
before = queries.query(overview.totals_same_days_before, period, filters, as_of)
same_days = overview.same_days_before(period, as_of)
early = core.first_days(period, as_of)
first_week_end = core.first_complete_week_end(period)

if now["target"] is None and now["won_amount"] == 0 and now["open_count"] == 0 and now["visits"] == 0:
    layout.empty_state()
    st.stop()


c1, c2, c3, c4 = st.columns(4)
c1.metric(
    formats.with_unit(t("ov.kpi.won")),
    formats.money_short(now["won_amount"]),
    formats.delta_text(now["won_amount"], before["won_amount"]),
    help=t("ov.kpi.won_help"),
    border=True,
)
c1.caption(
    t("ov.kpi.of_target", target=formats.money(now["target"])) if now["target"] else t("ov.kpi.no_target")
)
c2.metric(
    formats.header("forecast"),
    formats.money_short(now["forecast"]),
    formats.delta_text(now["forecast"], before["forecast"]),
    border=True,
)
c2.caption(t("ov.kpi.probability", p=formats.pct(now["attainment_probability"])))
c3.metric(
    formats.label("attainment"),
    formats.pct(now["attainment"]),
    formats.delta_text(now["attainment"], before["attainment"], "points"),
    border=True,
)
c3.caption(f"{t('page.forecast')}: {formats.pct(now['forecast_attainment'])}")
vpw = now["visits_per_week"]
c4.metric(
    t("ov.kpi.visits"),
    "–" if vpw is None else f"{vpw:.1f}",
    None
    if early or vpw is None or before["visits_per_week"] is None
    else f"{vpw - before['visits_per_week']:+.1f}",
    border=True,
)
c4.caption(t("ov.kpi.norm", norm=VISIT_NORM_PER_WEEK, share=formats.pct(now["norm_share"])))
st.caption(
    t(
        "ov.kpi.compared",
        now=formats.days_text(period.start, as_of),
        before=formats.days_text(same_days.start, same_days.last_day),
        previous=period.previous().label(lang()),
    )
    + (" " + t("ov.kpi.first_days", until=formats.date_text(first_week_end)) if early else "")
)

left, right = st.columns([3, 2])
with left:
    trend = queries.query(overview.monthly_trend, filters, period, 12)
    labels = {
        "title": t("ov.trend.title"),
        "won": t("ov.trend.won"),
        "target": formats.label("target"),
        "visits": formats.label("visits"),
        "month": t("ov.trend.month"),
        "money_axis": t("axis.money", unit=formats.money_unit()),
    }
    st.plotly_chart(
        theme.style_figure(charts.won_vs_target_trend(trend, formats.money_divisor(), labels)),
        key="ov_trend",
    )
    if as_of < period.last_day:
        st.caption(t("ov.trend.so_far", month=formats.date_text(as_of)[:7], day=formats.date_text(as_of)))
with right:
    teams = queries.query(core.figures, period, filters, as_of, "team", False)
    labels = {
        "title": t("ov.teams.title"),
        "won": t("ov.trend.won"),
        "forecast": formats.label("forecast"),
        "target": formats.label("target"),
        "money_axis": t("axis.money", unit=formats.money_unit()),
    }
    charted, note = pp.strongest_and_weakest(teams, "attainment", "teams", rows=12, ends=5)  # narrow
    st.plotly_chart(
        theme.style_figure(charts.won_forecast_vs_target(charted, "team", formats.money_divisor(), labels)),
        key="ov_teams",
    )
    if note:
        st.caption(note)

st.subheader(t("ov.attention.title"))
items = queries.query(overview.attention, period, filters, as_of)
LIMIT = 5


def attention_list(title: str, found: pd.DataFrame, line: Callable[[Any], str], more: bool = True) -> bool:
    """One list of what needs attention: its title, a line for each of the first LIMIT rows of `found` and
    (with `more`) how many are not shown; False, and nothing drawn, when nothing is found."""
    if not len(found):
        return False
    st.markdown("**" + title + "**")
    for row in found.head(LIMIT).itertuples():
        st.markdown("- " + line(row))
    if more and len(found) > LIMIT:
        st.caption(t("ov.attention.more", n=len(found) - LIMIT))
    return True


with st.container(key="ov_attention"):
    if early:
        st.caption(t("ov.attention.first_days", until=formats.date_text(first_week_end)))
    shown = [
        attention_list(
            t("ov.attention.teams"),
            items["teams_behind"],
            lambda row: t(
                "ov.attention.team_line",
                team=formats.md(row.team),
                won=formats.money(row.won_amount),
                target=formats.money(row.target),
                att=formats.pct(row.attainment),
                fatt=formats.pct(row.forecast_attainment),
            ),
            more=False,
        ),
        attention_list(
            t("ov.attention.cold", days=COLD_ACCOUNT_DAYS),
            items["cold_accounts"],
            lambda row: t(
                "ov.attention.cold_line",
                client=formats.md(row.client),
                type=t(f"client_type.{row.client_type}"),
                owner=formats.md(row.owner),
                last=formats.date_text(row.last_visit)
                if not pd.isna(row.last_visit)
                else t("ov.attention.never"),
                days="–" if row.days_since_visit != row.days_since_visit else int(row.days_since_visit),
                pipe=formats.money(row.open_amount),
            ),
        ),
        attention_list(
            t("ov.attention.reps"),
            items["reps_below_norm"],
            lambda row: t(
                "ov.attention.rep_line",
                rep=formats.md(row.rep),
                team=formats.md(row.team),
                vpw=f"{row.visits_per_week:.1f}",
                ok=row.weeks_meeting_norm,
                weeks=row.weeks,
            ),
        ),
    ]
    if not any(shown):
        if early:
            st.info(t("ov.attention.none_first_days"))
        else:
            st.success(t("ov.attention.none"))
