"""帳票出力: a request printed as its pack form, and the management file as xlsx or PDF.

Reading only: who may download what is the same as who may see it on screen (a request through
visible_requests, the management file through the access app's KIT-4 scope)."""

from __future__ import annotations

from django.shortcuts import render

from mamori.access.exports import FILTERS, clean_filters, management_file_export
from mamori.exports.forms import NoForm, form_of, request_form_pdf, request_form_xlsx
from mamori.exports.tables import export_response, file_response
from mamori.workflows.selectors import visible_requests

from .common import current_pack, parse_day, screen

FORMATS = ("xlsx", "pdf")


def _refused(request, message: str, status: int):
    return render(request, "web/refused.html", {"message": message}, status=status)


@screen
def request_form_export(request, pk: int, fmt: str):
    """/exports/requests/<pk>.pdf|.xlsx: the request on its form (別記様式1/2 …) with the trail."""
    if fmt not in FORMATS:
        return _refused(request, "出力形式は xlsx か pdf です。", 404)
    filed = visible_requests(request.user).filter(pk=pk).select_related("requester", "requester_unit").first()
    if filed is None:
        return _refused(request, "この申請は見つからないか、閲覧できません。", 404)
    pack = current_pack() if filed.pack == current_pack().pack else None
    try:
        _, form = form_of(filed, pack)
    except NoForm as error:
        return _refused(request, str(error), 404)
    content = request_form_pdf(filed, pack) if fmt == "pdf" else request_form_xlsx(filed, pack)
    return file_response(content, fmt=fmt, filename=f"{form.title}_{filed.pk}")


@screen
def management_file_export_view(request, fmt: str):
    """/exports/management-file.xlsx|.pdf with the list's filters (system, unit, state, q, person,
    on): KIT-4, a 情報セキュリティ責任者 exports their own organisation's users only."""
    on, problem = parse_day(request.GET.get("on"))
    if problem:
        return _refused(request, problem, 400)
    pack = current_pack()
    export = management_file_export(user=request.user, on=on, filters=clean_filters(request.GET), pack=pack)
    return export_response(export, fmt=fmt, filename=f"管理ファイル_{on:%Y%m%d}")


@screen
def export_index(request):
    """The exports this user can make, with the management file's filters."""
    return render(
        request,
        "web/exports/index.html",
        {"nav": "exports", "filters": {key: request.GET.get(key, "") for key in (*FILTERS, "q", "on")}},
    )
