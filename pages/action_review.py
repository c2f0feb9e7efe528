"""Action review: are the planned actions (client visits) being done?"""

import streamlit as st

from app import blocks as pp
from app import formats, layout, queries, sidebar, tables, texts
from app.charts import heatmaps
from app.charts import module1 as charts
from app.tables import Column
from app.texts import t
from salesmgmt.geo import ON_SITE_METRES
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.metrics import actions, core, field

layout.page_header("page.action_review")
period, filters, as_of, lang = sidebar.period(), sidebar.filters(), sidebar.as_of(), texts.lang()
norm = VISIT_NORM_PER_WEEK

total = queries.query(core.totals, period, filters, as_of, False)
# In the first days (no complete week yet) the weeks are those of the last complete period.
weeks_period, weeks_as_of = actions.weeks_judged(period, as_of)
early = weeks_period != period
weekly = queries.query(actions.weekly_visits, weeks_period, filters, weeks_as_of)
planned = queries.query(actions.planned_vs_done, period, filters, as_of)
# A visit is judged once its days are over, on the data there is today: a finished month's last
# visits are judged by what followed them in the next month, not left out.
progress = queries.query(actions.visit_progress, period, filters, queries.today())
if total["visits"] == 0 and weekly.empty and planned.empty:
    layout.empty_state()
    st.stop()

by_rep = progress["by_rep"]
done, missed = planned["planned_done"].sum(), planned["planned_missed"].sum()
c = st.columns(4)
c[0].metric(formats.label("visits"), formats.count(total["visits"]), border=True)
vpw = total["visits_per_week"]
c[0].caption(t("ar.kpi.per_week", vpw="–" if vpw is None else f"{vpw:.1f}", norm=norm))
c[1].metric(t("ar.kpi.norm_share"), formats.pct(total["norm_share"]), border=True)
c[1].caption(
    t("ar.kpi.no_week_yet", until=formats.date_text(core.first_complete_week_end(period)))
    if early
    else t("ar.kpi.weeks", weeks=int(total["weeks"]))
)
c[2].metric(
    formats.label("plan_visits_done_share"),
    formats.pct(done / (done + missed) if done + missed else None),
    border=True,
)
c[2].caption(
    t("ar.kpi.plan_counts", done=int(done), missed=int(missed), planned=int(planned["planned"].sum()))
)
visits_total = by_rep["visits"].sum()
c[3].metric(
    formats.label("visit_progress_share"),
    formats.pct(by_rep["visits_with_progress"].sum() / visits_total if visits_total else None),
    border=True,
)
in_window = int(by_rep["visits_in_window"].sum())
c[3].caption(
    t("ar.kpi.progress_help", days=actions.PROGRESS_DAYS)
    + (" · " + t("ar.kpi.progress_open", n=in_window, days=actions.PROGRESS_DAYS) if in_window else "")
)

st.subheader(t("ar.heat.title", norm=norm))
if early:
    st.caption(
        t(
            "ar.weeks_of_last",
            now=period.label(lang),
            until=formats.date_text(core.first_complete_week_end(period)),
            last=weeks_period.label(lang),
        )
    )
if weekly.empty:
    st.info(t("ar.heat.none"), icon=":material/info:")
else:
    # A row per engineer for a team or so; per team (region) averages for more.
    rows = heatmaps.row_level(weekly)
    pp.chart(
        charts.visits_heatmap(
            heatmaps.per_person(weekly, "visits", "week", rows),
            norm,
            {"title": t("ar.heat.chart"), "week": t("plan.col.week")},
        ),
        key="ar_heatmap",
    )
    if rows != "rep":
        st.caption(t(f"m1.heat.{rows}", total=formats.count(weekly["rep_id"].nunique())))

st.subheader(t("ar.below.title"))
streak = st.number_input(
    t("ar.below.streak"),
    min_value=1,
    max_value=26,
    value=actions.BELOW_NORM_STREAK,
    step=1,
    key="ar_streak",
)
below = queries.query(actions.reps_below_norm, weeks_period, filters, weeks_as_of, int(streak))
with st.container(key="ar_below"):
    if early:
        st.caption(t("ar.below.of_last", last=weeks_period.label(lang)))
    if below.empty:
        st.success(
            t("ar.below.none_in", n=int(streak), period=weeks_period.label(lang))
            if early
            else t("ar.below.none", n=int(streak)),
            icon=":material/check_circle:",
        )
    else:
        tables.show(
            below,
            [
                "rep",
                "team",
                "longest_streak",
                "current_streak",
                "weeks_below",
                "weeks",
                ("visits_per_week", "ar.col.per_week"),
            ],
            key="ar_below_table",
        )

