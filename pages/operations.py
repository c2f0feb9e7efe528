"""Sales operations: funnel and stage conversion, win rate, deal size, cycle and pipeline
velocity, stalled and repeatedly pushed deals, lost reasons; over time and team by team."""

import streamlit as st

import ui
import ui_tables
from charts import operations as charts
from salesmgmt.i18n import money_divisor
from salesmgmt.metrics import operations

ui.page_header("page.operations")
period, filters, as_of, lang = ui.period(), ui.filters(), ui.as_of(), ui.lang()
divisor = money_divisor(lang)
money_axis = ui.t("axis.money", unit=ui.money_unit())
stage_names = {
    k: ui.t(f"stage.{k}") for k in ("lead", "qualified", "solution", "quote", "negotiation", "won", "lost")
}


def with_stage_names(deals):
    """The deals with their stage in the user's language (an imported CRM's own stage as it came)."""
    return deals.assign(stage=deals["stage"].map(lambda s: stage_names.get(s, s)))


now = ui.query(operations.operation_figures, period, filters, as_of).iloc[0]
previous = period.previous()
before = ui.query(operations.operation_figures, previous, filters, min(as_of, previous.last_day)).iloc[0]
if now["open_deals"] == 0 and now["won_count"] + now["lost_count"] == 0:
    ui.empty_state()
    st.stop()


def _days(value) -> str:
    return "–" if value != value else f"{value:.0f}"


c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(
    ui.t("op.kpi.win_rate"),
    ui.pct(now["win_rate"]),
    ui.delta_text(now["win_rate"], before["win_rate"], "points"),
    border=True,
)
c1.caption(ui.t("op.kpi.closed", won=int(now["won_count"]), closed=int(now["won_count"] + now["lost_count"])))
c2.metric(
    ui.t("op.kpi.avg_size", unit=ui.money_unit()),
    ui.money_short(now["avg_deal_size"]),
    ui.delta_text(now["avg_deal_size"], before["avg_deal_size"]),
    border=True,
)
c3.metric(
    ui.t("op.kpi.cycle"),
    _days(now["sales_cycle_days"]),
    None
    if now["sales_cycle_days"] != now["sales_cycle_days"]
    or before["sales_cycle_days"] != before["sales_cycle_days"]
    else f"{now['sales_cycle_days'] - before['sales_cycle_days']:+.0f}",
    delta_color="inverse",
    border=True,
)
c4.metric(
    ui.t("op.kpi.velocity", unit=ui.money_unit()),
    ui.money_short(now["pipeline_velocity"]),
    ui.delta_text(now["pipeline_velocity"], before["pipeline_velocity"]),
    border=True,
    help=ui.t("op.kpi.velocity_help"),
)
c5.metric(
    ui.t("op.kpi.open"),
    ui.count(now["open_deals"]),
    ui.delta_text(now["open_deals"], before["open_deals"]),
    border=True,
)
c5.caption(ui.money(now["open_pipeline"]))

# Only the open tab runs (its queries and charts): switching tabs reruns the page.
tab_funnel, tab_teams, tab_time, tab_stuck, tab_lost = st.tabs(
    [
        ui.t("op.tab.funnel"),
        ui.t("op.tab.teams"),
        ui.t("op.tab.time"),
        ui.t("op.tab.stuck"),
        ui.t("op.tab.lost"),
    ],
    key="op_tab",
    on_change="rerun",
)

