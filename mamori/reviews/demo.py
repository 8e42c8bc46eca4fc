"""Demo review campaigns: one overdue (launched 40 days ago, deadline passed, about half decided),
which the findings run turns into KIT-5-10 findings, and one in progress (KIT-5-10, KIT-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from mamori.access.models import Entitlement, EntitlementState
from mamori.access.services import ENTITLEMENT_FIELDS
from mamori.accounts.models import User
from mamori.core import time
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.systems.models import Privilege, System

from .models import Campaign, LineState
from .services import ReviewError, campaign_launch, campaign_line_decide, campaign_lines_confirm

MINIMUM_LINES = 6


def _ensure_entitlements(city: Any, unit_codes: tuple[str, ...], *, on: dt.date) -> None:
    """The access demo registers the management file; where it has registered little for these
    units, register a few lines so that the campaigns have something to review."""
    # Only people in term: a line for someone whose term has ended would be a KIT-7 finding of its own.
    people = [
        p for code in unit_codes for p in city.staff.get(code, []) if p.term_end is None or p.term_end >= on
    ]
    present = Entitlement.objects.filter(person__in=people, state=EntitlementState.ACTIVE).count()
    if present >= MINIMUM_LINES or not people:
        return
    admin = city.accounts["admin"][0]
    systems = list(System.objects.order_by("code")[:2])
    privileges = {s.pk: list(Privilege.objects.filter(system=s).order_by("code")[:2]) for s in systems}
    new = [
        Entitlement(
            person=person,
            system=system,
            privilege=privilege,
            user_id=f"u{person.staff_number}",
            valid_from=on - dt.timedelta(days=200),
            valid_to=person.term_end,
            registered_at=time.now(),
            registered_by=admin,
        )
        for index, person in enumerate(people)
        for system in systems[: 1 + index % 2]
        for privilege in privileges[system.pk][: 1 + index % 2]
    ]
    created = Entitlement.objects.bulk_create(new)
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.ENTITLEMENT_REGISTERED,
                object_type="access.Entitlement",
                object_id=str(e.pk),
                actor=admin,
                capacity="デモデータ",
                after=snapshot(e, ENTITLEMENT_FIELDS),
                retention_class="access",
            )
            for e in created
        ]
    )


def _decide_half(campaign: Campaign, *, on: dt.date) -> int:
    """The reviewers decide about half of the lines: one revoked, one corrected, the rest confirmed."""
    lines = list(campaign.lines.select_related("reviewer").order_by("pk"))
    users = {
        u.person_id: u
        for u in User.objects.filter(person_id__in={x.reviewer_id for x in lines if x.reviewer_id})
    }
    decided, to_confirm = 0, []
    for index, line in enumerate(lines[: len(lines) // 2]):
        user = users.get(line.reviewer_id)
        if user is None:
            continue
        if index == 0:
            campaign_line_decide(line=line, actor=user, decision="revoke", reason="異動により不要", on=on)
        elif index == 1:
            campaign_line_decide(
                line=line,
                actor=user,
                decision="correct",
                reason="任用期間の反映",
                changes={"valid_to": (on + dt.timedelta(days=120)).isoformat()},
                on=on,
            )
        else:
            to_confirm.append((user, line.pk))
            continue
        decided += 1
    by_user: dict[Any, list[int]] = {}
    for user, pk in to_confirm:
        by_user.setdefault(user, []).append(pk)
    for user, ids in by_user.items():
        decided += campaign_lines_confirm(campaign=campaign, actor=user, line_ids=ids, on=on).confirmed
    return decided


@transaction.atomic
def populate(city: Any, *, on: dt.date) -> str:
    if city.pack.parameters.review is None:
        return ""
    _ensure_entitlements(city, ("310", "320", "330", "410", "420"), on=on)
    admin = city.accounts["admin"][0]
    made = []
    try:
        overdue = campaign_launch(
            actor=admin,
            on=on - dt.timedelta(days=40),
            title="上半期 管理ファイルの定期確認（市民部）",
            unit=city.units["300"],
            deadline=on - dt.timedelta(days=10),
            pack=city.pack,
        )
        decided = _decide_half(overdue, on=on - dt.timedelta(days=20))
        made.append(f"期限超過 {decided}/{overdue.lines.count()}行判断済み")
    except ReviewError:
        pass
    try:
        current = campaign_launch(
            actor=admin,
            on=on - dt.timedelta(days=3),
            title="管理ファイルの定期確認（福祉部）",
            unit=city.units["400"],
            deadline=on + dt.timedelta(days=27),
            pack=city.pack,
        )
        # One line already confirmed, so the progress shows; the rest wait in 「自分が確認する行」.
        first = current.lines.filter(state=LineState.PENDING, reviewer__isnull=False).order_by("pk").first()
        reviewer = User.objects.filter(person_id=first.reviewer_id).first() if first else None
        if reviewer is not None:
            campaign_line_decide(line=first, actor=reviewer, decision="confirm", on=on)
        made.append(f"実施中 {current.lines.count()}行")
    except ReviewError:
        pass
    return f"定期確認: {'、'.join(made)}" if made else ""
