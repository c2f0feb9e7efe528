"""Sales operations: funnel and stage conversion, win rate, deal size, cycle and pipeline
velocity, stalled and repeatedly pushed deals, lost reasons; over time and team by team."""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import operations as charts
from app.charts import theme
from app.tables import Column
from app.texts import t
from salesmgmt.metrics import core, operations, overview

layout.page_header("page.operations")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()
divisor = formats.money_divisor()
money_axis = t("axis.money", unit=formats.money_unit())
stage_names = {
    k: t(f"stage.{k}") for k in ("lead", "qualified", "solution", "quote", "negotiation", "won", "lost")
}


def with_stage_names(deals):
    """The deals with their stage in the user's language (an imported CRM's own stage as it came)."""
    return deals.assign(stage=deals["stage"].map(lambda s: stage_names.get(s, s)))


now = queries.query(operations.operation_figures, period, filters, as_of).iloc[0]
# Like with like: the period so far against the same days of the previous period.
before = queries.query(operations.figures_same_days_before, period, filters, as_of).iloc[0]
same_days = overview.same_days_before(period, as_of)
if now["open_deals"] == 0 and now["won_count"] + now["lost_count"] == 0:
    layout.empty_state()
    st.stop()
# The first days: a few days' deals; the last complete period beside, and what needs whole
# periods of deals (conversion, lost reasons, the trend) is taken from it.
last = period.previous() if core.first_days(period, as_of) else None
closed_in = last or period


def _days(value) -> str:
    return "–" if value != value else f"{value:.0f}"


def _days_change(current, previous) -> str | None:
    """The change in days ('+3'); None when either is missing or it rounds to 0."""
    if current != current or previous != previous:
        return None
    text = f"{current - previous:+.0f}"
    return None if text in ("+0", "-0") else text


def kpis(now, before, ratios: bool = True) -> None:
    """The five figures of `now`, with their change against `before` (None: no change shown);
    the ratios' (win rate, deal size, cycle, velocity) only with `ratios`."""
    c1, c2, c3, c4, c5 = st.columns(5)

    def change(name: str, kind: str = "percent_change") -> str | None:
        if before is None or not (ratios or name == "open_deals"):
            return None
        return formats.delta_text(now[name], before[name], kind)

    c1.metric(
        formats.label("win_rate"), formats.pct(now["win_rate"]), change("win_rate", "points"), border=True
    )
    c1.caption(
        t("op.kpi.closed", won=int(now["won_count"]), closed=int(now["won_count"] + now["lost_count"]))
    )
    c2.metric(
        t("op.kpi.avg_size", unit=formats.money_unit()),
        formats.money_short(now["avg_deal_size"]),
        change("avg_deal_size"),
        border=True,
    )
    c3.metric(
        t("op.kpi.cycle"),
        _days(now["sales_cycle_days"]),
        None
        if before is None or not ratios
        else _days_change(now["sales_cycle_days"], before["sales_cycle_days"]),
        delta_color="inverse",
        border=True,
    )
    c4.metric(
        t("op.kpi.velocity", unit=formats.money_unit()),
        formats.money_short(now["pipeline_velocity"]),
        change("pipeline_velocity"),
        border=True,
        help=t("op.kpi.velocity_help"),
    )
    c5.metric(t("op.kpi.open"), formats.count(now["open_deals"]), change("open_deals"), border=True)
    c5.caption(formats.money(now["open_pipeline"]))


pp.first_days_note("op.first_days", period, last)
# A few days' deals make noisy ratios: in the first days only open deals show a change.
kpis(now, before, ratios=last is None)
st.caption(
    t(
        "op.kpi.compared",
        now=formats.days_text(period.start, min(as_of, period.last_day)),
        before=formats.days_text(same_days.start, same_days.last_day),
    )
)
if last is not None:
    st.caption(t("op.last_period", last=last.label(lang)))
    kpis(queries.query(operations.operation_figures, last, filters, last.last_day).iloc[0], None)


