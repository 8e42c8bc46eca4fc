"""Findings of the recording-media ledger: a medium taken out and not back by its due day (FUK-23:
記録媒体を厳重に保管する), citing the article the pack names for returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.core import time
from mamori.findings.engine import Observation, rule
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import Checkout
from .pack import section


@rule("media.return_overdue")
@implements("FUK-23", "YAN-20")
def returns_overdue(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A medium still out after its due day is a finding, citing the pack's article."""
    found = section(pack)
    if found is None:
        return
    overdue = Checkout.objects.filter(returned_at__isnull=True, due__lt=on).select_related(
        "medium__unit", "person"
    )
    for checkout in overdue:
        yield Observation(
            key=str(checkout.pk),
            requirement=found.requirement,
            article=pack.cite(found.return_article),
            title=f"記録媒体 {checkout.medium.label_code} が返却期限（{time.wareki(checkout.due)}）を"
            f"過ぎても返却されていません",
            detail=f"持出し: {checkout.person.name}／目的: {checkout.purpose}",
            object_type="media.Medium",
            object_id=str(checkout.medium.pk),
            person=checkout.person,
            unit=checkout.medium.unit,
        )
