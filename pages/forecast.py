"""Forecast: what will close this period against target, how the pipeline moved, how good past
forecasts were."""

from datetime import timedelta

import streamlit as st

import pageparts as pp
import ui
from charts import forecast as charts
from salesmgmt.measures import BEST_CASE_MIN_PROBABILITY, COMMIT_MIN_PROBABILITY
from salesmgmt.metrics import forecast

ui.page_header("page.forecast")
period, filters, as_of, lang = ui.period(), ui.filters(), ui.as_of(), ui.lang()
divisor = 10_000 if lang == "zh" else 1
money_axis = ui.t("axis.money", unit=ui.money_unit())

total = ui.query(forecast.gap_totals, period, filters, as_of)
if total["target"] is None and total["won_amount"] == 0 and total["open_count"] == 0:
    ui.empty_state()
    st.stop()

cols = st.columns(6)
for col, (label, value) in zip(
    cols,
    [
        ("fc.kpi.won", total["won_amount"]),
        ("fc.kpi.commit", total["commit_amount"]),
        ("fc.kpi.best_case", total["best_case_amount"]),
        ("fc.kpi.forecast", total["forecast"]),
        ("fc.kpi.target", total["target"]),
        ("fc.kpi.gap", total["gap"]),
    ],
):
    col.metric(pp.with_unit(label), ui.money_short(value), border=True)
cols[0].caption(ui.t("fc.kpi.attainment", att=ui.pct(total["attainment"])))
cols[1].caption(ui.t("fc.kpi.commit_help", p=f"{COMMIT_MIN_PROBABILITY:.0%}"))
cols[2].caption(ui.t("fc.kpi.best_help", p=f"{BEST_CASE_MIN_PROBABILITY:.0%}"))
cols[3].caption(ui.t("fc.kpi.forecast_help", att=ui.pct(total["forecast_attainment"])))
cols[4].caption(ui.t("fc.kpi.chance", p=ui.pct(total["attainment_probability"])))
cols[5].caption(
    ui.t(
        "fc.kpi.needed",
        needed=ui.money(total["pipeline_needed"]),
        rate=ui.pct(total["historical_win_rate"]),
        cover=ui.t("fc.times", x=f"{total['pipeline_coverage']:.1f}")
        if total["pipeline_coverage"] is not None
        else "–",
    )
)
if total["pipeline_shortfall"]:
    st.warning(
        ui.t(
            "fc.shortfall",
            add=ui.money(total["pipeline_shortfall"]),
            open=ui.money(total["open_amount"]),
            needed=ui.money(total["pipeline_needed"]),
            rate=ui.pct(total["historical_win_rate"]),
        ),
        icon=":material/warning:",
    )

GROUP_SPEC = [
    ("target", "fc.col.target", "money"),
    ("won_amount", "fc.col.won", "money"),
    ("commit_amount", "fc.col.commit", "money"),
    ("best_case_amount", "fc.col.best_case", "money"),
    ("forecast", "fc.col.forecast", "money"),
    ("attainment", "fc.col.attainment", "pct"),
    ("attainment_probability", "fc.col.chance", "pct"),
    ("gap", "fc.col.gap", "money"),
    ("open_amount", "fc.col.open", "money"),
    ("historical_win_rate", "fc.col.hist_win_rate", "pct"),
    ("pipeline_needed", "fc.col.needed", "money"),
    ("pipeline_coverage", "fc.col.coverage", "number"),
]
chart_labels = {
    "won": ui.t("fc.col.won"),
    "commit": ui.t("fc.col.commit"),
    "best_case": ui.t("fc.col.best_case"),
    "forecast": ui.t("fc.col.forecast"),
    "target": ui.t("fc.col.target"),
    "chance": ui.t("fc.chance_text"),
    "money_axis": money_axis,
}

st.subheader(ui.t("fc.teams.title"))
teams = ui.query(forecast.gap_analysis, period, filters, as_of, "team")
teams = teams[(teams["target"].notna()) | (teams["won_amount"] > 0) | (teams["open_amount"] > 0)]
charted, note = pp.strongest_and_weakest(teams, "forecast_attainment", "teams", rows=24, ends=10)
pp.chart(
    charts.forecast_categories(charted, "team", divisor, {**chart_labels, "title": ui.t("fc.teams.chart")}),
    key="fc_teams_chart",
)
if note:
    st.caption(note)
