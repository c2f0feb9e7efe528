"""The chart builders of app.charts: each draws the figures it is given (from the small companies of
the domain tests, whose fixtures are reused here); one colour per client type, team and stage in
every chart (salesmgmt.palette); texts from the data drawn as written."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from app.charts import coaching as coaching_charts
from app.charts import forecast as forecast_charts
from app.charts import heatmaps, theme
from app.charts import module1 as module1_charts
from app.charts import module3 as module3_charts
from app.charts import operations as operations_charts
from app.charts import overview as overview_charts
from app.charts import products as products_charts
from salesmgmt import demo, palette
from salesmgmt.filters import Filters
from salesmgmt.metrics import actions, coaching, forecast, operations, products
from salesmgmt.periods import Period
from salesmgmt.stages import STAGE_ORDER
from tests import tiny
from tests.domain import test_actions_regions, test_coaching, test_operations, test_products
from tests.domain.test_products import PANEL, SKY, VENT

MAY = Period.parse("2026-05")
MAY_END = date(2026, 5, 31)
Q2 = Period.parse("2026-Q2")
JUNE_END = date(2026, 6, 30)

# The small companies of the domain tests, as fixtures under their own names here.
actions_con = test_actions_regions.con
coaching_con = test_coaching.con
operations_con = test_operations.con
products_con = test_products.con


def test_the_teams_chart_writes_the_chance_out_for_a_few_teams_and_the_percent_alone_for_many(tiny_con):
    teams = forecast.gap_analysis(tiny_con, Period.parse("2026-05"), Filters(), tiny.AS_OF, "team")
    labels = {
        "won": "",
        "commit": "",
        "best_case": "",
        "forecast": "",
        "target": "",
        "chance": "chance {p}",
        "money_axis": "",
        "title": "",
    }
    text = forecast_charts.forecast_categories(teams, "team", 1, labels).data[-1].text
    # Dragon 8% (see test_metrics_core); Tiger is Wang's, out of reach with no pipeline left.
    assert list(text) == ["chance 8%", "chance 0%"]
    many = pd.concat([teams.iloc[[0]].assign(team=f"T{i}") for i in range(13)])
    assert set(forecast_charts.forecast_categories(many, "team", 1, labels).data[-1].text) == {"8%"}, (
        "13 teams: the percent alone"
    )


def test_the_funnel_chart_shows_open_deals_and_conversions(operations_con):
    funnel = operations.open_funnel(operations_con, Filters(), MAY_END)
    conversion = operations.stage_conversion(operations_con, MAY, Filters())
    names = {s: s.title() for s in ["lead", "qualified", "solution", "quote", "negotiation", "won"]}
    fig = operations_charts.funnel(
        funnel,
        conversion,
        names,
        1,
        {"title": "t", "open": "Open", "reached": "Reached", "money_axis": "CNY"},
    )
    assert list(fig.data[0].x) == [0, 1, 0, 1, 1]
    assert list(fig.data[1].x) == [4, 3, 3, 2, 2, 2]


def test_the_coaching_heatmap_shows_the_counts(coaching_con):
    months = coaching.coaching_by_month(coaching_con, Filters(), MAY, MAY_END, months=3)
    fig = coaching_charts.ride_alongs_heatmap(months, 2, {"title": "t", "month": "m"})
    z = [list(r) for r in fig.data[0].z]
    assert [1, 0, 3] in z and [0, 0, 0] in z


def test_for_many_engineers_the_heatmap_rows_are_teams_with_the_average_per_engineer(coaching_con):
    months = coaching.coaching_by_month(coaching_con, Filters(), MAY, MAY_END, months=3)
    assert heatmaps.row_level(months, limit=2) == "team", "3 engineers, 2 teams"
    teams = heatmaps.per_person(months, "ride_alongs", "month", "team")
    dragon = teams[teams["rep"] == "Dragon"]
    # Zhang 1, 0, 3 and Li 0, 0, 0 in March, April, May.
    assert list(dragon["ride_alongs"]) == [0.5, 0.0, 1.5] and set(dragon["people"]) == {2}
    fig = coaching_charts.ride_alongs_heatmap(teams, 2, {"title": "t", "month": "m"})
    assert len(fig.data[0].y) == 2, "a row per team"


def test_a_large_selection_shows_the_heat_map_per_team_or_region_as_averages_per_engineer(actions_con):
    weekly = actions.weekly_visits(actions_con, MAY, Filters(), tiny.AS_OF)
    assert heatmaps.row_level(weekly, limit=3) == "rep", "three engineers: one row each"
    assert heatmaps.row_level(weekly, limit=2) == "team", "three engineers, two teams"
    assert heatmaps.row_level(weekly, limit=1) == "region"
    teams = heatmaps.per_person(weekly, "visits", "week", "team")
    dragon = teams[teams["rep"] == "Dragon"].set_index("week")
    # Zhang 2, 1, 3, 1 and Li 2, 2, 0, 0: averages 2, 1.5, 1.5, 0.5.
    assert list(dragon["visits"]) == [2.0, 1.5, 1.5, 0.5]
    assert set(dragon["people"]) == {2} and set(dragon["team"]) == {"East"}
    fig = heatmaps.norm_heatmap(teams, "visits", "week", 2, {"title": "", "axis": ""}, str)
    assert list(fig.data[0].y) == ["Dragon · East", "Tiger · West"]
    regions_ = heatmaps.per_person(weekly, "visits", "week", "region")
    fig = heatmaps.norm_heatmap(regions_, "visits", "week", 2, {"title": "", "axis": ""}, str)
    assert list(fig.data[0].y) == ["East", "West"]
    assert list(fig.data[0].z[1]) == [2.0, 0.0, 0.0, 0.0], "Wang alone in the West"


def test_the_mix_chart_draws_the_teams_that_won_most_when_there_are_many(products_con):
    mix = products.product_breakdown(products_con, Q2, Filters(), "team")
    drawn, teams = products_charts.largest_groups(mix, "team", n=1)
    assert teams == 2 and set(drawn["team"]) == {"Tiger"}, "Tiger won 500, Dragon less"
    drawn, teams = products_charts.largest_groups(mix, "team")
    assert teams == 2 and len(drawn) == len(mix), "two teams: both drawn"


def test_the_product_charts_carry_the_figures(products_con):
    trend = products.product_trend(products_con, Filters(), Period.parse("2026-06"), JUNE_END, months=3)
    fig = products_charts.won_by_product_month(
        trend, 10_000, {"title": "t", "money_axis": "万元", "month": "m"}
    )
    panel = [d for d in fig.data if d.name == PANEL][0]
    assert list(panel.y) == [10.0, 30.0, 0.0], "in 万元"
    table = products.product_table(products_con, Q2, Filters(), JUNE_END)
    fig = products_charts.growth_vs_last_year(table, {"title": "t", "axis": "%"})
    bars = fig.data[0]
    assert list(bars.y) == [VENT, SKY, PANEL], "most shrinking at the bottom"
    assert list(bars.x) == pytest.approx([-1.0, -0.2, 1.0])


# One colour per client type, team and stage in every chart (and the data's texts drawn as written).

TYPES = ["design_institute", "steel_structure", "construction", "owner", "other"]
TYPE_NAMES = {c: c.replace("_", " ").title() for c in TYPES}
STAGE_NAMES = {s: s.title() for s in STAGE_ORDER}
DEMO = [team for team, _ in demo.TEAMS]


def colors_by_name(fig) -> dict[str, str]:
    """Each named trace's colour (its marker's, else its line's) as the figure gives it to plotly."""
    found = {}
    for trace in fig.to_dict()["data"]:
        color = trace.get("marker", {}).get("color") or trace.get("line", {}).get("color")
        if trace.get("name") and isinstance(color, str):
            found[trace["name"]] = color
    return found


