"""Each domain adds its part of the demo municipality through the step its AppConfig declares
(``Domain.demo``, e.g. ``mamori/access/demo.py:populate``, a function ``populate(city, *, on) -> str``
returning a short summary line).  The demo command calls them in ``Domain.demo_order``, after the
organisation, accounts and the foundation's requests exist (issue 9 item 4: no list kept here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.core.plugins import domains, resolve


def populate_domains(city: Any, *, on: dt.date) -> list[str]:
    summaries = []
    for domain in sorted((d for d in domains() if d.demo), key=lambda d: d.demo_order):
        summary = resolve(domain.demo)(city, on=on)
        if summary:
            summaries.append(summary)
    return summaries
