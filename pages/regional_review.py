"""Regional review: each region against its goals, drilled down to teams and reps."""

import streamlit as st

import pageparts as pp
import ui
from charts import module1 as charts
from salesmgmt.metrics import regions
from salesmgmt.metrics.actions import CLIENT_TYPES

ui.page_header("page.regional_review")
period, filters, as_of, lang = ui.period(), ui.filters(), ui.as_of(), ui.lang()
divisor = 10_000 if lang == "zh" else 1
money_axis = ui.t("axis.money", unit=ui.money_unit())

review = ui.query(regions.region_review, period, filters, as_of, "region")
review = review[(review["target"].notna()) | (review["won_amount"] > 0) | (review["open_amount"] > 0)]
if review.empty:
    ui.empty_state()
    st.stop()

SPEC = [
    ("target", "fc.col.target", "money"),
    ("won_amount", "fc.col.won", "money"),
    ("attainment", "fc.col.attainment", "pct"),
    ("forecast", "fc.col.forecast", "money"),
    ("attainment_probability", "fc.col.chance", "pct"),
    ("growth_yoy", "rr.col.growth_yoy", "delta"),
    ("growth_prev", "rr.col.growth_prev", "delta"),
    ("open_amount", "fc.col.open", "money"),
    ("pipeline_coverage", "fc.col.coverage", "number"),
    ("win_rate", "rr.col.win_rate", "pct"),
    ("visits", "ar.col.visits", "count"),
]
chart_labels = {
    "won": ui.t("fc.col.won"),
    "forecast": ui.t("fc.col.forecast"),
    "target": ui.t("fc.col.target"),
    "money_axis": money_axis,
}

pp.chart(
    charts.regions_vs_target(review, "region", divisor, {**chart_labels, "title": ui.t("rr.chart")}),
    key="rr_regions_chart",
)
pp.show_table(review, [("region", "rr.col.region", "text")] + SPEC, key="rr_regions")
st.caption(
    ui.t("rr.caption", last_year=period.same_last_year().label(lang), previous=period.previous().label(lang))
)

st.subheader(ui.t("rr.drill.title"))
left, right = st.columns(2)
region = left.selectbox(ui.t("rr.col.region"), list(review["region"]), key="rr_region")
teams = ui.query(regions.drill_down, period, filters, as_of, region, None)
teams = teams[(teams["target"].notna()) | (teams["won_amount"] > 0) | (teams["open_amount"] > 0)]
pp.show_table(teams, [("team", "fc.col.team", "text")] + SPEC, key="rr_teams")
if len(teams):
    team = right.selectbox(ui.t("fc.col.team"), list(teams["team"]), key="rr_team")
    reps = ui.query(regions.drill_down, period, filters, as_of, region, team)
    reps = reps[
        (reps["target"].notna()) | (reps["won_amount"] > 0) | (reps["open_amount"] > 0) | (reps["visits"] > 0)
    ]
    st.markdown("**" + ui.md(ui.t("rr.drill.reps", team=team, region=region)) + "**")
    pp.show_table(reps, [("rep", "fc.col.rep", "text")] + SPEC, key="rr_reps")

st.subheader(ui.t("rr.pen.title"))
penetration = ui.query(regions.client_penetration, period, filters, "region")
if penetration.empty:
    st.info(ui.t("ar.heat.none"), icon=":material/info:")
else:
    type_names = {k: ui.t(f"client_type.{k}") for k in CLIENT_TYPES}
    pp.chart(
        charts.penetration_heatmap(penetration, "region", type_names, {"title": ui.t("rr.pen.chart")}),
        key="rr_penetration",
    )
    st.caption(ui.t("rr.pen.caption"))

st.subheader(ui.t("rr.time.title"))
metric_names = {"attainment": ui.t("fc.col.attainment"), "won_amount": ui.t("fc.col.won")}
metric = (
    st.segmented_control(
        ui.t("rr.time.show"),
        list(metric_names),
        default="attainment",
        format_func=metric_names.get,
        key="rr_time_metric",
    )
    or "attainment"
)
months = ui.query(regions.regions_over_time, filters, period, 12)
percent = metric == "attainment"
pp.chart(
    charts.regions_over_time(
        months,
        metric,
        {
            "title": ui.t("rr.time.chart", what=metric_names[metric]),
            "month": ui.t("ov.trend.month"),
            "target": ui.t("fc.col.target"),
            "axis": metric_names[metric] if percent else money_axis,
        },
        divisor=1 if percent else divisor,
        percent=percent,
    ),
    key="rr_time_chart",
)

pp.scorecard_download("rr_scorecard", default_level="region")
