"""KIT-5-5: privileges that must go when their holder transfers or retires (異動や退職等により属する
組織が変更される場合), worked out from the staff-import diff.

The 4月1日 transfer preview lists every line that must go (``preview_lines``, shown by the staff
import through its plan hook); applying the import opens a :class:`RevocationProposal` for each;
the administrator applies them (the lines are revoked through the services) or dismisses one with
a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.organisation.models import Person
from mamori.organisation.plans import ChangeKind, ImportPlan
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.active import NoActivePack, active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.systems.selectors import administering

from .models import (
    OPEN_STATES,
    PROPOSAL_TRANSITIONS,
    Entitlement,
    EntitlementState,
    ProposalState,
    RevocationProposal,
)
from .services import EntitlementError, _end_lines, _notify_officers

PROPOSAL_FIELDS = ("id", "entitlement_id", "person_id", "cause", "effective", "detail", "state", "note")


@dataclass(frozen=True)
class Proposed:
    person: Person
    entitlement: Entitlement
    cause: str
    effective: dt.date
    detail: str


def proposed_revocations(plan: ImportPlan) -> list[Proposed]:
    """Every open line of every person the plan moves to another unit or marks as retired."""
    if plan.target != "staff" or plan.effective is None:
        return []
    causes: dict[str, tuple[str, str]] = {}
    for change in plan.moves():
        old_unit = getattr(change.old, "unit_code", None)
        new_unit = getattr(change.new, "unit_code", None)
        if old_unit != new_unit:  # a new title in the same unit keeps the organisation's privileges
            causes[change.staff_number] = (
                RevocationProposal.Cause.TRANSFER,
                f"異動 {change.old} → {change.new}",
            )
    for change in plan.changes:
        if change.kind == ChangeKind.PERSON_CHANGED and change.field == "退職日" and change.new:
            causes[change.staff_number] = (RevocationProposal.Cause.RETIREMENT, f"退職 {change.new}")
    if not causes:
        return []
    lines = (
        Entitlement.objects.filter(person__staff_number__in=causes, state__in=OPEN_STATES)
        .select_related("person", "system", "privilege")
        .order_by("person__staff_number", "system__code", "privilege__code")
    )
    proposed = []
    for line in lines:
        cause, detail = causes[line.person.staff_number]
        proposed.append(Proposed(line.person, line, cause, plan.effective, detail))
    return proposed


def preview_lines(*, plan: ImportPlan, apply: bool = False, actor: Actor = None) -> list[str]:
    """The staff import's hook: in the preview, one line per privilege that must go; on apply, the
    proposals are opened in the import's transaction."""
    try:
        pack = active_pack()
    except (NoActivePack, KeyError):  # a staff import before any pack is active: nothing to propose
        return []
    rule = pack.parameters.access.direct_assignment
    if rule is None or not rule.revoke_on_transfer:
        return []
    proposed = proposed_revocations(plan)
    if not proposed:
        return []
    if apply:
        opened = revocation_proposals_open(proposed=proposed, actor=actor, pack=pack)
        return [f"権限解除の提案 {len(opened)} 件を作成しました（{pack.cite(rule.article)}）"]
    return [
        f"権限解除（{pack.cite(rule.article)}）: {p.person.staff_number} {p.person.name} "
        f"{p.entitlement.system.name} {p.entitlement.privilege.name}（ユーザID {p.entitlement.user_id}）— {p.detail}"
        for p in proposed
    ]


@implements("KIT-5-5")
@transaction.atomic
def revocation_proposals_open(
    *, proposed: list[Proposed], actor: Actor, pack: Pack
) -> list[RevocationProposal]:
    """Open one proposal per line (a line already proposed for the same day is not proposed again)."""
    rule = pack.parameters.access.direct_assignment
    already = set(
        RevocationProposal.objects.filter(
            entitlement_id__in=[p.entitlement.pk for p in proposed],
            effective__in={p.effective for p in proposed},
        ).values_list("entitlement_id", "effective")
    )
    moment = time.now()
    created = RevocationProposal.objects.bulk_create(
        [
            RevocationProposal(
                entitlement=p.entitlement,
                person=p.person,
                cause=p.cause,
                effective=p.effective,
                detail=p.detail[:300],
                created_at=moment,
            )
            for p in proposed
            if (p.entitlement.pk, p.effective) not in already
        ]
    )
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.PROPOSAL_OPENED,
                object_type="access.RevocationProposal",
                object_id=str(proposal.pk),
                actor=actor,
                after=snapshot(proposal, PROPOSAL_FIELDS),
                article=rule.article if rule else "",
                requirement=(rule.requirement or "") if rule else "",
                retention_class="access",
            )
            for proposal in created
        ]
    )
    return created