def visits_timeline(types: list[str]) -> pd.DataFrame:
    """A case's timeline: a stage change a day through the funnel, then a visit to each client type."""
    days = pd.date_range("2026-01-01", periods=len(STAGE_ORDER) + len(types))
    rows = [{"kind": "stage", "day": d, "stage": s} for d, s in zip(days, STAGE_ORDER)]
    rows += [
        {
            "kind": "visit",
            "day": d,
            "client_type": c,
            "client": f"C{i}",
            "rep": "Zhang",
            "accompanied_by": None,
        }
        for i, (d, c) in enumerate(zip(days[len(STAGE_ORDER) :], types))
    ]
    columns = ["kind", "day", "stage", "client_type", "client", "rep", "accompanied_by", "purpose", "outcome"]
    return pd.DataFrame(rows, columns=columns)


TIMELINE_LABELS = {
    "title": "t",
    "date": "d",
    "lane_stage": "stages",
    "lane_visit": "visits",
    "with": "with",
    "stages": STAGE_NAMES,
    "types": TYPE_NAMES,
}


def test_a_client_type_has_the_same_colour_in_the_action_review_and_in_a_success_case():
    share = pd.DataFrame(
        [{"group": g, "client_type": c, "share": 0.2, "visits": 1} for g in ("Zhang", "Li") for c in TYPES]
    )
    by_share = colors_by_name(module1_charts.client_type_share(share, TYPE_NAMES, {"title": "t"}))
    by_case = colors_by_name(module3_charts.case_timeline(visits_timeline(TYPES), TIMELINE_LABELS))
    assert {TYPE_NAMES[c]: palette.client_type_color(c) for c in TYPES} == {
        name: by_share[name] for name in TYPE_NAMES.values()
    }
    assert {name: by_case[name] for name in TYPE_NAMES.values()} == {
        name: by_share[name] for name in TYPE_NAMES.values()
    }
    assert by_share[TYPE_NAMES["design_institute"]] == "#1565C0", "blue, as the action review drew it"


