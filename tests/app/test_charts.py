"""The chart builders of app.charts: each draws the figures it is given (from the small companies of
the domain tests, whose fixtures are reused here), and one colour per client type, team and stage."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from app.charts import coaching as coaching_charts
from app.charts import forecast as forecast_charts
from app.charts import heatmaps
from app.charts import operations as operations_charts
from app.charts import products as products_charts
from salesmgmt.filters import Filters
from salesmgmt.metrics import actions, coaching, forecast, operations, products
from salesmgmt.periods import Period
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
