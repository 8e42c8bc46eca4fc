"""API schemas every router shares, and the limits of what a client may send (issue 10: every text
field has a maximum length).  A field stored in a column takes the column's ``max_length``; the
shared limits below are for the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field, ValidationInfo

TEXT_MAX = 2000  # reasons, comments, notes
TITLE_MAX = 200  # titles (申請・定期確認の件名: the columns are 200)
CODE_MAX = 100  # codes, IDs, staff numbers, filters and searches
PAYLOAD_MAX = 20_000  # a JSON object (申請の内容, a review's changes), as JSON
# Every API list is paged by ninja (``{"items": [...], "count": N}``, ``?page=2``, ``?page_size=`` up to
# this): never a silent cut-off.  The register layer's lists take their spec's page size.
API_PAGE_SIZE = 100

Text = Annotated[str, Field(max_length=TEXT_MAX)]
Title = Annotated[str, Field(max_length=TITLE_MAX)]
Code = Annotated[str, Field(max_length=CODE_MAX)]


def _too_long(value: Any, where: str) -> Iterator[str]:
    """Messages for the strings in a JSON value longer than TEXT_MAX, and the keys longer than CODE_MAX."""
    if isinstance(value, str):
        if len(value) > TEXT_MAX:
            yield f"{where} の文字数（{len(value):,} 字）が上限 {TEXT_MAX:,} 字を超えています"
    elif isinstance(value, dict):
        for key, item in value.items():
            if len(str(key)) > CODE_MAX:
                yield f"{where} の項目名が上限 {CODE_MAX:,} 字を超えています"
            else:
                yield from _too_long(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _too_long(item, f"{where}[{n}]")


def _bounded_json(value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
    """A JSON object of at most PAYLOAD_MAX characters whose strings are at most TEXT_MAX each; the
    refusal names the field (``payload.reason``)."""
    if value is None:
        return value
    field = info.field_name or "payload"
    message = next(_too_long(value, field), None)
    if message:
        raise ValueError(message)
    size = len(json.dumps(value, ensure_ascii=False, default=str))
    if size > PAYLOAD_MAX:
        raise ValueError(f"{field} が大きすぎます（JSON で {size:,} 字、上限 {PAYLOAD_MAX:,} 字）")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_json)]


class ProblemOut(Schema):
    """A refusal a person can read: what is wrong, the article that says so, and the field at fault."""

    message: str
    article: str = ""
    field: str | None = None