def test_a_stage_has_the_same_colour_on_the_timeline_in_the_days_per_stage_and_in_the_deal_history():
    timeline = module3_charts.case_timeline(visits_timeline([]), TIMELINE_LABELS).to_dict()["data"][0]
    on_timeline = dict(zip(STAGE_ORDER, timeline["marker"]["color"]))
    days = pd.DataFrame({"stage": STAGE_ORDER, "days": range(len(STAGE_ORDER))})
    bars = module3_charts.stage_days(days, {"title": "t", "axis": "a", "stages": STAGE_NAMES})
    in_days = dict(zip(STAGE_ORDER, bars.to_dict()["data"][0]["marker"]["color"]))
    history = pd.DataFrame(
        {
            "opp_id": "O1",
            "name": "Deal",
            "stage": STAGE_ORDER,
            "status": "open",
            "valid_from": pd.date_range("2026-01-01", periods=len(STAGE_ORDER)).date,
            "valid_to": pd.date_range("2026-01-02", periods=len(STAGE_ORDER)).date,
        }
    )
    lines = module3_charts.deal_history(
        history, date(2026, 6, 1), {"title": "t", "date": "d", "stages": STAGE_NAMES}
    )
    in_history = {s: colors_by_name(lines)[STAGE_NAMES[s]] for s in STAGE_ORDER}
    assert on_timeline == in_days == in_history == palette.STAGES
    assert len(set(palette.STAGES.values())) == len(STAGE_ORDER), "no two stages alike"


def team_lines(teams: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The colour of each team in the manager meeting's attainment lines and in the operations trend."""
    months = [date(2026, 4, 1), date(2026, 5, 1)]
    frame = pd.DataFrame([{"team": t, "month": m, "attainment": 0.5} for t in teams for m in months])
    meeting = colors_by_name(module3_charts.team_trends(frame, {"title": "t", "month": "m", "axis": "a"}))
    labels = {"title": "t", "month": "m", "axis": "a"}
    trend = colors_by_name(operations_charts.lines_by_group(frame, "attainment", "team", labels))
    return meeting, trend


@pytest.mark.parametrize(
    "teams",
    [DEMO, DEMO[:2], ["East", "West", "North", "South", "Dragon", "Tiger"], DEMO + ["Extra team"]],
    ids=["demo", "two demo teams", "own teams", "demo and another"],
)
def test_a_team_has_the_same_colour_in_every_chart_and_no_two_teams_of_a_chart_share_one(teams):
    meeting, trend = team_lines(teams)
    assert meeting == trend
    assert len(set(meeting.values())) == len(teams)


def test_the_demo_teams_keep_their_colours_whoever_else_is_drawn():
    alone, _ = team_lines(DEMO[:1])
    together, _ = team_lines(DEMO + ["Extra team"])
    assert alone[DEMO[0]] == together[DEMO[0]] == palette.DEMO_TEAMS[DEMO[0]]
    assert set(palette.DEMO_TEAMS) == set(DEMO), "palette.DEMO_TEAMS names the demo's teams"


def test_a_teams_colour_comes_from_its_name_alone_the_same_in_every_run():
    # A checksum of the name, not Python's hash() (which changes from run to run).
    assert palette.team_color("East") == "#00838F"
    assert palette.team_color("华东一组") == "#AD1457"


def test_every_client_type_and_stage_the_product_knows_has_a_colour():
    assert set(palette.CLIENT_TYPES) == set(actions.CLIENT_TYPES)
    assert set(palette.STAGES) == set(STAGE_ORDER)
    assert (
        palette.client_type_color(None)
        == palette.client_type_color("unheard of")
        == palette.CLIENT_TYPES["other"]
    )
    assert palette.rgb("#1565C0") == (0x15, 0x65, 0xC0)


def test_no_chart_builder_writes_a_colour_of_its_own():
    for path in Path(module1_charts.__file__).parent.glob("*.py"):
        assert not re.search(r"#[0-9A-Fa-f]{6}\b", path.read_text(encoding="utf-8")), (
            f"{path.name}: use palette"
        )


def test_names_from_the_data_are_drawn_as_written_not_read_as_markup():
    name = "<b>R&D</b> %{y}"
    shown = "&lt;b&gt;R&amp;D&lt;/b&gt; %{y}"
    frame = pd.DataFrame([{"team": name, "month": date(2026, 5, 1), "attainment": 0.5}])
    labels = {"title": f"Team {name}", "month": "m", "axis": "a"}
    fig = theme.style_figure(module3_charts.team_trends(frame, labels)).to_dict()
    assert fig["data"][0]["name"] == shown and fig["layout"]["title"]["text"] == f"Team {shown}"
    assert name not in fig["data"][0]["hovertemplate"], "data never goes into a template"
    teams = pd.DataFrame(
        {"team": [name], "won_amount": [1.0], "forecast": [1.0], "target": [2.0], "attainment": [0.5]}
    )
    labels = {"title": "t", "won": "w", "forecast": "f", "target": "g", "money_axis": "m"}
    styled = theme.style_figure(overview_charts.won_forecast_vs_target(teams, "team", 1, labels))
    assert list(styled.to_dict()["data"][0]["x"]) == [shown]


def test_no_builder_escapes_on_its_own_the_theme_does_it_once_for_every_chart():
    for path in Path(module1_charts.__file__).parent.glob("*.py"):
        if path.name != "theme.py":
            assert "html.escape" not in path.read_text(encoding="utf-8"), path.name
