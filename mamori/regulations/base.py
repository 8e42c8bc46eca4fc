"""What every part of a pack's schema shares: strict models and the forms of references and codes."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

ARTICLE_REF = re.compile(r"^(附則|別表第?\d+|\d+(の\d+)?)(-\d+){0,2}$")
REQUIREMENT_ID = re.compile(r"^[A-Z]{3}-[0-9A-Z]+(-\d+)?$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_article_ref(value: str) -> str:
    if not ARTICLE_REF.match(value):
        raise ValueError(f"'{value}' is not an article reference like '5', '5-2' or '5-2-3'")
    return value


@dataclass(frozen=True)
class Reference:
    """Marks a field as a reference to something the pack defines: an ``article``, a ``requirement``,
    a ``role`` or a ``form``.  Domain sections type their references with the aliases below, so the
    pack checks that they resolve and lists what cites each article (issue 9 item 4)."""

    kind: str


ArticleRef = Annotated[str, AfterValidator(_check_article_ref), Reference("article")]
RequirementRef = Annotated[str, Reference("requirement")]
RoleRef = Annotated[str, Reference("role")]
FormRef = Annotated[str, Reference("form")]


def field_reference_kind(model: type[BaseModel], name: str) -> str | None:
    """The kind of reference a model's field holds (pydantic keeps a top-level ``Annotated``'s
    markers in the field's metadata, a nested one in its annotation)."""
    info = model.model_fields[name]
    for marker in info.metadata:
        if isinstance(marker, Reference):
            return marker.kind
    return reference_kind(info.annotation)


def reference_kind(annotation: Any) -> str | None:
    """The kind of reference a type carries (``list[RoleRef]`` → "role"), or None."""
    for marker in getattr(annotation, "__metadata__", ()):
        if isinstance(marker, Reference):
            return marker.kind
    for argument in typing.get_args(annotation):
        kind = reference_kind(argument)
        if kind is not None:
            return kind
    return None
