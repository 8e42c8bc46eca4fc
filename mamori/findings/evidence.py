"""Where a finding's evidence is shown: a small registry keyed by the finding's ``object_type``.

The findings app knows no domain: the layer that knows the screens (``mamori.web``) registers, for
each kind of object a rule names, how to turn the stored ``object_id`` into the page that shows it,
and the permission a viewer needs to open that page.  The page enforces its own policy anyway; the
permission only keeps a link off the list for someone who would be refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    label: str  # what the link opens, in Japanese: 「管理ファイルの行」「端末」…
    url: Callable[[str], str | None]  # object_id -> the page's URL (None: the object is gone)
    perm: str | None = None  # the policy's permission the page needs, if any


_EVIDENCE: dict[str, Evidence] = {}


def register_evidence(
    object_type: str, *, label: str, url: Callable[[str], str | None], perm: str | None = None
) -> None:
    _EVIDENCE[object_type] = Evidence(label=label, url=url, perm=perm)


def evidence_for(object_type: str) -> Evidence | None:
    return _EVIDENCE.get(object_type) if object_type else None


def evidence_types() -> dict[str, Evidence]:
    return dict(_EVIDENCE)
