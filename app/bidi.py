"""Bidirectional-text controls made harmless wherever a text from the data is shown: a name
holding U+202E (right-to-left override) would otherwise display reversed, spoofed text
('Invoice\u202egpj.exe'). They are shown as U+FFFD (�) instead: visible, and inert (issue 18,
finding 16). Plain Arabic or Hebrew letters keep their natural direction; only the invisible
controls go."""

from __future__ import annotations

#: The embedding, override and isolate controls and the directional marks.
CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
SHOWN_AS = "\ufffd"
_TABLE = {ord(c): SHOWN_AS for c in CONTROLS}


def neutral(text: str) -> str:
    """`text` with every bidi control shown as U+FFFD."""
    return text.translate(_TABLE)
