"""Field coaching: ride-alongs per rep and month against the coaching norm, reps not coached
for a long time, the coached visits with their notes, before/after a ride-along, and a coaching
plan for the coming month."""

from datetime import timedelta

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import coaching as charts
from app.charts import heatmaps, theme
from app.texts import t
from salesmgmt.metrics import coaching

layout.page_header("page.coaching")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()

c_norm, c_days, _ = st.columns([1, 1, 2])
norm = int(
    c_norm.number_input(
        t("co.norm"),
        min_value=1,
        max_value=10,
        value=coaching.COACHING_NORM_PER_MONTH,
        step=1,
        key="co_norm",
        help=t("co.norm_help"),
    )
)
long_days = int(
    c_days.number_input(
        t("co.long_days"),
        min_value=14,
        max_value=365,
        value=coaching.LONG_UNCOACHED_DAYS,
        step=1,
        key="co_long_days",
    )
)

summary = queries.query(coaching.coaching_summary, period, filters, as_of, norm, long_days)
if summary.empty:
    layout.empty_state("co.empty")
    st.stop()
totals = coaching.coaching_totals(summary)

c1, c2, c3, c4 = st.columns(4)
c1.metric(formats.label("ride_alongs"), formats.count(totals["ride_alongs"]), border=True)
c1.caption(t("co.kpi.engineers", n=totals["engineers"]))
rate = totals["coaching_rate"]
c2.metric(t("co.kpi.rate"), "–" if rate is None else f"{rate:.1f}", border=True)
c2.caption(t("co.kpi.rate_norm", norm=norm))
c3.metric(t("co.kpi.norm_share"), formats.pct(totals["coaching_norm_share"]), border=True)
c4.metric(t("co.kpi.long"), formats.count(totals["long_uncoached"]), border=True)
c4.caption(t("co.kpi.long_days", days=long_days))

# Only the open tab runs (its queries and charts): switching tabs reruns the page.
tab_month, tab_long, tab_visits, tab_effect, tab_plan = st.tabs(
    [
        t("co.tab.month"),
        t("co.tab.long"),
        t("co.tab.visits"),
        t("co.tab.effect"),
        t("co.tab.plan"),
    ],
    key="co_tab",
    on_change="rerun",
)

never = summary["last_coached"].isna().all()
if never:
    st.info(t("co.never"), icon=":material/info:")

if tab_month.open:
    with tab_month:
        months = queries.query(coaching.coaching_by_month, filters, period, as_of, 6, norm)
        if not never:
            # A row per engineer for a team or so; per team (region) averages for more.
            rows = heatmaps.row_level(months)
            heatmap = charts.ride_alongs_heatmap(
                heatmaps.per_person(months, "ride_alongs", "month", rows),
                norm,
                {"title": t("co.chart.heatmap", norm=norm), "month": t("ov.trend.month")},
            )
            st.plotly_chart(theme.style_figure(heatmap, height=heatmap.layout.height), key="co_heatmap")
            if rows != "rep":
                st.caption(t(f"co.heat.{rows}", total=formats.count(months["rep_id"].nunique())))
        tables.show(
            summary,
            [
                ("rep", "co.col.rep"),
                "team",
                "manager",
                "ride_alongs",
                "norm_expected",
                "shortfall",
                "months_meeting_norm",
                "last_coached",
                ("days_since_coached", "co.col.days_since"),
            ],
            key="co_summary",
        )
        st.caption(t("co.month.note", months=int(summary["months"].max())))

if tab_long.open:
    with tab_long:
        long = summary[summary["long_uncoached"]].sort_values(
            "days_since_coached", ascending=False, na_position="first"
        )
        if long.empty:
            st.success(t("co.long.none", days=long_days))
        else:
            st.markdown(t("co.long.intro", days=long_days))
            tables.show(
                long,
                [
                    ("rep", "co.col.rep"),
                    "team",
                    "manager",
                    "last_coached",
                    ("days_since_coached", "co.col.days_since"),
                ],
                key="co_long",
            )

if tab_visits.open:
    with tab_visits:
        rides = queries.query(
            coaching.ride_along_visits, filters, period.start, min(period.end, as_of + timedelta(days=1))
        )
        if rides.empty:
            st.info(t("co.visits.none"), icon=":material/info:")
        else:
            shown = rides.assign(
                client_type=[
                    t(f"client_type.{k}") if isinstance(k, str) else "" for k in rides["client_type"]
                ]
            )
            tables.show(
                shown,
                [
                    "visit_date",
                    ("rep", "co.col.rep"),
                    "manager",
                    "client",
                    "client_type",
                    "key_account",
                    "purpose",
                    "outcome",
                    "notes",
                    "opportunity",
                ],
                key="co_visits",
            )

