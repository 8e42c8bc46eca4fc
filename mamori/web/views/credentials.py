"""パスワード・ID・閲覧用ID: issue a managed-system password (shown once), the 照合ID/操作者ID register
(MAI-23) and viewing-ID loans (KIT-11, lend and return in two clicks).  Changes go through the
services of mamori.credentials; these views only read input and show results."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.credentials.loans import loan_lend, loan_return, viewing_id_register
from mamori.credentials.models import CredentialState, IdState, Loan, ViewingId
from mamori.credentials.operator_ids import operator_id_issue
from mamori.credentials.policies import (
    visible_credentials,
    visible_loans,
    visible_operator_ids,
    visible_viewing_ids,
)
from mamori.credentials.services import (
    CredentialError,
    collecting_issued,
    credential_change_confirm,
    credential_issue_temporary,
)
from mamori.organisation.models import Person, Unit
from mamori.systems.models import Privilege, System
from mamori.workflows.models import Request, RequestStep, StepState
from mamori.workflows.services import WorkflowError, pending_steps_for, request_decide

from .common import current_pack, screen

PAGE_SIZE = 50


def _shown_once(request, issued: list, *, back: str):
    """The one page that ever shows the secret; never cached, never in a message or a log."""
    response = render(
        request, "web/credentials/issued.html", {"nav": "credentials", "issued": issued, "back": back}
    )
    add_never_cache_headers(response)
    return response


@screen
def credentials(request):
    pack = current_pack()
    rows = visible_credentials(request.user)
    state = request.GET.get("state", "")
    if state == "overdue":
        rows = rows.filter(state=CredentialState.ISSUED, change_due__lt=time.today())
    elif state in CredentialState.values:
        rows = rows.filter(state=state)
    person = getattr(request.user, "person", None)
    waiting = (
        pending_steps_for(person).filter(request__kind="access.password")
        if person is not None
        else RequestStep.objects.none()
    )
    context = {
        "nav": "credentials",
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "state": state,
        "states": CredentialState.choices,
        "rules": pack.parameters.managed_passwords,
        # The pack's own article, or none: never a stand-in article the pack does not cite.
        "article": pack.cite(article) if (article := pack.parameters.managed_passwords.article) else "",
        "pack": pack,  # the pending requests are named by the pack's form (issue 9 item 6)
        "systems": System.objects.only("code", "name"),
        "waiting": waiting,
        "today": time.today(),
    }
    return render(request, "web/credentials/list.html", context)


@screen
@require_POST
def credential_issue(request):
    staff_number = request.POST.get("person", "").strip()
    person = Person.objects.filter(staff_number=staff_number).first()
    system_code = request.POST.get("system", "").strip()
    system = System.objects.filter(code=system_code).first() if system_code else None
    if person is None:
        messages.error(request, f"職員番号 {staff_number or '(空)'} の職員はいません（使用者）")
        return redirect("credentials")
    try:
        issued = credential_issue_temporary(
            person=person, system=system, terminal=request.POST.get("terminal", ""), actor=request.user
        )
    except CredentialError as error:
        messages.error(request, f"{error.message}（{error.article}）" if error.article else error.message)
        return redirect("credentials")
    return _shown_once(request, [issued], back=reverse("credentials"))


@screen
@require_POST
def credential_changed(request, pk: int):
    credential = get_object_or_404(visible_credentials(request.user), pk=pk)
    try:
        credential_change_confirm(credential=credential, actor=request.user)
    except CredentialError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{credential.person.name}さんの変更を確認しました。")
    return redirect("credentials")


@screen
@require_POST
def credential_request_register(request, pk: int):
    """別記様式2 registered here shows the temporary password it sets (KIT-8-1, KIT-8-2)."""
    found = get_object_or_404(Request, pk=pk, kind="access.password")
    step = RequestStep.objects.filter(request=found, round=found.round, state=StepState.PENDING).first()
    if step is None:
        messages.error(request, "登録待ちの段階がありません")
        return redirect("credentials")
    try:
        with collecting_issued() as issued:
            request_decide(
                step=step, actor=request.user, action="approve", comment=request.POST.get("comment", "")
            )
    except (WorkflowError, CredentialError) as error:
        messages.error(request, f"{error.message}（{error.article}）" if error.article else error.message)
        return redirect("credentials")
    return _shown_once(request, issued, back=reverse("credentials"))


# --- MAI-23 --------------------------------------------------------------------------------


@screen
def operator_ids(request):
    pack = current_pack()
    rows = visible_operator_ids(request.user).order_by("verification__code", "code")
    if request.GET.get("all") != "1":
        rows = rows.filter(state=IdState.ACTIVE)
    context = {
        "nav": "credentials",
        "rules": pack.parameters.operator_ids,
        "article": pack.cite(pack.parameters.operator_ids.article) if pack.parameters.operator_ids else "",
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "systems": System.objects.prefetch_related("privileges"),
    }
    return render(request, "web/credentials/operator_ids.html", context)


@screen
@require_POST
def operator_id_issue_view(request):
    person = Person.objects.filter(staff_number=request.POST.get("person", "").strip()).first()
    system = System.objects.filter(code=request.POST.get("system", "")).first()
    if person is None or system is None:
        messages.error(request, "操作者（職員番号）とシステムを指定してください")
        return redirect("credentials_ids")
    privileges = list(Privilege.objects.filter(system=system, code__in=request.POST.getlist("privileges")))
    try:
        issued = operator_id_issue(
            person=person,
            system=system,
            privileges=privileges,
            actor=request.user,
            verification_code=request.POST.get("verification_id", ""),
            operator_code=request.POST.get("operator_id", ""),
        )
    except CredentialError as error:
        messages.error(request, f"{error.message}（{error.article}）" if error.article else error.message)
    else:
        messages.success(request, f"{person.name}さんに操作者ID {issued.code} を付与しました。")
    return redirect("credentials_ids")


# --- KIT-11 --------------------------------------------------------------------------------


@screen
def loans(request):
    pack = current_pack()
    today = time.today()
    viewing_ids = list(visible_viewing_ids(request.user).filter(active=True))
    open_loans = {
        loan.viewing_id_id: loan
        for loan in visible_loans(request.user).filter(returned_at__isnull=True).select_related("request")
    }
    for viewing in viewing_ids:
        viewing.open_loan = open_loans.get(viewing.pk)
        viewing.overdue = bool(viewing.open_loan and time.local(viewing.open_loan.lent_at).date() < today)
    history = visible_loans(request.user).select_related("lent_by", "returned_to")
    context = {
        "nav": "credentials",
        "rules": pack.parameters.viewing_ids,
        "article": pack.cite(pack.parameters.viewing_ids.article) if pack.parameters.viewing_ids else "",
        "viewing_ids": viewing_ids,
        "page": Paginator(history, PAGE_SIZE).get_page(request.GET.get("page")),
        "units": Unit.objects.filter(level__in=("課", "室", "支所")),
    }
    return render(request, "web/credentials/loans.html", context)


def _refused(request, error: CredentialError) -> None:
    messages.error(request, f"{error.message}（{error.article}）" if error.article else error.message)


@screen
@require_POST
def loan_lend_view(request, pk: int):
    viewing = get_object_or_404(ViewingId, pk=pk)
    staff_number = request.POST.get("viewer", "").strip()
    viewer = Person.objects.filter(staff_number=staff_number).first()
    if viewer is None:
        messages.error(request, f"職員番号 {staff_number or '(空)'} の職員はいません（閲覧者）")
        return redirect("credentials_loans")
    permission = None
    if request.POST.get("request"):
        permission = Request.objects.filter(pk=request.POST["request"]).first()
    try:
        loan = loan_lend(
            viewing_id=viewing,
            viewer=viewer,
            actor=request.user,
            purpose=request.POST.get("purpose", ""),
            request=permission,
        )
    except CredentialError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            f"{viewing.code} を{loan.viewer_name}さんに貸与しました（{time.local(loan.lent_at):%H:%M}）。",
        )
    return redirect("credentials_loans")


@screen
@require_POST
def loan_return_view(request, pk: int):
    loan = get_object_or_404(Loan, pk=pk)
    try:
        returned = loan_return(loan=loan, actor=request.user)
    except CredentialError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            f"{returned.viewer_name}さんから返却を受けました（{time.local(returned.returned_at):%H:%M}）。",
        )
    return redirect("credentials_loans")


@screen
@require_POST
def viewing_id_register_view(request):
    unit = Unit.objects.filter(code=request.POST.get("unit", "")).first()
    if unit is None:
        messages.error(request, "端末装置を設置している課を選んでください")
        return redirect("credentials_loans")
    try:
        viewing_id_register(
            code=request.POST.get("code", ""),
            unit=unit,
            terminal=request.POST.get("terminal", ""),
            actor=request.user,
        )
    except CredentialError as error:
        _refused(request, error)
    else:
        messages.success(request, "閲覧用ユーザIDを登録しました。")
    return redirect("credentials_loans")
