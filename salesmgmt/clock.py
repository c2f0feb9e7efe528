"""Today, the one way: the real date, or the date pinned in SALESMGMT_TODAY (YYYY-MM-DD) for demos
of a past date and for tests. The app and every command ask here."""

from __future__ import annotations

import os
from datetime import date

from salesmgmt.errors import SalesmgmtError

#: Set SALESMGMT_TODAY=YYYY-MM-DD to pin "today".
ENV_TODAY = "SALESMGMT_TODAY"


def today() -> date:
    pinned = os.environ.get(ENV_TODAY)
    if not pinned:
        return date.today()
    try:
        return date.fromisoformat(pinned.strip())
    except ValueError:
        raise SalesmgmtError("error.bad_date", value=pinned) from None
