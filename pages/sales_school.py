"""Excellent sales school: what the top quartile does differently, how big and how sure the
differences are, and the two or three steps that would bring each rep closest to them."""

import streamlit as st

from app import formats, layout, queries, sidebar, tables, texts
from app import meeting as m3
from app.charts import module3 as charts
from app.charts import theme
from app.texts import t
from salesmgmt.metrics import school

layout.page_header("page.sales_school")
filters, as_of, lang = sidebar.filters(), sidebar.as_of(), texts.lang()

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
