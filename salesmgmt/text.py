"""Text rules shared by the importer, the generator and the app: name matching keys, and the
bidirectional controls that can make a name display spoofed text."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def name_key(value: str) -> str:
    """The matching key of a rep or client name: trimmed, full-width folded (NFKC), single
    spaces, case-folded. '  华东 设计院 ' and '华东　设计院' give the same key."""
    folded = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", folded).strip().casefold()


#: Bidirectional controls: embeddings and overrides (U+202A..U+202E), isolates (U+2066..U+2069),
#: the left-to-right, right-to-left and Arabic letter marks. A name holding U+202E would display
#: reversed, spoofed text ('Invoice\u202egpj.exe'): the importer refuses them in names and codes,
#: and the app shows any already stored as U+FFFD (visible and inert).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIDI_PATTERN = re.compile("[" + BIDI_CONTROLS + "]")
BIDI_SHOWN_AS = "\ufffd"
_BIDI_TABLE = {ord(c): BIDI_SHOWN_AS for c in BIDI_CONTROLS}


def bidi_neutral(text: str) -> str:
    """`text` with every bidirectional control shown as U+FFFD; plain Arabic or Hebrew letters
    keep their natural direction."""
    return text.translate(_BIDI_TABLE)
