"""The brief as one HTML document: an A4 page when printed (tables, four key figures a row) and a
phone's column on a narrow screen (the same content as lines, two key figures a row), so one
document makes both the PDF and the phone image. Every text is escaped; nothing is fetched (the
fonts are the system's: Noto Sans CJK)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from salesmgmt import palette

if TYPE_CHECKING:
    from salesmgmt.delivery.brief import Brief, Section

#: The share of the page's width each column of a list takes (%), so that a row is one line.
WIDTHS = {
    "behind": (15, 33, 13, 13, 13, 13),
    "cold": (46, 18, 16, 20),
    "moved": (32, 24, 10, 13, 21),
    "wins": (14, 18, 48, 20),
}

#: The fonts, Chinese first for a Chinese brief (its Latin glyphs are fine too).
FONTS = {
    "zh": '"Noto Sans CJK SC", "Noto Sans SC", "Noto Sans CJK", sans-serif',
    "en": '"Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif',
}

CSS = """
@page { size: A4 portrait; margin: 10mm 11mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #1f2933; font-size: 8.6pt; line-height: 1.35; background: #fff; }
h1 { font-size: 15pt; margin: 0 0 1mm 0; color: %(accent)s; }
h2 { font-size: 10pt; margin: 2.6mm 0 1mm 0; padding-bottom: 0.6mm; border-bottom: 1.2px solid %(faint)s; }
.week { color: #52606d; font-size: 9pt; }
.filters { margin: 1.5mm 0 1mm 0; padding: 1.2mm 2mm; background: #eef2f7; border-left: 3px solid %(accent)s;
  font-size: 8.2pt; }
.blocks { display: grid; grid-template-columns: 1fr; gap: 1mm; }
.block h3 { font-size: 9.5pt; margin: 1.5mm 0 1mm 0; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 1.2mm; }
.kpi { background: #f5f7fa; border-radius: 2px; padding: 1.2mm 1.5mm; }
.kpi .label { color: #52606d; font-size: 7.4pt; }
.kpi .value { font-size: 10.5pt; font-weight: 700; color: #102a43; white-space: nowrap; }
.kpi .note { color: #52606d; font-size: 7pt; }
.note { color: #52606d; font-size: 7.6pt; margin: 0.8mm 0 0 0; }
.warn { color: %(warn)s; }
table { width: 100%%; border-collapse: collapse; font-size: 8pt; table-layout: fixed; }
th { text-align: left; color: #52606d; font-weight: 600; border-bottom: 1px solid %(faint)s; padding: 0.5mm 1mm;
  vertical-align: bottom; }
td { padding: 0.5mm 1mm; border-bottom: 1px solid #f0f3f6; vertical-align: top;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
.more { color: %(accent)s; font-size: 7.6pt; margin-top: 0.5mm; }
.more.phone { display: none; }
[hidden] { display: none !important; }
.empty { color: %(good)s; }
.case { margin: 0.8mm 0 1.2mm 0; }
.case .title { font-weight: 700; }
section.call ul { margin: 0; padding-left: 1.1em; }
ul.lines { display: none; margin: 0; padding-left: 1.1em; }
footer { margin-top: 2.5mm; color: #829ab1; font-size: 7pt; }
@media screen and (max-width: 600px) {
  body { font-size: 14px; padding: 14px 14px 18px 14px; }
  h1 { font-size: 21px; }
  h2 { font-size: 16px; margin-top: 16px; }
  .week, .filters { font-size: 12.5px; }
  .blocks { grid-template-columns: 1fr; gap: 6px; }
  .block h3 { font-size: 14.5px; }
  .kpis { grid-template-columns: 1fr 1fr; gap: 6px; }
  .kpi { padding: 7px 9px; }
  .kpi .label, .kpi .note { font-size: 12px; }
  .kpi .value { font-size: 19px; }
  .note, .more { font-size: 12.5px; }
  table, .more.print { display: none !important; }
  ul.lines, .more.phone { display: block; }
  ul.lines li { margin: 3px 0; }
  footer { font-size: 11.5px; }
}
"""


#: Printing keeps the page to one A4 page: before the print (Chromium's PDF or a browser's
#: print), the body is laid out at the printed width and, until it fits, the last row of the
#: longest list goes (down to three rows each), then the cases but the first, then rows down to
#: one each, then the cases; the "N more" lines follow. After the print everything comes back. The @page box below: 297 - 2 x 10 mm high (a little
#: spare), 210 - 2 x 11 mm wide.
FIT_SCRIPT = """
(() => {
  const MM = 96 / 25.4, HEIGHT = 275 * MM, WIDTH = 188 * MM;
  const shown = (list) => [...list.querySelectorAll("tbody tr")].filter((row) => !row.hidden);
  const count = (list) => {
    const more = list.querySelector(".more.print");
    if (!more) return;
    const left = Number(more.dataset.total) - shown(list).length;
    more.hidden = left <= 0;
    more.textContent = more.dataset.template.replace("{n}", left);
  };
  const tall = () => document.body.getBoundingClientRect().height > HEIGHT;
  const trim = (least) => {  // the last row of the longest list, down to `least` rows each
    const lists = [...document.querySelectorAll("section.list")];
    while (tall()) {
      const [length, list] = lists.map((l) => [shown(l).length, l]).sort((a, b) => b[0] - a[0])[0] || [0];
      if (length <= least) return;
      const rows = shown(list);
      rows[rows.length - 1].hidden = true;
      count(list);
    }
  };
  const fit = () => {
    document.body.style.width = WIDTH + "px";
    trim(3);
    const cases = [...document.querySelectorAll("section.cases .case")];
    cases.slice(1).forEach((c) => { if (tall()) c.hidden = true; });
    trim(1);
    const section = document.querySelector("section.cases");
    if (section && tall()) section.hidden = true;
    document.body.style.width = "";
  };
  const unfit = () => {
    document.querySelectorAll("tbody tr[hidden], section.cases[hidden], .case[hidden]").forEach((e) => {
      e.hidden = false;
    });
    document.querySelectorAll("section.list").forEach(count);
  };
  addEventListener("beforeprint", fit);
  addEventListener("afterprint", unfit);
})();
"""


def _css(lang: str) -> str:
    colours = {"accent": palette.ACCENT, "faint": palette.FAINT, "warn": palette.WARN, "good": palette.GOOD}
    return CSS % colours + "body { font-family: " + FONTS.get(lang, FONTS["en"]) + "; }\n"


def _section(brief: Brief, section: Section, rows: int, phone_rows: int) -> str:
    e = html.escape
    parts = [f'<section class="list {e(section.key)}"><h2>{e(section.title)}</h2>']
    if not section.rows:
        parts.append(f'<p class="empty">{e(section.empty)}</p>')
    else:
        shown = section.rows[:rows]
        numeric = {i for i, cell in enumerate(shown[0]) if _numeric(cell)}
        head = "".join(
            f'<th class="num">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>"
            for i, h in enumerate(section.header)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="num">{e(c)}</td>' if i in numeric else f"<td>{e(c)}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in shown
        )
        cols = "".join(f'<col style="width:{w}%">' for w in WIDTHS.get(section.key, ()))
        parts.append(
            f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
        left = len(section.rows) - len(shown)
        template = e(brief.t("brief.more", n="{n}"))
        hidden = "" if left > 0 else " hidden"
        parts.append(
            f'<p class="more print" data-total="{len(section.rows)}" data-template="{template}"{hidden}>'
            f"{e(brief.t('brief.more', n=left))}</p>"
        )
        phone = section.lines[:phone_rows]
        parts.append('<ul class="lines">' + "".join(f"<li>{e(x)}</li>" for x in phone) + "</ul>")
        if len(section.lines) > len(phone):
            parts.append(
                f'<p class="more phone">{e(brief.t("brief.more", n=len(section.lines) - len(phone)))}</p>'
            )
    if section.note:
        parts.append(f'<p class="note">{e(section.note)}</p>')
    parts.append("</section>")
    return "".join(parts)


def _numeric(cell: str) -> bool:
    """A cell of figures (right-aligned): digits, with a unit or a sign."""
    stripped = cell.replace("CNY", "").replace("万元", "").replace(",", "").replace(".", "").strip(" +-–%")
    return stripped.isdigit()


def brief_html(brief: Brief, rows: int | None = None) -> str:
    """The complete HTML document of `brief`: at most `rows` rows of each list on paper (default
    PRINT_ROWS; printing drops rows until the page is one A4 page, see FIT_SCRIPT) and
    PAGE_ROWS lines on a phone."""
    from salesmgmt.delivery.brief import PAGE_ROWS, PRINT_ROWS

    shown = PRINT_ROWS if rows is None else rows
    e = html.escape
    blocks = []
    for block in brief.blocks:
        kpis = "".join(
            f'<div class="kpi"><div class="label">{e(f.label)}</div><div class="value">{e(f.value)}</div>'
            f'<div class="note">{e(f.note)}</div></div>'
            for f in block.figures
        )
        notes = "".join(f'<p class="note">{e(n)}</p>' for n in block.notes)
        blocks.append(
            f'<div class="block"><h3>{e(block.title)}</h3><div class="kpis">{kpis}</div>{notes}</div>'
        )
    call = (
        "".join(f"<li>{e(line)}</li>" for line in brief.call) or f"<li>{e(brief.t('brief.call.empty'))}</li>"
    )
    sections = "".join(_section(brief, s, shown, min(shown, PAGE_ROWS)) for s in brief.sections)
    cases = ""
    if brief.cases:
        items = "".join(
            f'<div class="case"><div class="title">{e(c.title)}</div><div>{e(c.facts)}</div>'
            f"<div>{e(c.steps)}</div></div>"
            for c in brief.cases
        )
        cases = (
            f'<section class="cases"><h2>{e(brief.t("brief.section.cases"))}</h2>{items}'
            f'<p class="note">{e(brief.cases_rule)}</p></section>'
        )
    lang_attr = "zh-CN" if brief.lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(brief.title)}</title><style>{_css(brief.lang)}</style></head><body>"
        f'<header><h1>{e(brief.title)}</h1><div class="week">{e(brief.week_text)}</div>'
        f'<div class="filters">{e(brief.filters_text)}</div></header>'
        f'<div class="blocks">{"".join(blocks)}</div>'
        f'<section class="call"><h2>{e(brief.t("brief.section.call"))}</h2><ul>{call}</ul></section>'
        f"{sections}{cases}"
        f"<footer>{e(brief.t('brief.footer', day=brief.as_of.isoformat()))}</footer>"
        f"<script>{FIT_SCRIPT}</script></body></html>"
    )
