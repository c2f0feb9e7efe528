"""HTML and live pages to PDF and PNG with a real browser: headless Chromium driven by Playwright.

Chromium is the system's (`/usr/bin/chromium`, else `chromium` on the PATH; `SALESMGMT_CHROMIUM`
names another). Fonts are the system's too (fontconfig: Noto Sans CJK for Chinese), and the
browser never fetches from the network while rendering: every request to a host that is not this
machine is aborted, so a brief renders the same offline and leaks nothing.

Each call starts its own browser in a worker thread (Playwright's synchronous API refuses to run
inside an asyncio loop, which a scheduler or a web server may have), and closes it before
returning.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from salesmgmt.errors import SalesmgmtError

#: The default Chromium (Debian's package).
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Without a sandbox (root in a container), a GPU or any network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: Hosts the browser may fetch from: this machine only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: URL schemes that never leave the process (inline content).
LOCAL_SCHEMES = frozenset({"data", "about", "blob", "file"})
#: The web scheme of each websocket scheme (Streamlit's websocket shares its page's origin).
WEB_SCHEMES = {"ws": "http", "wss": "https"}
#: WeCom's limit on an image message (bytes, before base64).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
#: The phone image's pixels per CSS pixel: 750 px wide is a 375 px layout, sharp on a phone.
PHONE_SCALE = 2

T = TypeVar("T")


def chromium_path() -> str:
    """The Chromium executable: $SALESMGMT_CHROMIUM, else /usr/bin/chromium, else `chromium` on
    the PATH. A SalesmgmtError saying how to install it when there is none."""
    named = os.environ.get("SALESMGMT_CHROMIUM")
    if named:
        if Path(named).is_file():
            return named
        raise SalesmgmtError("render.error.no_chromium", path=named)
    if Path(DEFAULT_CHROMIUM).is_file():
        return DEFAULT_CHROMIUM
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise SalesmgmtError("render.error.no_chromium", path=DEFAULT_CHROMIUM)


def _allowed(url: str, extra_origin: str | None = None) -> bool:
    """May the browser fetch `url`? Inline content and this machine only (and `extra_origin`,
    the live page being printed)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    scheme = WEB_SCHEMES.get(parts.scheme, parts.scheme)  # a page's websocket is its origin's
    if extra_origin is not None and f"{scheme}://{parts.netloc}" == extra_origin:
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