pp.show_table(teams, [("team", "fc.col.team", "text")] + GROUP_SPEC, key="fc_teams")

st.subheader(ui.t("fc.reps.title"))
reps = ui.query(forecast.gap_analysis, period, filters, as_of, "rep")
reps = reps[(reps["target"].notna()) | (reps["won_amount"] > 0) | (reps["open_amount"] > 0)]
reps = reps.sort_values(["team", "attainment_probability"], ascending=[True, True], na_position="last")
pp.show_table(
    reps, [("rep", "fc.col.rep", "text"), ("team", "fc.col.team", "text")] + GROUP_SPEC, key="fc_reps"
)
st.caption(ui.t("fc.reps.caption"))

st.subheader(ui.t("fc.move.title"))
left, right = st.columns(2)
d0 = left.date_input(
    ui.t("fc.move.from"), value=period.start - timedelta(days=1), key="fc_from", max_value=as_of
)
d1 = right.date_input(ui.t("fc.move.to"), value=as_of, key="fc_to", max_value=ui.today())
movement = ui.query(forecast.forecast_movement, period, filters, d0, d1)
category_names = {c: ui.t(f"fc.cat.{c}") for c in forecast.CATEGORIES}
pp.chart(
    charts.movement_waterfall(
        movement,
        category_names,
        divisor,
        {
            "title": ui.t("fc.move.chart", start=ui.date_text(min(d0, d1)), end=ui.date_text(max(d0, d1))),
            "start": ui.t("fc.move.start"),
            "end": ui.t("fc.move.end"),
            "deals": ui.t("fc.move.deals"),
            "money_axis": money_axis,
        },
    ),
    key="fc_waterfall",
)
st.caption(ui.t("fc.move.caption"))
deals = movement["deals"]
if len(deals):
    present = [c for c in forecast.CATEGORIES if c in set(deals["category"])]
    chosen = st.segmented_control(
        ui.t("fc.move.pick"), present, default=present[0], format_func=category_names.get, key="fc_category"
    )
    shown = deals[deals["category"] == chosen] if chosen else deals
    pp.show_table(
        shown,
        [
            ("opportunity", "fc.col.opportunity", "text"),
            ("client", "fc.col.client", "text"),
            ("rep", "fc.col.rep", "text"),
            ("change", "fc.col.change", "money"),
            ("amount_before", "fc.col.amount_before", "money"),
            ("amount_after", "fc.col.amount_after", "money"),
            ("stage_before", "fc.col.stage_before", "stage"),
            ("stage_after", "fc.col.stage_after", "stage"),
            ("close_expected_before", "fc.col.close_before", "date"),
            ("close_expected_after", "fc.col.close_after", "date"),
        ],
        key="fc_deals",
    )
else:
    st.info(ui.t("fc.move.none"), icon=":material/info:")

st.subheader(ui.t("fc.acc.title"))
accuracy = ui.query(forecast.forecast_accuracy, period, filters, as_of, 6)
if accuracy["forecast_at_start"].notna().any():
    pp.chart(
        charts.accuracy(
            accuracy,
            divisor,
            {
                "title": ui.t("fc.acc.chart", kind=ui.t(f"period.{period.kind}")),
                "forecast_at_start": ui.t("fc.col.forecast_at_start"),
                "won": ui.t("fc.col.won"),
                "target": ui.t("fc.col.target"),
                "accuracy": ui.t("fc.col.accuracy"),
                "money_axis": money_axis,
            },
        ),
        key="fc_accuracy",
    )
    mean = accuracy["forecast_accuracy"].mean()
    st.caption(ui.t("fc.acc.caption", mean=ui.pct(mean)))
else:
    st.info(ui.t("fc.acc.none"), icon=":material/info:")

pp.scorecard_download("fc_scorecard", default_level="rep")
