"""Read-only questions about the management file, shared by services, screens and the API:
who may see which lines (KIT-4), the lists and each line's history."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import holders_of, primary_unit
from mamori.records.models import Record
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack, Table
from mamori.systems.selectors import administered_systems

from .models import OPEN_STATES, Entitlement

# --- organisations ----------------------------------------------------------------------------


def subtree_ids(unit_ids: set[int]) -> set[int]:
    """The units and every unit below them (one query for the whole tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(unit_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


def officer_units(person: Person | None, *, pack: Pack, on: dt.date) -> set[int]:
    """KIT-4: the units whose system users this person manages through a role the pack gives an
    organisation scope (北見市: the 情報セキュリティ責任者, their 部 and below); none where the pack
    declares no such scope."""
    scope = pack.parameters.access.organisation_scope
    if person is None or scope is None:
        return set()
    mine = [h for code in scope.roles for h in holders_of(code, on=on, pack=pack) if h.person.pk == person.pk]
    if not mine:
        return set()
    roots = {h.unit.pk for h in mine if h.unit}
    if not roots:  # a role without a scope: the whole municipality
        roots = set(Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    return subtree_ids(roots)


@dataclass(frozen=True)
class Scope:
    """What one user may see of the management file and why (shown above the list)."""

    everything: bool
    unit_ids: frozenset[int]
    system_ids: frozenset[int]
    person_id: int | None
    label: str


@implements("KIT-4")
def scope_of(user: Any, *, pack: Pack, on: dt.date) -> Scope:
    """KIT-4: a 情報セキュリティ責任者 sees the users of their own organisation; a system's
    administrator the lines of the systems they administer; anyone else their own lines; the
    administrators of mamori (情報政策課) everything."""
    if user.is_superuser:
        return Scope(True, frozenset(), frozenset(), None, "全件（管理者）")
    person = getattr(user, "person", None)
    units = officer_units(person, pack=pack, on=on)
    systems = {s.pk for s in administered_systems(person, pack=pack, on=on)}
    parts = []
    if units:
        parts.append("所管する組織のシステム使用者")
    if systems:
        parts.append("管理するシステム")
    parts.append("本人の権限")
    return Scope(False, frozenset(units), frozenset(systems), person.pk if person else None, "・".join(parts))


def people_in_units(unit_ids: set[int] | frozenset[int], on: dt.date) -> QuerySet:
    return Assignment.objects.on(on).filter(unit_id__in=unit_ids).values("person_id")


def visible_entitlements(
    user: Any, *, pack: Pack, on: dt.date, scope: Scope | None = None
) -> QuerySet[Entitlement]:
    """The lines the user may see (KIT-4); pass the ``scope`` already worked out to save its queries.
    ``on`` is the day the viewer's rights are taken for: callers pass today, never a day a user chose."""
    scope = scope or scope_of(user, pack=pack, on=on)
    lines = Entitlement.objects.all()
    if scope.everything:
        return lines
    condition = Q(pk__in=[])
    if scope.person_id:
        condition |= Q(person_id=scope.person_id)
    if scope.unit_ids:
        condition |= Q(person_id__in=people_in_units(scope.unit_ids, on))
    if scope.system_ids:
        condition |= Q(system_id__in=scope.system_ids)
    return lines.filter(condition)


@implements("KIT-2")
def entitlement_list(
    lines: QuerySet[Entitlement],
    *,
    on: dt.date,
    system: str = "",
    unit: str = "",
    state: str = "",
    text: str = "",
    person: str = "",
) -> QuerySet[Entitlement]:
    """The management file filtered (system code, unit code with its subtree, state, free text,
    staff number), with everything a row shows loaded in the same query (no N+1)."""
    if system:
        lines = lines.filter(system__code=system)
    if unit:
        root = Unit.objects.filter(code=unit).values_list("pk", flat=True).first()
        ids = subtree_ids({root}) if root else set()
        lines = lines.filter(person_id__in=people_in_units(ids, on))
    if state == "open":
        lines = lines.filter(state__in=OPEN_STATES)
    elif state:
        lines = lines.filter(state=state)
    if person:
        lines = lines.filter(person__staff_number=person)
    if text:
        lines = lines.filter(
            Q(person__name__icontains=text)
            | Q(person__staff_number=text)
            | Q(user_id__icontains=text)
            | Q(person__name_kana__icontains=text)
        )
    current_unit = (
        Assignment.objects.on(on)
        .filter(person_id=OuterRef("person_id"), kind=Assignment.Kind.PRIMARY)
        .order_by("-start")
        .values("unit__name")[:1]
    )
    return (
        lines.select_related("person", "system", "privilege", "request", "contract")
        .annotate(unit_name=Subquery(current_unit))
        .order_by("system__code", "person__staff_number", "privilege__code", "pk")
    )


def entitlement_history(entitlement: Entitlement) -> QuerySet[Record]:
    """Every record of the line, oldest first: registered, changed, pending → active, ended."""
    return Record.objects.filter(object_type="access.Entitlement", object_id=str(entitlement.pk)).order_by(
        "seq"
    )


# --- 別表 organisations (KIT-5-5) ---------------------------------------------------------------

_QUALIFIER = re.compile(r"[（(](?P<body>.+?)(?P<kind>に限る|を除く)。?[)）]\s*$")


def _names(body: str) -> list[str]:
    return [n for n in re.split(r"及び|並びに|、|,", body) if n]


def _path_names(unit: Unit) -> list[str]:
    """Names from the top 部 down to the unit, the municipality itself left out."""
    chain = [u for u in reversed(unit.ancestors()) if u.parent_id is not None]
    return [u.name for u in chain]


def table_row_for(unit: Unit | None, table: Table) -> str | None:
    """The row of an organisation table (別表第2) that covers ``unit``: the row names the 部 and 課
    run together (企画財政部DX推進室情報システム課), optionally limited to some 係 (…に限る) or
    excluding some (…を除く)."""
    if unit is None:
        return None
    chain = list(reversed(unit.ancestors()))  # top first
    for row in (r[0] for r in table.rows):
        match = _QUALIFIER.search(row)
        base = row[: match.start()].strip() if match else row.strip()
        for index, ancestor in enumerate(chain):
            path = "".join(_path_names(ancestor))
            if not (path == base or (path.endswith(base) and path != "")):
                continue
            below = chain[index + 1] if index + 1 < len(chain) else None
            if match is None:
                return row
            names = _names(match.group("body"))
            if match.group("kind") == "に限る":
                if below is not None and below.name in names:
                    return row
            elif below is None or below.name not in names:
                return row
    return None


def person_unit(person: Person, on: dt.date) -> Unit | None:
    return primary_unit(person, on=on)
