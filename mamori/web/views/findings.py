"""指摘: the findings that concern me (all of them for an administrator), closed through finding_close."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.findings.models import FindingState
from mamori.findings.selectors import visible_findings
from mamori.findings.services import FindingError, finding_close

from ..forms import FindingCloseForm
from .common import is_htmx, render_list, safe_next, screen

PAGE_SIZE = 50
DONE = {"resolved": "是正済にしました。", "accepted": "理由を付けて受容しました。", "open": "再開しました。"}


@screen
def finding_list(request):
    state = request.GET.get("state", FindingState.OPEN)
    rows = visible_findings(request.user)
    if state in FindingState.values:
        rows = rows.filter(state=state)
    else:
        state = "all"
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "findings", "page": page, "state": state, "states": FindingState.choices}
    return render_list(request, "web/findings.html", "web/_findings_table.html", context)


@screen
@require_POST
def finding_close_view(request, pk: int):
    finding = get_object_or_404(visible_findings(request.user), pk=pk)
    form = FindingCloseForm(request.POST)
    error, done = "", ""
    if not form.is_valid():
        error = "是正済・受容・再開のいずれかを選んでください。"
    else:
        try:
            finding = finding_close(
                finding=finding,
                actor=request.user,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
            )
        except FindingError as refused:
            error = refused.message
        else:
            done = DONE[form.cleaned_data["state"]]
    if is_htmx(request):
        finding.refresh_from_db()
        return render(request, "web/_finding_row.html", {"finding": finding, "error": error, "done": done})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("findings")))
