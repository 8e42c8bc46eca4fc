"""Checks a grant must pass before the management file may record it.

Other domains add their own (designations: YAN-8, YAN-12-3, YAN-14, FUK-10/17, MEG-13-1) with
``@grant_check`` in their ``checks`` module, imported from their AppConfig.ready().  A check returns
``None`` when the grant may go ahead, or a :class:`Refusal` naming the article that forbids it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mamori.regulations.schema import Pack


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
