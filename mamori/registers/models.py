"""The abstract register row (台帳の行) every register builds on (issue 9 item 1).

A row serves one article and requirement of the active pack, is in force over a validity range
(``valid_from``–``valid_to``, a database CHECK keeps it in order) and has a state from the
TextChoices its register names, which a database CHECK limits to those choices and one transitions
map moves (:meth:`RegisterEntry.transition`).  Concrete registers subclass it::

    class Equipment(RegisterEntry):
        State = EquipmentState
        transitions = {EquipmentState.IN_USE: {EquipmentState.REMOVED}, ...}
        end_state = EquipmentState.REMOVED
        state = StateField(EquipmentState)

        class Meta(RegisterEntry.Meta):
            verbose_name = "安全管理設備"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from mamori.core.policy import Refused


class TransitionRefused(Refused):
    """A state change the register's transitions map does not allow: a conflict with the row's
    state, not a missing right (409, in the one Problem schema: mamori/core/schemas.py)."""

    status = 409


class Invalid(Refused):
    """Input a register cannot take; ``field`` names the field at fault (400, the one Problem schema)."""

    status = 400


class NotFound(Refused):
    """No such row, or no such register in the active pack (404, the one Problem schema)."""

    status = 404


def in_force(day: dt.date, *, start: str = "valid_from", end: str = "valid_to") -> Q:
    """In force on ``day``: started on or before it, and open-ended or ending on or after it."""
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day}))


class RegisterQuerySet(models.QuerySet):
    """What every register's rows share.  ``range_fields`` names the validity range, so rows whose
    range is called otherwise (an assignment's ``start``/``end``) can use the same ``.on(day)``."""

    range_fields: ClassVar[tuple[str, str]] = ("valid_from", "valid_to")

    def on(self, day: dt.date) -> RegisterQuerySet:
        """The rows in force on ``day``.  A row in one of its model's ``void_states`` (withdrawn, or
        ended where the register counts an ended row as never in force) counts on no day."""
        start, end = self.range_fields
        rows = self.filter(in_force(day, start=start, end=end))
        void = getattr(self.model, "void_states", ())
        return rows.exclude(state__in=void) if void else rows


def _quoted(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


class StateField(models.CharField):
    """A state column whose choices are the register's TextChoices, with a database CHECK that the
    stored value is one of them (a raw UPDATE cannot put a row in a state the register lacks).

    The CHECK goes on the column, as Django's PositiveIntegerField does, so every concrete register
    gets it without repeating it in its Meta, and a change of choices migrates it."""

    def __init__(self, states: Any = None, *args: Any, **kwargs: Any) -> None:
        if states is not None:
            kwargs["choices"] = states.choices
            kwargs.setdefault("default", states.values[0])
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("verbose_name", "状態")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def db_check(self, connection: Any) -> str | None:
        values = [str(value) for value, _ in self.flatchoices]
        if not values:
            return None
        return f"%(qn_column)s IN ({', '.join(_quoted(v) for v in values)})" % self.db_type_parameters(
            connection
        )


class RegisterEntry(models.Model):
    """One row of a register.  See the module docstring for what a subclass declares."""

    # Declared by each register: its states, the one map of the changes between them, and the
    # state register_end puts a row in.
    State: ClassVar[type[models.TextChoices]]
    transitions: ClassVar[Mapping[str, set[str] | frozenset[str]]] = {}
    end_state: ClassVar[str]
    void_states: ClassVar[tuple[str, ...]] = ()

    pack = models.CharField("規程パック", max_length=40)
    article = models.CharField("根拠条文", max_length=60)
    requirement = models.CharField("要件ID", max_length=40, blank=True)
    valid_from = models.DateField("開始日")
    valid_to = models.DateField("終了日", null=True, blank=True)
    state = StateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登録日時")
    end_reason = models.CharField("終了の理由", max_length=200, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_range",
                violation_error_message="終了日は開始日以後の日付にしてください。",
            )
        ]

    def may_become(self, to: str) -> bool:
        return to in self.transitions.get(self.state, ())

    def transition(self, *, to: str) -> None:
        """Move to state ``to`` if the register's transitions map allows it, else refuse naming the
        state (never ``assert``: ``python -O`` strips it).  The caller saves and records."""
        if not self.may_become(to):
            labels = dict(self.State.choices)
            raise TransitionRefused(
                f"「{labels.get(self.state, self.state)}」の行は「{labels.get(to, to)}」にできません。",
                article=self.article,
                field="state",
            )
        self.state = to

    def is_in_force_on(self, day: dt.date) -> bool:
        return (
            self.state not in self.void_states
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )
