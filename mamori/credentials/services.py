"""Passwords and PINs of the managed systems: issue (shown once, stored as a hash), notification,
the user's change, and rotation.

KIT-8-2〜4: the administrator may register a temporary password, tells the 情報セキュリティ責任者,
and the user changes it promptly.  KIT-8-8: administrators set and manage maintenance staff's
passwords.  YAN-12-4: the 情報セキュリティ責任者 sets terminal passwords and tells the operator
through the 端末責任者.  FUK-18-2: the ICT推進課長 gives each designated operator a PIN of their own.
Who sets, who is told and how soon it must be changed come from ``parameters.managed_passwords``."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor, Refused, signed_in
from mamori.findings.services import findings_recheck
from mamori.organisation.models import Employment, Person, Unit
from mamori.organisation.roles import holders_of, holding_of, primary_unit
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, entry_for, record_append_many, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import ManagedPasswordRules, Pack
from mamori.systems.models import System
from mamori.workflows.notifications import notify

from .models import (
    CREDENTIAL_TRANSITIONS,
    LIVE_STATES,
    Credential,
    CredentialPurpose,
    CredentialState,
    SecretKind,
)

# The hash is left out on purpose: a record never carries the secret or anything derived from it.
CREDENTIAL_FIELDS = (
    "id",
    "person_id",
    "system_id",
    "terminal",
    "secret_kind",
    "purpose",
    "state",
    "issued_at",
    "issued_as",
    "change_due",
    "changed_at",
    "notified_to_id",
    "notified_via_id",
    "notified_at",
    "request_id",
    "ended_at",
)
# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1O0o")


class CredentialError(Refused, ValueError):
    """A refusal a person can read: what is wrong, the field, and the article that says so (400 in
    the API's one Problem schema)."""

    status = 400

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


@dataclass(frozen=True)
class IssuedCredential:
    """What an issue returns: the row, and the secret itself — to show once, never to store."""

    credential: Credential
    secret: str


# Secrets issued inside an approval (the access.password kind's on_approved) are handed to the screen
# or API that ran the approval through this collector; nothing else ever holds them.
_COLLECTOR: contextvars.ContextVar[list[IssuedCredential] | None] = contextvars.ContextVar(
    "issued_credentials", default=None
)


@contextlib.contextmanager
def collecting_issued() -> Iterator[list[IssuedCredential]]:
    """``with collecting_issued() as issued: request_decide(...)`` — the secrets issued inside."""
    issued: list[IssuedCredential] = []
    token = _COLLECTOR.set(issued)
    try:
        yield issued
    finally:
        _COLLECTOR.reset(token)


def generate_secret(rules: ManagedPasswordRules) -> str:
    """A random password (upper, lower and digits, unambiguous letters) or a PIN of digits."""
    if rules.secret == SecretKind.PIN:
        return "".join(secrets.choice(string.digits) for _ in range(rules.length))
    while True:
        candidate = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(rules.length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


def _cite(pack: Pack, ref: str | None) -> str:
    return pack.cite(ref) if ref else ""


def requirement_for(pack: Pack, rules: ManagedPasswordRules, article: str | None) -> str:
    """The pack requirement among the rules' whose articles cover ``article`` (KIT-8-8 for 8-8)."""
    for requirement_id in rules.requirements:
        covered = pack.requirement(requirement_id).articles
        if article and any(article == ref or article.startswith(ref + "-") for ref in covered):
            return requirement_id
    return rules.requirements[-1] if rules.requirements else ""


def _unit_for(person: Person, system: System | None, on: dt.date) -> Unit | None:
    """Where the roles are resolved: the system's owner, or for a terminal the user's own section."""
    return system.owner_unit if system is not None else primary_unit(person, on=on)


def issuer_capacity(
    *, actor: Actor, rules: ManagedPasswordRules, pack: Pack, unit: Unit | None, on: dt.date
) -> str:
    """The capacity in which ``actor`` may set the password, or a refusal naming the article."""
    if not rules.issued_by:
        if getattr(actor, "is_superuser", False):
            return "管理者（情報政策課）"
        raise CredentialError("パスワードの設定は管理者が行います", article=_cite(pack, rules.article))
    person = getattr(actor, "person", None)
    if person is not None:
        for code in rules.issued_by:
            holding = holding_of(person, code, on=on, pack=pack, unit=unit)
            if holding is not None:
                return holding.capacity
    names = "・".join(pack.role(code).name for code in rules.issued_by)
    where = f"（{unit.name}）" if unit is not None else ""
    raise CredentialError(f"パスワードの設定は{names}{where}が行います", article=_cite(pack, rules.article))


def _first_holder(code: str | None, *, pack: Pack, on: dt.date, unit: Unit | None) -> Person | None:
    if code is None:
        return None
    holders = holders_of(code, on=on, pack=pack, unit=unit)
    return holders[0].person if holders else None


def _entry(
    credential: Credential,
    action: RecordAction,
    *,
    actor: Actor,
    capacity: str,
    before: dict | None = None,
    extra: dict | None = None,
) -> Entry:
    return entry_for(
        credential,
        action,
        fields=CREDENTIAL_FIELDS,
        actor=actor,
        capacity=capacity,
        before=before,
        extra=extra,
        article=credential.article,
        requirement=credential.requirement,
        retention_class="access",
    )


def _issue(
    *,
    person: Person,
    actor: Actor,
    capacity: str,
    pack: Pack,
    on: dt.date,
    system: System | None,
    terminal: str,
    purpose: str | None,
    request: Any = None,
) -> IssuedCredential:
    rules = pack.parameters.managed_passwords
    issuer = signed_in(actor, doing="パスワード・暗証番号の設定")
    if (system is None) == (not terminal.strip()):
        raise CredentialError("システムか端末機のどちらか一方を指定してください", field="system")
    if not person.is_in_term_on(on):
        raise CredentialError(f"{person.name}さんは{time.wareki(on)}に任用期間外です", field="person")
    # Serialise issues for the same person, so two at once cannot both leave a live secret.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if purpose is None:
        if person.employment == Employment.CONTRACTOR and rules.maintenance_article:
            purpose = CredentialPurpose.MAINTENANCE
        elif rules.change_days:
            purpose = CredentialPurpose.TEMPORARY
        else:
            purpose = CredentialPurpose.ASSIGNED
    article = rules.maintenance_article if purpose == CredentialPurpose.MAINTENANCE else rules.article
    home = primary_unit(person, on=on)
    moment = time.now()
    secret = generate_secret(rules)

    # The user learns it from the holders of ``notify`` (KIT-8-3) or through ``notify_via`` (YAN-12-4).
    told = [h.person for code in rules.notify for h in holders_of(code, on=on, pack=pack, unit=home)]
    via = _first_holder(rules.notify_via, pack=pack, on=on, unit=home)
    notified_to = told[0] if told else person

    entries: list[Entry] = []
    live = list(
        Credential.objects.select_for_update().filter(
            person=person, system=system, terminal=terminal.strip(), state__in=LIVE_STATES
        )
    )
    for old in live:
        before = snapshot(old, CREDENTIAL_FIELDS)
        old.state, old.ended_at = CredentialState.REPLACED, moment
        entries.append(
            _entry(old, RecordAction.CREDENTIAL_REPLACED, actor=actor, capacity=capacity, before=before)
        )
    Credential.objects.bulk_update(live, ["state", "ended_at"])

    credential = Credential.objects.create(
        person=person,
        system=system,
        terminal=terminal.strip(),
        secret_kind=rules.secret,
        purpose=purpose,
        secret_hash=make_password(secret),
        issued_at=moment,
        issued_by=issuer,
        issued_as=capacity,
        change_due=on + dt.timedelta(days=rules.change_days)
        if purpose == CredentialPurpose.TEMPORARY and rules.change_days
        else None,
        notified_to=notified_to,
        notified_via=via,
        notified_at=moment,
        request=request,
        article=article or "",
        requirement=requirement_for(pack, rules, article),
    )
    label = SecretKind(rules.secret).label
    entries.append(_entry(credential, RecordAction.CREDENTIAL_ISSUED, actor=actor, capacity=capacity))
    entries.append(
        _entry(
            credential,
            RecordAction.CREDENTIAL_NOTIFIED,
            actor=actor,
            capacity=capacity,
            extra={
                "notified_to": notified_to.name,
                "notified_via": via.name if via else "",
                "user": person.name,
            },
        )
    )
    record_append_many(entries=entries)

    target = system.name if system else f"端末機 {terminal.strip()}"
    due = f"{time.wareki(credential.change_due)}までに変更してください。" if credential.change_due else ""
    recipients = [*told, *([via] if via else []), person]
    notify(
        people=recipients,
        subject=f"【mamori】{target}の{label}を設定しました（{person.name}さん）",
        body=f"{capacity} が {person.name}さんの{target}の{label}を設定しました。"
        + (f"{via.name}さんを通じて本人に伝えてください。" if via else "")
        + due
        + f"{label}そのものは mamori に残りません（{_cite(pack, article)}）。",
        request=request,
        article=article or "",
    )
    issued = IssuedCredential(credential=credential, secret=secret)
    collector = _COLLECTOR.get()
    if collector is not None:
        collector.append(issued)
    return issued


@implements("KIT-8-2", "KIT-8-8", "YAN-12-4", "FUK-18-2")
@transaction.atomic
def credential_issue_temporary(
    *,
    person: Person,
    actor: Actor,
    system: System | None = None,
    terminal: str = "",
    purpose: str | None = None,
    on: dt.date | None = None,
) -> IssuedCredential:
    """Set a password (or PIN) for ``person`` on ``system`` (or a terminal) and return it once.

    Only its hash is kept; any live one for the same target is replaced (a rotation, KIT-8-8).
    The issue and the notice (who told whom, through whom, when) are recorded, never the secret."""
    pack = active_pack()
    today = on or time.today()
    rules = pack.parameters.managed_passwords
    capacity = issuer_capacity(
        actor=actor, rules=rules, pack=pack, unit=_unit_for(person, system, today), on=today
    )
    return _issue(
        person=person,
        actor=actor,
        capacity=capacity,
        pack=pack,
        on=today,
        system=system,
        terminal=terminal,
        purpose=purpose,
    )


def issue_for_request(
    *, request: Any, actor: Actor, capacity: str, pack: Pack, on: dt.date, **_: Any
) -> None:
    """KIT-8-2: on registering a 別記様式2 request the administrator sets a temporary password.
    The approval checked the administrator's role; the secret goes to the collector of the caller."""
    payload = request.payload
    _issue(
        person=Person.objects.get(staff_number=payload["person"]),
        actor=actor,
        capacity=capacity,
        pack=pack,
        on=on,
        system=System.objects.get(code=payload["system"]),
        terminal="",
        purpose=None,
        request=request,
    )


@implements("KIT-8-2")
@transaction.atomic
def credential_change_confirm(
    *, credential: Credential, actor: Actor, on: dt.date | None = None
) -> Credential:
    """Record that the user has changed the temporary password (KIT-8-4): the user, or whoever may set it."""
    pack = active_pack()
    today = on or time.today()
    locked = (
        Credential.objects.select_for_update(of=("self",))
        .select_related("system__owner_unit", "person")
        .get(pk=credential.pk)
    )
    if CredentialState.CHANGED not in CREDENTIAL_TRANSITIONS[locked.state]:
        raise CredentialError(f"この{locked.get_secret_kind_display()}は{locked.get_state_display()}です")
    if getattr(actor, "person_id", None) == locked.person_id:
        capacity = "本人"
    else:
        capacity = issuer_capacity(
            actor=actor,
            rules=pack.parameters.managed_passwords,
            pack=pack,
            unit=_unit_for(locked.person, locked.system, today),
            on=today,
        )
    before = snapshot(locked, CREDENTIAL_FIELDS)
    locked.state, locked.changed_at, locked.change_confirmed_by = CredentialState.CHANGED, time.now(), actor
    locked.save(update_fields=["state", "changed_at", "change_confirmed_by"])
    record_append_many(
        entries=[
            _entry(locked, RecordAction.CREDENTIAL_CHANGED, actor=actor, capacity=capacity, before=before)
        ]
    )
    findings_recheck(
        rule="credentials.temporary_password_not_changed",
        object_type="credentials.Credential",
        object_id=locked.pk,
        actor=actor,
        on=today,
    )
    return locked


@transaction.atomic
def credential_revoke(
    *, credential: Credential, actor: Actor, reason: str, on: dt.date | None = None
) -> Credential:
    """End a password or PIN (the user left, the terminal was withdrawn), with the reason."""
    pack = active_pack()
    today = on or time.today()
    locked = (
        Credential.objects.select_for_update(of=("self",))
        .select_related("system__owner_unit", "person")
        .get(pk=credential.pk)
    )
    if CredentialState.REVOKED not in CREDENTIAL_TRANSITIONS[locked.state]:
        raise CredentialError(f"この{locked.get_secret_kind_display()}は{locked.get_state_display()}です")
    if not reason.strip():
        raise CredentialError("失効の理由を入力してください", field="reason")
    capacity = issuer_capacity(
        actor=actor,
        rules=pack.parameters.managed_passwords,
        pack=pack,
        unit=_unit_for(locked.person, locked.system, today),
        on=today,
    )
    before = snapshot(locked, CREDENTIAL_FIELDS)
    locked.state, locked.ended_at = CredentialState.REVOKED, time.now()
    locked.save(update_fields=["state", "ended_at"])
    record_append_many(
        entries=[
            _entry(
                locked,
                RecordAction.CREDENTIAL_REVOKED,
                actor=actor,
                capacity=capacity,
                before=before,
                extra={"reason": reason.strip()},
            )
        ]
    )
    return locked
