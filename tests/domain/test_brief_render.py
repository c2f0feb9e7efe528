"""The brief drawn by real headless Chromium (issue 15) and read back: the PDF with pypdf (A4, one
page, the filter line, the team's figures, Chinese text in an embedded Noto Sans CJK), the phone
PNG from its header (750 pixels wide, under WeCom's 2 MB), a live page printed once it has
finished rendering, and no request leaving the machine. Real HTTP servers on loopback stand in
for the app and for the outside world."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from pypdf import PdfReader

from salesmgmt import db
from salesmgmt.delivery import render
from salesmgmt.delivery.audience import Audience
from salesmgmt.delivery.brief import build
from salesmgmt.demo import generate_demo
from salesmgmt.errors import SalesmgmtError
from tests import tiny
from tests.app.browser_support import Streamlit, chromium_or_skip

#: A4 in PDF points (210 x 297 mm); Chromium rounds to whole device pixels.
A4 = (595.28, 841.89)


@pytest.fixture(autouse=True)
def chromium() -> None:
    chromium_or_skip()


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def font_names(reader: PdfReader) -> list[tuple[str, bool]]:
    """Each font of the first page: its name and whether its glyphs are in the file."""
    found = []
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        real = descendants[0].get_object() if descendants else font
        descriptor = real.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        name = str(descriptor.get("/FontName") or real.get("/BaseFont") or "")
        embedded = (
            any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")) or "/CharProcs" in font
        )
        found.append((name, embedded))
    return found


def test_the_pdf_is_one_a4_page_with_the_filter_line_and_the_teams_figures(tiny_con):
    brief = build(tiny_con, Audience.parse("team", "Dragon"), tiny.AS_OF, "en")
    reader, text = pdf_text(brief.pdf())
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert width == pytest.approx(A4[0], abs=2) and height == pytest.approx(A4[1], abs=2)
    flat = " ".join(text.split())
    assert "Team: Dragon · May 2026 and Q2 2026 so far · as of 2026-05-31" in flat
    assert "CNY 100,000" in flat and "of target CNY 300,000" in flat and "33%" in flat
    assert "华东设计院" in flat and "91 days ago" in flat
    assert "王强" not in flat


def test_chinese_text_extracts_from_an_embedded_noto_sans_cjk(tiny_con):
    brief = build(tiny_con, Audience.parse("team", "Dragon"), tiny.AS_OF, "zh")
    reader, text = pdf_text(brief.pdf())
    flat = "".join(text.split())
    assert "销售周报" in flat and "10.0万元" in flat and "目标30.0万元" in flat and "渐冷的重点客户" in flat
    fonts = font_names(reader)
    assert fonts and all(embedded for _, embedded in fonts)
    assert any("NotoSansCJK" in name for name, _ in fonts)


def test_the_phone_image_is_a_png_750_pixels_wide_under_2_mb(tiny_con):
    brief = build(tiny_con, Audience.parse("team", "Dragon"), tiny.AS_OF, "zh")
    data = brief.png()
    width, height = render.png_size(data)
    assert width == 750 and height > width
    assert len(data) <= render.MAX_IMAGE_BYTES
    with Image.open(io.BytesIO(data)) as image:  # the whole file decodes
        image.load()
        assert image.format == "PNG" and image.size == (width, height)


def test_a_long_colourful_page_still_fits_wecoms_2_mb():
    """Drawn, this page is about 3.5 MB (gradients compress badly); reduced to a palette, it fits."""
    rows = "".join(
        f'<p style="background:linear-gradient(90deg,hsl({i * 37 % 360},70%,50%),hsl({i * 71 % 360},60%,70%));'
        f'margin:0;padding:6px">第 {i} 行 row {i} ' + "明细 detail " * 8 + "</p>"
        for i in range(50)
    )
    data = render.html_to_png(f"<html><body>{rows}</body></html>")
    assert render.png_size(data)[0] == 750
    assert len(data) <= render.MAX_IMAGE_BYTES


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8501/x.png", True),
        ("http://localhost/app", True),
        ("http://[::1]:80/", True),
        ("data:image/png;base64,AAAA", True),
        ("about:blank", True),
        ("https://fonts.googleapis.com/css", False),
        ("http://192.168.1.10/logo.png", False),
        ("http://127.0.0.1.example.com/", False),
        ("ws://127.0.0.1:8501/_stcore/stream", True),
        ("wss://push.example.com/socket", False),
    ],
)
def test_only_this_machine_is_reachable_while_rendering(url, allowed):
    assert render._allowed(url) is allowed


def test_the_printed_pages_own_server_and_its_websocket_are_reachable():
    origin = "http://192.168.1.5:8501"
    assert render._allowed("http://192.168.1.5:8501/static/app.js", origin)
    assert render._allowed("ws://192.168.1.5:8501/_stcore/stream", origin)
    assert not render._allowed("http://192.168.1.6:8501/", origin)


class Recorder(BaseHTTPRequestHandler):
    """Serves `pages` by path; records every request's path and Cookie header."""

    pages: dict[str, tuple[str, bytes]] = {}
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Cookie") or ""))
        content_type, body = self.pages.get(self.path, ("text/plain", b""))
        if callable(body):
            body = body(self.headers.get("Cookie") or "")
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[Recorder]]]:
    handler = type("Handler", (Recorder,), {"pages": {}, "seen": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


#: A 1x1 PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def test_a_request_to_another_host_never_leaves_the_browser(server, monkeypatch):
    """`blocked.test` resolves to this machine, so without the block its request would arrive."""
    host, handler = server
    port = host.split(":")[1]
    handler.pages.update({"/local.png": ("image/png", PIXEL), "/outside.png": ("image/png", PIXEL)})
    monkeypatch.setattr(
        render, "CHROMIUM_ARGS", [*render.CHROMIUM_ARGS, "--host-resolver-rules=MAP blocked.test 127.0.0.1"]
    )
    html = f'<img src="http://{host}/local.png"><img src="http://blocked.test:{port}/outside.png"><p>x</p>'
    render.html_to_pdf(html)
    paths = [path for path, _ in handler.seen]
    assert "/local.png" in paths and "/outside.png" not in paths


#: A page that renders like Streamlit: its status widget stays while the script "runs", the
#: figures arrive late, the page says who is signed in (from the cookie).
LIVE_PAGE = """<!DOCTYPE html><html><body>
<div data-testid="stStatusWidget">Running...</div><div id="main">Loading</div>
<script>
setTimeout(() => { document.getElementById('main').innerHTML = '<div id="figures">Won CNY 4,242</div>'; }, 700);
setTimeout(() => { fetch('/data.json').then(() => {
  document.querySelector('[data-testid=stStatusWidget]').remove();
  document.body.insertAdjacentHTML('beforeend', '<p>Signed in as {user}</p>'); }); }, 1400);
</script></body></html>"""


def test_a_live_page_is_printed_once_it_has_finished_rendering(server):
    host, handler = server
    handler.pages.update(
        {
            "/page": ("text/html", lambda cookie: LIVE_PAGE.replace("{user}", cookie).encode()),
            "/data.json": ("application/json", b"{}"),
        }
    )
    cookies = [{"name": "session", "value": "chen-7", "url": f"http://{host}/"}]
    data = render.url_to_pdf(f"http://{host}/page", cookies=cookies, ready_selector="#figures", timeout_s=30)
    reader, text = pdf_text(data)
    assert "Won CNY 4,242" in text and "Signed in as session=chen-7" in text
    assert "Running..." not in text
    assert float(reader.pages[0].mediabox[2]) == pytest.approx(A4[0], abs=2)
    assert ("/page", "session=chen-7") in handler.seen


def test_a_page_that_never_finishes_is_a_clear_error(server):
    host, handler = server
    handler.pages["/stuck"] = ("text/html", b'<div data-testid="stStatusWidget">Running...</div>')
    with pytest.raises(SalesmgmtError, match="had not finished rendering after 2 s"):
        render.url_to_pdf(f"http://{host}/stuck", timeout_s=2)


def test_without_chromium_the_message_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SALESMGMT_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(SalesmgmtError) as raised:
        render.html_to_pdf("<p>x</p>")
    assert "apt-get install -y chromium fonts-noto-cjk" in raised.value.message("en")
    assert "SALESMGMT_CHROMIUM" in raised.value.message("zh")


def test_chinese_in_a_pdf_reads_back_as_written_not_as_radicals():
    """Noto Sans CJK shares a glyph between 龙 and the radical ⻰ (目 and ⽬, 户 and ⼾); Chromium's
    text map names the radical, so without the fix search and copy-paste would miss '龙' or '目标'."""
    words = "龙 Dragon 长江 门 马 目标 客户 至 月"
    data = render.html_to_pdf(f"<p style=\"font-family:'Noto Sans CJK SC'\">{words}</p>")
    assert pdf_text(data)[1].strip() == words


def test_a_streamlit_page_of_the_app_is_printed_once_its_script_has_run(tmp_path):
    """The real app (`streamlit run dashboard.py`, its websocket through the browser's routing)
    on the demo company: the Overview printed after its figures are drawn."""
    db_file = tmp_path / "demo.duckdb"
    with db.connect(db_file) as con:
        generate_demo(con, as_of=date(2026, 11, 27), seed=7)
    app = Streamlit(db_file, "2026-11-27", tmp_path / "streamlit.log")
    try:
        ready = '[data-testid="stApp"][data-test-script-state="notRunning"] [data-testid="stMetric"]'
        data = render.url_to_pdf(app.base + "/?lang=en", ready_selector=ready, timeout_s=120)
    finally:
        app.stop()
    reader, text = pdf_text(data)
    assert float(reader.pages[0].mediabox[2]) == pytest.approx(A4[0], abs=2)
    assert "Overview" in text and "Nov 2026" in text


def test_a_brief_with_long_lists_still_prints_on_one_page_saying_how_many_more(tiny_con):
    """120 wins and 60 more key accounts never visited: too much for
    one page at eight rows a list, so printing drops rows until the page fits, and each list's
    "N more" counts what it left out."""
    tiny_con.executemany(
        "INSERT INTO clients (client_id, name, name_key, client_type, region, key_account, owner_rep_id)"
        " VALUES (?, ?, ?, 'owner', 'East', TRUE, 2)",
        [(100 + i, f"冷客户 {i:02d} 有限公司", f"cold{i}") for i in range(60)],
    )
    tiny_con.executemany(
        "INSERT INTO opportunities (opp_id, rep_id, client_id, stage, status, amount, created_date,"
        " expected_close_date, close_date) VALUES (?, 1, 1, 'won', 'won', ?, DATE '2026-04-01', ?, ?)",
        [(f"W{i:03d}", 1_000 + i, date(2026, 5, 25 + i % 7), date(2026, 5, 25 + i % 7)) for i in range(120)],
    )
    brief = build(tiny_con, Audience.parse("team", "Dragon"), tiny.AS_OF, "en")
    reader, text = pdf_text(render.html_to_pdf(brief.html()))  # as the deliveries print it
    assert len(reader.pages) == 1
    wins = [line for line in text.splitlines() if line.startswith("2026-05-") and "华东设计院" in line]
    more = [int(line.split()[0]) for line in text.splitlines() if line.endswith("more in the app")]
    cold = [line for line in text.splitlines() if line.startswith("冷客户")]
    assert 1 <= len(wins) < 8 and len(wins) + more[-1] == 120
    assert 1 <= len(cold) < 8 and len(cold) + more[0] == 61  # and 华东设计院
