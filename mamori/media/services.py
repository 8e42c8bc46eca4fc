"""The services of the recording-media ledger (FUK-23, YAN-20, YAN-2).

Adding a medium goes through the register layer's ``register_add`` (its form and permission) and
then :func:`medium_add`, which gives it its label code and its first history line.  Every later
change of a medium (a history line, a copy, a checkout, a return, the disposal) is one of the
services below: each locks the row, asks the policy, moves the state through the transitions map,
writes the history line and appends its hash-chained record in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor, require
from mamori.organisation.models import Person
from mamori.records.actions import RecordAction
from mamori.records.services import entry_for, record_append_many, snapshot
from mamori.registers.models import Invalid, NotFound, TransitionRefused
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements

from .models import LABEL_ALPHABET, LABEL_LENGTH, Checkout, DisposalMethod, Medium, MediumEvent, MediumState
from .pack import MediaSection, section

RETENTION_CLASS = "media"
FIELDS = [f.attname for f in Medium._meta.concrete_fields]
CHECKOUT_FIELDS = [f.attname for f in Checkout._meta.concrete_fields]


def _section() -> MediaSection:
    found = section(active_pack())
    if found is None:
        raise NotFound("この規程には記録媒体の台帳の定めがありません。")
    return found


def _person_of(actor: Actor) -> Person | None:
    return getattr(actor, "person", None) if getattr(actor, "person_id", None) else None


def new_label_code() -> str:
    """A label code that says nothing of the medium: random (not a sequence, not the content),
    from an alphabet without look-alike characters (FUK-23-3)."""
    return "".join(secrets.choice(LABEL_ALPHABET) for _ in range(LABEL_LENGTH))


def normalised_code(text: str) -> str:
    """What a scanner or a clerk typed, as stored: upper case, without spaces or hyphens."""
    return re.sub(r"[\s\-]", "", text).upper()


def _unused_label_code() -> str:
    while True:
        code = new_label_code()
        if not Medium.objects.filter(label_code=code).exists():
            return code


def _event(
    medium: Medium,
    kind: str,
    *,
    actor: Actor,
    on: dt.date,
    person: Person | None,
    note: str = "",
) -> MediumEvent:
    return MediumEvent.objects.create(
        medium=medium,
        kind=kind,
        on=on,
        person=person,
        note=note[:200],
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=time.now(),
    )


def _record(medium: Medium, action: RecordAction, *, actor: Actor, article: str, **kw: object) -> None:
    record_append_many(
        entries=[
            entry_for(
                medium,
                action,
                fields=FIELDS,
                actor=actor,
                article=article,
                requirement=medium.requirement,
                retention_class=RETENTION_CLASS,
                **kw,  # type: ignore[arg-type]
            )
        ]
    )


def _locked(pk: int) -> Medium:
    medium = Medium.objects.select_for_update().filter(pk=pk).first()
    if medium is None:
        raise NotFound(f"番号 {pk} の記録媒体はありません。", field="id")
    return medium


@implements("FUK-23", "YAN-20", "YAN-2")
@transaction.atomic
def medium_add(row: Medium, *, actor: Actor) -> Medium:
    """The register layer's add, for a medium (``spec.adds``): the form has checked the fields and
    the policy the actor; here the medium gets its label code and its first history line (作成)."""
    found = _section()
    if row.backup_of is not None:
        original = Medium.objects.select_for_update().get(pk=row.backup_of.pk)
        if original.state == MediumState.DISPOSED:
            raise Invalid(
                "廃棄済の記録媒体の予備は登録できません。", field="backup_of", article=found.article
            )
    pack = active_pack()
    row.pack, row.article, row.requirement = pack.pack, found.article, found.requirement
    row.recorded_by, row.recorded_at = (actor if getattr(actor, "pk", None) else None), time.now()
    row.label_code = _unused_label_code()
    row.full_clean(validate_unique=False)
    row.save()
    note = f"{row.backup_of.label_code} の予備" if row.backup_of else ""
    _event(row, MediumEvent.Kind.CREATED, actor=actor, on=row.valid_from, person=_person_of(actor), note=note)
    _record(row, RecordAction.MEDIA_ADD, actor=actor, article=found.article)
    return row


@implements("YAN-20")
@transaction.atomic
def medium_record_event(
    *, actor: Actor, pk: int, kind: str, person: Person, on: dt.date, note: str = ""
) -> MediumEvent:
    """A line of the medium's history: data added to it (追加) or updated on it (更新), by whom and
    when.  Copies, checkouts and disposal have their own services."""
    medium = _locked(pk)
    require(actor, "media.change", medium, message="この記録媒体の履歴を記録する権限がありません。")
    if kind not in (MediumEvent.Kind.APPENDED, MediumEvent.Kind.UPDATED):
        raise Invalid("記録できる事項は「追加」か「更新」です。", field="kind", article=medium.article)
    if medium.state == MediumState.DISPOSED:
        raise TransitionRefused("廃棄済の記録媒体には記録できません。", field="state", article=medium.article)
    if on > time.today() or on < medium.valid_from:
        raise Invalid("年月日は登録日から今日までの日付にしてください。", field="on", article=medium.article)
    event = _event(medium, kind, actor=actor, on=on, person=person, note=note)
    extra = {"event": kind, "on": on.isoformat(), "person": person.pk, "note": note}
    _record(medium, RecordAction.MEDIUM_EVENT_RECORDED, actor=actor, article=medium.article, extra=extra)
    return event


@implements("FUK-23", "YAN-20")
@transaction.atomic
def medium_copy(
    *, actor: Actor, pk: int, person: Person, on: dt.date, place: str = "", note: str = ""
) -> Medium:
    """A copy (複写) of a medium, registered as its backup (予備) under a label code of its own and
    linked to the original; both histories say who copied it and when."""
    original = _locked(pk)
    require(actor, "media.add", original, message="この記録媒体を複写する権限がありません。")
    if original.state == MediumState.DISPOSED:
        raise TransitionRefused("廃棄済の記録媒体は複写できません。", field="state", article=original.article)
    if on > time.today() or on < original.valid_from:
        raise Invalid(
            "年月日は登録日から今日までの日付にしてください。", field="on", article=original.article
        )
    copy = Medium(
        asset_type=original.asset_type,
        description=original.description,
        place=place or original.place,
        important=original.important,
        backup_of=original,
        unit=original.unit,
        valid_from=on,
        pack=original.pack,
        article=original.article,
        requirement=original.requirement,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=time.now(),
        label_code=_unused_label_code(),
    )
    try:
        copy.full_clean(validate_unique=False)
    except Exception as error:  # the pack no longer has the original's place: name the field
        raise Invalid(f"保管場所: {error}", field="place", article=original.article) from None
    copy.save()
    _event(
        original,
        MediumEvent.Kind.COPIED,
        actor=actor,
        on=on,
        person=person,
        note=f"複写先 {copy.label_code} {note}",
    )
    _event(
        copy,
        MediumEvent.Kind.CREATED,
        actor=actor,
        on=on,
        person=person,
        note=f"{original.label_code} の複写",
    )
    _record(copy, RecordAction.MEDIUM_COPIED, actor=actor, article=original.article)
    return copy


@implements("FUK-23")
@transaction.atomic
def medium_checkout(*, actor: Actor, pk: int, person: Person, purpose: str, due: dt.date) -> Checkout:
    """Take a medium out of its storage place: to whom, why, due back when."""
    medium = _locked(pk)
    require(actor, "media.checkout", medium, message="この記録媒体を持ち出す手続をする権限がありません。")
    if not purpose.strip():
        raise Invalid("持出しの目的を入力してください。", field="purpose", article=medium.article)
    if due < time.today():
        raise Invalid("返却期限は今日以後の日付にしてください。", field="due", article=medium.article)
    before = snapshot(medium, FIELDS)
    medium.transition(to=MediumState.OUT)
    medium.save(update_fields=["state"])
    checkout = Checkout.objects.create(
        medium=medium,
        person=person,
        purpose=purpose.strip()[:200],
        due=due,
        out_at=time.now(),
        article=medium.article,
        requirement=medium.requirement,
    )
    _event(medium, MediumEvent.Kind.CHECKED_OUT, actor=actor, on=time.today(), person=person, note=purpose)
    extra = {"checkout": snapshot(checkout, CHECKOUT_FIELDS)}
    _record(
        medium,
        RecordAction.MEDIUM_CHECKED_OUT,
        actor=actor,
        article=medium.article,
        before=before,
        extra=extra,
    )
    return checkout


@implements("FUK-23")
@transaction.atomic
def medium_return(*, actor: Actor, pk: int) -> Checkout:
    """Bring a medium back to its storage place, closing its open checkout."""
    medium = _locked(pk)
    require(actor, "media.checkout", medium, message="この記録媒体の返却を受ける権限がありません。")
    checkout = Checkout.objects.select_for_update().filter(medium=medium, returned_at__isnull=True).first()
    if checkout is None:
        raise TransitionRefused("この記録媒体は持ち出されていません。", field="state", article=medium.article)
    before = snapshot(medium, FIELDS)
    medium.transition(to=MediumState.IN_STORAGE)
    medium.save(update_fields=["state"])
    checkout.returned_at = time.now()
    checkout.save(update_fields=["returned_at"])
    _event(medium, MediumEvent.Kind.RETURNED, actor=actor, on=time.today(), person=checkout.person)
    extra = {"checkout": snapshot(checkout, CHECKOUT_FIELDS)}
    _record(
        medium, RecordAction.MEDIUM_RETURNED, actor=actor, article=medium.article, before=before, extra=extra
    )
    return checkout


@implements("FUK-23", "YAN-20")
@transaction.atomic
def medium_dispose(
    *,
    actor: Actor,
    pk: int,
    method: str,
    person: Person,
    witness: Person,
    on: dt.date,
    note: str = "",
) -> Medium:
    """Record the leak-proof disposal of a medium (FUK-23-4, YAN-20 廃棄): the method, who did it,
    who witnessed it, and the day.  The row stays in the ledger with everything it said."""
    medium = _locked(pk)
    require(actor, "media.dispose", medium, message="この記録媒体を廃棄する権限がありません。")
    found = _section()
    article = found.disposal_article or medium.article
    if method not in DisposalMethod.values:
        raise Invalid("廃棄の方法を選んでください。", field="method", article=article)
    if witness.pk == person.pk:
        raise Invalid("立会者は廃棄する者とは別の者にしてください。", field="witness", article=article)
    if on > time.today() or on < medium.valid_from:
        raise Invalid("廃棄日は登録日から今日までの日付にしてください。", field="on", article=article)
    if medium.state == MediumState.OUT:
        raise TransitionRefused(
            "持出し中の記録媒体は返却されるまで廃棄できません。", field="state", article=article
        )
    before = snapshot(medium, FIELDS)
    medium.transition(to=MediumState.DISPOSED)
    medium.valid_to, medium.disposal_method = on, method
    medium.disposed_by, medium.witness = person, witness
    medium.end_reason = f"廃棄（{DisposalMethod(method).label}）{note}"[:200]
    medium.save()
    label = f"{DisposalMethod(method).label}／立会 {witness.name}"
    _event(
        medium, MediumEvent.Kind.DISPOSED, actor=actor, on=on, person=person, note=f"{label} {note}".strip()
    )
    _record(medium, RecordAction.MEDIA_END, actor=actor, article=article, before=before)
    return medium
