"""Regional review: each region against its goals, drilled down to teams and reps."""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import module1 as charts
from app.charts import overview as overview_charts
from app.tables import Column
from app.texts import t
from salesmgmt.metrics import regions
from salesmgmt.metrics.actions import CLIENT_TYPES

layout.page_header("page.regional_review")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()
divisor = formats.money_divisor()
money_axis = t("axis.money", unit=formats.money_unit())

review = queries.query(regions.region_review, period, filters, as_of, "region")
review = review[(review["target"].notna()) | (review["won_amount"] > 0) | (review["open_amount"] > 0)]
if review.empty:
    layout.empty_state()
    st.stop()

SPEC = [
    "target",
    ("won_amount", "fc.col.won"),
    "attainment",
    "forecast",
    "attainment_probability",
    Column("growth_yoy", label="rr.col.growth_yoy", kind="delta"),
    Column("growth_prev", label="rr.col.growth_prev", kind="delta"),
    ("open_amount", "fc.col.open"),
    ("pipeline_coverage", "fc.col.coverage"),
    "win_rate",
    "visits",
]
chart_labels = {
    "won": t("fc.col.won"),
    "forecast": formats.label("forecast"),
    "target": formats.label("target"),
    "money_axis": money_axis,
}

pp.chart(
    overview_charts.won_forecast_vs_target(
        review, "region", divisor, {**chart_labels, "title": t("rr.chart")}
    ),
    key="rr_regions_chart",
)
tables.show(review, ["region"] + SPEC, key="rr_regions")
st.caption(
    t("rr.caption", last_year=period.same_last_year().label(lang), previous=period.previous().label(lang))
)

st.subheader(t("rr.drill.title"))
left, right = st.columns(2)
region = left.selectbox(t("rr.col.region"), list(review["region"]), key="rr_region")
teams = queries.query(regions.drill_down, period, filters, as_of, region, None)
teams = teams[(teams["target"].notna()) | (teams["won_amount"] > 0) | (teams["open_amount"] > 0)]
tables.show(teams, ["team"] + SPEC, key="rr_teams")
if len(teams):
    team = right.selectbox(t("fc.col.team"), list(teams["team"]), key="rr_team")
    reps = queries.query(regions.drill_down, period, filters, as_of, region, team)
    reps = reps[
        (reps["target"].notna()) | (reps["won_amount"] > 0) | (reps["open_amount"] > 0) | (reps["visits"] > 0)
    ]
    st.markdown("**" + formats.md(t("rr.drill.reps", team=team, region=region)) + "**")
    tables.show(reps, ["rep"] + SPEC, key="rr_reps")

st.subheader(formats.label("client_penetration"))
penetration = queries.query(regions.client_penetration, period, filters, "region")
if penetration.empty:
    st.info(t("ar.heat.none"), icon=":material/info:")
else:
    type_names = {k: t(f"client_type.{k}") for k in CLIENT_TYPES}
    pp.chart(
        charts.penetration_heatmap(penetration, "region", type_names, {"title": t("rr.pen.chart")}),
        key="rr_penetration",
    )
    st.caption(t("rr.pen.caption"))

st.subheader(t("rr.time.title"))
metric_names = {"attainment": formats.label("attainment"), "won_amount": t("fc.col.won")}
metric = (
    st.segmented_control(
        t("rr.time.show"),
        list(metric_names),
        default="attainment",
        format_func=metric_names.get,
        key="rr_time_metric",
    )
    or "attainment"
)
months = queries.query(regions.regions_over_time, filters, period, 12)
percent = metric == "attainment"
pp.chart(
    charts.regions_over_time(
        months,
        metric,
        {
            "title": t("rr.time.chart", what=metric_names[metric]),
            "month": t("ov.trend.month"),
            "target": formats.label("target"),
            "axis": metric_names[metric] if percent else money_axis,
        },
        divisor=1 if percent else divisor,
        percent=percent,
    ),
    key="rr_time_chart",
)

pp.scorecard_download("rr_scorecard", default_level="region")
