"""Overview: the director's first screen for the chosen period."""

import streamlit as st

import pageparts as pp
import ui
from charts import overview as charts
from salesmgmt.metrics import core, overview

ui.page_header("page.overview")
period, filters, as_of, lang = ui.period(), ui.filters(), ui.as_of(), ui.lang()

now = ui.query(core.totals, period, filters, as_of)
previous = period.previous()
before = ui.query(core.totals, previous, filters, min(as_of, previous.last_day), False)

if now["target"] is None and now["won_amount"] == 0 and now["open_count"] == 0 and now["visits"] == 0:
    ui.empty_state()
    st.stop()

c1, c2, c3, c4 = st.columns(4)
unit = f" ({ui.money_unit()})" if lang == "en" else f"（{ui.money_unit()}）"
c1.metric(
    ui.t("ov.kpi.won") + unit,
    ui.money_short(now["won_amount"]),
    ui.delta_text(now["won_amount"], before["won_amount"]),
    help=ui.t("ov.kpi.won_help"),
    border=True,
)
c1.caption(
    ui.t("ov.kpi.of_target", target=ui.money(now["target"])) if now["target"] else ui.t("ov.kpi.no_target")
)
c2.metric(
    ui.t("ov.kpi.forecast") + unit,
    ui.money_short(now["forecast"]),
    ui.delta_text(now["forecast"], before["forecast"]),
    border=True,
)
c2.caption(ui.t("ov.kpi.probability", p=ui.pct(now["attainment_probability"])))
c3.metric(
    ui.t("ov.kpi.attainment"),
    ui.pct(now["attainment"]),
    ui.delta_text(now["attainment"], before["attainment"], "points"),
    border=True,
)
c3.caption(f"{ui.t('page.forecast')}: {ui.pct(now['forecast_attainment'])}")
vpw = now["visits_per_week"]
c4.metric(
    ui.t("ov.kpi.visits"),
    "–" if vpw is None else f"{vpw:.1f}",
    None if vpw is None or before["visits_per_week"] is None else f"{vpw - before['visits_per_week']:+.1f}",
    border=True,
)
c4.caption(ui.t("ov.kpi.norm", norm=2, share=ui.pct(now["norm_share"])))

left, right = st.columns([3, 2])
with left:
    trend = ui.query(overview.monthly_trend, filters, period, 12)
    labels = {
        "title": ui.t("ov.trend.title"),
        "won": ui.t("ov.trend.won"),
        "target": ui.t("ov.trend.target"),
        "visits": ui.t("ov.trend.visits"),
        "month": ui.t("ov.trend.month"),
        "money_axis": ui.t("axis.money", unit=ui.money_unit()),
    }
    st.plotly_chart(
        ui.style_figure(charts.won_vs_target_trend(trend, 10_000 if lang == "zh" else 1, labels)),
        key="ov_trend",
    )
with right:
    teams = ui.query(core.figures, period, filters, as_of, "team", False)
    labels = {
        "title": ui.t("ov.teams.title"),
        "won": ui.t("ov.trend.won"),
        "forecast": ui.t("ov.kpi.forecast"),
        "target": ui.t("ov.trend.target"),
        "money_axis": ui.t("axis.money", unit=ui.money_unit()),
    }
    charted, note = pp.strongest_and_weakest(teams, "attainment", "teams", rows=12, ends=5)  # narrow
    st.plotly_chart(
        ui.style_figure(charts.teams_comparison(charted, 10_000 if lang == "zh" else 1, labels)),
        key="ov_teams",
    )
    if note:
        st.caption(note)

st.subheader(ui.t("ov.attention.title"))
items = ui.query(overview.attention, period, filters, as_of)
shown = False
LIMIT = 5
with st.container(key="ov_attention"):
    behind = items["teams_behind"]
    if len(behind):
        shown = True
        st.markdown("**" + ui.t("ov.attention.teams") + "**")
        for row in behind.head(LIMIT).itertuples():
            st.markdown(
                "- "
                + ui.t(
                    "ov.attention.team_line",
                    team=ui.md(row.team),
                    won=ui.money(row.won_amount),
                    target=ui.money(row.target),
                    att=ui.pct(row.attainment),
                    fatt=ui.pct(row.forecast_attainment),
                )
            )
    cold = items["cold_accounts"]
    if len(cold):
        shown = True
        st.markdown("**" + ui.t("ov.attention.cold", days=60) + "**")
        for row in cold.head(LIMIT).itertuples():
            st.markdown(
                "- "
                + ui.t(
                    "ov.attention.cold_line",
                    client=ui.md(row.client),
                    type=ui.t(f"client_type.{row.client_type}"),
                    owner=ui.md(row.owner),
                    last=ui.date_text(row.last_visit)
                    if not ui.pd.isna(row.last_visit)
                    else ui.t("ov.attention.never"),
                    days="–" if row.days_since_visit != row.days_since_visit else int(row.days_since_visit),
                    pipe=ui.money(row.open_amount),
                )
            )
        if len(cold) > LIMIT:
            st.caption(ui.t("ov.attention.more", n=len(cold) - LIMIT))
    reps = items["reps_below_norm"]
    if len(reps):
        shown = True
        st.markdown("**" + ui.t("ov.attention.reps") + "**")
        for row in reps.head(LIMIT).itertuples():
            st.markdown(
                "- "
                + ui.t(
                    "ov.attention.rep_line",
                    rep=ui.md(row.rep),
                    team=ui.md(row.team),
                    vpw=f"{row.visits_per_week:.1f}",
                    ok=row.weeks_meeting_norm,
                    weeks=row.weeks,
                )
            )
        if len(reps) > LIMIT:
            st.caption(ui.t("ov.attention.more", n=len(reps) - LIMIT))
    if not shown:
        st.success(ui.t("ov.attention.none"))
