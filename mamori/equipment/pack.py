"""The pack section of the safety-equipment register (``sections: equipment:``): what the pack calls
the register, the article and requirement it serves, and the roles that keep it (typed references,
which the pack checks and lists as citations)."""

from __future__ import annotations

from typing import Any

from pydantic import PositiveInt

from mamori.registers.spec import Citation
from mamori.regulations.base import ArticleRef, RequirementRef, RoleRef, Strict

from .models import Equipment


class Intervals(Strict):
    """How often each item is inspected, in months: ``by_kind`` per 区分, else ``months``."""

    months: PositiveInt
    by_kind: dict[Equipment.Kind, PositiveInt] = {}


class EquipmentSection(Strict):
    title: str  # the register's name in this pack, e.g. 「保安装置台帳」
    article: ArticleRef
    requirement: RequirementRef
    kept_by: list[RoleRef]  # roles that keep the register, each within its own scope (部・課)
    inspection: Intervals | None = None  # None: only rows with their own interval are due


def section(pack: Any) -> EquipmentSection | None:
    return pack.section("equipment")


def cite(pack: Any) -> Citation | None:
    found = section(pack)
    if found is None:
        return None
    return Citation(found.article, found.requirement, found.title, pack.cite(found.article))
