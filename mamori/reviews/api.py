"""JSON API of review campaigns (管理ファイルの定期確認, KIT-5-10 / KIT-6); mounted by mamori/api.py
under /api/reviews/.  Every change goes through mamori.reviews.services, as the screens do."""

import datetime as dt
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from mamori.core import time
from mamori.core.schemas import API_PAGE_SIZE, Code, JsonObject, ProblemOut, Text, Title
from mamori.exports.tables import export_response
from mamori.organisation.models import Unit
from mamori.regulations.active import active_pack
from mamori.systems.models import System

from .exports import campaign_results
from .models import Campaign, CampaignLine, CampaignState, LineState
from .selectors import campaigns_for, line_rows, lines_for_reviewer, visible_lines
from .services import (
    campaign_close,
    campaign_launch,
    campaign_line_decide,
    campaign_lines_confirm,
)

router = Router(tags=["定期確認"])
MAX_PAGE = 500


class CampaignOut(Schema):
    id: int
    title: str
    state: str
    system: str | None = Field(None, description="対象システムのコード")
    unit: str | None = Field(None, description="対象組織の所属コード")
    include_sub_units: bool
    launched_on: dt.date = Field(description="基準日: この日の管理ファイルと役割の保持者で確認する")
    deadline: dt.date
    requirement: str
    article: str
    lines: int
    pending: int
    confirmed: int
    revoked: int
    corrected: int
    undecided: int
    closed_at: dt.datetime | None
    close_note: str

    @staticmethod
    def resolve_system(campaign: Campaign) -> str | None:
        return campaign.system.code if campaign.system else None

    @staticmethod
    def resolve_unit(campaign: Campaign) -> str | None:
        return campaign.unit.code if campaign.unit else None

    @staticmethod
    def resolve_lines(campaign: Campaign) -> int:
        return campaign.line_count  # type: ignore[attr-defined]  # with_progress's annotation


