"""Excellent sales school: what the top quartile does differently, how big and how sure the
differences are, and the two or three steps that would bring each rep closest to them."""

import streamlit as st

from app import formats, layout, queries, sidebar, tables, texts
from app import meeting as m3
from app.charts import module3 as charts
from app.charts import theme
from app.texts import t
from salesmgmt.metrics import school, school_deals

layout.page_header("page.sales_school")
filters, as_of, lang = sidebar.filters(), sidebar.as_of(), texts.lang()

level = st.segmented_control(
    t("sd.level"),
    ["deal", "rep"],
    key="ss_level",
    default="deal",
    format_func=lambda v: t(f"sd.level.{v}"),
)


def draw_deal_level() -> None:
    """Won deals against lost deals (or top performers' won deals against the others'), as steps."""
    months = st.segmented_control(
        t("ss.window"),
        list(school_deals.WINDOW_MONTHS),
        key="sd_months",
        default=school_deals.DEFAULT_MONTHS,
        format_func=lambda m: t("ss.window.months", n=m),
    )
    found = queries.query(
        school_deals.deal_school, as_of, filters, int(months or school_deals.DEFAULT_MONTHS)
    )
    deals = found.deals
    if deals.empty:
        layout.empty_state("sd.no_deals")
        return
    won, lost = int((deals["status"] == "won").sum()), int((deals["status"] == "lost").sum())
    st.caption(
        t(
            "sd.intro",
            window=school.window_label(found.window, lang),
            won=won,
            lost=lost,
            reps=deals["rep_id"].nunique(),
            min_deals=school_deals.MIN_DEALS,
            min_reps=school_deals.MIN_REPS,
        )
    )
    against = (
        st.segmented_control(
            t("sd.against"),
            ["lost", "others"],
            key="sd_against",
            default="lost",
            format_func=lambda v: t(f"sd.against.{v}"),
        )
        or "lost"
    )
    comparison = found.won_vs_lost if against == "lost" else found.top_vs_others
    if (comparison["verdict"] == "too_few").all():
        first = comparison.iloc[0]
        st.warning(
            t(
                "sd.too_few",
                n_winners=int(first["n_winners"]),
                n_others=int(first["n_others"]),
                min_deals=school_deals.MIN_DEALS,
                min_reps=school_deals.MIN_REPS,
            ),
            icon=":material/warning:",
        )
    steps = school_deals.playbook(comparison)
    st.subheader(t("sd.section.steps"))
    with st.container(key="sd_steps"):
        for i, row in enumerate(steps.itertuples(), start=1):
            st.markdown(f"{i}. " + formats.md(school_deals.step_text(row, lang, against)))
        if steps.empty:
            st.info(t("sd.steps.none"), icon=":material/info:")
    shown = comparison.assign(
        name=[t(f"sd.b.{b}") for b in comparison["behaviour"]],
        top_text=[
            school_deals.value_text(b, v) for b, v in zip(comparison["behaviour"], comparison["winners"])
        ],
        rest_text=[
            school_deals.value_text(b, v) for b, v in zip(comparison["behaviour"], comparison["others"])
        ],
        interval=[
            school_deals.interval_text(b, lo, hi, lang)
            for b, lo, hi in zip(comparison["behaviour"], comparison["ci_low"], comparison["ci_high"])
        ],
        verdict_text=[t(f"sd.verdict.{v}") for v in comparison["verdict"]],
    )
    tables.show(
        shown,
        [
            ("name", "ss.col.behaviour"),
            tables.Column("top_text", label="sd.col.winners"),
            tables.Column("rest_text", label=f"sd.col.{against}"),
            "interval",
            tables.Column("n_top", label="sd.col.n_winners", column="n_winners"),
            tables.Column("n_rest", label=f"sd.col.n_{against}", column="n_others"),
            "verdict_text",
        ],
        key="sd_comparison",
    )
    st.caption(
        t(
            "sd.method",
            draws=school_deals.DRAWS,
            min_deals=school_deals.MIN_DEALS,
            min_reps=school_deals.MIN_REPS,
        )
    )

    chosen = int(months or school_deals.DEFAULT_MONTHS)
    d1, d2 = st.columns(2)
    d1.download_button(
        t("sd.doc.xlsx"),
        key="sd_xlsx",
        data=lambda: queries.call(school_deals.playbook_file, as_of, filters, chosen, lang, against),
        file_name=f"playbook-{as_of.isoformat()}.xlsx",
        icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    d2.download_button(
        t("sd.doc.html"),
        key="sd_html",
        data=lambda: queries.call(school_deals.playbook_file, as_of, filters, chosen, lang, against, "html"),
        file_name=f"playbook-{as_of.isoformat()}.html",
        icon=":material/print:",
        mime="text/html",
    )

    st.subheader(t("sd.section.reps"))
    if steps.empty:
        st.info(t("sd.skipped.no_playbook"), icon=":material/info:")
        return
    skipped = school_deals.skipped_steps(deals, steps)
    names = deals.drop_duplicates("rep_id").sort_values("rep").set_index("rep_id")
    rep = st.selectbox(
        t("ss.rep"),
        list(names.index),
        key="sd_rep",
        format_func=lambda r: f"{names.loc[r, 'rep']} · {names.loc[r, 'team']}",
    )
    mine = skipped[skipped["rep_id"] == rep]
    with st.container(key="sd_skipped", border=True):
        if mine.empty:
            st.success(t("sd.skipped.none"), icon=":material/check_circle:")
        for row in mine.itertuples():
            st.markdown("- " + formats.md(school_deals.skipped_text(row, lang)))


if level != "rep":
    draw_deal_level()
    st.stop()


months = st.segmented_control(
    t("ss.window"),
    list(school.WINDOW_MONTHS),
    key="ss_months",
    default=school.DEFAULT_WINDOW_MONTHS,
    format_func=lambda m: t("ss.window.months", n=m),
)
window = school.window_for(as_of, int(months or school.DEFAULT_WINDOW_MONTHS))
found = queries.query(school.school, window, filters, as_of)
reps, comparison, steps = found["reps"], found["comparison"], found["steps"]
ranked = reps[reps["attainment"].notna()]
if ranked.empty:
    layout.empty_state("ss.no_targets" if len(reps) else "empty.no_data")
    st.stop()

top = ranked[ranked["top"]]
st.caption(
    t(
        "ss.intro",
        window=school.window_label(window, lang),
        top=len(top),
        all=len(ranked),
        cut=formats.pct(top["attainment"].min()),
        min_group=school.MIN_GROUP,
        min_reps=school.MIN_REPS,
    )
)
if (comparison["verdict"] == "too_few").all():
    st.warning(
        t(
            "ss.too_few",
            n_top=len(top),
            n_rest=len(ranked) - len(top),
            min_group=school.MIN_GROUP,
            min_reps=school.MIN_REPS,
        ),
        icon=":material/warning:",
    )

NAMES = {b: t(f"ss.b.{b}") for b in school.BEHAVIOURS}


def draw_findings() -> None:
    st.plotly_chart(
        theme.style_figure(
            charts.school_effects(
                comparison,
                NAMES,
                {
                    "title": t("ss.chart.effects"),
                    "axis": t("ss.axis.effect"),
                    "verdicts": {
                        v: t(f"ss.verdict.{v}") for v in ("clear", "suggestive", "no_difference", "too_few")
                    },
                },
            )
        ),
        key="ss_effects",
    )
    claims = comparison[comparison["verdict"].isin(["clear", "suggestive"])]
    with st.container(key="ss_findings"):
        for row in claims.itertuples():
            st.markdown("- " + formats.md(school.finding_text(row, lang)))
        if claims.empty:
            st.info(t("ss.findings.none"), icon=":material/info:")
    shown = comparison.assign(
        name=comparison["behaviour"].map(NAMES),
        top_text=[
            school.behaviour_value(b, v) for b, v in zip(comparison["behaviour"], comparison["mean_top"])
        ],
        rest_text=[
            school.behaviour_value(b, v) for b, v in zip(comparison["behaviour"], comparison["mean_rest"])
        ],
        interval=[
            interval_text(b, lo, hi)
            for b, lo, hi in zip(comparison["behaviour"], comparison["low"], comparison["high"])
        ],
        verdict_text=[t(f"ss.verdict.{v}") for v in comparison["verdict"]],
        p_text=[("–" if p != p else f"{p:.3f}") for p in comparison["p_value"]],
    )
    tables.show(
        shown,
        [
            ("name", "ss.col.behaviour"),
            "top_text",
            "rest_text",
            "interval",
            ("effect_size", "ss.col.effect"),
            "p_text",
            "n_top",
            "n_rest",
            "verdict_text",
        ],
        key="ss_comparison",
    )
    st.caption(
        t("ss.method", draws=school.BOOTSTRAP_DRAWS, min_group=school.MIN_GROUP, min_reps=school.MIN_REPS)
    )


def interval_text(behaviour: str, low: float, high: float) -> str:
    if low != low:
        return "–"
    scale = 100 if behaviour in school.PERCENT_BEHAVIOURS else 1
    unit = " " + t("unit.points") if scale == 100 else ""
    digits = 1 if max(abs(low), abs(high)) * scale >= 10 else 2
    return f"{low * scale:+.{digits}f} … {high * scale:+.{digits}f}{unit}"


def draw_spread() -> None:
    behaviour = st.selectbox(
        t("ss.behaviour"),
        list(comparison["behaviour"]),
        key="ss_behaviour",
        format_func=lambda b: NAMES[b],
    )
    st.plotly_chart(
        theme.style_figure(
            charts.school_spread(
                reps,
                behaviour,
                {"title": NAMES[behaviour], "top": t("ss.top"), "rest": t("ss.rest")},
                percent=behaviour in school.PERCENT_BEHAVIOURS,
            ),
            height=280,
        ),
        key="ss_spread",
    )
    if not charts.spread_dots(reps):
        st.caption(t("ss.spread.boxes", total=formats.count(len(reps))))


def draw_steps() -> None:
    if steps.empty:
        st.info(t("ss.steps.none"), icon=":material/info:")
        return
    names = dict(zip(steps["rep_id"], steps["rep"]))
    teams = dict(zip(steps["rep_id"], steps["team"]))
    rep = st.selectbox(
        t("ss.rep"), list(names), key="ss_rep", format_func=lambda r: f"{names[r]} · {teams[r]}"
    )
    with st.container(key="ss_steps", border=True):
        for i, row in enumerate(steps[steps["rep_id"] == rep].itertuples(), start=1):
            text = school.step_text(row, lang)
            suffix = "" if row.verdict == "clear" else " " + t("ss.step.tentative")
            st.markdown(f"{i}. " + formats.md(text + suffix))
    shown = steps.assign(
        name=steps["behaviour"].map(NAMES), step=[school.step_text(row, lang) for row in steps.itertuples()]
    )
    with st.expander(t("ss.steps.all", n=steps["rep_id"].nunique())):
        tables.show(
            shown,
            [
                "rep",
                "team",
                "step",
                "gap_sd",
            ],
            key="ss_steps_all",
        )


m3.sections(
    [
        (t("ss.section.findings"), draw_findings),
        (t("ss.section.spread"), draw_spread),
        (t("ss.section.steps"), draw_steps),
    ],
    "ss",
)
