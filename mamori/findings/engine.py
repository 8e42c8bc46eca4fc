"""Rules: functions over registers and records that say what is wrong today.

A rule is registered with ``@rule(code)`` and yields :class:`Observation` rows; each names the
requirement ID and article it enforces.  ``findings_run`` opens a finding for every new
observation and resolves the open findings a rule no longer observes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

from mamori.regulations.schema import Pack


@dataclass(frozen=True)
class Observation:
    key: str
    requirement: str
    article: str
    title: str
    detail: str = ""
    object_type: str = ""
    object_id: str = ""
    person: Any = None
    unit: Any = None


RuleFunction = Callable[[Pack, dt.date], Iterable[Observation]]
_RULES: dict[str, RuleFunction] = {}


def rule(code: str) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        _RULES[code] = function
        return function

    return register


def all_rules() -> dict[str, RuleFunction]:
    autodiscover_modules("rules")
    return dict(_RULES)