if tab_effect.open:
    with tab_effect:
        st.caption(t("co.effect.intro", days=coaching.BEFORE_AFTER_DAYS, settle=coaching.MIN_DAYS_AFTER))
        effect = queries.query(coaching.before_after, filters, as_of)
        if effect.empty:
            st.info(t("co.effect.none"), icon=":material/info:")
        else:
            labels = {"before": t("co.effect.before"), "after": t("co.effect.after")}
            left, right = st.columns(2)
            # Beyond 30 engineers: the 15 largest rises and the 15 largest falls of each.
            visits_drawn, note = pp.strongest_and_weakest(effect, "visit_rate_change", "engineers")
            win_drawn, _ = pp.strongest_and_weakest(effect, "win_rate_change", "engineers")
            visits_fig = charts.before_after(
                visits_drawn,
                "visit_rate",
                {**labels, "title": t("co.effect.visit_rate"), "axis": t("co.effect.per_week")},
            )
            win_fig = charts.before_after(
                win_drawn,
                "win_rate",
                {**labels, "title": formats.label("win_rate"), "axis": formats.label("win_rate")},
                percent=True,
            )
            left.plotly_chart(
                theme.style_figure(visits_fig, height=visits_fig.layout.height), key="co_effect_visits"
            )
            right.plotly_chart(theme.style_figure(win_fig, height=win_fig.layout.height), key="co_effect_win")
            if note:
                st.caption(note)
            tables.show(
                effect,
                [
                    ("rep", "co.col.rep"),
                    "coached_on",
                    "visit_rate_before",
                    "visit_rate_after",
                    "win_rate_before",
                    "win_rate_after",
                    "after_days",
                ],
                key="co_effect_table",
            )

            st.markdown("**" + t("co.effect.one") + "**")
            reps = dict(zip(effect["rep_id"], effect["rep"]))
            one_l, one_r = st.columns(2)
            rep_id = one_l.selectbox(
                t("co.col.rep"), list(reps), format_func=lambda i: reps[i], key="co_effect_rep"
            )
            dates = queries.query(coaching.ride_along_dates, filters, rep_id, as_of)
            default = effect.loc[effect["rep_id"] == rep_id, "coached_on"].iloc[0]
            chosen = one_r.selectbox(
                t("co.col.coached_on"),
                dates,
                index=dates.index(default) if default in dates else 0,
                format_func=formats.date_text,
                key="co_effect_date",
            )
            one = queries.query(
                coaching.before_after, filters, as_of, coaching.BEFORE_AFTER_DAYS, chosen, rep_id
            )
            if len(one):
                row = one.iloc[0]
                m1, m2, m3 = st.columns(3)
                m1.metric(
                    t("co.effect.visit_rate"),
                    "–" if row.visit_rate_after != row.visit_rate_after else f"{row.visit_rate_after:.1f}",
                    None
                    if row.visit_rate_change != row.visit_rate_change
                    else f"{row.visit_rate_change:+.1f}",
                    border=True,
                )
                m1.caption(
                    t(
                        "co.effect.was",
                        value="–"
                        if row.visit_rate_before != row.visit_rate_before
                        else f"{row.visit_rate_before:.1f}",
                    )
                )
                m2.metric(
                    formats.label("win_rate"),
                    formats.pct(row.win_rate_after),
                    formats.delta_text(row.win_rate_after, row.win_rate_before, "points"),
                    border=True,
                )
                m2.caption(t("co.effect.was", value=formats.pct(row.win_rate_before)))
                m3.metric(
                    t("co.effect.deals"), f"{row.won_after}/{row.won_after + row.lost_after}", border=True
                )
                m3.caption(
                    t("co.effect.deals_before", won=row.won_before, closed=row.won_before + row.lost_before)
                )
                st.caption(t("co.effect.windows", before=row.before_days, after=row.after_days))

if tab_plan.open:
    with tab_plan:
        plan = queries.query(coaching.coaching_plan, filters, as_of, norm)
        if plan.empty:
            st.info(t("co.plan.none"), icon=":material/info:")
        else:
            base = coaching.plan_base(as_of)
            st.markdown(
                t(
                    "co.plan.intro",
                    month=formats.date_text(plan["plan_month"].iloc[0])[:7],
                    base=f"{formats.date_text(base.start)[:7]} – {formats.date_text(base.last_day)[:7]}",
                    norm=norm,
                    total=int(plan["suggested_ride_alongs"].sum()),
                )
            )
            shown = plan.assign(reasons=plan["reasons"].map(lambda r: coaching.reasons_text(r, lang)))
            tables.show(
                shown,
                [
                    ("rep", "co.col.rep"),
                    "manager",
                    "suggested_ride_alongs",
                    "reasons",
                    "focus_opportunity",
                    "focus_client",
                    "focus_amount",
                    ("norm_share", "co.col.norm_share"),
                    "win_rate",
                    "team_win_rate",
                    "attainment",
                    "stuck_deals",
                ],
                key="co_plan",
            )
            st.caption(t("co.plan.note"))