def teams_table(frame, key: str) -> None:
    tables.show(
        frame,
        [
            "team",
            "win_rate",
            ("won_count", "op.col.won_count"),
            ("lost_count", "op.col.lost_count"),
            ("won_amount", "op.col.won"),
            ("avg_deal_size", "op.col.avg_size"),
            ("sales_cycle_days", "op.col.cycle"),
            "open_deals",
            "open_pipeline",
            ("pipeline_velocity", "op.col.velocity"),
        ],
        key=key,
    )


# Only the open tab runs (its queries and charts): switching tabs reruns the page.
tab_funnel, tab_teams, tab_time, tab_stuck, tab_lost = st.tabs(
    [
        t("op.tab.funnel"),
        t("op.tab.teams"),
        t("op.tab.time"),
        t("op.tab.stuck"),
        t("op.tab.lost"),
    ],
    key="op_tab",
    on_change="rerun",
)

if tab_funnel.open:
    with tab_funnel:
        funnel = queries.query(operations.open_funnel, filters, min(as_of, period.last_day))
        conversions = queries.query(operations.funnel_conversions, closed_in, filters)
        conversion = conversions["total"]
        if last is not None:
            st.caption(t("op.conversion_of", last=last.label(lang)))
        st.plotly_chart(
            theme.style_figure(
                charts.funnel(
                    funnel,
                    conversion,
                    stage_names,
                    divisor,
                    {
                        "title": t("op.chart.funnel"),
                        "open": t("op.funnel.open", date=formats.date_text(min(as_of, period.last_day))),
                        "reached": t("op.funnel.reached"),
                        "money_axis": money_axis,
                    },
                )
            ),
            key="op_funnel",
        )
        st.caption(t("op.funnel.note"))
        by_team = conversions["teams"]
        if not by_team.empty:
            st.markdown("**" + t("op.funnel.teams") + "**")
            tables.show(
                by_team,
                ["team", "closed"]
                + [
                    Column("stage_conversion", column=s, header=t("op.col.step", stage=stage_names[s]))
                    for s in ("lead", "qualified", "solution", "quote", "negotiation")
                ]
                + ["win_rate"],
                key="op_funnel_teams",
            )

if tab_teams.open:
    with tab_teams:
        teams_table(
            queries.query(operations.operation_figures, period, filters, as_of, ("team",)), "op_teams"
        )
        if last is not None:
            with st.expander(t("op.last_period", last=last.label(lang))):
                teams_last = queries.query(
                    operations.operation_figures, last, filters, last.last_day, ("team",)
                )
                teams_table(teams_last, "op_teams_last")
        st.caption(t("op.teams.note"))

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
                t("op.time.measure"),
                list(measures),
                default="win_rate",
                format_func=lambda m: t(f"op.measure.{m}"),
                key="op_time_measure",
            )
            or "win_rate"
        )
        split = st.toggle(t("op.time.by_team"), value=True, key="op_time_split")
        group = "team" if split else None
        if split:
            # A line per team while they can be told apart; a line per region beyond that.
            teams_shown = len(queries.query(operations.operation_figures, period, filters, as_of, ("team",)))
            group = "team" if teams_shown <= charts.MAX_LINES else "region"
        trend = queries.query(
            operations.operations_trend, filters, closed_in, as_of, 12, (group,) if group else ()
        )
        percent, scale = measures[chosen]
        axis = (
            t(f"op.measure.{chosen}")
            if not scale or scale == 1 or chosen == "sales_cycle_days"
            else f"{t(f'op.measure.{chosen}')} ({formats.money_unit()})"
        )
        st.plotly_chart(
            theme.style_figure(
                charts.lines_by_group(
                    trend,
                    chosen,
                    group,
                    {
                        "title": t(f"op.measure.{chosen}"),
                        "month": t("ov.trend.month"),
                        "axis": axis,
                        "total": t("op.time.total"),
                    },
                    divisor=scale,
                    percent=percent,
                )
            ),
            key="op_trend",
        )
        if group == "region":
            st.caption(t("op.time.by_region", total=formats.count(teams_shown)))
        st.caption(t("op.time.note"))
        if last is not None:
            month = formats.date_text(last.last_day)[:7]
            st.caption(t("pr.time.first_days", now=period.label(lang), month=month))

