"""The brief as words only: markdown for the group bots (WeCom and DingTalk cap a message at 4,096
bytes, so long lists are cut with "more in the app" and the link) and plain text for e-mail."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesmgmt.delivery.brief import Brief

#: Characters that would start a link, emphasis, code or a tag inside a value, and their
#: full-width twins: the group bots do not all honour backslash escapes, and a full-width bracket
#: reads naturally in a Chinese name.
_MD_SPECIAL = str.maketrans({"[": "［", "]": "］", "*": "＊", "`": "｀", "<": "＜", ">": "＞", "_": "＿"})


def _md(text: str) -> str:
    """A value (a client's or a deal's name) that stays text in markdown."""
    return text.translate(_MD_SPECIAL)


def _more(brief: Brief, left: int, link: str | None, markdown: bool) -> str:
    words = brief.t("brief.more", n=left)
    if link and markdown:
        return f"[{words}]({link})"
    return f"{words}: {link}" if link else words


def _lines(brief: Brief, limits: dict[str, int], cases: int, link: str | None, markdown: bool) -> list[str]:
    """The brief's lines with at most `limits[key]` rows of each list and `cases` cases."""
    esc = _md if markdown else str
    bold = (lambda s: f"**{s}**") if markdown else str
    out = [f"## {esc(brief.title)}" if markdown else brief.title]
    quote = "> " if markdown else ""
    out += [quote + esc(brief.week_text), quote + esc(brief.filters_text), ""]
    for block in brief.blocks:
        out.append(bold(esc(block.title)))
        for f in block.figures:
            key = "brief.figure" if f.note else "brief.figure.bare"
            out.append(brief.t(key, label=esc(f.label), value=bold(esc(f.value)), note=esc(f.note)))
        out += [esc(n) for n in block.notes]
        out.append("")
    out.append(bold(esc(brief.t("brief.section.call"))))
    out += [f"- {esc(line)}" for line in brief.call] or [esc(brief.t("brief.call.empty"))]
    out.append("")
    for section in brief.sections:
        out.append(bold(esc(section.title)))
        if not section.lines:
            out.append(esc(section.empty))
        shown = section.lines[: limits.get(section.key, len(section.lines))]
        out += [f"- {esc(line)}" for line in shown]
        left = len(section.lines) - len(shown)
        if left > 0:
            out.append(f"- {_more(brief, left, link, markdown)}")
        out.append("")
    if brief.cases and cases > 0:
        out.append(bold(esc(brief.t("brief.section.cases"))))
        for case in brief.cases[:cases]:
            out.append(
                "- "
                + brief.t(
                    "brief.case.line", title=esc(case.title), facts=esc(case.facts), steps=esc(case.steps)
                )
            )
        out.append("")
    if link:
        out.append(f"[{brief.t('brief.open')}]({link})" if markdown else f"{brief.t('brief.open')}: {link}")
    out.append(esc(brief.t("brief.footer", day=brief.as_of.isoformat())))
    return out


def _size(lines: list[str]) -> int:
    return len("\n".join(lines).encode("utf-8"))


def brief_markdown(brief: Brief, max_bytes: int = 4096, link: str | None = None) -> str:
    """Markdown of at most `max_bytes` in UTF-8: whole when it fits, else the longest list is
    cut a row at a time (each cut list ends with "N more in the app" and `link`), then the cases
    go; a brief still too long (a tiny `max_bytes`) is cut at a line, the link kept last."""
    limits = {s.key: len(s.lines) for s in brief.sections}
    cases = len(brief.cases)
    lines = _lines(brief, limits, cases, link, True)
    while _size(lines) > max_bytes:
        longest = max(limits, key=lambda k: limits[k], default=None)
        if longest is not None and limits[longest] > 0:
            limits[longest] -= 1
        elif cases > 0:
            cases = 0
        else:
            break
        lines = _lines(brief, limits, cases, link, True)
    if _size(lines) <= max_bytes:
        return "\n".join(lines)
    tail = [f"[{brief.t('brief.more.short')}]({link})" if link else brief.t("brief.more.short")]
    kept: list[str] = []
    for line in lines:
        if _size(kept + [line] + tail) > max_bytes:
            break
        kept.append(line)
    return "\n".join(kept + tail)


def brief_text(brief: Brief, link: str | None = None) -> str:
    """Plain text, every row (an e-mail has room): the body of the e-mail beside the PDF."""
    limits = {s.key: len(s.lines) for s in brief.sections}
    return "\n".join(_lines(brief, limits, len(brief.cases), link, False)) + "\n"
