"""The coverage map with 100,000 clients: from the database to a drawn map, timed step by step.

    python bench/maps.py [--clients 100000] [--no-browser]

The large demo company (bench/common.py: `demo --scale large`, about 100,000 clients) is copied
once to maps.duckdb under $SALESMGMT_BENCH_DIR and every client is given a location: a district
drawn (seeded) from cpca's list of China's districts, its coordinates a few kilometres around
the district's, and the first `--clients` clients only (the others stay without one). Then, in
one fresh process:

- the boundaries, read and simplified once (cold: the first map of a process pays it);
- the domain queries of the Regional review's map (by province and by city) and of the Client
  relationships' map (per city, one point per district, key accounts not visited);
- the figure: built, made plain by the theme (every text escaped) and written as JSON;
- the browser: that JSON drawn by plotly.js in Chromium with every request off the machine
  refused, until the areas' paths are on the page (the goal: the whole under 5 s).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
import pandas as pd
from common import AS_OF, BENCH_DIR, large_db, machine

from app.charts import maps as map_charts
from app.charts import theme
from salesmgmt import db, maps
from salesmgmt.filters import Filters
from salesmgmt.metrics import coverage
from salesmgmt.periods import Period
from tests.app.browser_support import CHROMIUM, CHROMIUM_ARGS

MAPS_DB = BENCH_DIR / "maps.duckdb"
SEED = 16


def located_db(clients: int) -> Path:
    """The large company with its first `clients` clients placed (see the module's docstring)."""
    if not MAPS_DB.exists():
        shutil.copy(large_db(), MAPS_DB)
    import cpca

    districts = pd.read_csv(Path(cpca.__file__).parent / "resources" / "adcodes.csv", dtype={"adcode": str})
    districts = districts[districts["adcode"].str[4:6] != "00"]  # districts, not cities or provinces
    with db.connect(MAPS_DB) as con:
        ids = [r[0] for r in con.execute("SELECT client_id FROM clients ORDER BY client_id").fetchall()]
        rng = np.random.default_rng(SEED)
        # clients gather in the east as a Chinese company's do: weight each district by its
        # longitude's distance from the west
        weights = (districts["longitude"] - 70).clip(lower=1) ** 3
        picked = districts.sample(n=min(clients, len(ids)), replace=True, weights=weights, random_state=SEED)
        frame = pd.DataFrame(
            {
                "client_id": ids[: len(picked)],
                "adcode": picked["adcode"].str[:6].to_numpy(),
                "longitude": picked["longitude"].to_numpy() + rng.normal(0, 0.03, len(picked)),
                "latitude": picked["latitude"].to_numpy() + rng.normal(0, 0.03, len(picked)),
            }
        )
        con.execute("UPDATE clients SET adcode = NULL, longitude = NULL, latitude = NULL")
        con.register("placed", frame)
        con.execute(
            "UPDATE clients SET adcode = p.adcode, longitude = p.longitude, latitude = p.latitude,"
            " geo_source = 'coordinates' FROM placed p WHERE clients.client_id = p.client_id"
        )
        located = con.execute("SELECT count(*) FROM clients WHERE adcode IS NOT NULL").fetchone()
    print(f"clients with a location: {located[0] if located else 0:,}")
    return MAPS_DB


def timed(label: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - started
    print(f"  {label:<52} {elapsed:6.2f} s")
    return result, elapsed


def draw_in_browser(figure_json: str) -> float:
    """Seconds from opening a page holding the figure to its areas drawn, network refused."""
    import plotly
    from playwright.sync_api import sync_playwright

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map.html"
        page_file.write_text(
            '<html><head><meta charset="utf-8"><script src="plotly.min.js"></script></head><body>'
            '<div id="map"></div><script>var fig = ' + figure_json + ";"
            "window.started = performance.now();"
            "Plotly.newPlot('map', fig.data, fig.layout).then(() => {window.drawn = performance.now();});"
            "</script></body></html>",
            encoding="utf-8",
        )
        shutil.copy(plotly_js, Path(tmp) / "plotly.min.js")
        refused = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def local_only(route) -> None:
                if route.request.url.startswith("file:"):
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort()

            page.route("**/*", local_only)
            page.goto(page_file.as_uri())
            page.wait_for_function("window.drawn !== undefined", timeout=60_000)
            seconds = page.evaluate("(window.drawn - window.started) / 1000")
            paths = page.locator("path.choroplethlocation").count()
            browser.close()
    if refused:
        raise RuntimeError(f"the map asked the network for {refused}")
    print(f"  {'browser: plotly.js draws it (' + str(paths) + ' areas)':<52} {seconds:6.2f} s")
    return float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    print(machine())
    path = located_db(args.clients)
    period, everyone = Period.parse(AS_OF.strftime("%Y-%m")), Filters()
    labels = {"title": "map", "value": "value", "points": "clients", "gaps": "not visited"}
    print("boundaries, once per process:")
    for level in maps.LEVELS:
        timed(f"{level}: read and simplify", maps.boundaries, level)
    timed(
        "national outline and maritime boundary", lambda: (maps.national_outline(), maps.maritime_boundary())
    )
    for level, measure in (("province", "area_pipeline"), ("city", "area_clients")):
        print(f"one map by {level} ({measure}):")
        total = 0.0
        with db.connect(path, read_only=True) as con:
            areas, s1 = timed("by_area", coverage.by_area, con, period, everyone, AS_OF, level)
            gaps, s2 = timed(
                "key_accounts_not_visited", coverage.key_accounts_not_visited, con, everyone, AS_OF
            )
            points, s3 = (
                timed("client_points", coverage.client_points, con, everyone)
                if level == "city"
                else (None, 0.0)
            )
        total += s1 + s2 + s3
        print(
            f"    {int(areas['area_clients'].sum()):,} clients in {len(areas)} areas, {len(gaps):,} gaps",
            end="",
        )
        print(f", {len(points):,} points" if points is not None else "")
        fig, s4 = timed(
            "figure built", map_charts.coverage_map, areas, level, measure, labels, 10_000.0, points, gaps
        )
        _, s5 = timed("figure made plain (theme.style_figure)", theme.style_figure, fig)
        figure_json, s6 = timed("figure as JSON", fig.to_json)
        total += s4 + s5 + s6
        print(f"    JSON {len(figure_json) / 1e6:.1f} MB")
        if not args.no_browser:
            total += draw_in_browser(figure_json)
        print(f"  {'total (boundaries already loaded)':<52} {total:6.2f} s")


if __name__ == "__main__":
    main()
