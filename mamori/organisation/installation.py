"""Choosing the regulation pack this installation runs: the municipality adopts its regulation.

The pack itself is read by mamori.regulations, the lowest layer but core; the act of adopting it is a
change recorded in the hash-chained record, so it lives above mamori.records, with the organisation."""

from __future__ import annotations

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.records.actions import RecordAction
from mamori.records.services import record_append
from mamori.regulations.loader import get_pack
from mamori.regulations.models import Installation


@transaction.atomic
def installation_activate(*, municipality: str, pack: str, actor: Actor) -> Installation:
    """Set the municipality and the pack it runs.  Changing the pack of a running installation is
    recorded with the old and the new pack, since every later decision cites the new one's articles."""
    regulation = get_pack(pack)  # raises KeyError or PackError: a broken pack is never activated
    current = Installation.objects.select_for_update().filter(pk=1).first()
    before = {"municipality": current.municipality, "pack": current.pack} if current else None
    installation, _ = Installation.objects.update_or_create(
        pk=1, defaults={"municipality": municipality, "pack": regulation.pack, "activated_at": time.now()}
    )
    record_append(
        action=RecordAction.PACK_ACTIVATED,
        object_type="regulations.Installation",
        object_id="1",
        actor=actor,
        retention_class="organisation",  # kept with the organisation's records whose articles it decides
        before=before,
        after={
            "municipality": municipality,
            "pack": regulation.pack,
            "title": regulation.title,
            "number": regulation.number,
        },
    )
    return installation