def with_progress(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Each campaign with its lines counted, in all and by state (CampaignOut's ``lines``, ``pending``
    …), in the campaigns' own query."""
    return campaigns.annotate(
        line_count=Count("lines"),
        **{state: Count("lines", filter=Q(lines__state=state)) for state in LineState.values},
    )


class CampaignIn(Schema):
    title: Title = ""
    system: Code | None = Field(None, description="対象システムのコード（組織と併用可）")
    unit: Code | None = Field(None, description="対象組織の所属コード")
    include_sub_units: bool = True
    on: dt.date | None = Field(None, description="基準日（省略時は本日）")
    deadline: dt.date | None = Field(None, description="期限（省略時は規程パックの deadline_days 後）")


class LineOut(Schema):
    id: int
    campaign: int
    entitlement: int
    staff_number: str
    person: str
    unit: str | None
    system: str
    privilege: str
    user_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    reviewer_role: str
    reviewer_role_name: str
    reviewer: str | None
    requirement: str
    article: str
    state: str
    decided_by: str | None
    decided_as: str
    decided_at: dt.datetime | None
    reason: str
    changes: dict[str, Any] | None


class LinePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[LineOut]


class LineDecisionIn(Schema):
    decision: Literal["confirm", "revoke", "correct"]
    reason: Text = Field("", description="解除・修正では必須")
    changes: JsonObject | None = Field(
        None, description="修正内容: user_id, valid_from, valid_to (YYYY-MM-DD; valid_to は null で無期限)"
    )


class BulkIn(Schema):
    lines: list[int] = Field(description="確認（適正）とする行の ID。一つでも担当外なら何も確認しない")


class BulkOut(Schema):
    confirmed: int
    skipped: int = Field(description="既に判断済み、または開始後に権限が終了した行（個別に判断する）")


class CloseIn(Schema):
    note: Text = Field("", description="未確認の行が残るときは必須")


# Refusals (ReviewError 400, NotReviewer 403, the policy's Refused) are the API's one Problem schema
# (mamori/api.py's problem_handlers): no router translates them.


def _counted(campaign: Campaign) -> Campaign:
    """The campaign again, with its progress (after a change)."""
    return with_progress(Campaign.objects.select_related("system", "unit").filter(pk=campaign.pk)).get()


def _line_out(line: CampaignLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "campaign": line.campaign_id,
        "entitlement": line.entitlement_id,
        "staff_number": line.person.staff_number,
        "person": line.person.name,
        "unit": line.unit.name if line.unit else None,
        "system": line.system.code,
        "privilege": line.privilege.code,
        "user_id": line.user_id,
        "valid_from": line.valid_from,
        "valid_to": line.valid_to,
        "reviewer_role": line.reviewer_role,
        "reviewer_role_name": line.reviewer_role_name,
        "reviewer": line.reviewer.name if line.reviewer else None,
        "requirement": line.requirement,
        "article": line.article,
        "state": line.state,
        "decided_by": line.decided_by.display_name if line.decided_by else None,
        "decided_as": line.decided_as,
        "decided_at": line.decided_at,
        "reason": line.reason,
        "changes": line.changes,
    }


def _page(rows, page: int, page_size: int) -> dict[str, Any]:
    page_size = max(1, min(page_size, MAX_PAGE))
    page = max(1, page)
    start = (page - 1) * page_size
    return {
        "count": rows.count(),
        "page": page,
        "page_size": page_size,
        "items": [_line_out(x) for x in rows[start : start + page_size]],
    }


def _campaign(request, campaign_id: int) -> Campaign:
    return get_object_or_404(campaigns_for(request.user, on=time.today()), pk=campaign_id)


@router.get(
    "/campaigns",
    response=list[CampaignOut],
    summary=f"定期確認の一覧: {API_PAGE_SIZE}件ずつのページ（items・count、?page=）",
)
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def campaign_list(request, state: CampaignState | None = None):
    """管理者はすべて、確認者は自分が確認する行のある定期確認を、新しい順に返します。"""
    campaigns = campaigns_for(request.user, on=time.today())
    if state:
        campaigns = campaigns.filter(state=state)
    return with_progress(campaigns)


@router.post(
    "/campaigns", response={201: CampaignOut, 400: ProblemOut, 403: ProblemOut}, summary="定期確認を開始"
)
def campaign_start(request, body: CampaignIn):
    """範囲（システム・組織・両方）の有効な管理ファイルの行を基準日時点で写し取り、各行の確認者を
    規程パックの役割から決めます（北見市 第5条第10項、第6条第5項）。管理者か確認者の役割の者が行います。"""
    system = unit = None
    if body.system:
        system = System.objects.filter(code=body.system).first()
        if system is None:
            return Status(400, {"message": f"システム {body.system} は登録されていません", "field": "system"})
    if body.unit:
        unit = Unit.objects.filter(code=body.unit).first()
        if unit is None:
            return Status(400, {"message": f"所属コード {body.unit} の組織はありません", "field": "unit"})
    campaign = campaign_launch(
        actor=request.user,
        on=body.on or time.today(),
        title=body.title,
        system=system,
        unit=unit,
        include_sub_units=body.include_sub_units,
        deadline=body.deadline,
    )
    return Status(201, _counted(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="定期確認の進捗")
def campaign_detail(request, campaign_id: int):
    return get_object_or_404(with_progress(campaigns_for(request.user, on=time.today())), pk=campaign_id)


@router.get("/campaigns/{campaign_id}/lines", response=LinePage, summary="定期確認の行")
def campaign_lines(
    request, campaign_id: int, state: LineState | None = None, page: int = 1, page_size: int = 100
):
    """行を ID 順にページ単位で返します（page_size は最大 500）。"""
    campaign = _campaign(request, campaign_id)
    rows = line_rows(visible_lines(request.user, campaign, on=time.today(), pack=active_pack()))
    if state:
        rows = rows.filter(state=state)
    return _page(rows, page, page_size)


@router.get("/lines/mine", response=LinePage, summary="自分が確認する行")
def my_lines(request, state: LineState = LineState.PENDING, page: int = 1, page_size: int = 100):
    """実施中の定期確認のうち、本日自分（または職務代理として）が確認する行。"""
    person = getattr(request.user, "person", None)
    rows = lines_for_reviewer(person, on=time.today(), pack=active_pack()).filter(state=state)
    return _page(line_rows(rows), page, page_size)


@router.post(
    "/lines/{line_id}/decision", response={200: LineOut, 400: ProblemOut, 403: ProblemOut}, summary="行を判断"
)
def line_decide(request, line_id: int, body: LineDecisionIn):
    """確認（適正）・解除（管理ファイルから解除）・修正（ユーザID・有効期間）。解除と修正は理由が必須で、
    管理ファイルの変更は同じトランザクションで記録されます（第5条第11項、第6条第6項）。"""
    line = get_object_or_404(CampaignLine, pk=line_id)
    decided = campaign_line_decide(
        line=line, actor=request.user, decision=body.decision, reason=body.reason, changes=body.changes
    )
    return Status(200, _line_out(line_rows(CampaignLine.objects.filter(pk=decided.pk)).get()))


@router.post(
    "/campaigns/{campaign_id}/confirm",
    response={200: BulkOut, 400: ProblemOut, 403: ProblemOut},
    summary="一括確認",
)
def lines_confirm(request, campaign_id: int, body: BulkIn):
    """指定した行をまとめて確認（適正）とします。一つのトランザクションで、行ごとに記録します。"""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    result = campaign_lines_confirm(campaign=campaign, actor=request.user, line_ids=body.lines)
    return Status(200, {"confirmed": result.confirmed, "skipped": result.skipped})


@router.post(
    "/campaigns/{campaign_id}/close",
    response={200: CampaignOut, 400: ProblemOut, 403: ProblemOut},
    summary="定期確認を終了（管理者）",
)
def campaign_finish(request, campaign_id: int, body: CloseIn):
    """全行の判断が済むと自動で完了します。管理者はそれより前に終了でき、未確認の行はその旨を記録します。"""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    closed = campaign_close(campaign=campaign, actor=request.user, note=body.note)
    return Status(200, _counted(closed))


@router.get("/campaigns/{campaign_id}/export", summary="結果の出力（xlsx / PDF）")
def campaign_export(request, campaign_id: int, fmt: Literal["xlsx", "pdf"] = "xlsx") -> HttpResponse:
    """全行の結果（判断者・資格・日時・理由）を xlsx か PDF（IPAex フォント埋込み）で返します。"""
    campaign = _campaign(request, campaign_id)
    lines = visible_lines(request.user, campaign, on=time.today(), pack=active_pack())
    return export_response(
        campaign_results(campaign, by=request.user, lines=lines),
        fmt=fmt,
        filename=f"teiki_kakunin_{campaign.pk}",
    )
