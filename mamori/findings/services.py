from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append, record_append_many, snapshot
from mamori.regulations.active import active_pack

from .engine import all_rules
from .models import FINDING_TRANSITIONS, Finding, FindingState

FIELDS = ("id", "rule", "key", "requirement", "article", "state", "title", "reason")


# What an administrator's decision on a finding is recorded as (the finding's new state).
_CLOSED_AS: dict[str, RecordAction] = {
    FindingState.OPEN: RecordAction.FINDING_REOPENED_BY_ADMINISTRATOR,
    FindingState.RESOLVED: RecordAction.FINDING_RESOLVED,
    FindingState.ACCEPTED: RecordAction.FINDING_ACCEPTED,
}


class FindingError(Exception):
    def __init__(self, message: str):
        self.message = message
        self.article = ""
        super().__init__(message)


@dataclass
class RunResult:
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    still_open: int = 0


def _entry(finding: Finding, action: RecordAction, *, actor: Actor, before: dict | None = None) -> Entry:
    return Entry(
        action=action,
        object_type="findings.Finding",
        object_id=str(finding.pk),
        actor=actor,
        before=before,
        after=snapshot(finding, FIELDS),
        article=finding.article,
        requirement=finding.requirement,
        retention_class="findings",
    )


@transaction.atomic
def findings_run(
    *, on: dt.date | None = None, actor: Actor = None, only: list[str] | None = None
) -> RunResult:
    """Run every rule of the active pack; open, reopen and resolve findings accordingly."""
    pack = active_pack()
    today = on or time.today()
    result = RunResult()
    moment = time.now()
    entries: list[Entry] = []
    for code, function in all_rules().items():
        if only and code not in only:
            continue
        observations = {o.key: o for o in function(pack, today)}
        existing = {f.key: f for f in Finding.objects.select_for_update().filter(pack=pack.pack, rule=code)}
        for key, observation in observations.items():
            finding = existing.get(key)
            if finding is None:
                finding = Finding.objects.create(
                    rule=code,
                    key=key,
                    requirement=observation.requirement,
                    article=observation.article,
                    pack=pack.pack,
                    title=observation.title,
                    detail=observation.detail,
                    object_type=observation.object_type,
                    object_id=observation.object_id,
                    person=observation.person,
                    unit=observation.unit,
                    detected_at=moment,
                )
                result.opened += 1
                entries.append(_entry(finding, RecordAction.FINDING_OPENED, actor=actor))
            elif finding.state == FindingState.RESOLVED:
                before = snapshot(finding, FIELDS)
                finding.state, finding.closed_at, finding.closed_by, finding.detected_at = (
                    FindingState.OPEN,
                    None,
                    None,
                    moment,
                )
                finding.save(update_fields=["state", "closed_at", "closed_by", "detected_at"])
                result.reopened += 1
                entries.append(_entry(finding, RecordAction.FINDING_REOPENED, actor=actor, before=before))
            else:
                result.still_open += finding.state == FindingState.OPEN
        for key, finding in existing.items():
            if key not in observations and finding.state == FindingState.OPEN:
                before = snapshot(finding, FIELDS)
                finding.state, finding.closed_at, finding.reason = (
                    FindingState.RESOLVED,
                    moment,
                    "規則の再評価で解消を確認",
                )
                finding.save(update_fields=["state", "closed_at", "reason"])
                result.resolved += 1
                entries.append(_entry(finding, RecordAction.FINDING_RESOLVED, actor=actor, before=before))
    record_append_many(entries=entries)
    return result


@transaction.atomic
def finding_close(*, finding: Finding, actor: Actor, state: str, reason: str) -> Finding:
    """Resolve a finding, or accept it with a reason (受容には理由が必要).

    Closing is the administrators' (情報政策課) decision: the person or unit a finding is about may
    read it, but does not judge it."""
    if not getattr(actor, "is_superuser", False):
        raise FindingError("指摘の是正・受容を記録できるのは管理者（情報政策課）だけです")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if state not in FINDING_TRANSITIONS[finding.state]:
        raise FindingError(
            f"「{finding.get_state_display()}」から「{FindingState(state).label}」にはできません"
        )
    if state == FindingState.ACCEPTED and not reason.strip():
        raise FindingError("受容する理由を入力してください")
    before = snapshot(finding, FIELDS)
    finding.state, finding.reason = state, reason.strip()
    finding.closed_at, finding.closed_by = (time.now(), actor) if state != FindingState.OPEN else (None, None)
    finding.save(update_fields=["state", "reason", "closed_at", "closed_by"])
    record_append(
        action=_CLOSED_AS[state],
        object_type="findings.Finding",
        object_id=str(finding.pk),
        actor=actor,
        before=before,
        after=snapshot(finding, FIELDS),
        article=finding.article,
        requirement=finding.requirement,
        retention_class="findings",
    )
    return finding


@transaction.atomic
def findings_recheck(
    *, rule: str, object_type: str, object_id: Any, actor: Actor = None, on: dt.date | None = None
) -> int:
    """Re-evaluate one rule for one subject right after a service mended it, and resolve the subject's
    open findings of that rule that the rule no longer observes (the daily run would, a day late).

    Called by the domain service that changes the condition, inside its transaction, so the finding's
    resolution and its record commit with the change.  It only resolves: a recheck never opens a
    finding.  Returns how many findings it resolved."""
    pack = active_pack()
    candidates = list(
        Finding.objects.select_for_update().filter(
            pack=pack.pack,
            rule=rule,
            object_type=object_type,
            object_id=str(object_id),
            state=FindingState.OPEN,
        )
    )
    function = all_rules().get(rule)
    if not candidates or function is None:
        return 0
    observed = {o.key for o in function(pack, on or time.today())}
    moment = time.now()
    entries: list[Entry] = []
    for finding in candidates:
        if finding.key in observed:
            continue
        before = snapshot(finding, FIELDS)
        # Like the daily run: the record names who mended it; closed_by stays for a human decision.
        finding.state, finding.closed_at, finding.reason = (
            FindingState.RESOLVED,
            moment,
            "是正の操作で解消を確認",
        )
        finding.save(update_fields=["state", "closed_at", "reason"])
        entries.append(_entry(finding, RecordAction.FINDING_RESOLVED, actor=actor, before=before))
    record_append_many(entries=entries)
    return len(entries)
