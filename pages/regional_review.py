"""Regional review: each region against its goals, drilled down to teams and reps."""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import maps as map_charts
from app.charts import module1 as charts
from app.charts import overview as overview_charts
from app.tables import Column
from app.texts import t
from salesmgmt import maps
from salesmgmt.metrics import coverage, regions
from salesmgmt.metrics.actions import CLIENT_TYPES
from salesmgmt.metrics.core import first_days
from salesmgmt.periods import Period

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
# A running month's won against its whole target would plunge every line: the lines end with the
# last complete month, and the caption says where the month so far is.
as_of_month = Period.month_of(as_of)
running = as_of < as_of_month.last_day
months = queries.query(
    regions.regions_over_time, filters, as_of_month.previous() if running else as_of_month, 12
)
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
if running:
    st.caption(
        t(
            "rr.time.running",
            month=as_of_month.label(lang),
            day=formats.date_text(as_of),
            last=as_of_month.previous().label(lang),
        )
    )

st.subheader(t("map.title"))
where = queries.query(coverage.located, filters)
if not where.located:
    st.info(t("map.empty", clients=formats.count(where.clients)), icon=":material/location_off:")
else:
    left, right = st.columns(2)
    shown = left.selectbox(
        t("map.show"), coverage.MAP_MEASURES, format_func=formats.label, key="rr_map_measure"
    )
    level_names = {level: t(f"map.level.{level}") for level in maps.LEVELS}
    level = (
        right.segmented_control(
            t("map.level"), maps.LEVELS, default="province", format_func=level_names.get, key="rr_map_level"
        )
        or "province"
    )
    money = shown == "area_pipeline"
    areas = queries.query(coverage.by_area, period, filters, as_of, level)
    cold = queries.query(coverage.key_accounts_not_visited, filters, as_of)
    days = coverage.COLD_ACCOUNT_DAYS
    pp.chart(
        map_charts.coverage_map(
            areas,
            level,
            shown,
            {
                "title": t(f"map.chart.{level}", what=formats.label(shown)),
                "value": formats.header(shown),
                "gaps": t("map.points.gaps", days=days),
            },
            divisor=divisor if money else 1,
            gaps=cold,
        ),
        key="rr_map",
    )
    st.caption(
        t(
            "map.caption",
            period=period.label(lang),
            as_of=formats.date_text(as_of),
            version=maps.package_version(),
            days=days,
        )
        + (
            ""
            if where.located == where.clients
            else " "
            + t("map.partly", located=formats.count(where.located), clients=formats.count(where.clients))
        )
    )
    # In the first days (no complete week yet) nearly every city would be "not visited": the gaps
    # are judged on the last complete period, as the action review judges its weeks.
    early = first_days(period, as_of)
    gaps_period = period.previous() if early else period
    no_visits = queries.query(coverage.cities_without_visits, gaps_period, filters, gaps_period.as_of(as_of))
    st.markdown("**" + t("map.gaps.cities", n=len(no_visits)) + "**")
    if early:
        st.caption(t("map.gaps.cities.of_last", now=period.label(lang), last=gaps_period.label(lang)))
    if no_visits.empty:
        st.success(t("map.gaps.cities.none"))
    else:
        tables.show(
            no_visits,
            ["area", "province", "area_pipeline", "area_open_deals", "area_clients", "area_checkins"],
            key="rr_map_cities",
        )

st.subheader(t("map.footprint"))
steps = queries.query(coverage.footprint, filters, as_of)
if steps.empty:
    st.info(t("map.footprint.none"), icon=":material/info:")
else:
    tables.show(
        steps,
        ["rep", "team"]
        + [
            Column(key, column=f"{window}_{key}", header=t(f"map.col.{window}", what=formats.label(key)))
            for window in ("week", "month")
            for key in ("cities_visited", "districts_visited", "area_visits", "area_checkins")
        ],
        key="rr_footprint",
    )
    st.caption(
        t(
            "map.footprint.caption",
            week=formats.date_text(coverage.footprint_windows(as_of)[0]),
            month=formats.date_text(coverage.footprint_windows(as_of)[1]),
            as_of=formats.date_text(as_of),
        )
    )

pp.scorecard_download("rr_scorecard", default_level="region")
