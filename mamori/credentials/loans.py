"""KIT-11: viewing user IDs (閲覧用ユーザID) lent to staff of another section.

第11条: the viewer asks the 情報セキュリティ責任者 of the section that has the terminal (the
access.viewing_id request is that 申出 and its approval the 許可, 第2項); the 情報セキュリティ責任者
lends the ID and its password and records the viewer's name, the ID and the time (第3項).  The loan is
the act at the counter, recorded when the ID changes hands, so its time is the real one; returning it
is recorded the same way.  A loan still open after the day it was lent is a finding (rules.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.findings.services import findings_recheck
from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import holding_of, primary_unit
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, entry_for, record_append_many, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack, ViewingIdRules
from mamori.workflows.models import Request, RequestState

from .models import Loan, ViewingId
from .services import CredentialError

LOAN_FIELDS = (
    "id",
    "viewing_id_id",
    "viewer_id",
    "viewer_name",
    "viewer_unit",
    "purpose",
    "request_id",
    "lent_at",
    "lent_as",
    "returned_at",
)
VIEWING_ID_FIELDS = ("id", "code", "unit_id", "terminal", "active")


def viewing_id_rules(pack: Pack) -> ViewingIdRules:
    rules = pack.parameters.viewing_ids
    if rules is None:
        raise CredentialError(f"{pack.municipality}の規程には閲覧用ユーザIDの貸与の定めがありません")
    return rules


def lender_capacity(*, actor: Actor, unit: Unit, pack: Pack, on: dt.date) -> str:
    """KIT-11-2: the 情報セキュリティ責任者 of the section that has the terminal lends the ID."""
    rules = viewing_id_rules(pack)
    person = getattr(actor, "person", None)
    if person is not None:
        for code in rules.lent_by:
            holding = holding_of(person, code, on=on, pack=pack, unit=unit)
            if holding is not None:
                return holding.capacity
    names = "・".join(pack.role(code).name for code in rules.lent_by)
    raise CredentialError(
        f"閲覧用ユーザIDは{unit.name}の{names}が貸与します", article=pack.cite(rules.article)
    )


def _entry(
    instance: Any,
    fields: tuple[str, ...],
    action: RecordAction,
    *,
    actor: Actor,
    capacity: str,
    pack: Pack,
    before: dict | None = None,
) -> Entry:
    rules = viewing_id_rules(pack)
    return entry_for(
        instance,
        action,
        fields=fields,
        actor=actor,
        capacity=capacity,
        before=before,
        article=rules.article,
        requirement=(rules.requirements or [""])[0],
        retention_class="access",
    )


@implements("KIT-11")
@transaction.atomic
def viewing_id_register(
    *, code: str, unit: Unit, actor: Actor, terminal: str = "", on: dt.date | None = None
) -> ViewingId:
    """Put a viewing ID in the section's register (by its 情報セキュリティ責任者)."""
    pack = active_pack()
    today = on or time.today()
    capacity = lender_capacity(actor=actor, unit=unit, pack=pack, on=today)
    code = code.strip()
    if not code:
        raise CredentialError("閲覧用ユーザIDを入力してください", field="code")
    if ViewingId.objects.filter(code=code).exists():
        raise CredentialError(f"閲覧用ユーザID {code} は既に登録されています", field="code")
    viewing = ViewingId.objects.create(
        code=code, unit=unit, terminal=terminal.strip(), registered_at=time.now(), registered_by=actor
    )
    record_append_many(
        entries=[
            _entry(
                viewing,
                VIEWING_ID_FIELDS,
                RecordAction.VIEWING_ID_REGISTERED,
                actor=actor,
                capacity=capacity,
                pack=pack,
            )
        ]
    )
    return viewing


