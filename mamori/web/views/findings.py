"""指摘: the findings that concern me (all of them for an administrator), filtered, sorted, paged and
exported; each links to its evidence; closed through finding_close."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.core.policy import may
from mamori.exports.tables import Column, TableExport, export_response
from mamori.findings.evidence import evidence_for, evidence_types, register_evidence
from mamori.findings.filters import FindingFilter
from mamori.findings.models import Finding, FindingState
from mamori.findings.selectors import visible_findings
from mamori.findings.services import FindingError, finding_close
from mamori.findings.titles import rule_title
from mamori.systems.models import System
from mamori.terminals.models import Terminal

from ..forms import FindingCloseForm
from .common import current_pack, is_htmx, render_list, safe_next, screen

PAGE_SIZE = 50
DONE = {"resolved": "是正済にしました。", "accepted": "理由を付けて受容しました。", "open": "再開しました。"}


def _code_of(model, pk: str, field: str) -> str | None:
    return model.objects.filter(pk=pk).values_list(field, flat=True).first() if pk.isdigit() else None


def _terminal(pk: str) -> str | None:
    host = _code_of(Terminal, pk, "host_name")
    return reverse("terminal_detail", args=[host]) if host else None


def _system(pk: str) -> str | None:
    code = _code_of(System, pk, "code")
    return reverse("access_system", args=[code]) if code else None


# The web layer knows the screens, so it tells the findings app where each kind of object is shown.
register_evidence(
    "accounts.User", label="アカウント", url=lambda _: reverse("accounts"), perm="accounts.manage"
)
register_evidence(
    "access.Entitlement", label="管理ファイルの行", url=lambda pk: reverse("access_entitlement", args=[pk])
)
register_evidence("access.RevocationProposal", label="削除の提案", url=lambda _: reverse("access_inbox"))
register_evidence("access.System", label="システム", url=_system)
register_evidence(
    "credentials.Credential",
    label="仮パスワードの交付",
    url=lambda _: f"{reverse('credentials')}?state=overdue",
)
register_evidence(
    "credentials.Loan", label="閲覧用ユーザIDの貸与", url=lambda _: reverse("credentials_loans")
)
register_evidence("terminals.Terminal", label="端末", url=_terminal)
register_evidence("reviews.Campaign", label="棚卸", url=lambda pk: reverse("review_detail", args=[pk]))
register_evidence("role", label="職の充て方", url=lambda _: reverse("roles"))


def _openable(user) -> set[str]:
    """The kinds of evidence this viewer may open (one policy question per kind, none per row)."""
    return {
        kind
        for kind, evidence in evidence_types().items()
        if evidence.perm is None or may(user, evidence.perm)
    }


def _decorate(findings, openable: set[str]):
    for finding in findings:
        evidence = evidence_for(finding.object_type) if finding.object_type in openable else None
        finding.evidence_label = evidence.label if evidence else ""
        finding.rule_title = rule_title(finding.rule)
    return findings


def _filtered(request) -> FindingFilter:
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = FindingState.OPEN  # what still needs doing, unless the viewer asks otherwise
    elif data["state"] == "all":
        data["state"] = ""
    return FindingFilter(data, queryset=visible_findings(request.user), request=request)


@screen
def finding_list(request):
    filters = _filtered(request)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(page.object_list, _openable(request.user))
    context = {"nav": "findings", "page": page, "filter": filters, "states": FindingState.choices}
    return render_list(request, "web/findings.html", "web/_findings_table.html", context)


@screen
def finding_evidence(request, pk: int):
    """The page that shows what a finding is about; the target page enforces its own policy."""
    finding = get_object_or_404(visible_findings(request.user), pk=pk)
    evidence = evidence_for(finding.object_type)
    if evidence is None or finding.object_type not in _openable(request.user):
        raise Http404
    url = evidence.url(finding.object_id)
    if url is None:
        raise Http404
    return redirect(url)


@screen
def finding_export(request, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    pack = current_pack()
    rows = (
        (
            f.requirement,
            f.article,
            rule_title(f.rule),
            f.title,
            f.detail,
            f.person.staff_number if f.person_id else "",
            f.person.name if f.person_id else "",
            f.unit.name if f.unit_id else "",
            time.local(f.detected_at),
            f.get_state_display(),
            f.closed_at and time.local(f.closed_at),
            f.reason,
        )
        for f in _filtered(request).qs.iterator(chunk_size=2000)
    )
    export = TableExport(
        title="指摘の一覧",
        subtitle=f"{pack.municipality} {pack.title}",
        columns=[
            Column("要件ID", width=10),
            Column("根拠条文", width=12),
            Column("規則", width=22),
            Column("指摘", width=40),
            Column("詳細", width=24),
            Column("職員番号", width=10),
            Column("氏名", width=12),
            Column("所属", width=12),
            Column("検出日時", width=16),
            Column("状態", width=10),
            Column("終結日時", width=16),
            Column("理由", width=20),
        ],
        rows=rows,
        meta=[("出力日時", time.wareki(time.today())), ("出力者", request.user.display_name)],
        landscape=True,
    )
    return export_response(export, fmt=fmt, filename="findings")


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
        finding = Finding.objects.select_related("person", "unit", "closed_by").get(pk=finding.pk)
        _decorate([finding], _openable(request.user))
        return render(request, "web/_finding_row.html", {"finding": finding, "error": error, "done": done})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("findings")))
