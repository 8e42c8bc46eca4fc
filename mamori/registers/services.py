"""The generic register services (issue 9 item 1): add, change and end a row of any register.

Each asks the policy layer for the register's declared permission, validates through the spec's form
(the refusal names the field), stamps the pack's article and requirement, and appends the
hash-chained record in the same transaction (mamori/records/services.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from mamori.core import time
from mamori.core.policy import Actor, require
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, entry_for, record_append_many, snapshot
from mamori.regulations.active import active_pack

from .models import Invalid, NotFound, RegisterEntry, TransitionRefused
from .spec import Citation, RegisterSpec


def citation(spec: RegisterSpec) -> Citation:
    """The active pack's article and requirement for the register; refused when the pack has none."""
    cited = spec.cite(active_pack())
    if cited is None:
        raise NotFound(f"この規程には「{spec.title}」の定めがありません。")
    return cited


def _first_error(spec: RegisterSpec, errors: dict[str, Any]) -> Invalid:
    """One refusal naming the first field at fault (the range CHECK's message names 終了日)."""
    for name, messages in errors.items():
        text = " ".join(str(m) for m in messages)
        if name == "__all__":
            return Invalid(text, field="valid_to" if "終了日" in text else None)
        return Invalid(f"{spec.label(name)}: {text}", field=name)
    return Invalid("入力を確かめてください。")


def _validated(
    spec: RegisterSpec, row: RegisterEntry, data: dict[str, Any], *, partial: bool
) -> RegisterEntry:
    unknown = sorted(set(data) - {c.field for c in spec.shown("edit")})
    if unknown:
        raise Invalid(f"「{unknown[0]}」は変更できない項目です。", field=unknown[0])
    if partial:
        # A change sends only what changes: the rest is the row as it stands.
        data = {**model_to_dict(row, [c.field for c in spec.shown("edit")]), **data}
    form = spec.form(data=data, instance=row)
    if not form.is_valid():
        raise _first_error(spec, form.errors.get_json_data())
    return form.save(commit=False)


def _record(
    spec: RegisterSpec, row: RegisterEntry, verb: str, *, actor: Actor, cited: Citation, **kw: Any
) -> Entry:
    fields = [f.attname for f in row._meta.concrete_fields]
    return entry_for(
        row,
        RecordAction.of_register(spec.name, verb),
        fields=fields,
        actor=actor,
        article=cited.article,
        requirement=cited.requirement,
        retention_class=spec.retention_class,
        **kw,
    )


@transaction.atomic
def register_add(*, spec: RegisterSpec, actor: Actor, data: dict[str, Any]) -> RegisterEntry:
    """A new row, in force from its ``valid_from``, serving the pack's article and requirement."""
    require(actor, spec.perms.add, message=f"「{spec.title}」に登録する権限がありません。")
    cited = citation(spec)
    row = _validated(spec, spec.model(), data, partial=False)
    # Again with the row: a keeper of the register keeps the rows of its own scope (部・課).
    require(actor, spec.perms.add, row, message=f"「{spec.title}」のこの行を登録する権限がありません。")
    if spec.adds is not None:
        return spec.adds(row, actor=actor)
    row.pack, row.article, row.requirement = active_pack().pack, cited.article, cited.requirement
    row.recorded_by, row.recorded_at = (actor if getattr(actor, "pk", None) else None), time.now()
    _saved(spec, row)
    record_append_many(entries=[_record(spec, row, "add", actor=actor, cited=cited)])
    return row


@transaction.atomic
def register_change(
    *, spec: RegisterSpec, actor: Actor, pk: int, data: dict[str, Any], state: str | None = None
) -> RegisterEntry:
    """Change fields of a row (only those sent), and move its state through the transitions map."""
    row = _locked(spec, pk)
    require(actor, spec.perms.change, row, message=f"「{spec.title}」を変更する権限がありません。")
    if row.state == row.end_state:
        raise TransitionRefused("終了した行は変更できません。", field="state", article=row.article)
    before = snapshot(row)
    row = _validated(spec, row, data, partial=True)
    if state is not None and state != row.state:
        if state == row.end_state:
            raise Invalid("終了は「終了する」から行ってください（理由と終了日が要ります）。", field="state")
        row.transition(to=state)
    _saved(spec, row)
    cited = Citation(row.article, row.requirement)
    record_append_many(entries=[_record(spec, row, "change", actor=actor, cited=cited, before=before)])
    return row


@transaction.atomic
def register_end(*, spec: RegisterSpec, actor: Actor, pk: int, on: dt.date, reason: str) -> RegisterEntry:
    """End a row on ``on`` (its last day in force) for ``reason``; it stays in the register."""
    row = _locked(spec, pk)
    require(actor, spec.perms.end, row, message=f"「{spec.title}」の行を終了する権限がありません。")
    if spec.ends is not None:
        return spec.ends(row, actor=actor, on=on, reason=reason)
    if not reason.strip():
        raise Invalid("終了の理由を入力してください。", field="reason", article=row.article)
    if on < row.valid_from:
        raise Invalid("終了日は開始日以後の日付にしてください。", field="on", article=row.article)
    before = snapshot(row)
    row.transition(to=row.end_state)
    row.valid_to, row.end_reason = on, reason.strip()[:200]
    _saved(spec, row)
    cited = Citation(row.article, row.requirement)
    record_append_many(entries=[_record(spec, row, "end", actor=actor, cited=cited, before=before)])
    return row


def _locked(spec: RegisterSpec, pk: int) -> RegisterEntry:
    row = spec.model.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound(f"「{spec.title}」に番号 {pk} の行はありません。", field="id")
    return row


def _saved(spec: RegisterSpec, row: RegisterEntry) -> None:
    try:
        row.full_clean(validate_unique=False)
    except ValidationError as error:
        raise _first_error(spec, error.message_dict) from None
    row.save()
