"""The context every screen shares: the municipality, the pack (規程), today in 和暦 and the user's person.

It must render even before ``mamori demo`` or ``mamori setup`` has run (no installation row, or a
pack file that is missing or broken): the log-in page and the error pages use it too."""

from __future__ import annotations

from django.db import DatabaseError

from mamori.core import time
from mamori.regulations.active import NoActivePack, active_installation
from mamori.regulations.loader import PackError, get_pack


def installation(request) -> dict:
    today = time.today()
    info = {
        "municipality": "",
        "pack_name": "",
        "pack_title": "",
        "pack_municipality": "",
        "pack_number": "",
        "today": today,
        "today_wareki": time.wareki(today),
        "person": None,
        "ready": False,
    }
    try:
        row = active_installation()
    except (NoActivePack, DatabaseError):
        row = None
    if row is not None:
        info.update(municipality=row.municipality, pack_name=row.pack)
        try:
            pack = get_pack(row.pack)
        except (KeyError, PackError):
            pack = None
        if pack is not None:
            info.update(
                pack_title=pack.title,
                pack_municipality=pack.municipality,
                pack_number=pack.number,
                ready=True,
            )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        info["person"] = user.person
    return {"mamori": info}
