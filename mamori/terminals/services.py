"""Services of the terminal register: registering, changing and retiring terminals.  Every function is
one transaction that writes its record.  The operators of a terminal are designations
(mamori.designations.services, YAN-12-3 / FUK-18-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor, Refused
from mamori.designations.models import Designation
from mamori.designations.services import designations_end_for_terminal
from mamori.organisation.models import Person, Unit
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.systems.models import System

from .models import Terminal

RETENTION = "terminals"
TERMINAL_FIELDS = ("id", "host_name", "location", "unit_id", "active_from", "active_to", "note")


class TerminalError(Refused):
    """A refusal a person can read: what is wrong, the field, and the article that says so (400 in
    the API's one Problem schema)."""

    status = 400

    def __init__(self, message: str, *, field: str = "", article: str = ""):
        super().__init__(message, article=article, field=field or None)

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


def _picture(terminal: Terminal) -> dict:
    """The terminal as a record shows it: its fields and the codes of the systems it reaches."""
    after = snapshot(terminal, TERMINAL_FIELDS)
    after["systems"] = sorted(terminal.systems.values_list("code", flat=True))
    return after


def _terminal_entry(
    terminal: Terminal, action: RecordAction, *, actor: Actor, before: dict | None = None
) -> Entry:
    return Entry(
        action=action,
        object_type="terminals.Terminal",
        object_id=str(terminal.pk),
        actor=actor,
        before=before,
        after=_picture(terminal),
        retention_class=RETENTION,
    )


def _clean_host(host_name: str) -> str:
    host = (host_name or "").strip()
    if not host:
        raise TerminalError("ホスト名を入力してください", field="host_name")
    if len(host) > 120 or any(c.isspace() for c in host):
        raise TerminalError(
            f"ホスト名「{host}」は空白を含まない120文字以内で入力してください", field="host_name"
        )
    return host


@transaction.atomic
def terminal_register(
    *,
    host_name: str,
    unit: Unit,
    actor: Actor,
    active_from: dt.date,
    location: str = "",
    systems: Sequence[System] = (),
    note: str = "",
) -> Terminal:
    """Add a terminal to the register: its host name (as the logs name it), section and systems."""
    host = _clean_host(host_name)
    if Terminal.objects.filter(host_name__iexact=host).exists():
        raise TerminalError(f"ホスト名「{host}」の端末機は登録済みです", field="host_name")
    terminal = Terminal.objects.create(
        host_name=host, unit=unit, location=location.strip(), active_from=active_from, note=note.strip()
    )
    terminal.systems.set(systems)
    record_append_many(entries=[_terminal_entry(terminal, RecordAction.TERMINAL_REGISTERED, actor=actor)])
    return terminal


@transaction.atomic
def terminal_change(
    *,
    terminal: Terminal,
    actor: Actor,
    location: str | None = None,
    unit: Unit | None = None,
    systems: Sequence[System] | None = None,
    note: str | None = None,
) -> Terminal:
    """Change where a terminal stands, its section or the systems it reaches (FUK-18-1)."""
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    before = _picture(terminal)
    if location is not None:
        terminal.location = location.strip()
    if unit is not None:
        terminal.unit = unit
    if note is not None:
        terminal.note = note.strip()
    terminal.save(update_fields=["location", "unit", "note"])
    if systems is not None:
        terminal.systems.set(systems)
    record_append_many(
        entries=[_terminal_entry(terminal, RecordAction.TERMINAL_CHANGED, actor=actor, before=before)]
    )
    return terminal


@transaction.atomic
def terminal_retire(*, terminal: Terminal, on: dt.date, actor: Actor) -> Terminal:
    """Take a terminal out of use from the day after ``on``; its designations end with it."""
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    if terminal.active_to is not None:
        raise TerminalError(f"{terminal.host_name}は{time.wareki(terminal.active_to)}に使用を終了しています")
    if on < terminal.active_from:
        raise TerminalError("使用終了日が使用開始日より前です", field="active_to")
    before = _picture(terminal)
    terminal.active_to = on
    terminal.save(update_fields=["active_to"])
    record_append_many(
        entries=[_terminal_entry(terminal, RecordAction.TERMINAL_RETIRED, actor=actor, before=before)]
    )
    designations_end_for_terminal(terminal=terminal, on=on, reason="端末機の使用終了", actor=actor)
    return terminal


def designated_on(*, host_name: str, person: Person, on: dt.date) -> bool:
    """Whether ``person`` is a designated operator of the terminal ``host_name`` on ``on`` (YAN-12-3,
    FUK-18-2: a designation whose target is the terminal)."""
    return Designation.objects.on(on).filter(terminal__host_name__iexact=host_name, person=person).exists()
