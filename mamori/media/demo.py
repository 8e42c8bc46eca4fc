"""The demo city's recording media (FUK-23, YAN-20), for packs that declare the ledger: media of
every asset type in storage, a backup of the important one, one disposed before a witness, one out
and back, and one out past its due day (a planted overdue return, which the findings show)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.core import time
from mamori.registers.services import register_add

from .models import DisposalMethod
from .pack import section
from .register import spec
from .services import medium_checkout, medium_copy, medium_dispose, medium_return


def populate(city: Any, *, on: dt.date) -> str:
    found = section(city.pack)
    if found is None:
        return ""
    unit = city.units["231"]
    clerk, witness = city.staff["231"][0], city.heads["231"]
    start = on - dt.timedelta(days=60)
    place = found.storage_places[0].code
    media = []
    with time.as_of(min(time.at(start, 10), time.now())):
        for n, kind in enumerate(found.asset_types):
            data = {
                "asset_type": kind.code,
                "description": f"{kind.label}（業務データ {n + 1}）",
                "place": place,
                "important": n == 0,
                "unit": unit.pk,
                "valid_from": start,
            }
            media.append(register_add(spec=spec, actor=None, data=data))
        medium_copy(actor=None, pk=media[0].pk, person=clerk, on=start)
    if len(media) > 1:
        with time.as_of(min(time.at(start + dt.timedelta(days=10), 14), time.now())):
            medium_dispose(
                actor=None,
                pk=media[-1].pk,
                method=DisposalMethod.DEGAUSSING,
                person=clerk,
                witness=witness,
                on=start + dt.timedelta(days=10),
            )
    out_day = on - dt.timedelta(days=20)
    with time.as_of(min(time.at(out_day, 9), time.now())):
        medium_checkout(actor=None, pk=media[0].pk, person=clerk, purpose="バックアップの検証", due=out_day)
    with time.as_of(min(time.at(out_day, 16), time.now())):
        medium_return(actor=None, pk=media[0].pk)
    overdue = media[1] if len(media) > 2 else media[0]
    with time.as_of(min(time.at(on - dt.timedelta(days=7), 9), time.now())):
        due = on - dt.timedelta(days=3)
        medium_checkout(actor=None, pk=overdue.pk, person=clerk, purpose="委託先での処理", due=due)
    return f"{found.title}: {len(media) + 1}件（返却期限超過 1件）"
