"""Products & services: sales, pipeline and win rate per product, over time and by region,
client type and team; growth against last year; deal size and cycle per product."""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import products as charts
from app.charts import theme
from app.tables import Column
from app.texts import t
from salesmgmt.metrics import core, products

layout.page_header("page.products")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()
divisor = formats.money_divisor()
money_axis = t("axis.money", unit=formats.money_unit())

table = queries.query(products.product_table, period, filters, as_of)
if table.empty:
    layout.empty_state()
    st.stop()

# Like with like: the period so far against the same days of last year's period. In the first
# days no direction is judged; the last complete period is judged beside.
same_days = products.same_days_last_year(period, as_of)
so_far = as_of < period.last_day
days = formats.days_text(same_days.start, same_days.last_day)
last = period.previous() if core.first_days(period, as_of) else None
judged = queries.query(products.product_table, last, filters, last.last_day) if last else table
pp.first_days_note("pr.first_days", period, last, last_year=period.same_last_year().label(lang))

sold = table[table["won_amount"] > 0]
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    t("pr.kpi.won", unit=formats.money_unit()), formats.money_short(table["won_amount"].sum()), border=True
)
last_year_won = formats.money(table["won_amount_last_year"].sum())
c1.caption(
    t("pr.kpi.same_days", days=days, amount=last_year_won)
    if so_far
    else t("pr.kpi.last_year", amount=last_year_won)
)
c2.metric(t("pr.kpi.products"), formats.count(len(sold)), border=True)
c2.caption(t("pr.kpi.in_pipeline", n=int((table["pipeline_amount"] > 0).sum())))
top = sold.iloc[0] if len(sold) else None
c3.metric(t("pr.kpi.top"), formats.pct(top["won_mix"]) if top is not None else "–", border=True)
c3.caption(formats.md(top["product"]) if top is not None else "")
directions = judged["direction"].value_counts()
c4.metric(
    t("pr.kpi.growing_in", last=last.label(lang)) if last else t("pr.kpi.growing"),
    formats.count(directions.get("growing", 0)),
    border=True,
)
c4.caption(
    t("pr.kpi.shrinking", n=int(directions.get("shrinking", 0)), steady=int(directions.get("steady", 0)))
)


def product_table(frame, key: str) -> None:
    """The products table of `frame` (product_table's rows), its direction in words."""
    shown = frame.assign(direction=[t(f"pr.direction.{d}") for d in frame["direction"]])
    tables.show(
        shown,
        [
            "product",
            ("won_amount", "pr.col.won"),
            "won_mix",
            "won_amount_last_year",
            ("won_growth", "pr.col.growth"),
            "direction",
            "win_rate",
            ("won_count", "pr.col.won_count"),
            ("lost_count", "pr.col.lost_count"),
            ("avg_deal_size", "pr.col.avg_size"),
            ("sales_cycle_days", "pr.col.cycle"),
            ("open_amount", "pr.col.open"),
            "pipeline_amount",
        ],
        key=key,
    )


# Only the open tab runs (its queries and charts): switching tabs reruns the page.
tab_table, tab_time, tab_mix = st.tabs(
    [t("pr.tab.products"), t("pr.tab.time"), t("pr.tab.mix")], key="pr_tab", on_change="rerun"
)

if tab_table.open:
    with tab_table:
        product_table(table, "pr_table")
        st.caption(
            t(
                "pr.table.note_same_days" if so_far else "pr.table.note",
                period=period.label(lang),
                last=period.same_last_year().label(lang),
                days=days,
                date=formats.date_text(as_of),
            )
        )
        judged_period = last or period
        if last is not None:
            before = last.same_last_year().label(lang)
            st.caption(t("pr.growth.last_period", last=last.label(lang), before=before))
        if judged["won_growth"].notna().any():
            st.plotly_chart(
                theme.style_figure(
                    charts.growth_vs_last_year(
                        judged,
                        {
                            "title": t("pr.chart.growth", last=judged_period.same_last_year().label(lang)),
                            "axis": t("pr.col.growth"),
                        },
                    ),
                    height=320,
                ),
                key="pr_growth",
            )
        if last is not None:
            with st.expander(t("pr.last_period", last=last.label(lang))):
                product_table(judged, "pr_table_last")

if tab_time.open:
    with tab_time:
        # In the first days the months end with the last complete one (a few days' month
        # would look like a fall).
        trend = queries.query(products.product_trend, filters, last or period, as_of, 12)
        if last is not None:
            month = formats.date_text(last.last_day)[:7]
            st.caption(t("pr.time.first_days", now=period.label(lang), month=month))
        if trend.empty:
            layout.empty_state()
        else:
            labels = {"month": t("ov.trend.month")}
            st.plotly_chart(
                theme.style_figure(
                    charts.won_by_product_month(
                        trend,
                        divisor,
                        {**labels, "title": t("pr.chart.won_month"), "money_axis": money_axis},
                    )
                ),
                key="pr_won_month",
            )
            left, right = st.columns(2)
            left.plotly_chart(
                theme.style_figure(
                    charts.product_lines(
                        trend,
                        "pipeline_amount",
                        {**labels, "title": t("pr.chart.pipeline_month"), "axis": money_axis},
                        divisor=divisor,
                    )
                ),
                key="pr_pipeline_month",
            )
            right.plotly_chart(
                theme.style_figure(
                    charts.product_lines(
                        trend,
                        "win_rate",
                        {**labels, "title": t("pr.chart.win_rate_month"), "axis": formats.label("win_rate")},
                        percent=True,
                    )
                ),
                key="pr_win_rate_month",
            )

if tab_mix.open:
    with tab_mix:
        by = (
            st.segmented_control(
                t("pr.mix.by"),
                products.BREAKDOWNS,
                default="team",
                format_func=lambda b: t(f"pr.mix.{b}"),
                key="pr_mix_by",
            )
            or "team"
        )
        mix = queries.query(products.product_breakdown, period, filters, by)
        if mix.empty or mix["won_amount"].sum() == 0:
            st.info(t("pr.mix.none"), icon=":material/info:")
        else:
            names = {k: t(f"client_type.{k}") for k in mix[by].unique()} if by == "client_type" else {}
            drawn, groups = charts.largest_groups(mix[mix["won_amount"] > 0], by)
            st.plotly_chart(
                theme.style_figure(
                    charts.product_mix(
                        drawn, by, names, {"title": t(f"pr.chart.mix_{by}"), "axis": formats.label("won_mix")}
                    )
                ),
                key="pr_mix",
            )
            if len(drawn) < len(mix[mix["won_amount"] > 0]):
                st.caption(t("pr.mix.shown", n=charts.MIX_GROUPS, total=formats.count(groups)))
        if not mix.empty:
            shown = mix.assign(
                **({by: [t(f"client_type.{k}") for k in mix[by]]} if by == "client_type" else {})
            )
            tables.show(
                shown,
                [
                    Column(by, label=f"pr.mix.{by}", kind="text"),
                    "product",
                    ("won_amount", "pr.col.won"),
                    ("won_mix", "pr.col.mix_in_group"),
                    "win_rate",
                    ("avg_deal_size", "pr.col.avg_size"),
                    ("open_amount", "pr.col.open"),
                ],
                key="pr_mix_table",
            )
