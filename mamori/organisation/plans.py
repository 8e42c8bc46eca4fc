"""What an import would change (an :class:`ImportPlan` of :class:`Change` rows) and why a file is refused
(:class:`RowError`, :class:`ImportRejected`): the part of an import that the preview screen, the command and
other domains (access: KIT-5-5 revocation proposals) read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from .csvfiles import CsvTable
from .models import Employment

# --- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """The file has errors; nothing was written.  ``errors`` lists every one of them."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} 件のエラーがあるため、何も取り込みませんでした")


class PlanOutdated(Exception):
    """The database changed between the preview and the apply: the preview shown is no longer true."""


# --- the plan -------------------------------------------------------------------------------


class ChangeKind(StrEnum):
    UNIT_CREATED = "unit_created"
    UNIT_CHANGED = "unit_changed"
    PERSON_CREATED = "person_created"
    PERSON_CHANGED = "person_changed"
    ASSIGNED = "assigned"  # a primary assignment for someone who has none open on the effective date
    MOVED = "moved"  # 異動: the primary assignment goes to another unit, post or title


@dataclass(frozen=True)
class Position:
    """Where a person is assigned: a unit, and a post in it or a title."""

    unit_code: str
    unit_name: str
    post_code: str = ""
    title: str = ""

    def __str__(self) -> str:
        return f"{self.unit_name} {self.title}".strip()


@dataclass(frozen=True)
class Change:
    """One change a plan makes.  ``old``/``new`` are model values (dates, codes, :class:`Position`);
    ``field`` is the column's Japanese name for the *_CHANGED kinds."""

    kind: ChangeKind
    line: int
    staff_number: str = ""
    unit_code: str = ""
    name: str = ""
    field: str = ""
    old: Any = None
    new: Any = None
    effective: dt.date | None = None
    detail: str = ""

    def describe(self) -> str:
        """One line of the preview, in Japanese."""
        who = (
            f"職員 {self.staff_number} {self.name}"
            if self.staff_number
            else f"所属 {self.unit_code} {self.name}"
        )
        if self.kind in (ChangeKind.UNIT_CREATED, ChangeKind.PERSON_CREATED):
            return f"新規 {who}" + (f" ({self.detail})" if self.detail else "")
        if self.kind in (ChangeKind.UNIT_CHANGED, ChangeKind.PERSON_CHANGED):
            return f"変更 {who}: {self.field}: {_show(self.field, self.old)} → {_show(self.field, self.new)}"
        if self.kind == ChangeKind.ASSIGNED:
            return f"新規 配置 {self.staff_number} {self.name}: {self.new} ({self.effective}から)"
        return f"異動 {who}: {self.old} → {self.new} ({self.effective}付、{self.detail})"


def _show(column: str, value: Any) -> str:
    if value is None or value == "":
        return "(空欄)"
    if column == "任用区分":
        return Employment(value).label
    return str(value)


@dataclass
class ImportPlan:
    """What an import would change.  ``changes`` is the plan as data; :meth:`lines` the preview."""

    target: Literal["units", "staff"]
    file: str
    encoding: str
    changes: list[Change]
    notes: list[str] = field(default_factory=list)
    effective: dt.date | None = None
    # The checked file, kept so that apply works from what was previewed, not from a re-read file.
    table: CsvTable | None = field(default=None, repr=False)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def lines(self) -> list[str]:
        return [change.describe() for change in self.changes] or ["変更はありません"]

    def moves(self) -> list[Change]:
        """The 異動 in this plan: each moved person loses what came with the old position."""
        return [change for change in self.changes if change.kind == ChangeKind.MOVED]

    def counts(self) -> dict[str, int]:
        created = sum(c.kind in (ChangeKind.UNIT_CREATED, ChangeKind.PERSON_CREATED) for c in self.changes)
        changed = len(
            {
                (c.staff_number, c.unit_code)
                for c in self.changes
                if c.kind in (ChangeKind.UNIT_CHANGED, ChangeKind.PERSON_CHANGED)
            }
        )
        assigned = sum(c.kind == ChangeKind.ASSIGNED for c in self.changes)
        return {"新規": created, "変更": changed, "新規配置": assigned, "異動": len(self.moves())}
