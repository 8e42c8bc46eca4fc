"""The pack section of the recording-media ledger (``sections: media:``): what the pack calls the
ledger, the article and requirement it serves, the asset types every row takes one of (YAN-2's
taxonomy, or the kinds of 記録媒体), the roles that keep it, the storage places, and the articles its
rules cite (typed references, which the pack checks and lists as citations)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from mamori.registers.spec import Citation
from mamori.regulations.base import CODE, ArticleRef, RequirementRef, RoleRef, Strict

Code = Annotated[str, StringConstraints(pattern=CODE.pattern, max_length=24)]


class AssetType(Strict):
    code: Code  # stored on the row; never shown
    label: str  # what a clerk reads, the article's own word
    article: ArticleRef  # where the pack defines the type


class StoragePlace(Strict):
    code: Code
    label: str


class MediaSection(Strict):
    title: str  # the ledger's name in this pack, e.g. 「磁気ファイル等管理台帳」
    form: str = ""  # the form it is kept on, e.g. 「様式第3号」
    article: ArticleRef
    requirement: RequirementRef
    # The taxonomy's own article and requirement (YAN-2), where the pack defines one.
    taxonomy_article: ArticleRef | None = None
    taxonomy_requirement: RequirementRef | None = None
    kept_by: list[RoleRef]  # roles that keep the ledger, each within its own scope (部・課)
    asset_types: list[AssetType]
    storage_places: list[StoragePlace]
    label_article: ArticleRef | None = None  # labels reveal nothing of the content
    disposal_article: ArticleRef | None = None  # leak-proof disposal
    return_article: ArticleRef  # what an overdue return cites


def section(pack: Any) -> MediaSection | None:
    return pack.section("media")


def cite(pack: Any) -> Citation | None:
    found = section(pack)
    return found and Citation(found.article, found.requirement, found.title, pack.cite(found.article))
