"""The pack this installation runs."""

from __future__ import annotations

from .loader import get_pack
from .models import Installation
from .schema import Pack


class NoActivePack(RuntimeError):
    pass


def active_installation() -> Installation:
    installation = Installation.objects.filter(pk=1).first()
    if installation is None:
        raise NoActivePack(
            "no regulation pack is active: run 'mamori demo' or 'mamori setup --pack NAME --municipality NAME'"
        )
    return installation


def active_pack() -> Pack:
    return get_pack(active_installation().pack)
