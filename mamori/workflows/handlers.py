"""What is particular to one kind of request: checking its payload, finding the unit that owns
its subject, and what happens when it is approved.  Kinds without a handler still run through
the engine: the approval itself is the record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from .payloads import FieldSpec


class PayloadError(ValueError):
    """A payload the kind cannot accept: the field, what is wrong, and the article that says so."""

    def __init__(self, field: str, message: str, *, article: str = ""):
        self.field = field
        self.message = message
        self.article = article
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class KindHandler:
    kind: str
    # Called with the payload its form's schema has cleaned (mamori/workflows/payloads.py) and
    # ``resolved``, the rows its person/unit/system fields name; returns the payload to record or
    # raises PayloadError naming the field.
    clean: Callable[..., dict[str, Any]] | None = None
    # The unit that owns the payload's system (for steps resolved in the system's owner).
    owner_unit: Callable[[dict[str, Any]], Any] | None = None
    # Runs in the transaction that approves the request's last step.
    on_approved: Callable[..., None] | None = None
    # A one-line title for lists, from the payload.
    title: Callable[[dict[str, Any]], str] | None = None
    # The form as this handler reads it: the whole form when the pack's chain names none; over a pack
    # form, each field named here is read as declared (a list, a field it fills in itself) and the
    # others are added.
    fields: tuple[FieldSpec, ...] = ()
    # The fields a pack form must carry for this handler to read it; a form without them is another
    # city's form for the same kind (柳川市 様式第1号), filed and approved as the record alone.
    reads: tuple[str, ...] = ()


_HANDLERS: dict[str, KindHandler] = {}


def register(handler: KindHandler) -> KindHandler:
    _HANDLERS[handler.kind] = handler
    return handler


def handler_for(kind: str) -> KindHandler:
    autodiscover_modules("kinds")
    return _HANDLERS.get(kind, KindHandler(kind=kind))
