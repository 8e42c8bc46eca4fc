"""Every pack entry that cites an article or a requirement, found by walking the whole pack (roles,
chains, parameters, forms, tables and every domain's section) rather than by a hand-kept list of
blocks (issue 9 item 4): a new block or a new domain section is listed the day it is written.

An entry is a part of the pack (a model) that carries an article reference (``article``,
``articles``, ``*_article``, or a field typed :data:`~.base.ArticleRef`) or a requirement ID
(``requirement``, ``requirements``, or :data:`~.base.RequirementRef`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from .base import field_reference_kind
from .schema import Pack

# The pack's articles and requirements are what entries cite, not entries themselves.
NOT_ENTRIES = ("articles", "requirements")
# How a clerk reads each part of the pack.
KIND_OF_PART = {
    "roles": "役割",
    "chains": "承認経路",
    "forms": "様式",
    "tables": "別表",
    "parameters": "規則",
    "sections": "区画",
}
PARAMETER_BLOCKS = {
    "monitoring": "操作記録の監視",
    "password": "パスワードの規則",
    "calendar": "閉庁日",
    "operating_hours": "稼働時間",
    "access": "管理ファイルの規則",
    "review": "定期確認",
    "managed_passwords": "管理対象システムのパスワード",
    "operator_ids": "照合ID・操作者ID",
    "viewing_ids": "閲覧用ID",
    "designations": "指定",
    "retention": "保存期間",
}
KEYS = ("kind", "code", "id")
NAMING = ("title", "label", "name", "caption", "kind", "code", "role", "id")


@dataclass(frozen=True)
class Citing:
    path: str  # where in the pack, e.g. "parameters.monitoring.search_limits", "chains.access.privilege"
    summary: str  # Japanese: what it is
    articles: tuple[str, ...]
    requirements: tuple[str, ...]

    def cites_article(self, number: str) -> bool:
        """第21条 is cited by "21", "21-4" and "21-4-2" alike."""
        head = number.split("-")[0]
        return any(ref == number or ref.split("-")[0] == head for ref in self.articles)


def _field_kind(model: type[BaseModel], name: str) -> str | None:
    typed = field_reference_kind(model, name)
    if typed in ("article", "requirement"):
        return typed
    if name in ("article", "articles") or name.endswith("_article"):
        return "article"
    if name in ("requirement", "requirements"):
        return "requirement"
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str) and item]
    return []


def _summary(path: str, model: BaseModel) -> str:
    parts = path.split(".")
    part = KIND_OF_PART.get(parts[0].split("[")[0], "")
    if parts[0] == "parameters" and len(parts) > 1:
        part = PARAMETER_BLOCKS.get(parts[1].split("[")[0], part)
    if ".steps[" in path:
        part = "承認の段階"
    name = next(
        (str(getattr(model, field)) for field in NAMING if isinstance(getattr(model, field, None), str)), ""
    )
    return " ".join(filter(None, (part, name))) or path


def _walk(value: object, path: str) -> Iterator[Citing]:
    if isinstance(value, BaseModel):
        articles: list[str] = []
        requirements: list[str] = []
        for name in type(value).model_fields:
            kind = _field_kind(type(value), name)
            if kind == "article":
                articles += _strings(getattr(value, name))
            elif kind == "requirement":
                requirements += _strings(getattr(value, name))
        if articles or requirements:
            yield Citing(path, _summary(path, value), tuple(articles), tuple(requirements))
        for name in type(value).model_fields:
            if _field_kind(type(value), name) is None:
                yield from _walk(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            # An entry with a stable key is named by it (chains.access.privilege, roles.security_officer).
            key = next((getattr(item, k) for k in KEYS if isinstance(getattr(item, k, None), str)), None)
            yield from _walk(item, f"{path}.{key}" if key else f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")


def pack_entries(pack: Pack) -> list[Citing]:
    """Every entry of the pack that cites an article or a requirement, in the pack's order."""
    found: list[Citing] = []
    for name in type(pack).model_fields:
        if name not in NOT_ENTRIES:
            found += _walk(getattr(pack, name), name)
    return found


def entries_citing_article(pack: Pack, number: str) -> list[Citing]:
    return [entry for entry in pack_entries(pack) if entry.cites_article(number)]


def entries_citing_requirement(pack: Pack, requirement_id: str) -> list[Citing]:
    return [entry for entry in pack_entries(pack) if requirement_id in entry.requirements]