if tab_stuck.open:
    with tab_stuck:
        pick = (
            st.segmented_control(
                t("op.stuck.percentile"),
                [0.75, 0.9],
                default=0.75,
                format_func=lambda p: f"P{int(p * 100)}",
                key="op_percentile",
            )
            or 0.75
        )
        stuck = queries.query(operations.stuck_deals, filters, as_of, pick)
        usual, stalled, pushed = stuck["usual"], stuck["stalled"], stuck["pushed"]
        deal_columns = [
            "opportunity",
            "client",
            "owner",
            "team",
            "stage",
            "amount",
        ]
        visit_columns = [
            ("last_visit", "op.col.last_visit"),
            ("days_since_visit", "op.col.days_since_visit"),
        ]
        st.markdown("**" + t("op.stuck.stalled", n=len(stalled)) + "**")
        st.caption(
            t(
                "op.stuck.usual",
                percentile=int(pick * 100),
                stages=" · ".join(
                    f"{stage_names.get(s, s)} {d:.0f}" for s, d in zip(usual["stage"], usual["usual_days"])
                ),
            )
        )
        if stalled.empty:
            st.success(t("op.stuck.no_stalled"))
        else:
            tables.show(
                with_stage_names(stalled),
                deal_columns
                + [
                    "days_in_stage",
                    "usual_days",
                    "expected_close_date",
                ]
                + visit_columns,
                key="op_stalled",
            )
        st.markdown("**" + t("op.stuck.pushed", n=len(pushed), times=operations.PUSH_MIN_TIMES) + "**")
        if pushed.empty:
            st.success(t("op.stuck.no_pushed"))
        else:
            tables.show(
                with_stage_names(pushed),
                deal_columns
                + [
                    "push_count",
                    "first_expected",
                    "expected_close_date",
                    "days_pushed",
                ]
                + visit_columns,
                key="op_pushed",
            )

if tab_lost.open:
    with tab_lost:
        none_label = t("op.lost.none_given")
        reasons = queries.query(operations.lost_reasons, closed_in, filters)
        if last is not None:
            st.caption(t("op.lost_of", last=last.label(lang)))
        if reasons.empty:
            st.info(t("op.lost.nothing"), icon=":material/info:")
        else:
            st.plotly_chart(
                theme.style_figure(
                    charts.lost_reasons(
                        reasons,
                        none_label,
                        divisor,
                        {
                            "title": t("op.chart.lost", unit=formats.money_unit()),
                            "axis": t("op.col.lost_count"),
                        },
                    ),
                    height=320,
                ),
                key="op_lost",
            )
            by_team = queries.query(operations.lost_reasons, closed_in, filters, ("team",))
            tables.show(
                by_team.assign(lost_reason=by_team["lost_reason"].replace("", none_label)),
                [
                    "team",
                    ("lost_reason", "op.col.lost_reason"),
                    ("lost_count", "op.col.lost_count"),
                    "lost_amount",
                    ("lost_reason_share", "op.col.share"),
                ],
                key="op_lost_teams",
            )
        monthly = queries.query(operations.lost_reasons_trend, filters, closed_in, 12)
        if not monthly.empty:
            st.plotly_chart(
                theme.style_figure(
                    charts.lost_reasons_by_month(
                        monthly,
                        none_label,
                        {
                            "title": t("op.chart.lost_month"),
                            "month": t("ov.trend.month"),
                            "axis": t("op.col.lost_count"),
                        },
                    )
                ),
                key="op_lost_month",
            )