if tab_funnel.open:
    with tab_funnel:
        funnel = ui.query(operations.open_funnel, filters, min(as_of, period.last_day))
        conversions = ui.query(operations.funnel_conversions, period, filters)
        conversion = conversions["total"]
        st.plotly_chart(
            ui.style_figure(
                charts.funnel(
                    funnel,
                    conversion,
                    stage_names,
                    divisor,
                    {
                        "title": ui.t("op.chart.funnel"),
                        "open": ui.t("op.funnel.open", date=ui.date_text(min(as_of, period.last_day))),
                        "reached": ui.t("op.funnel.reached"),
                        "money_axis": money_axis,
                    },
                )
            ),
            key="op_funnel",
        )
        st.caption(ui.t("op.funnel.note"))
        by_team = conversions["teams"]
        if not by_team.empty:
            st.markdown("**" + ui.t("op.funnel.teams") + "**")
            ui_tables.show(
                by_team,
                [("team", ui.t("op.col.team"), "text"), ("closed", ui.t("op.col.closed"), "count")]
                + [
                    (s, ui.t("op.col.step", stage=stage_names[s]), "percent")
                    for s in ("lead", "qualified", "solution", "quote", "negotiation")
                ]
                + [("win_rate", ui.t("op.col.win_rate"), "percent")],
                key="op_funnel_teams",
            )

if tab_teams.open:
    with tab_teams:
        teams = ui.query(operations.operation_figures, period, filters, as_of, ("team",))
        ui_tables.show(
            teams,
            [
                ("team", ui.t("op.col.team"), "text"),
                ("win_rate", ui.t("op.col.win_rate"), "percent"),
                ("won_count", ui.t("op.col.won_count"), "count"),
                ("lost_count", ui.t("op.col.lost_count"), "count"),
                ("won_amount", ui.t("op.col.won"), "money"),
                ("avg_deal_size", ui.t("op.col.avg_size"), "money"),
                ("sales_cycle_days", ui.t("op.col.cycle"), "number"),
                ("open_deals", ui.t("op.col.open_deals"), "count"),
                ("open_pipeline", ui.t("op.col.open_pipeline"), "money"),
                ("pipeline_velocity", ui.t("op.col.velocity"), "money"),
            ],
            key="op_teams",
        )
        st.caption(ui.t("op.teams.note"))

if tab_time.open:
    with tab_time:
        measures = {
            "win_rate": (True, 1),
            "avg_deal_size": (False, divisor),
            "sales_cycle_days": (False, 1),
            "pipeline_velocity": (False, divisor),
            "open_pipeline": (False, divisor),
        }
        chosen = (
            st.segmented_control(
                ui.t("op.time.measure"),
                list(measures),
                default="win_rate",
                format_func=lambda m: ui.t(f"op.measure.{m}"),
                key="op_time_measure",
            )
            or "win_rate"
        )
        split = st.toggle(ui.t("op.time.by_team"), value=True, key="op_time_split")
        group = "team" if split else None
        if split:
            # A line per team while they can be told apart; a line per region beyond that.
            teams_shown = len(ui.query(operations.operation_figures, period, filters, as_of, ("team",)))
            group = "team" if teams_shown <= charts.MAX_LINES else "region"
        trend = ui.query(operations.operations_trend, filters, period, as_of, 12, (group,) if group else ())
        percent, scale = measures[chosen]
        axis = (
            ui.t(f"op.measure.{chosen}")
            if not scale or scale == 1 or chosen == "sales_cycle_days"
            else f"{ui.t(f'op.measure.{chosen}')} ({ui.money_unit()})"
        )
        st.plotly_chart(
            ui.style_figure(
                charts.lines_by_group(
                    trend,
                    chosen,
                    group,
                    {
                        "title": ui.t(f"op.measure.{chosen}"),
                        "month": ui.t("ov.trend.month"),
                        "axis": axis,
                        "total": ui.t("op.time.total"),
                    },
                    divisor=scale,
                    percent=percent,
                )
            ),
            key="op_trend",
        )
        if group == "region":
            st.caption(ui.t("op.time.by_region", total=ui.count(teams_shown)))
        st.caption(ui.t("op.time.note"))