def _decide(proposal: RevocationProposal, to: str) -> RevocationProposal:
    locked = (
        RevocationProposal.objects.select_for_update()
        .select_related("entitlement__system", "person")
        .get(pk=proposal.pk)
    )
    if to not in PROPOSAL_TRANSITIONS[locked.state]:
        raise EntitlementError(f"この提案は{locked.get_state_display()}です")
    return locked


@implements("KIT-5-5")
@transaction.atomic
def revocation_proposal_apply(
    *, proposal: RevocationProposal, actor: Actor, pack: Pack, on: dt.date | None = None
) -> RevocationProposal:
    """The administrator applies a proposal: the line is revoked (recorded with the article) and the
    情報セキュリティ責任者 is told."""
    today = on or time.today()
    rule = pack.parameters.access.direct_assignment
    article, requirement = (rule.article, rule.requirement or "") if rule else ("", "")
    locked = _decide(proposal, ProposalState.APPLIED)
    line = (
        Entitlement.objects.select_for_update()
        .select_related("system", "privilege")
        .get(pk=locked.entitlement_id)
    )
    holding = administering(getattr(actor, "person", None), line.system, pack=pack, on=today)
    if holding is None:
        raise EntitlementError(
            f"{line.system.name}の管理者だけが解除できます", article=pack.cite(article) if article else ""
        )
    before = snapshot(locked, PROPOSAL_FIELDS)
    entries: list[Entry] = []
    if line.state in OPEN_STATES:
        _, entries = _end_lines(
            [line],
            state=EntitlementState.REVOKED,
            actor=actor,
            reason=f"{locked.get_cause_display()}による解除（{locked.effective}付）",
            capacity=holding.capacity,
            article=article,
            requirement=requirement,
        )
    locked.state, locked.decided_by, locked.decided_at = ProposalState.APPLIED, actor, time.now()
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    entries.append(
        Entry(
            action=RecordAction.PROPOSAL_APPLIED,
            object_type="access.RevocationProposal",
            object_id=str(locked.pk),
            actor=actor,
            capacity=holding.capacity,
            before=before,
            after=snapshot(locked, PROPOSAL_FIELDS),
            article=article,
            requirement=requirement,
            retention_class="access",
        )
    )
    record_append_many(entries=entries)
    _notify_officers(
        pack=pack,
        person=locked.person,
        on=today,
        subject=f"【mamori】{line.system.name}の操作権限を解除しました（{locked.person.name}）",
        body=f"{locked.detail}のため、{line.privilege.name}（ユーザID {line.user_id}）を解除しました。",
        article=article,
    )
    return locked


@transaction.atomic
def revocation_proposal_dismiss(
    *, proposal: RevocationProposal, actor: Actor, reason: str, pack: Pack, on: dt.date | None = None
) -> RevocationProposal:
    """Keep the line after all (e.g. the new unit needs the same system), with the reason recorded."""
    today = on or time.today()
    rule = pack.parameters.access.direct_assignment
    locked = _decide(proposal, ProposalState.DISMISSED)
    if administering(getattr(actor, "person", None), locked.entitlement.system, pack=pack, on=today) is None:
        raise EntitlementError(f"{locked.entitlement.system.name}の管理者だけが処理できます")
    if not reason.strip():
        raise EntitlementError("見送りの理由を記入してください", field="reason")
    before = snapshot(locked, PROPOSAL_FIELDS)
    locked.state, locked.decided_by, locked.decided_at, locked.note = (
        ProposalState.DISMISSED,
        actor,
        time.now(),
        reason[:300],
    )
    locked.save(update_fields=["state", "decided_by", "decided_at", "note"])
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.PROPOSAL_DISMISSED,
                object_type="access.RevocationProposal",
                object_id=str(locked.pk),
                actor=actor,
                before=before,
                after=snapshot(locked, PROPOSAL_FIELDS),
                article=rule.article if rule else "",
                requirement=(rule.requirement or "") if rule else "",
                retention_class="access",
            )
        ]
    )
    return locked
