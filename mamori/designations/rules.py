"""Findings of the designations domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q

from mamori.access.models import Entitlement, EntitlementState
from mamori.findings.engine import Observation, rule
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import Designation
from .services import system_filter


@rule("designations.entitlement_without_designation")
@implements("YAN-8", "YAN-14", "FUK-17", "MEG-13-1")
def entitlements_without_designation(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """YAN-8, YAN-14, FUK-17, MEG-13-1: an active line of the management file on a system that needs a
    designation, held by someone not designated on the day (granted before the rule, or the
    designation ended since).  One query per designation kind, however many lines there are."""
    for spec in pack.parameters.designations:
        designated = Designation.objects.on(on).filter(
            pack=pack.pack, kind=spec.kind, person=OuterRef("person")
        )
        if spec.per_system:
            designated = designated.filter(system=OuterRef("system"))
        lines = (
            Entitlement.objects.filter(state=EntitlementState.ACTIVE)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .filter(system_filter(spec, prefix="system__"))
            .exclude(Exists(designated))
            .select_related("person", "system", "privilege")
        )
        for line in lines.iterator(chunk_size=2000):
            yield Observation(
                key=f"{spec.kind}:{line.pk}",
                requirement=(spec.requirements or [""])[0],
                article=pack.cite(spec.article),
                title=f"{line.person.name}さんは{spec.label}に指定されていないのに"
                f"{line.system.name}の「{line.privilege.name}」の権限を持っています",
                object_type="access.Entitlement",
                object_id=str(line.pk),
                person=line.person,
            )