def _in_thread(work: Callable[[], T]) -> T:
    """Run `work` in a thread of its own (no asyncio loop there, whoever calls)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _with_page(
    work: Callable[[Any], T],
    viewport: dict[str, int] | None = None,
    scale: float = 1,
    cookies: list[dict[str, Any]] | None = None,
    origin: str | None = None,
) -> T:
    """Start Chromium, open one page in a fresh context that fetches nothing from the network,
    give it to `work`, close everything."""
    executable = chromium_path()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements.txt
        raise SalesmgmtError("render.error.no_playwright") from exc

    def run() -> T:
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            except PlaywrightError as exc:
                raise SalesmgmtError(
                    "render.error.launch", path=executable, detail=str(exc).splitlines()[0]
                ) from exc
            try:
                size = viewport or {"width": 1280, "height": 900}
                context = browser.new_context(
                    viewport={"width": size["width"], "height": size["height"]}, device_scale_factor=scale
                )
                if cookies:
                    context.add_cookies(cookies)  # type: ignore[arg-type]  # Playwright's TypedDict
                context.route(
                    "**/*",
                    lambda route: route.continue_() if _allowed(route.request.url, origin) else route.abort(),
                )
                context.route_web_socket(
                    "**/*",
                    lambda ws: ws.connect_to_server() if _allowed(ws.url, origin) else ws.close(),
                )
                return work(context.new_page())
            finally:
                browser.close()

    return _in_thread(run)


def _pdf(page: Any) -> bytes:
    """The page printed on A4 with its backgrounds (the page's own @page rules win), its
    Chinese text searchable and copyable as written (`searchable_text`)."""
    return searchable_text(bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True)))


#: Simplified radicals Noto Sans CJK SC draws with the glyph of the character itself; Chromium's
#: text map picks the radical (the lower code point), so "长江" would copy and search as "⻓江".
SIMPLIFIED_RADICALS = {
    "⻅": "见", "⻉": "贝", "⻋": "车", "⻓": "长", "⻔": "门", "⻙": "韦", "⻚": "页", "⻛": "风",
    "⻜": "飞", "⻢": "马", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾",
    "⻬": "齐", "⻮": "齿", "⻰": "龙", "⻳": "龟", "⺰": "纟", "⻈": "讠", "⻐": "钅", "⻠": "饣",
    # Kangxi radicals whose compatibility mapping is the traditional form of a glyph SC shares
    # with the simplified one (⼾ is 戶 by NFKC, but drawn for 户).
    "⼾": "户", "⻘": "青", "⺠": "民", "⻝": "食", "⺟": "母",
}  # fmt: skip
_BFCHAR = re.compile(rb"(beginbfchar)(.*?)(endbfchar)", re.S)
_PAIR = re.compile(rb"(<[0-9A-Fa-f]+>\s*)<([0-9A-Fa-f]{4})>")


def _character(code: str) -> str:
    """The character a radical's glyph stands for in running text: Kangxi radicals by their
    compatibility mapping (⽬ -> 目), the simplified ones by SIMPLIFIED_RADICALS."""
    if "\u2e80" <= code <= "\u2fdf":
        return SIMPLIFIED_RADICALS.get(code) or unicodedata.normalize("NFKC", code)
    return code


def _fixed_map(cmap: bytes) -> bytes:
    def pair(match: re.Match[bytes]) -> bytes:
        code = chr(int(match[2], 16))
        fixed = _character(code)
        if fixed == code or len(fixed) != 1:
            return match[0]
        return match[1] + b"<%04X>" % ord(fixed)

    return _BFCHAR.sub(lambda block: block[1] + _PAIR.sub(pair, block[2]) + block[3], cmap)


def searchable_text(pdf: bytes) -> bytes:
    """`pdf` with each font's text map (ToUnicode) naming characters, not radicals: the same
    glyphs, text that pypdf, pdftotext, a viewer's search and copy-paste read as written."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    changed = False
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            stream = ref.get_object().get("/ToUnicode")
            if stream is None:
                continue
            stream = stream.get_object()
            if not isinstance(stream, StreamObject):
                continue
            before = stream.get_data()
            after = _fixed_map(before)
            if after != before:
                stream.set_data(after)
                changed = True
    if not changed:
        return pdf
    writer = PdfWriter(clone_from=reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def html_to_pdf(html: str) -> bytes:
    """An HTML document printed to an A4 PDF (backgrounds printed)."""

    def work(page: Any) -> bytes:
        page.set_content(html, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return _pdf(page)

    return _with_page(work)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, from its header; a ValueError when it is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _smaller_png(data: bytes) -> bytes:
    """The same image as a palette PNG (256 colours, compressed hard): a brief is flat colours
    and text, so it looks the same at a fraction of the size."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        quantized = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        quantized.save(out, format="PNG", optimize=True)
    return out.getvalue()


def html_to_png(html: str, width: int = 750) -> bytes:
    """An HTML document as one full-page PNG `width` pixels wide, for a phone: laid out at
    width / 2 CSS pixels and drawn at twice the resolution (sharp text), then reduced to a
    palette when over WeCom's 2 MB; a long page that is still too big is drawn at 1x."""

    def shot(scale: int) -> bytes:
        def work(page: Any) -> bytes:
            page.set_content(html, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            return bytes(page.screenshot(full_page=True, type="png"))

        return _with_page(work, viewport={"width": width // scale, "height": 800}, scale=scale)

    data = b""
    for scale in (PHONE_SCALE, 1):
        data = shot(scale)
        if len(data) > MAX_IMAGE_BYTES:
            data = _smaller_png(data)
        if len(data) <= MAX_IMAGE_BYTES:
            return data
    raise SalesmgmtError("render.error.too_big", size=len(data), limit=MAX_IMAGE_BYTES)


#: Streamlit is busy while this element is on the page (the running man, "Running...").
STREAMLIT_STATUS = '[data-testid="stStatusWidget"]'


def url_to_pdf(
    url: str,
    cookies: list[dict[str, Any]] | None = None,
    ready_selector: str | None = None,
    timeout_s: float = 60,
) -> bytes:
    """A live page (a Streamlit page, say) printed to an A4 PDF once it has finished rendering:
    `ready_selector` present, Streamlit's status widget gone and the network idle. `cookies`
    (Playwright's form: name, value, url or domain+path) sign the browser in. Only this machine
    and `url`'s own origin are reachable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SalesmgmtError("render.error.bad_url", url=url)
    timeout_ms = timeout_s * 1000

    def work(page: Any) -> bytes:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.goto(url, wait_until="load", timeout=timeout_ms)
            if ready_selector:
                page.wait_for_selector(ready_selector, timeout=timeout_ms)
            page.wait_for_function(
                f"!document.querySelector({STREAMLIT_STATUS!r})", timeout=timeout_ms, polling=200
            )
            page.wait_for_load_state("networkidle", timeout=timeout_ms)
            # Checked again: a rerun may have started while the last requests settled.
            page.wait_for_function(
                f"!document.querySelector({STREAMLIT_STATUS!r})", timeout=timeout_ms, polling=200
            )
            page.evaluate("document.fonts.ready.then(() => true)")
        except PlaywrightTimeout as exc:
            raise SalesmgmtError("render.error.timeout", url=url, seconds=f"{timeout_s:g}") from exc
        return _pdf(page)

    return _with_page(work, cookies=cookies, origin=f"{parts.scheme}://{parts.netloc}")
