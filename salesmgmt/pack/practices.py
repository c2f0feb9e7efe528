"""The sales school in the pack: what top performers do differently (a chart of each behaviour's
effect size, coloured by verdict, and the findings), and each rep's steps towards them."""

from __future__ import annotations

from pptx.enum.chart import XL_CHART_TYPE
from pptx.slide import Slide
from pptx.util import Inches

from salesmgmt import palette
from salesmgmt.metrics import school
from salesmgmt.pack.charts import Box, chart
from salesmgmt.pack.deck import Deck
from salesmgmt.pack.draw import MARGIN, headed_list, textbox, titled_slide

#: Reps whose steps the next-steps slide lists, and steps per rep.
STEP_REPS = 6
STEPS_PER_REP = 2


def school_slide(d: Deck) -> None:
    window = school.window_for(d.as_of)
    subtitle = d.t("mm.practices.window", window=school.window_label(window, d.lang))
    slide = titled_slide(d.deck, d.t("pack.school.title"), d.lang, subtitle)
    comparison = d.school["comparison"]
    shown = comparison.iloc[::-1]
    effects = [0 if v == "too_few" or g != g else g for g, v in zip(shown["effect_size"], shown["verdict"])]
    chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        [d.t(f"ss.b.{b}") for b in shown["behaviour"]],
        [(d.t("pack.series.effect"), effects)],
        d.lang,
        Box(MARGIN, Inches(1.45), Inches(6.4), Inches(5.8)),
        title=d.t("ss.chart.effects"),
        number_format="0.0",
        legend=False,
        point_colors=[palette.VERDICTS[v] for v in shown["verdict"]],
    )
    claims = comparison[comparison["verdict"].isin(["clear", "suggestive"])]
    lines = [school.finding_text(r, d.lang) for r in claims.itertuples()]
    if not lines:
        too_few = (comparison["verdict"] == "too_few").all()
        lines = [
            d.t(
                "ss.too_few",
                n_top=int(comparison["n_top"].max()),
                n_rest=int(comparison["n_rest"].max()),
                min_group=school.MIN_GROUP,
                min_reps=school.MIN_REPS,
            )
            if too_few
            else d.t("ss.findings.none")
        ]
    textbox(slide, Inches(7.1), Inches(1.6), Inches(5.75), Inches(5.6), lines, d.lang, 13, bullet="• ")


def steps(d: Deck, slide: Slide) -> None:
    """Each rep's first steps towards the top performers (a team's deck: the team's reps), on the
    right of the next-steps slide."""
    found = d.school["steps"]
    if d.team:
        found = found[found["team"] == d.team]
    lines = [
        f"{group['rep'].iloc[0]}: "
        + "; ".join(school.step_text(r, d.lang) for r in group.head(STEPS_PER_REP).itertuples())
        for _rep_id, group in list(found.groupby("rep_id", sort=False))[:STEP_REPS]
    ]
    headed_list(
        slide, Inches(6.9), Inches(5.95), d.t("pack.next.steps"), lines or [d.t("ss.steps.none")], d.lang, 12
    )
