"""The grant check of the designations domain: where the pack requires a designation for a system,
a grant to someone not designated is refused, naming the article (YAN-8, YAN-14, FUK-17, MEG-13-1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from mamori.access.checks import Refusal, grant_check
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .services import is_designated, required_rules


@grant_check
@implements("YAN-8", "YAN-14", "FUK-17", "MEG-13-1")
def designation_required(
    *, pack: Pack, person: Any, system: Any, privileges: Sequence[Any], on: dt.date
) -> Refusal | None:
    """Refuse a grant on a system that needs a designation the person does not hold on the day."""
    for spec in required_rules(pack, system):
        if spec.refuse_grants and not is_designated(
            pack=pack, spec=spec, person=person, system=system, on=on
        ):
            target = f"{system.name}の" if spec.per_system else ""
            return Refusal(
                field="person",
                message=f"{person.name}さんは{target}{spec.label}に指定されていないため、"
                f"{system.name}の操作権限を付与できません",
                article=pack.cite(spec.article),
                requirement=(spec.requirements or [""])[0],
            )
    return None
