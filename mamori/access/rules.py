"""Rules over the management file (findings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.apps import apps
from django.db.models import Count, Max

from mamori.core import time
from mamori.findings.engine import Observation, rule
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import OPEN_STATES, Entitlement, EntitlementState, ProposalState, RevocationProposal


def _event_model():
    """The operation events (mamori.events.Event), or None while that app has no model yet."""
    try:
        return apps.get_model("events", "Event")
    except LookupError:
        return None


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO)


@rule("access.expired_entitlement_used")
@implements("KIT-7")
def expired_entitlements_still_used(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """KIT-7: a line that expired with its term (or was revoked or deleted) whose user ID is still
    reported in the system's operation events after it ended."""
    cited = pack.parameters.access.term_expiry
    Event = _event_model()
    if cited is None or Event is None:
        return
    ended = list(
        Entitlement.objects.filter(
            state__in=[EntitlementState.EXPIRED, EntitlementState.REVOKED, EntitlementState.DELETED]
        )
        .exclude(user_id="")
        .select_related("person", "system", "privilege")
    )
    if not ended:
        return
    # The user ID may hold another open line of the same system: then its use is not a finding.
    still_open = set(
        Entitlement.objects.filter(state__in=OPEN_STATES, user_id__in={e.user_id for e in ended}).values_list(
            "system__code", "user_id"
        )
    )
    cutoffs: dict[tuple[str, str], tuple[dt.datetime, Entitlement]] = {}
    for line in ended:
        key = (line.system.code, line.user_id)
        if key in still_open:
            continue
        cutoff = _end_of(line.valid_to) if line.valid_to else line.ended_at
        if cutoff is None:
            continue
        cutoff = min(cutoff, line.ended_at) if line.ended_at else cutoff
        if key not in cutoffs or cutoff > cutoffs[key][0]:
            cutoffs[key] = (cutoff, line)
    if not cutoffs:
        return
    earliest = min(c for c, _ in cutoffs.values())
    usage = (
        Event.objects.filter(
            at__gte=earliest,
            system__in={s for s, _ in cutoffs},
            account__in={a for _, a in cutoffs},
        )
        .values("system", "account")
        .annotate(last=Max("at"), uses=Count("id"))
    )
    for row in usage:
        key = (row["system"], row["account"])
        if key not in cutoffs:
            continue
        cutoff, line = cutoffs[key]
        if row["last"] < cutoff:
            continue
        uses = Event.objects.filter(system=key[0], account=key[1], at__gte=cutoff).count()
        yield Observation(
            key=f"{key[0]}:{key[1]}",
            requirement=cited.requirement or "",
            article=pack.cite(cited.article),
            title=(
                f"{line.system.name}のユーザID {line.user_id}（{line.person.name}）は"
                f"{line.get_state_display()}後も使用されています"
            ),
            detail=f"終了: {time.local(cutoff):%Y-%m-%d %H:%M} 以後の操作 {uses} 件、最終 {time.local(row['last']):%Y-%m-%d %H:%M}",
            object_type="access.Entitlement",
            object_id=str(line.pk),
            person=line.person,
        )


@rule("access.entitlement_past_validity")
@implements("KIT-7")
def lines_open_past_their_validity(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """KIT-7: a line still open after its validity ended (the daily expiry has not run)."""
    cited = pack.parameters.access.term_expiry
    if cited is None:
        return
    for line in Entitlement.objects.filter(state__in=OPEN_STATES, valid_to__lt=on).select_related(
        "person", "system", "privilege"
    ):
        yield Observation(
            key=str(line.pk),
            requirement=cited.requirement or "",
            article=pack.cite(cited.article),
            title=(
                f"{line.person.name}の{line.system.name}「{line.privilege.name}」の権限は"
                f"{time.wareki(line.valid_to)}に満了していますが有効のままです"
            ),
            object_type="access.Entitlement",
            object_id=str(line.pk),
            person=line.person,
        )


@rule("access.revocation_proposal_open")
@implements("KIT-5-5")
def proposals_left_open(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """KIT-5-5: a privilege of someone who transferred or retired, proposed for revocation and
    still not revoked on or after the day of the transfer."""
    cited = pack.parameters.access.direct_assignment
    if cited is None:
        return
    for proposal in RevocationProposal.objects.filter(
        state=ProposalState.OPEN, effective__lte=on
    ).select_related("person", "entitlement__system"):
        yield Observation(
            key=str(proposal.pk),
            requirement=cited.requirement or "",
            article=pack.cite(cited.article),
            title=(
                f"{proposal.person.name}（{proposal.get_cause_display()}）の{proposal.entitlement.system.name}"
                f"の権限が解除されていません"
            ),
            detail=proposal.detail,
            object_type="access.RevocationProposal",
            object_id=str(proposal.pk),
            person=proposal.person,
        )