st.subheader(t("ar.plan.title"))
if planned["planned"].sum() == 0:
    st.info(t("ar.plan.none"), icon=":material/info:")
else:
    shown, note = pp.strongest_and_weakest(planned[planned["planned"] > 0], "planned_done_share", "engineers")
    pp.chart(
        charts.planned_vs_done(
            shown,
            {
                "title": t("ar.plan.chart"),
                "done": t("plan.status.done"),
                "missed": t("plan.status.missed"),
                "upcoming": t("plan.status.upcoming"),
                "visits": formats.label("visits"),
                "count": t("axis.count"),
            },
        ),
        key="ar_planned_chart",
    )
    if note:
        st.caption(note)
tables.show(
    planned,
    [
        "rep",
        "team",
        "visits",
        "visits_marked_planned",
        "marked_planned_share",
        "planned",
        "planned_done",
        "planned_missed",
        "planned_done_share",
    ],
    key="ar_planned",
)
st.caption(t("ar.plan.caption"))

# Were the visits made at the client? The check-ins imported from DingTalk and WeCom.
st.subheader(t("fw.section"))
# A few days' check-ins (one each, all "100%") tell nothing yet: the first days show the last complete period.
on_site = queries.query(field.on_site_by_rep, weeks_period, filters)
if early and not on_site["checkins"].sum():  # no history (a new installation): the days there are
    on_site = queries.query(field.on_site_by_rep, period, filters)
elif early:
    st.caption(t("fw.of_last", now=period.label(lang), last=weeks_period.label(lang)))
if not on_site["checkins"].sum():
    st.info(t("fw.none"), icon=":material/info:")
else:
    st.caption(t("fw.caption", metres=f"{ON_SITE_METRES:.0f}"))
    tables.show(
        on_site.sort_values(["on_site_rate", "rep"], na_position="last", kind="stable"),
        [
            "rep",
            "team",
            "checkins",
            "on_site_checkins",
            "off_site_checkins",
            "on_site_rate",
            "median_distance_m",
            "visits",
            "visits_checked_in",
            "checked_in_share",
        ],
        key="ar_on_site",
    )

st.subheader(t("ar.types.title"))
level_names = {v: t(f"sc.level.{v}") for v in ("team", "region", "rep")}
per_team = planned["team"].nunique() <= pp.CHART_ROWS
by = (
    st.segmented_control(
        t("ar.types.by"),
        list(level_names),
        default="team" if per_team else "region",
        format_func=level_names.get,
        key="ar_types_by",
    )
    or "team"
)
# A few days' visits (two or three a team) make no mix yet: the first days show the last complete period.
share = queries.query(actions.client_type_share, weeks_period, filters, by)
if early and share.empty:  # no history (a new installation): the days there are
    share = queries.query(actions.client_type_share, period, filters, by)
elif early:
    st.caption(t("ar.types.of_last", now=period.label(lang), last=weeks_period.label(lang)))
if share.empty:
    st.info(t("ar.heat.none"), icon=":material/info:")
else:
    type_names = {k: t(f"client_type.{k}") for k in actions.CLIENT_TYPES}
    visits_of = share.groupby("group")["visits"].sum()
    if len(visits_of) > pp.CHART_ROWS:  # the groups with the most visits
        most = visits_of.sort_values(ascending=False, kind="stable").index[: pp.CHART_ROWS]
        share = share[share["group"].isin(most)]
    pp.chart(
        charts.client_type_share(share, type_names, {"title": t("ar.types.chart")}), key="ar_types_chart"
    )
    if len(visits_of) > pp.CHART_ROWS:
        st.caption(
            t("m1.types.most", n=pp.CHART_ROWS, total=formats.count(len(visits_of)), level=level_names[by])
        )

st.subheader(t("ar.progress.title", days=actions.PROGRESS_DAYS))
if by_rep.empty:
    st.info(t("ar.heat.none"), icon=":material/info:")
elif not visits_total:
    st.info(t("ar.progress.none_over", days=actions.PROGRESS_DAYS, n=in_window), icon=":material/info:")
else:
    shown, note = pp.strongest_and_weakest(by_rep[by_rep["visits"] > 0], "share", "engineers")
    pp.chart(charts.progress_share(shown, {"title": t("ar.progress.chart")}), key="ar_progress_chart")
    if note:
        st.caption(note)
    visits = progress["visits"]
    if len(visits):
        with st.expander(t("ar.progress.list", n=len(visits))):
            tables.show(
                visits,
                [
                    ("visit_date", "ar.col.visit_date"),
                    "rep",
                    "client",
                    Column("client_type", kind="client_type"),
                    "opportunity",
                    "stage_before",
                    "stage_after",
                    "progress_date",
                    "days_after",
                ],
                key="ar_progress_list",
            )
