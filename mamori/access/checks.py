"""Checks a grant must pass before the management file may record it.

Other domains add their own (designations: YAN-8, YAN-12-3, YAN-14, FUK-10/17, MEG-13-1) with
``@grant_check`` in their ``checks`` module, imported from their AppConfig.ready().  A check returns
``None`` when the grant may go ahead, or a :class:`Refusal` naming the article that forbids it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mamori.organisation.models import Employment
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import UserRegistration


@dataclass(frozen=True)
class Refusal:
    field: str
    message: str
    article: str = ""
    requirement: str = ""


# check(*, pack, person, system, privileges, on) -> Refusal | None
GrantCheck = Callable[..., Refusal | None]
_CHECKS: list[GrantCheck] = []


def grant_check(fn: GrantCheck) -> GrantCheck:
    if fn not in _CHECKS:
        _CHECKS.append(fn)
    return fn


def grant_refusals(
    *, pack: Pack, person: Any, system: Any, privileges: Sequence[Any], on: dt.date
) -> list[Refusal]:
    """Every refusal the registered checks give for granting ``privileges`` of ``system`` to ``person``."""
    refusals = []
    for check in _CHECKS:
        refusal = check(pack=pack, person=person, system=system, privileges=privileges, on=on)
        if refusal is not None:
            refusals.append(refusal)
    return refusals


# --- the management file's own checks ---------------------------------------------------------


@grant_check
@implements("KIT-5-3")
def user_registration_first(*, pack: Pack, person: Any, system: Any, privileges: Sequence[Any], on: dt.date):
    """KIT-5-3: a 会計年度任用職員 gets no privilege before their user-information registration
    (利用者情報登録) is recorded."""
    rule = pack.parameters.access.user_registration
    if rule is None or person.employment not in rule.employments:
        return None
    if UserRegistration.objects.filter(person=person, registered_on__lte=on).exists():
        return None
    return Refusal(
        field="person",
        message=f"{person.name}は{Employment(person.employment).label}のため、先に{rule.name}が必要です",
        article=pack.cite(rule.article),
        requirement=rule.requirement or "",
    )


@grant_check
@implements("KIT-2", "KIT-5-9")
def maintenance_staff_by_contract(
    *, pack: Pack, person: Any, system: Any, privileges: Sequence[Any], on: dt.date
):
    """KIT-5-9: maintenance staff (保守要員) are not system users; the administrator registers them
    under a contract, not through a privilege request."""
    rule = pack.parameters.access.maintenance
    if rule is None or person.employment != Employment.CONTRACTOR:
        return None
    return Refusal(
        field="person",
        message=f"{person.name}は保守要員です。保守要員のユーザID・権限は管理者が保守契約に基づいて登録します",
        article=pack.cite(rule.article),
        requirement=rule.requirement or "",
    )
