"""Products & services: sales, pipeline and win rate per product, over time and by region,
client type and team; growth against last year; deal size and cycle per product."""

import streamlit as st

import ui
import ui_tables
from charts import products as charts
from salesmgmt.i18n import money_divisor
from salesmgmt.metrics import products

ui.page_header("page.products")
period, filters, as_of, lang = ui.period(), ui.filters(), ui.as_of(), ui.lang()
divisor = money_divisor(lang)
money_axis = ui.t("axis.money", unit=ui.money_unit())

table = ui.query(products.product_table, period, filters, as_of)
if table.empty:
    ui.empty_state()
    st.stop()

sold = table[table["won_amount"] > 0]
c1, c2, c3, c4 = st.columns(4)
c1.metric(ui.t("pr.kpi.won", unit=ui.money_unit()), ui.money_short(table["won_amount"].sum()), border=True)
c1.caption(ui.t("pr.kpi.last_year", amount=ui.money(table["won_amount_last_year"].sum())))
c2.metric(ui.t("pr.kpi.products"), ui.count(len(sold)), border=True)
c2.caption(ui.t("pr.kpi.in_pipeline", n=int((table["pipeline_amount"] > 0).sum())))
top = sold.iloc[0] if len(sold) else None
c3.metric(ui.t("pr.kpi.top"), ui.pct(top["won_mix"]) if top is not None else "–", border=True)
c3.caption(ui.md(top["product"]) if top is not None else "")
directions = table["direction"].value_counts()
c4.metric(ui.t("pr.kpi.growing"), ui.count(directions.get("growing", 0)), border=True)
c4.caption(
    ui.t("pr.kpi.shrinking", n=int(directions.get("shrinking", 0)), steady=int(directions.get("steady", 0)))
)

# Only the open tab runs (its queries and charts): switching tabs reruns the page.
tab_table, tab_time, tab_mix = st.tabs(
    [ui.t("pr.tab.products"), ui.t("pr.tab.time"), ui.t("pr.tab.mix")], key="pr_tab", on_change="rerun"
)

if tab_table.open:
    with tab_table:
        shown = table.assign(direction=[ui.t(f"pr.direction.{d}") for d in table["direction"]])
        ui_tables.show(
            shown,
            [
                ("product", ui.t("pr.col.product"), "text"),
                ("won_amount", ui.t("pr.col.won"), "money"),
                ("won_mix", ui.t("pr.col.mix"), "percent"),
                ("won_amount_last_year", ui.t("pr.col.last_year"), "money"),
                ("won_growth", ui.t("pr.col.growth"), "percent"),
                ("direction", ui.t("pr.col.direction"), "text"),
                ("win_rate", ui.t("pr.col.win_rate"), "percent"),
                ("won_count", ui.t("pr.col.won_count"), "count"),
                ("lost_count", ui.t("pr.col.lost_count"), "count"),
                ("avg_deal_size", ui.t("pr.col.avg_size"), "money"),
                ("sales_cycle_days", ui.t("pr.col.cycle"), "number"),
                ("open_amount", ui.t("pr.col.open"), "money"),
                ("pipeline_amount", ui.t("pr.col.pipeline"), "money"),
            ],
            key="pr_table",
        )
        st.caption(
            ui.t(
                "pr.table.note",
                period=period.label(lang),
                last=period.same_last_year().label(lang),
                date=ui.date_text(as_of),
            )
        )
        if table["won_growth"].notna().any():
            st.plotly_chart(
                ui.style_figure(
                    charts.growth_vs_last_year(
                        table,
                        {
                            "title": ui.t("pr.chart.growth", last=period.same_last_year().label(lang)),
                            "axis": ui.t("pr.col.growth"),
                        },
                    ),
                    height=320,
                ),
                key="pr_growth",
            )

if tab_time.open:
    with tab_time:
        trend = ui.query(products.product_trend, filters, period, as_of, 12)
        if trend.empty:
            ui.empty_state()
        else:
            labels = {"month": ui.t("ov.trend.month")}
            st.plotly_chart(
                ui.style_figure(
                    charts.won_by_product_month(
                        trend,
                        divisor,
                        {**labels, "title": ui.t("pr.chart.won_month"), "money_axis": money_axis},
                    )
                ),
                key="pr_won_month",
            )
            left, right = st.columns(2)
            left.plotly_chart(
                ui.style_figure(
                    charts.product_lines(
                        trend,
                        "pipeline_amount",
                        {**labels, "title": ui.t("pr.chart.pipeline_month"), "axis": money_axis},
                        divisor=divisor,
                    )
                ),
                key="pr_pipeline_month",
            )
            right.plotly_chart(
                ui.style_figure(
                    charts.product_lines(
                        trend,
                        "win_rate",
                        {**labels, "title": ui.t("pr.chart.win_rate_month"), "axis": ui.t("pr.col.win_rate")},
                        percent=True,
                    )
                ),
                key="pr_win_rate_month",
            )

if tab_mix.open:
    with tab_mix:
        by = (
            st.segmented_control(
                ui.t("pr.mix.by"),
                products.BREAKDOWNS,
                default="team",
                format_func=lambda b: ui.t(f"pr.mix.{b}"),
                key="pr_mix_by",
            )
            or "team"
        )
        mix = ui.query(products.product_breakdown, period, filters, by)
        if mix.empty or mix["won_amount"].sum() == 0:
            st.info(ui.t("pr.mix.none"), icon=":material/info:")
        else:
            names = {k: ui.t(f"client_type.{k}") for k in mix[by].unique()} if by == "client_type" else {}
            drawn, groups = charts.largest_groups(mix[mix["won_amount"] > 0], by)
            st.plotly_chart(
                ui.style_figure(
                    charts.product_mix(
                        drawn, by, names, {"title": ui.t(f"pr.chart.mix_{by}"), "axis": ui.t("pr.col.mix")}
                    )
                ),
                key="pr_mix",
            )
            if len(drawn) < len(mix[mix["won_amount"] > 0]):
                st.caption(ui.t("pr.mix.shown", n=charts.MIX_GROUPS, total=ui.count(groups)))
        if not mix.empty:
            shown = mix.assign(
                **({by: [ui.t(f"client_type.{k}") for k in mix[by]]} if by == "client_type" else {})
            )
            ui_tables.show(
                shown,
                [
                    (by, ui.t(f"pr.mix.{by}"), "text"),
                    ("product", ui.t("pr.col.product"), "text"),
                    ("won_amount", ui.t("pr.col.won"), "money"),
                    ("won_mix", ui.t("pr.col.mix_in_group"), "percent"),
                    ("win_rate", ui.t("pr.col.win_rate"), "percent"),
                    ("avg_deal_size", ui.t("pr.col.avg_size"), "money"),
                    ("open_amount", ui.t("pr.col.open"), "money"),
                ],
                key="pr_mix_table",
            )
