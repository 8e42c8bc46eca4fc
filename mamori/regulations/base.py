"""What every part of a pack's schema shares: strict models and the forms of references and codes."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

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
