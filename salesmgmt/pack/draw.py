"""The pack's slide primitives: the page geometry, the house colours, fonts on every run, text
boxes, tables and KPI boxes. Every run carries a Latin and an East Asian face and the language,
so Chinese shows in the right face whatever machine opens the deck.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Length, Pt

from salesmgmt import palette


def rgb(hex_code: str) -> RGBColor:
    """A colour from its hex code ('1565C0' or '#1565C0')."""
    color: RGBColor = RGBColor.from_string(hex_code.lstrip("#"))  # type: ignore[no-untyped-call]
    return color


#: Fonts: Latin and East Asian faces on every run (PowerPoint picks the face per script).
LATIN_FONT = "Calibri"
EA_FONT = "Microsoft YaHei"
DARK = rgb("263238")
MUTED = rgb("607D8B")
WHITE = rgb("FFFFFF")
KPI_FILL = rgb("ECEFF1")
KPI_LINE = rgb(palette.FAINT)
#: Headings inside a slide.
HEADING = rgb(palette.ACCENT)

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
#: The width between the margins.
CONTENT = Emu(WIDTH - 2 * MARGIN)
#: A table on a slide shows at most this many rows.
TABLE_ROWS = 12
#: Where a list under a heading starts.
LIST_TOP = Inches(2.05)


def set_fonts(rpr: Any, lang: str) -> None:
    """Latin and East Asian typeface on a run's properties (an `a:rPr` or `a:defRPr` element)."""
    for tag, face in (("a:latin", LATIN_FONT), ("a:ea", EA_FONT), ("a:cs", LATIN_FONT)):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", face)
    # schema order inside rPr: ln, fill..., latin, ea, cs: move ours to the end in that order
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        rpr.remove(el)
        rpr.append(el)
    if lang == "zh":
        rpr.set("lang", "zh-CN")
        rpr.set("altLang", "en-US")
    else:
        rpr.set("lang", "en-US")


def paragraph(
    frame: TextFrame,
    text: str,
    lang: str,
    size: int = 16,
    bold: bool = False,
    color: RGBColor = DARK,
    first: bool = False,
    align: PP_ALIGN | None = None,
) -> None:
    """One run of text as a new paragraph of `frame` (or in its first, empty one)."""
    para = frame.paragraphs[0] if first else frame.add_paragraph()  # type: ignore[no-untyped-call]
    para.level = 0
    if align is not None:
        para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    set_fonts(run._r.get_or_add_rPr(), lang)


def textbox(
    slide: Slide,
    left: Length,
    top: Length,
    width: Length,
    height: Length,
    lines: list[str],
    lang: str,
    size: int = 16,
    bold: bool = False,
    color: RGBColor = DARK,
    bullet: str = "",
) -> None:
    """A text box of one paragraph per line ('–' when there are none)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines or ["–"]):
        paragraph(frame, (bullet + line) if bullet else line, lang, size, bold, color, first=(i == 0))


def heading(slide: Slide, left: Length, top: Length, width: Length, text: str, lang: str) -> None:
    """A section heading inside a slide (18 pt bold, half an inch high)."""
    textbox(slide, left, top, width, Inches(0.5), [text], lang, 18, True, HEADING)


def headed_list(
    slide: Slide,
    left: Length,
    width: Length,
    title: str,
    lines: list[str],
    lang: str,
    size: int,
    list_top: Length = LIST_TOP,
) -> None:
    """A heading at 1.5 inches and under it a bulleted list, on one side of a slide."""
    heading(slide, left, Inches(1.5), width, title, lang)
    textbox(slide, left, list_top, width, Inches(5), lines, lang, size, bullet="• ")


def blank_slide(deck: Deck) -> Slide:
    slide: Slide = deck.slides.add_slide(deck.slide_layouts[6])
    return slide


def titled_slide(deck: Deck, title: str, lang: str, subtitle: str | None = None) -> Slide:
    """A blank slide with its title and, below it, a muted subtitle."""
    slide = blank_slide(deck)
    textbox(slide, MARGIN, Inches(0.3), CONTENT, Inches(0.7), [title], lang, 28, True)
    if subtitle:
        textbox(slide, MARGIN, Inches(0.95), CONTENT, Inches(0.4), [subtitle], lang, 13, color=MUTED)
    return slide


def table(
    slide: Slide,
    header: list[str],
    rows: list[list[str]],
    lang: str,
    left: Length,
    top: Length,
    width: Length,
    size: int = 12,
    widths: list[float] | None = None,
) -> None:
    """A table of at most TABLE_ROWS rows under a bold header; no rows show one '–' row.
    `widths` are the columns' relative widths."""
    rows = rows[:TABLE_ROWS]
    if not rows:
        rows = [["–"] + [""] * (len(header) - 1)]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), left, top, width, Emu(int(Inches(0.38)) * (len(rows) + 1))
    )
    grid = shape.table
    if widths:
        total = sum(widths)
        for i, w in enumerate(widths):
            grid.columns[i].width = Emu(int(width * w / total))
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            frame = grid.cell(r, c).text_frame
            frame.word_wrap = True
            frame.paragraphs[0].text = ""
            paragraph(
                frame, str(value), lang, size, bold=(r == 0), color=WHITE if r == 0 else DARK, first=True
            )


def kpi(slide: Slide, left: Length, top: Length, label: str, value: str, lang: str, note: str = "") -> None:
    """A KPI box: the label, the value in large type, and a note under it."""
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, Inches(2.9), Inches(1.35))
    box.fill.solid()
    box.fill.fore_color.rgb = KPI_FILL
    box.line.color.rgb = KPI_LINE
    frame = box.text_frame
    frame.word_wrap = True
    paragraph(frame, label, lang, 13, color=MUTED, first=True, align=PP_ALIGN.LEFT)
    paragraph(frame, value, lang, 26, bold=True, color=DARK, align=PP_ALIGN.LEFT)
    if note:
        paragraph(frame, note, lang, 11, color=MUTED, align=PP_ALIGN.LEFT)
