"""The pack section of the secure rooms (``sections: rooms:``): each controlled room, who may enter it
without permission, who escorts, who consents to an exit, and the article and requirement of each rule
(typed references, which the pack checks and lists as citations)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from mamori.registers.spec import Citation
from mamori.regulations.base import ArticleRef, RequirementRef, RoleRef, Strict

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Clause(Strict):
    """The article and requirement a rule of a room serves."""

    article: ArticleRef
    requirement: RequirementRef


class People(Strict):
    """A set of people, any of: holders of roles, the staff of units (by the unit's name), holders of a
    designation kind (``parameters.designations``)."""

    roles: list[RoleRef] = []
    units: list[str] = []
    designations: list[Code] = []


class Entrants(People, Clause):
    """Who may enter without permission.  ``id_card``: the designated persons are issued an entry ID
    card (FUK-25): the designation is the card's issue, its end the card's return or revocation."""

    id_card: bool = False


class Escorts(People, Clause):
    """Who may escort a permitted entrant (and goods carried in); ``same_as_entrants``: anyone who may
    enter without permission (MAI-20-3 「第1項に掲げる者のいずれか」)."""

    same_as_entrants: bool = False


class Consent(Clause):
    """Who consents to a permitted entrant's exit."""

    roles: list[RoleRef]


class RoomRule(Strict):
    code: Code
    name: str  # e.g. 「サーバ室」
    article: ArticleRef
    requirement: RequirementRef
    manager: RoleRef  # the room's 入退室管理者 (YAN-16)
    entrants: Entrants
    permission: Clause  # entry by anyone else, with an approved rooms.entry request
    escorts: Escorts
    goods: Clause | None = None  # goods carried in are recorded with their escort (YAN-15-3)
    exit: Clause  # the exit time is recorded by the end of the entry's day
    exit_consent: Consent | None = None  # None: no consent is needed


class RoomsSection(Strict):
    title: str  # the book's name in this pack, e.g. 「入退室管理簿」
    article: ArticleRef
    requirement: RequirementRef
    rooms: list[RoomRule]


def section(pack: Any) -> RoomsSection | None:
    return pack.section("rooms")


def room_rule(pack: Any, code: str) -> RoomRule | None:
    found = section(pack)
    return next((r for r in found.rooms if r.code == code), None) if found else None


def room_choices(pack: Any) -> list[tuple[str, str]]:
    found = section(pack)
    return [(r.code, r.name) for r in found.rooms] if found else []


def cite(pack: Any) -> Citation | None:
    found = section(pack)
    return found and Citation(found.article, found.requirement, found.title, pack.cite(found.article))
