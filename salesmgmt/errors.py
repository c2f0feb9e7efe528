"""One exception family. Each error carries a catalogue key and its values, so the app and the
command line can say it in the user's language (see `salesmgmt.i18n`)."""

from __future__ import annotations

from typing import Any


class SalesmgmtError(Exception):
    """An error a user can act on: `key` names the message in the catalogue, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values = values
        super().__init__(key)

    def message(self, lang: str = "en") -> str:
        from salesmgmt.i18n import t

        return t(self.key, lang, **self.values)

    def __str__(self) -> str:
        return self.message("en")
