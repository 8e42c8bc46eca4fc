"""The management file export: the lines as the access screens list them (same filters, same
visibility, KIT-4), streamed as tuples so 100,000 lines export in a handful of queries.

It lives with the access app, whose register it reads; mamori.exports only renders tables and forms
and sits below the domains in the app graph (.importlinter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from mamori.core import time
from mamori.exports.forms import municipality_name
from mamori.exports.tables import Column, TableExport
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import EntitlementBasis, EntitlementState
from .selectors import entitlement_list, scope_of, visible_entitlements

# The filters of the management-file list (mamori/access/selectors.py entitlement_list); the
# screens call the free-text box "q".
FILTERS = ("system", "unit", "state", "text", "person")
CHUNK = 2000

COLUMNS = [
    Column("所属", width=18),
    Column("職員番号", width=10),
    Column("氏名", width=14),
    Column("システムコード", width=10),
    Column("システム名", width=20),
    Column("権限", width=14),
    Column("ユーザID", width=12),
    Column("有効開始日", width=12),
    Column("有効終了日", width=12),
    Column("状態", width=10),
    Column("登録の根拠", width=16),
    Column("申請番号", width=8, align="right"),
    Column("登録日時", width=16),
]
FIELDS = (
    "unit_name",
    "person__staff_number",
    "person__name",
    "system__code",
    "system__name",
    "privilege__name",
    "user_id",
    "valid_from",
    "valid_to",
    "state",
    "basis",
    "request_id",
    "registered_at",
)


def clean_filters(query: Mapping[str, Any]) -> dict[str, str]:
    """The list filters from a query string (``q`` is the free text), unknown keys dropped; like
    the list screen, no ``state`` at all means the open lines and an empty one means all."""
    filters = {key: str(query.get(key) or "").strip() for key in FILTERS}
    if not filters["text"]:
        filters["text"] = str(query.get("q") or "").strip()
    if "state" not in query:
        filters["state"] = "open"  # as the list screen: the lines that stand, unless asked otherwise
    return {key: value for key, value in filters.items() if value}


@implements("KIT-4")
def management_file_rows(*, user: Any, on: dt.date, filters: Mapping[str, str], pack: Pack) -> QuerySet:
    """KIT-4: the lines of the management file this user may see (a 情報セキュリティ責任者 the
    users of their own organisation), filtered as the list screen filters them.  ``on`` picks the day of
    the data; the viewer's rights are always today's (an officer cannot look into the organisation they
    will have, or had, by moving ``on``)."""
    lines = visible_entitlements(user, pack=pack, on=time.today())
    return entitlement_list(lines, on=on, **{k: v for k, v in filters.items() if k in FILTERS})


def _rows(queryset: QuerySet) -> Iterator[tuple[Any, ...]]:
    states = dict(EntitlementState.choices)
    bases = dict(EntitlementBasis.choices)
    state_at, basis_at = FIELDS.index("state"), FIELDS.index("basis")
    for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK):
        row = list(row)
        row[state_at] = states.get(row[state_at], row[state_at])
        row[basis_at] = bases.get(row[basis_at], row[basis_at])
        yield tuple(row)


def management_file_article(pack: Pack) -> str:
    """The article the administrator registers lines under: the last step of the pack's privilege
    chain (北見市 第5条第4項); empty where the pack has none."""
    for chain in pack.chains:
        if chain.kind == "access.privilege":
            return pack.cite(chain.steps[-1].article)
    return ""


def management_file_export(*, user: Any, on: dt.date, filters: Mapping[str, str], pack: Pack) -> TableExport:
    queryset = management_file_rows(user=user, on=on, filters=filters, pack=pack)
    scope = scope_of(user, pack=pack, on=time.today())
    person = getattr(user, "person", None)
    labels = {"system": "システム", "unit": "組織", "state": "状態", "text": "検索", "person": "職員番号"}
    conditions = "、".join(f"{labels[k]}={v}" for k, v in filters.items() if k in labels) or "なし"
    return TableExport(
        title="管理ファイル（操作権限）",
        subtitle=f"{municipality_name(pack)} {pack.title}",
        article=management_file_article(pack),
        columns=COLUMNS,
        rows=_rows(queryset),
        meta=[
            ("基準日", time.wareki(on)),
            ("出力者", person.name if person else user.get_username()),
            ("範囲", scope.label),
            ("条件", conditions),
        ],
        landscape=True,
        sheet_name="管理ファイル",
    )
