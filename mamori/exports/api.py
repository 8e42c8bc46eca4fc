"""JSON API of the exports domain; mounted by mamori/api.py under /api/exports/.

The downloads of the screens, for scripts: the management file with the list's filters and the
caller's KIT-4 scope, and a filed request printed as its pack form.  Reading only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from mamori.access.exports import clean_filters, management_file_export
from mamori.core import time
from mamori.core.schemas import Code
from mamori.regulations.active import active_pack
from mamori.workflows.selectors import visible_requests

from .forms import NoForm, form_of, request_form_pdf, request_form_xlsx
from .tables import export_response, file_response

router = Router(tags=["帳票出力"])


class ManagementFileFilters(Schema):
    fmt: Literal["xlsx", "pdf"] = "xlsx"
    on: dt.date | None = Field(None, description="基準日（既定: 本日）")
    system: Code = Field("", description="システムコード")
    unit: Code = Field("", description="所属コード（下位の組織を含む）")
    state: Code = Field(
        "open", description="状態: open（有効・登録待ち）, active, expired, revoked, deleted; 空で全件"
    )
    q: Code = Field("", description="氏名・職員番号・ユーザIDの検索")
    person: Code = Field("", description="職員番号")


@router.get(
    "/management-file",
    summary="管理ファイルの出力（xlsx / PDF）",
    description="KIT-4: 情報セキュリティ責任者は所管する組織のシステム使用者だけが出力されます。"
    "PDF は 5,000 行まで（超えると 413 と理由）。",
)
def management_file(request, filters: Query[ManagementFileFilters]) -> HttpResponse:
    on = filters.on or time.today()
    query = filters.dict(exclude={"fmt", "on"})
    export = management_file_export(
        user=request.user, on=on, filters=clean_filters(query), pack=active_pack()
    )
    return export_response(export, fmt=filters.fmt, filename=f"管理ファイル_{on:%Y%m%d}")


@router.get(
    "/requests/{request_id}",
    summary="申請書の出力（パックの様式、審査・決定の経過付き）",
)
def request_form(request, request_id: int, fmt: Literal["xlsx", "pdf"] = "pdf") -> HttpResponse:
    filed = visible_requests(request.user).filter(pk=request_id).first()
    if filed is None:
        raise HttpError(404, "この申請は見つからないか、閲覧できません。")
    try:
        _, form = form_of(filed)
    except NoForm as error:
        raise HttpError(404, str(error)) from None
    content = request_form_pdf(filed) if fmt == "pdf" else request_form_xlsx(filed)
    return file_response(content, fmt=fmt, filename=f"{form.title}_{filed.pk}")
