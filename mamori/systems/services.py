"""The systems register (情報システム) and its privileges catalogue: changes through services,
each recorded.  KIT-3: every system has an administrator role from the pack; KIT-2: flags mark the
kind of system (COKAS-R/ADⅡ, 中間サーバー, 二要素認証 …) as the pack defines them.

The records keep the object types they were written with before the register had its own app
(``access.System``, ``access.Privilege``: stored codes the record chain and the findings' evidence
links refer to) and the retention class ``access``, under which the management file's domain
declares these changes (mamori.access.apps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from mamori.core.policy import Actor, Refused
from mamori.organisation.models import Unit
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import Privilege, System


class SystemRegisterError(Refused, ValueError):
    """A change the systems register refuses: what is wrong and the field (400 in the API's one
    Problem schema)."""

    status = 400


SYSTEM_FIELDS = (
    "id",
    "code",
    "name",
    "owner_unit_id",
    "category",
    "administrator_role",
    "flags",
    "handles_personal_information",
    "handles_specific_personal_information",
    "handles_identity_information",
    "note",
)
EDITABLE = set(SYSTEM_FIELDS) - {"id", "code"} | {"owner_unit"}


def _check(values: dict[str, Any], pack: Pack) -> None:
    role = values.get("administrator_role")
    if role and role not in {r.code for r in pack.roles}:
        raise SystemRegisterError(f"役割 {role} はこの規程にありません", field="administrator_role")
    known = {f.code for f in pack.parameters.access.system_flags}
    unknown = [f for f in values.get("flags") or [] if f not in known]
    if unknown:
        raise SystemRegisterError(f"区分フラグ {', '.join(unknown)} はこの規程にありません", field="flags")


def _entry(system: System, action: RecordAction, actor: Actor, before: dict | None = None) -> Entry:
    return Entry(
        action=action,
        object_type="access.System",
        object_id=str(system.pk),
        actor=actor,
        before=before,
        after=snapshot(system, SYSTEM_FIELDS),
        retention_class="access",
    )


@implements("KIT-3")
@transaction.atomic
def system_register(
    *,
    code: str,
    name: str,
    owner_unit: Unit,
    actor: Actor,
    pack: Pack,
    privileges: Sequence[tuple[str, str]] = (),
    **values: Any,
) -> System:
    """Register a business system with its administrator role, flags and privileges catalogue."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise SystemRegisterError(f"登録できない項目です: {', '.join(sorted(unknown))}")
    if not code.strip() or not name.strip():
        raise SystemRegisterError("システムコードと名称を入力してください", field="code")
    if System.objects.filter(code=code).exists():
        raise SystemRegisterError(f"システムコード {code} は登録済みです", field="code")
    _check(values, pack)
    system = System.objects.create(code=code, name=name, owner_unit=owner_unit, **values)
    created = Privilege.objects.bulk_create(
        [Privilege(system=system, code=c, name=label) for c, label in privileges]
    )
    record_append_many(
        entries=[
            _entry(system, RecordAction.SYSTEM_REGISTERED, actor),
            *[
                Entry(
                    action=RecordAction.PRIVILEGE_DEFINED,
                    object_type="access.Privilege",
                    object_id=str(p.pk),
                    actor=actor,
                    after=snapshot(p),
                    retention_class="access",
                )
                for p in created
            ],
        ]
    )
    return system


@transaction.atomic
def system_update(*, system: System, changes: dict[str, Any], actor: Actor, pack: Pack) -> System:
    """Change a system's register entry (administrator role, flags, owner …), recorded before/after."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise SystemRegisterError(f"変更できない項目です: {', '.join(sorted(unknown))}")
    _check(changes, pack)
    locked = System.objects.select_for_update().get(pk=system.pk)
    before = snapshot(locked, SYSTEM_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    record_append_many(entries=[_entry(locked, RecordAction.SYSTEM_CHANGED, actor, before)])
    return locked


@transaction.atomic
def privilege_define(
    *, system: System, code: str, name: str, actor: Actor, description: str = ""
) -> Privilege:
    """Add a privilege to a system's catalogue."""
    if Privilege.objects.filter(system=system, code=code).exists():
        raise SystemRegisterError(f"{system.name}には権限 {code} が登録済みです", field="code")
    privilege = Privilege.objects.create(system=system, code=code, name=name, description=description)
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.PRIVILEGE_DEFINED,
                object_type="access.Privilege",
                object_id=str(privilege.pk),
                actor=actor,
                after=snapshot(privilege),
                retention_class="access",
            )
        ]
    )
    return privilege