if tab_stuck.open:
    with tab_stuck:
        pick = (
            st.segmented_control(
                ui.t("op.stuck.percentile"),
                [0.75, 0.9],
                default=0.75,
                format_func=lambda p: f"P{int(p * 100)}",
                key="op_percentile",
            )
            or 0.75
        )
        stuck = ui.query(operations.stuck_deals, filters, as_of, pick)
        usual, stalled, pushed = stuck["usual"], stuck["stalled"], stuck["pushed"]
        deal_columns = [
            ("opportunity", ui.t("op.col.opportunity"), "text"),
            ("client", ui.t("op.col.client"), "text"),
            ("owner", ui.t("op.col.owner"), "text"),
            ("team", ui.t("op.col.team"), "text"),
            ("stage", ui.t("op.col.stage"), "text"),
            ("amount", ui.t("op.col.amount"), "money"),
        ]
        visit_columns = [
            ("last_visit", ui.t("op.col.last_visit"), "date"),
            ("days_since_visit", ui.t("op.col.days_since_visit"), "days"),
        ]
        st.markdown("**" + ui.t("op.stuck.stalled", n=len(stalled)) + "**")
        st.caption(
            ui.t(
                "op.stuck.usual",
                percentile=int(pick * 100),
                stages=" · ".join(
                    f"{stage_names.get(s, s)} {d:.0f}" for s, d in zip(usual["stage"], usual["usual_days"])
                ),
            )
        )
        if stalled.empty:
            st.success(ui.t("op.stuck.no_stalled"))
        else:
            ui_tables.show(
                with_stage_names(stalled),
                deal_columns
                + [
                    ("days_in_stage", ui.t("op.col.days_in_stage"), "days"),
                    ("usual_days", ui.t("op.col.usual_days"), "days"),
                    ("expected_close_date", ui.t("op.col.expected_close"), "date"),
                ]
                + visit_columns,
                key="op_stalled",
            )
        st.markdown("**" + ui.t("op.stuck.pushed", n=len(pushed), times=operations.PUSH_MIN_TIMES) + "**")
        if pushed.empty:
            st.success(ui.t("op.stuck.no_pushed"))
        else:
            ui_tables.show(
                with_stage_names(pushed),
                deal_columns
                + [
                    ("push_count", ui.t("op.col.push_count"), "count"),
                    ("first_expected", ui.t("op.col.first_expected"), "date"),
                    ("expected_close_date", ui.t("op.col.expected_close"), "date"),
                    ("days_pushed", ui.t("op.col.days_pushed"), "days"),
                ]
                + visit_columns,
                key="op_pushed",
            )

if tab_lost.open:
    with tab_lost:
        none_label = ui.t("op.lost.none_given")
        reasons = ui.query(operations.lost_reasons, period, filters)
        if reasons.empty:
            st.info(ui.t("op.lost.nothing"), icon=":material/info:")
        else:
            st.plotly_chart(
                ui.style_figure(
                    charts.lost_reasons(
                        reasons,
                        none_label,
                        divisor,
                        {
                            "title": ui.t("op.chart.lost", unit=ui.money_unit()),
                            "axis": ui.t("op.col.lost_count"),
                        },
                    ),
                    height=320,
                ),
                key="op_lost",
            )
            by_team = ui.query(operations.lost_reasons, period, filters, ("team",))
            ui_tables.show(
                by_team.assign(lost_reason=by_team["lost_reason"].replace("", none_label)),
                [
                    ("team", ui.t("op.col.team"), "text"),
                    ("lost_reason", ui.t("op.col.lost_reason"), "text"),
                    ("lost_count", ui.t("op.col.lost_count"), "count"),
                    ("lost_amount", ui.t("op.col.lost_amount"), "money"),
                    ("lost_reason_share", ui.t("op.col.share"), "percent"),
                ],
                key="op_lost_teams",
            )
        monthly = ui.query(operations.lost_reasons_trend, filters, period, 12)
        if not monthly.empty:
            st.plotly_chart(
                ui.style_figure(
                    charts.lost_reasons_by_month(
                        monthly,
                        none_label,
                        {
                            "title": ui.t("op.chart.lost_month"),
                            "month": ui.t("ov.trend.month"),
                            "axis": ui.t("op.col.lost_count"),
                        },
                    )
                ),
                key="op_lost_month",
            )
