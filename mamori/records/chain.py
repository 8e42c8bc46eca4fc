"""The record hash chain: canonical form of a row and its HMAC."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "capacity",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "article",
    "requirement",
    "retention_class",
    "purge_on",
    "prev_hash",
)


def _default(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes the HMAC is taken over: the fields in a fixed order, JSON with sorted keys.

    Datetimes are normalised to UTC with microseconds, so the same instant hashes the same
    whether it comes back from SQLite (text) or PostgreSQL (timestamptz)."""
    values = [row[name] for name in FIELDS]
    return json.dumps(
        values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default
    ).encode()


def row_hash(row: dict[str, Any], key: str | None = None) -> str:
    secret = (key or settings.MAMORI_RECORD_KEY).encode()
    return hmac.new(secret, canonical(row), hashlib.sha256).hexdigest()
