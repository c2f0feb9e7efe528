"""The coverage maps on the Regional review and Client relationships pages: the empty state
before addresses are imported, the map and its gap tables once clients have a location (the
tiny company, tests/tiny.py, May 2026), a figure that names no external URL, and the map drawn
by a real browser with every request off this machine refused."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from app.charts import maps as map_charts
from app.charts import theme
from salesmgmt import db
from salesmgmt.i18n import t
from tests import tiny
from tests.app.browser_support import CHROMIUM, CHROMIUM_ARGS, Streamlit, chromium_or_skip, wait_for_app
from tests.app.support import open_page, table_with

REVIEW = "pages/regional_review.py"
CLIENTS = "pages/clients.py"
#: The tiny company's clients placed: 华东设计院 in Shanghai (visited 1 March only; open O4
#: 50,000), 江苏钢构 in Suzhou (visited all May; O5 and O9), 西部业主 in Chengdu (never visited;
#: O8 20,000).
PLACES = {
    1: ("310104", "上海市", "上海市", "徐汇区", 121.44, 31.19),
    2: ("320505", "江苏省", "苏州市", "虎丘区", 120.57, 31.30),
    3: ("510104", "四川省", "成都市", "锦江区", 104.08, 30.66),
}


@pytest.fixture
def located(app_env):
    with db.connect(app_env) as con:
        for client, (adcode, province, city, district, lon, lat) in PLACES.items():
            con.execute(
                "UPDATE clients SET adcode = ?, province = ?, city = ?, district = ?, longitude = ?,"
                " latitude = ? WHERE client_id = ?",
                [adcode, province, city, district, lon, lat, client],
            )
    return app_env


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _values(data) -> list:
    """A figure's array as a list, whether plotly wrote it as a list or as typed bytes."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def _map(at) -> dict:
    maps = [f for f in _figures(at) if any(trace["type"] == "choropleth" for trace in f["data"])]
    assert len(maps) == 1, "one map on the page"
    return maps[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_before_addresses_are_imported_the_pages_say_how_to_see_the_map(app_env, lang):
    at = open_page(REVIEW, lang, check=True, f_period="2026-05")
    expected = t("map.empty", lang, clients="3")
    assert expected in [i.value for i in at.info]
    assert ("导入客户地址" if lang == "zh" else "import addresses") in expected
    assert not [f for f in _figures(at) if any(tr["type"] == "choropleth" for tr in f["data"])]
    at = open_page(CLIENTS, lang, check=True, cl_tab=t("map.tab", lang))
    assert expected in [i.value for i in at.info]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_regional_review_maps_open_pipeline_by_city_and_lists_cities_not_visited(located, lang):
    at = open_page(
        REVIEW, lang, check=True, f_period="2026-05", rr_map_measure="area_pipeline", rr_map_level="city"
    )
    figure = _map(at)
    choropleth = next(tr for tr in figure["data"] if tr["type"] == "choropleth")
    assert len(choropleth["locations"]) == 370, "every city drawn, the empty ones grey"
    values = dict(zip(choropleth["locations"], choropleth["z"], strict=True))
    divisor = 10_000 if lang == "zh" else 1
    # Suzhou: O5 100,000 + O9 100,000; Shanghai O4 50,000; Chengdu O8 20,000
    assert values["320500"] == 200_000 / divisor
    assert values["310100"] == 50_000 / divisor and values["510100"] == 20_000 / divisor
    assert sum(values.values()) == 270_000 / divisor
    gaps = table_with(at, "area", "area_pipeline", "area_open_deals")
    assert list(gaps["area"]) == ["上海市", "成都市"], "Suzhou was visited in May"
    assert gaps["area_pipeline"].tolist() == [50_000 / divisor, 20_000 / divisor]
    red = next(tr for tr in figure["data"] if tr.get("name") == t("map.points.gaps", lang, days=60))
    assert red["text"] == ["华东设计院"], "the key account last visited on 1 March"
    footprint = table_with(at, "rep", "month_cities_visited", "week_area_visits")
    month = dict(zip(footprint["rep"], footprint["month_cities_visited"], strict=True))
    assert month == {"张伟 Zhang": 1, "李娜 Li": 1, "王强 Wang": 0}, "Suzhou, by Zhang and Li"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_clients_map_tab_lists_key_accounts_not_visited(located, lang):
    at = open_page(CLIENTS, lang, check=True, cl_tab=t("map.tab", lang))
    cold = table_with(at, "client", "province", "city", "district", "days_since_visit")
    assert cold["client"].tolist() == ["华东设计院"]
    assert cold[["city", "district", "days_since_visit"]].values.tolist() == [["上海市", "徐汇区", 91]]
    figure = _map(at)
    points = next(tr for tr in figure["data"] if tr.get("name") == t("map.points.clients", lang))
    assert sorted(_values(points["lon"])) == [104.08, 120.57, 121.44], "one point per district"


def test_the_figure_names_no_url_and_shows_no_base_map(located):
    at = open_page(REVIEW, "en", check=True, f_period="2026-05")
    figure = _map(at)
    text = json.dumps(figure, ensure_ascii=False)
    assert not re.search(r"[a-z]+://|topojson", text), "nothing to fetch"
    assert figure["layout"]["geo"]["visible"] is False
    assert figure["layout"]["geo"]["fitbounds"] == "locations"
    # plotly.js fetches its topojson when the first trace of a map has a locationmode
    assert figure["data"][0]["type"] == "scattergeo" and "locationmode" not in figure["data"][0]
    assert isinstance(next(tr for tr in figure["data"] if tr["type"] == "choropleth")["geojson"], dict)


def test_a_hostile_area_or_client_name_is_drawn_as_text():
    import pandas as pd

    gaps = pd.DataFrame({"client": ["<b>x</b>"], "longitude": [121.4], "latitude": [31.2]})
    areas = pd.DataFrame({"adcode": ["310100"], "area_clients": [1]})
    fig = map_charts.coverage_map(
        areas, "city", "area_clients", {"title": "<i>t</i>", "value": "v", "gaps": "g"}, gaps=gaps
    )
    shown = json.dumps(theme.style_figure(fig).to_plotly_json()["data"][-1]["text"])
    assert "&lt;b&gt;x&lt;/b&gt;" in shown


@pytest.fixture(scope="module")
def located_server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("maps")
    path = tmp / "tiny.duckdb"
    with db.connect(path) as con:
        tiny.load(con)
        for client, (adcode, province, city, district, lon, lat) in PLACES.items():
            con.execute(
                "UPDATE clients SET adcode = ?, province = ?, city = ?, district = ?, longitude = ?,"
                " latitude = ? WHERE client_id = ?",
                [adcode, province, city, district, lon, lat, client],
            )
    app = Streamlit(path, tiny.AS_OF.isoformat(), tmp / "streamlit.log")
    yield app.base
    app.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_draws_in_a_real_browser_with_the_network_cut(located_server, lang):
    from playwright.sync_api import sync_playwright

    refused: list[str] = []

    def only_loopback(route) -> None:
        url = route.request.url
        if re.match(r"(https?|wss?)://127\.0\.0\.1[:/]", url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.goto(f"{located_server}/regional-review?lang={lang}")
            wait_for_app(page)
            chart = page.locator(".st-key-rr_map")
            chart.scroll_into_view_if_needed()
            page.wait_for_selector(".st-key-rr_map path.choroplethlocation", timeout=30_000)
            assert page.locator(".st-key-rr_map path.choroplethlocation").count() == 34, "every province"
            assert page.locator(".st-key-rr_map .scattergeo path").count() >= 1, "outline and points"
            assert page.locator("[data-testid=stException]").count() == 0
            assert refused == [], refused
        finally:
            browser.close()


def test_a_city_map_shows_where_the_figures_are_and_a_province_map_the_whole_country():
    import pandas as pd

    suzhou = pd.DataFrame({"adcode": ["320500"], "area_clients": [3]})
    labels = {"title": "t", "value": "v", "gaps": "g"}
    geo = map_charts.coverage_map(suzhou, "city", "area_clients", labels).layout.geo
    assert geo.fitbounds is False
    # Suzhou spans 119.92-121.37 E, 30.76-32.05 N; a degree of margin, widened to 1.8:1
    assert geo.lataxis.range == pytest.approx((29.758, 33.0458))
    west, east = geo.lonaxis.range
    assert west < 119.92 - 1 and east > 121.37 + 1 and east - west == pytest.approx(1.8 * (33.0458 - 29.758))
    provinces = pd.DataFrame({"adcode": ["320000"], "area_clients": [3]})
    assert (
        map_charts.coverage_map(provinces, "province", "area_clients", labels).layout.geo.fitbounds
        == "locations"
    )
    nothing = suzhou.assign(area_clients=0)
    assert (
        map_charts.coverage_map(nothing, "city", "area_clients", labels).layout.geo.fitbounds == "locations"
    )