@implements("KIT-11")
@transaction.atomic
def loan_lend(
    *,
    viewing_id: ViewingId,
    viewer: Person,
    actor: Actor,
    purpose: str = "",
    request: Request | None = None,
    lent_at: dt.datetime | None = None,
    on: dt.date | None = None,
) -> Loan:
    """Lend ``viewing_id`` to ``viewer``, recording the viewer's name, the ID and the time: now, or
    ``lent_at`` when a loan made at the counter is entered afterwards (never a time to come)."""
    pack = active_pack()
    today = on or time.today()
    rules = viewing_id_rules(pack)
    viewing = ViewingId.objects.select_for_update(of=("self",)).select_related("unit").get(pk=viewing_id.pk)
    capacity = lender_capacity(actor=actor, unit=viewing.unit, pack=pack, on=today)
    if not viewing.active:
        raise CredentialError(f"閲覧用ユーザID {viewing.code} は使用を止めています", field="viewing_id")
    if not viewer.is_in_term_on(today):
        raise CredentialError(f"{viewer.name}さんは{time.wareki(today)}に任用期間外です", field="viewer")
    home = primary_unit(viewer, on=today)
    # 第11条第1項: the viewer is someone from outside the section that has the terminal.
    if Assignment.objects.on(today).filter(person=viewer, unit=viewing.unit).exists():
        raise CredentialError(
            f"{viewer.name}さんは{viewing.unit.name}の職員です。閲覧用ユーザIDは課以外の者に貸与します",
            field="viewer",
            article=pack.cite(rules.article.split("-")[0] + "-1"),
        )
    if request is not None:
        if (
            request.kind != "access.viewing_id"
            or request.state != RequestState.APPROVED
            or request.requester_id != viewer.pk
            or request.payload.get("unit") != viewing.unit.code
        ):
            raise CredentialError(
                f"申請 #{request.pk} は{viewer.name}さんの{viewing.unit.name}への許可済みの閲覧の申出ではありません",
                field="request",
                article=pack.cite(rules.article),
            )
        purpose = purpose or request.payload.get("purpose", "")
    moment = time.now()
    if lent_at is not None and lent_at > moment:
        raise CredentialError("貸与日時に未来の時刻は入力できません", field="lent_at")
    open_loan = Loan.objects.filter(viewing_id=viewing, returned_at__isnull=True).first()
    if open_loan is not None:
        raise CredentialError(
            f"閲覧用ユーザID {viewing.code} は{open_loan.viewer_name}さんに貸与中です"
            f"（{time.local(open_loan.lent_at):%m月%d日 %H:%M}から）",
            field="viewing_id",
        )
    try:
        with transaction.atomic():
            loan = Loan.objects.create(
                viewing_id=viewing,
                viewer=viewer,
                viewer_name=viewer.name,
                viewer_unit=home.name if home else "",
                purpose=purpose.strip(),
                request=request,
                lent_at=lent_at or moment,
                lent_by=actor,
                lent_as=capacity,
            )
    except IntegrityError:
        raise CredentialError(f"閲覧用ユーザID {viewing.code} は貸与中です", field="viewing_id") from None
    record_append_many(
        entries=[_entry(loan, LOAN_FIELDS, RecordAction.LOAN_LENT, actor=actor, capacity=capacity, pack=pack)]
    )
    return loan


@implements("KIT-11")
@transaction.atomic
def loan_return(*, loan: Loan, actor: Actor, on: dt.date | None = None) -> Loan:
    """Record that the viewer gave the ID back, received by the 情報セキュリティ責任者 or a member of
    the section (who takes it back on the 責任者's behalf; the record says which)."""
    pack = active_pack()
    today = on or time.today()
    locked = Loan.objects.select_for_update(of=("self",)).select_related("viewing_id__unit").get(pk=loan.pk)
    if locked.returned_at is not None:
        raise CredentialError(
            f"閲覧用ユーザID {locked.viewing_id.code} は{time.local(locked.returned_at):%m月%d日 %H:%M}に返却済みです"
        )
    unit = locked.viewing_id.unit
    try:
        capacity = lender_capacity(actor=actor, unit=unit, pack=pack, on=today)
    except CredentialError:
        person = getattr(actor, "person", None)
        if person is None or not Assignment.objects.on(today).filter(person=person, unit=unit).exists():
            raise
        capacity = f"{unit.name}職員（返却の受領）"
    before = snapshot(locked, LOAN_FIELDS)
    locked.returned_at, locked.returned_to = time.now(), actor
    locked.save(update_fields=["returned_at", "returned_to"])
    record_append_many(
        entries=[
            _entry(
                locked,
                LOAN_FIELDS,
                RecordAction.LOAN_RETURNED,
                actor=actor,
                capacity=capacity,
                pack=pack,
                before=before,
            )
        ]
    )
    findings_recheck(
        rule="credentials.viewing_id_not_returned",
        object_type="credentials.Loan",
        object_id=locked.pk,
        actor=actor,
        on=today,
    )
    return locked


def end_of_lending_day(loan: Loan) -> dt.datetime:
    """The loan is due back by 23:59 JST of the day it was lent (the next day's midnight)."""
    day = time.local(loan.lent_at).date()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO)
