"""Text normalisation shared by the importer and the generator."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def name_key(value: str) -> str:
    """The matching key of a rep or client name: trimmed, full-width folded (NFKC), single
    spaces, case-folded. '  华东 设计院 ' and '华东　设计院' give the same key."""
    folded = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", folded).strip().casefold()
