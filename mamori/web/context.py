"""The context every screen shares: the municipality, the pack (規程), today in 和暦 and the user's person.

It must render even before ``mamori demo`` or ``mamori setup`` has run (no installation row, or a
pack file that is missing or broken): the log-in page and the error pages use it too."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.urls import reverse

from mamori.core import time
from mamori.core.plugins import domains
from mamori.regulations.active import NoActivePack, active_installation
from mamori.regulations.loader import PackError, get_pack
from mamori.regulations.schema import Pack


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
    pack = None
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
    return {"mamori": info, "menu": menu_entries(user, pack)}


def menu_entries(user: Any, pack: Pack | None) -> list[dict[str, str]]:
    """The menu, collected from every domain's ``Domain.menu`` (issue 9 item 4), in their order: an
    entry is shown only to a user the policy layer lets use it (``perm``) and only when the active
    pack has the request kind or section it serves (``needs``)."""
    if user is None or not user.is_authenticated:
        return []
    shown = []
    for domain in domains():
        for entry in domain.menu:
            if entry.perm and not user.has_perm(entry.perm):
                continue
            if entry.needs and (pack is None or not any(pack.has(need) for need in entry.needs)):
                continue
            shown.append(
                (
                    entry.order,
                    {"label": entry.label, "url": reverse(entry.url_name), "nav": entry.nav or domain.label},
                )
            )
    return [item for _, item in sorted(shown, key=lambda pair: pair[0])]
