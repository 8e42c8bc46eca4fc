"""Each domain adds its part of the demo municipality in ``mamori/<domain>/demo.py``, a module with
``populate(city, *, on) -> str`` (a short summary line).  The demo command calls them in this order,
after the organisation, accounts and the foundation's requests exist."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from importlib.util import find_spec
from typing import Any

DOMAINS = ("access", "designations", "credentials", "reviews", "terminals", "events")


def populate_domains(city: Any, *, on: dt.date) -> list[str]:
    summaries = []
    for domain in DOMAINS:
        name = f"mamori.{domain}.demo"
        if find_spec(name) is None:
            continue
        summary = import_module(name).populate(city, on=on)
        if summary:
            summaries.append(summary)
    return summaries
