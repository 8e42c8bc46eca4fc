"""The results of a review campaign as a table (xlsx / PDF through mamori.exports): every line, who
reviewed it, in which capacity, when, and what they decided (KIT-5-10, KIT-6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from mamori.core import time
from mamori.exports.tables import Column, TableExport

from .models import Campaign, CampaignLine, LineState

COLUMNS = [
    Column("行", width=7, align="right"),
    Column("職員番号", width=10),
    Column("氏名", width=14),
    Column("所属", width=14),
    Column("システム", width=18),
    Column("操作権限", width=12),
    Column("ユーザID", width=12),
    Column("有効開始日", width=11),
    Column("有効終了日", width=11),
    Column("確認者（役割）", width=22),
    Column("確認者", width=12),
    Column("結果", width=12),
    Column("判断者", width=12),
    Column("資格", width=22),
    Column("判断日時", width=17),
    Column("理由・修正内容", width=28),
]
STATE_LABELS = dict(LineState.choices)


def _rows(lines: QuerySet[CampaignLine]) -> Iterator[tuple[Any, ...]]:
    rows = lines.order_by("pk").values_list(
        "pk",
        "person__staff_number",
        "person__name",
        "unit__name",
        "system__name",
        "privilege__name",
        "user_id",
        "valid_from",
        "valid_to",
        "reviewer_role_name",
        "reviewer__name",
        "state",
        "decided_by__person__name",
        "decided_by__username",
        "decided_as",
        "decided_at",
        "reason",
        "changes",
    )
    for row in rows.iterator(chunk_size=2000):
        (pk, number, name, unit, system, privilege, user_id, start, end, role, reviewer, state) = row[:12]
        decider, username, capacity, decided_at, reason, changes = row[12:]
        note = reason
        if changes:
            note = f"{reason}（{', '.join(f'{k}={v}' for k, v in changes.items())}）"
        yield (
            pk,
            number,
            name,
            unit or "",
            system,
            privilege,
            user_id,
            start,
            end,
            role,
            reviewer or "（不在）",
            STATE_LABELS.get(state, state),
            decider or username or "",
            capacity,
            time.local(decided_at).strftime("%Y-%m-%d %H:%M") if decided_at else "",
            note,
        )


def campaign_results(
    campaign: Campaign, *, by: Any, at: dt.datetime | None = None, lines: QuerySet[CampaignLine] | None = None
) -> TableExport:
    """The results of ``lines`` (the lines the viewer may read: ``selectors.visible_lines``)."""
    moment = at or time.now()
    lines = lines if lines is not None else CampaignLine.objects.filter(campaign=campaign)
    scope = "・".join(
        n
        for n in (
            campaign.system.name if campaign.system else "",
            campaign.unit.name if campaign.unit else "",
        )
        if n
    )
    return TableExport(
        title="管理ファイルの定期確認 結果",
        subtitle=campaign.title,
        article=campaign.article,
        columns=COLUMNS,
        rows=_rows(lines),
        meta=[
            ("対象", scope),
            ("基準日", time.wareki(campaign.launched_on)),
            ("期限", time.wareki(campaign.deadline)),
            ("状態", campaign.get_state_display()),
            ("出力日時", f"{time.wareki(moment)} {time.local(moment):%H:%M}"),
            ("出力者", getattr(by, "display_name", "") or str(by)),
        ],
        landscape=True,
        sheet_name="定期確認",
        generated_at=moment,
    )
