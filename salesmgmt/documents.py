"""Printable documents made of sections, written as an Excel workbook or a printable HTML page.

A document is a title, a subtitle and a list of sections: key facts (label and value pairs), a
table (a header and rows of texts), a block of text (optionally empty lines to write on by hand)
or a note (a line in grey). A section with an empty title has no heading. Texts come in already
translated and formatted; this module only lays them out.

Safe to open: Excel cells are written as strings (never formulas, links or numbers guessed from
text), and every HTML value is escaped.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facts:
    title: str
    items: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    title: str
    head: list[str]
    rows: list[list[str]]
    note: str = ""
    """A line under the table (for example 'and 12 more')."""


@dataclass(frozen=True)
class Text:
    title: str
    text: str
    lines: int = 3
    """Height of the box in lines when printed: room to write by hand when `text` is empty."""


@dataclass(frozen=True)
class Note:
    text: str
    title: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    sections: list[Facts | Table | Text | Note] = field(default_factory=list)
    lang: str = "en"
    sheet_name: str = "document"
    one_page: bool = False
    """Printed on one page (a form), not only fitted to the page width."""
    column_widths: tuple[float, ...] = ()
    """Excel column widths from the first column; the others (and all when empty) are 16."""


def text_workbook(buffer: io.BytesIO) -> Any:
    """An xlsxwriter workbook in `buffer` that writes every text as text: a name such as
    '=HYPERLINK(...)', 'http://...' or '00123' is no formula, link or number in the file."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def to_xlsx(doc: Document) -> bytes:
    """One worksheet, A4 portrait, fitted to the page width (or to one page) when printed."""
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    sheet = book.add_worksheet(_sheet_name(doc.sheet_name))
    font = "Microsoft YaHei" if doc.lang == "zh" else "Calibri"
    base = {"font_name": font, "font_size": 9, "valign": "top"}
    fmt = {
        "title": book.add_format({**base, "bold": True, "font_size": 14}),
        "sub": book.add_format({**base, "font_color": "#555555"}),
        "h": book.add_format({**base, "bold": True, "font_size": 11, "bottom": 1}),
        "th": book.add_format({**base, "bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True}),
        "td": book.add_format({**base, "border": 1, "text_wrap": True}),
        "text": book.add_format({**base, "text_wrap": True, "border": 1}),
        "k": book.add_format({**base, "bold": True}),
        "v": book.add_format({**base, "text_wrap": True}),
    }
    columns = max([len(s.head) for s in doc.sections if isinstance(s, Table)] + [4])
    sheet.set_column(0, columns - 1, 16)
    for c, width in enumerate(doc.column_widths):
        sheet.set_column(c, c, width)
    last = columns - 1
    r = 0
    sheet.merge_range(r, 0, r, last, doc.title, fmt["title"])
    sheet.merge_range(r + 1, 0, r + 1, last, doc.subtitle, fmt["sub"])
    r += 3
    for section in doc.sections:
        if section.title:
            sheet.merge_range(r, 0, r, last, section.title, fmt["h"])
            r += 1
        if isinstance(section, Note):
            sheet.merge_range(r, 0, r, last, section.text, fmt["sub"])
            r += 1
        elif isinstance(section, Facts):
            for label, value in section.items:
                sheet.write_string(r, 0, label, fmt["k"])
                if last > 1:
                    sheet.merge_range(r, 1, r, last, value, fmt["v"])
                else:
                    sheet.write_string(r, 1, value, fmt["v"])
                r += 1
        elif isinstance(section, Table):
            for c, h in enumerate(section.head):
                sheet.write_string(r, c, h, fmt["th"])
            for row in section.rows:
                r += 1
                for c, value in enumerate(row):
                    sheet.write_string(r, c, value, fmt["td"])
            r += 1
            if section.note:
                sheet.write_string(r, 0, section.note, fmt["sub"])
                r += 1
        else:
            height = max(section.lines, min(section.text.count("\n") + 1, 30))
            sheet.merge_range(r, 0, r + height - 1, last, section.text, fmt["text"])
            r += height
        r += 1
    sheet.set_paper(9)  # A4
    sheet.set_portrait()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.fit_to_pages(1, 1 if doc.one_page else 0)
    sheet.repeat_rows(0)
    book.close()
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return (cleaned or "document")[:31]


_STYLE = """
@page { size: A4 portrait; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       font-size: 10pt; color: #222; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 12pt 0 3pt 0; border-bottom: 1px solid #999; break-after: avoid; }
.sub { color: #555; margin-bottom: 6pt; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8eef4; }
tr { break-inside: avoid; }
.text { white-space: pre-wrap; border: 1px solid #bbb; padding: 3pt; }
.note { color: #555; }
"""


def to_html(doc: Document) -> str:
    """A printable HTML page (A4); every value escaped."""
    e = html.escape
    parts = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if doc.lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{e(doc.title)}</title><style>{_STYLE}</style></head><body>',
        f'<h1>{e(doc.title)}</h1><div class="sub">{e(doc.subtitle)}</div>',
    ]
    for section in doc.sections:
        if section.title:
            parts.append(f"<h2>{e(section.title)}</h2>")
        if isinstance(section, Note):
            parts.append(f'<p class="note">{e(section.text)}</p>')
        elif isinstance(section, Facts):
            parts.append(
                "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in section.items) + "</dl>"
            )
        elif isinstance(section, Table):
            parts.append(
                "<table><thead><tr>"
                + "".join(f"<th>{e(h)}</th>" for h in section.head)
                + "</tr></thead><tbody>"
            )
            parts += ["<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in section.rows]
            parts.append("</tbody></table>")
            if section.note:
                parts.append(f'<div class="note">{e(section.note)}</div>')
        else:
            parts.append(
                f'<div class="text" style="min-height: {1.4 * section.lines:.1f}em">{e(section.text)}</div>'
            )
    parts.append("</body></html>")
    return "".join(parts)
