"""Forecast: what will close this period against target, how the pipeline moved, how good past
forecasts were."""

from datetime import timedelta

import streamlit as st

from app import blocks as pp
from app import calls as weekly_call
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import forecast as charts
from app.texts import t
from salesmgmt.measures import BEST_CASE_MIN_PROBABILITY, COMMIT_MIN_PROBABILITY
from salesmgmt.metrics import forecast

layout.page_header("page.forecast")
weekly_call.switch()  # the Weekly call view (每周预测提交) when chosen: the page stops there
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()
divisor = formats.money_divisor()
money_axis = t("axis.money", unit=formats.money_unit())

total = queries.query(forecast.gap_totals, period, filters, as_of)
if total["target"] is None and total["won_amount"] == 0 and total["open_count"] == 0:
    layout.empty_state()
    st.stop()

cols = st.columns(6)
for col, (label, value) in zip(
    cols,
    [
        (pp.with_unit("fc.kpi.won"), total["won_amount"]),
        (formats.header("commit_amount"), total["commit_amount"]),
        (formats.header("best_case_amount"), total["best_case_amount"]),
        (formats.header("forecast"), total["forecast"]),
        (formats.header("target"), total["target"]),
        (pp.with_unit("fc.kpi.gap"), total["gap"]),
    ],
):
    col.metric(label, formats.money_short(value), border=True)
cols[0].caption(t("fc.kpi.attainment", att=formats.pct(total["attainment"])))
cols[1].caption(t("fc.kpi.commit_help", p=f"{COMMIT_MIN_PROBABILITY:.0%}"))
cols[2].caption(t("fc.kpi.best_help", p=f"{BEST_CASE_MIN_PROBABILITY:.0%}"))
cols[3].caption(t("fc.kpi.forecast_help", att=formats.pct(total["forecast_attainment"])))
cols[4].caption(t("fc.kpi.chance", p=formats.pct(total["attainment_probability"])))
cols[5].caption(
    t(
        "fc.kpi.needed",
        needed=formats.money(total["pipeline_needed"]),
        rate=formats.pct(total["historical_win_rate"]),
        cover=t("fc.times", x=f"{total['pipeline_coverage']:.1f}")
        if total["pipeline_coverage"] is not None
        else "–",
    )
)
if total["pipeline_shortfall"]:
    st.warning(
        t(
            "fc.shortfall",
            add=formats.money(total["pipeline_shortfall"]),
            open=formats.money(total["open_amount"]),
            needed=formats.money(total["pipeline_needed"]),
            rate=formats.pct(total["historical_win_rate"]),
        ),
        icon=":material/warning:",
    )

GROUP_SPEC = [
    "target",
    ("won_amount", "fc.col.won"),
    "commit_amount",
    "best_case_amount",
    "forecast",
    "attainment",
    "attainment_probability",
    ("gap", "fc.col.gap"),
    ("open_amount", "fc.col.open"),
    "historical_win_rate",
    "pipeline_needed",
    ("pipeline_coverage", "fc.col.coverage"),
]
chart_labels = {
    "won": t("fc.col.won"),
    "commit": formats.label("commit_amount"),
    "best_case": formats.label("best_case_amount"),
    "forecast": formats.label("forecast"),
    "target": formats.label("target"),
    "chance": t("fc.chance_text"),
    "money_axis": money_axis,
}

st.subheader(t("fc.teams.title"))
teams = queries.query(forecast.gap_analysis, period, filters, as_of, "team")
teams = teams[(teams["target"].notna()) | (teams["won_amount"] > 0) | (teams["open_amount"] > 0)]
charted, note = pp.strongest_and_weakest(teams, "forecast_attainment", "teams", rows=24, ends=10)
pp.chart(
    charts.forecast_categories(charted, "team", divisor, {**chart_labels, "title": t("fc.teams.chart")}),
    key="fc_teams_chart",
)
if note:
    st.caption(note)
tables.show(teams, ["team"] + GROUP_SPEC, key="fc_teams")

st.subheader(t("fc.reps.title"))
reps = queries.query(forecast.gap_analysis, period, filters, as_of, "rep")
reps = reps[(reps["target"].notna()) | (reps["won_amount"] > 0) | (reps["open_amount"] > 0)]
reps = reps.sort_values(["team", "attainment_probability"], ascending=[True, True], na_position="last")
tables.show(reps, ["rep", "team"] + GROUP_SPEC, key="fc_reps")
st.caption(t("fc.reps.caption"))

st.subheader(formats.label("forecast_movement"))
left, right = st.columns(2)
d0 = left.date_input(
    t("fc.move.from"), value=period.start - timedelta(days=1), key="fc_from", max_value=as_of
)
d1 = right.date_input(t("fc.move.to"), value=as_of, key="fc_to", max_value=queries.today())
movement = queries.query(forecast.forecast_movement, period, filters, d0, d1)
category_names = {c: t(f"fc.cat.{c}") for c in forecast.CATEGORIES}
pp.chart(
    charts.movement_waterfall(
        movement,
        category_names,
        divisor,
        {
            "title": t(
                "fc.move.chart", start=formats.date_text(min(d0, d1)), end=formats.date_text(max(d0, d1))
            ),
            "start": t("fc.move.start"),
            "end": t("fc.move.end"),
            "deals": t("fc.move.deals"),
            "money_axis": money_axis,
        },
    ),
    key="fc_waterfall",
)
st.caption(t("fc.move.caption"))
st.page_link("pages/inspection.py", label=t("ins.link"), icon=":material/fact_check:")
deals = movement["deals"]
if len(deals):
    present = [c for c in forecast.CATEGORIES if c in set(deals["category"])]
    chosen = st.segmented_control(
        t("fc.move.pick"), present, default=present[0], format_func=category_names.get, key="fc_category"
    )
    shown = deals[deals["category"] == chosen] if chosen else deals
    tables.show(
        shown,
        [
            "opportunity",
            "client",
            "rep",
            "change",
            "amount_before",
            "amount_after",
            "stage_before",
            "stage_after",
            "close_expected_before",
            "close_expected_after",
        ],
        key="fc_deals",
    )
else:
    st.info(t("fc.move.none"), icon=":material/info:")

st.subheader(formats.label("forecast_accuracy"))
accuracy = queries.query(forecast.forecast_accuracy, period, filters, as_of, 6)
if accuracy["forecast_at_start"].notna().any():
    pp.chart(
        charts.accuracy(
            accuracy,
            divisor,
            {
                "title": t("fc.acc.chart", kind=t(f"period.{period.kind}")),
                "forecast_at_start": t("fc.col.forecast_at_start"),
                "won": t("fc.col.won"),
                "target": formats.label("target"),
                "accuracy": t("fc.col.accuracy"),
                "money_axis": money_axis,
            },
        ),
        key="fc_accuracy",
    )
    mean = accuracy["forecast_accuracy"].mean()
    st.caption(t("fc.acc.caption", mean=formats.pct(mean)))
else:
    st.info(t("fc.acc.none"), icon=":material/info:")

pp.scorecard_download("fc_scorecard", default_level="rep")
