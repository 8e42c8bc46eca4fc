"""Which code implements which requirement ID.

Services and rules declare the IDs they implement with ``@implements("KIT-5-4")``; the
regulation browser and ``mamori regulations show`` read this registry, so what they print is
what the code says of itself, not a list kept by hand.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.utils.module_loading import autodiscover_modules

from .citations import entries_citing_article, entries_citing_requirement
from .schema import Pack

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Implementation:
    kind: str  # code, pack, test
    name: str
    summary: str


_CODE: dict[str, list[Implementation]] = defaultdict(list)


def implements(*requirement_ids: str) -> Callable[[F], F]:
    def register(function: F) -> F:
        doc = (function.__doc__ or "").strip().splitlines()
        name = f"{function.__module__}.{function.__qualname__}"
        for requirement_id in requirement_ids:
            entry = Implementation("code", name, doc[0] if doc else "")
            if entry not in _CODE[requirement_id]:
                _CODE[requirement_id].append(entry)
        return function

    return register


def discover() -> None:
    """Import every app's services, rules and request kinds so that their decorators have run."""
    autodiscover_modules("services", "rules", "kinds")


def code_implementing(requirement_id: str) -> list[Implementation]:
    discover()
    return list(_CODE.get(requirement_id, []))


def pack_entries_citing(pack: Pack, requirement_id: str) -> list[Implementation]:
    """Every pack entry that cites the requirement, found by walking the whole pack (citations.py)."""
    return [
        Implementation("pack", entry.path, entry.summary)
        for entry in entries_citing_requirement(pack, requirement_id)
    ]


def pack_entries_citing_article(pack: Pack, number: str) -> list[Implementation]:
    """Every pack entry that cites the article (第21条: "21", "21-4", "21-4-2" …)."""
    return [
        Implementation("pack", entry.path, entry.summary) for entry in entries_citing_article(pack, number)
    ]


TESTS_DIR = Path(__file__).resolve().parents[2] / "tests"


def tests_citing(requirement_id: str) -> list[Implementation]:
    """Test functions that name the requirement ID (only in a source checkout)."""
    found: list[Implementation] = []
    if not TESTS_DIR.is_dir():
        return found
    for file in sorted(TESTS_DIR.rglob("test_*.py")):
        source = file.read_text(encoding="utf-8")
        if requirement_id not in source:
            continue
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                segment = ast.get_source_segment(source, node) or ""
                if _cites(segment, requirement_id):
                    rel = file.relative_to(TESTS_DIR.parent)
                    found.append(Implementation("test", f"{rel}::{node.name}", ""))
    return found


def _cites(text: str, requirement_id: str) -> bool:
    """KIT-5 must not match KIT-5-4: the ID is followed by a non-ID character."""
    start = 0
    while (index := text.find(requirement_id, start)) != -1:
        after = text[index + len(requirement_id) : index + len(requirement_id) + 1]
        if not after or not (after.isalnum() or after == "-"):
            return True
        start = index + 1
    return False


def everything_implementing(pack: Pack, requirement_id: str) -> list[Implementation]:
    return [
        *pack_entries_citing(pack, requirement_id),
        *code_implementing(requirement_id),
        *tests_citing(requirement_id),
    ]
