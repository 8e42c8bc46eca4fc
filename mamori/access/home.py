"""What the management file puts on a person's home page (issue 9 item 4: the domain declares it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse

from mamori.regulations.active import active_pack
from mamori.systems.selectors import administered_systems

from .models import Entitlement, EntitlementState, ProposalState, RevocationProposal


def waiting(user: Any, *, on: dt.date) -> list[dict[str, Any]]:
    """Registrations and revocation proposals of the systems this person administers (KIT-5-5, KIT-6):
    a count only, linking to the inbox.  Administrators see every system's."""
    person = getattr(user, "person", None)
    superuser = user.is_superuser
    mine = administered_systems(person, pack=active_pack(), on=on) if person else []
    if not (mine or superuser):
        return []
    pending = Entitlement.objects.filter(
        Q() if superuser else Q(system__in=mine), state=EntitlementState.PENDING
    ).count()
    proposals = RevocationProposal.objects.filter(
        Q() if superuser else Q(entitlement__system__in=mine), state=ProposalState.OPEN
    ).count()
    if not (pending or proposals):
        return []
    return [
        {
            "label": "管理ファイルへの登録・解除の提案",
            "count": pending + proposals,
            "url": reverse("access_inbox"),
        }
    ]
