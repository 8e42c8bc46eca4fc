"""申請: my requests, filing one from the pack's chains, its detail, and deciding, resubmitting or
withdrawing it.  Every change is a call to mamori.workflows.services; a refusal is shown as it
comes, with the article it cites."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.access.policies import requestable_people
from mamori.core import time
from mamori.organisation.roles import holding_of
from mamori.systems.models import Privilege
from mamori.workflows.models import Request, RequestState, RequestStep
from mamori.workflows.selectors import may_decide, my_requests, visible_requests
from mamori.workflows.services import (
    AlreadyDecided,
    NotAllowed,
    WorkflowError,
    current_step,
    request_decide,
    request_file,
    request_resubmit,
    request_withdraw,
)

from ..forms import (
    PRIVILEGE_KIND,
    CommentForm,
    DecisionForm,
    PrivilegeRequestForm,
    pack_form_spec,
    payload_labels,
    request_form,
)
from .common import (
    current_pack,
    is_htmx,
    person_of,
    render_list,
    safe_next,
    screen,
)

PAGE_SIZE = 50
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DONE = {"approve": "承認しました。", "reject": "却下しました。", "return": "差し戻しました。"}


def _status_of(error: WorkflowError) -> int:
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, AlreadyDecided):
        return 409
    return 400


# --- list and new -------------------------------------------------------------------------------


@screen
def request_list(request):
    state = request.GET.get("state", "")
    rows = my_requests(request.user)
    if state in RequestState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "requests", "page": page, "state": state, "states": RequestState.choices}
    return render_list(request, "web/requests.html", "web/_requests_table.html", context)


def _steps_summary(pack, chain) -> str:
    return " → ".join(f"{pack.role(step.role).name}（{step.label}）" for step in chain.steps)


@screen
def request_new(request):
    pack = current_pack()
    person = person_of(request)
    today = time.today()
    mine, others = [], []
    for chain in pack.chains:
        may = not chain.filed_by or (
            person is not None
            and any(holding_of(person, code, on=today, pack=pack) for code in chain.filed_by)
        )
        spec = pack_form_spec(pack, chain)
        (mine if may else others).append(
            {
                "chain": chain,
                "articles": "・".join(pack.cite(ref) for ref in chain.articles),
                "filers": "・".join(pack.role(code).name for code in chain.filed_by) or "職員",
                "steps": _steps_summary(pack, chain),
                "form_title": spec.title if spec else "",
            }
        )
    return render(
        request,
        "web/request_new.html",
        {"nav": "requests", "mine": mine, "others": others, "has_person": person is not None},
    )


def _chain_or_404(pack, kind: str):
    try:
        return pack.chain(kind)
    except KeyError:
        raise Http404(f"この規程には「{kind}」の申請がありません") from None


def _form_context(pack, chain, form, refusal):
    spec = pack_form_spec(pack, chain)
    return {
        "nav": "requests",
        "chain": chain,
        "form": form,
        "spec": spec,
        "spec_article": pack.cite(spec.article) if spec else "",
        "articles": "・".join(pack.cite(ref) for ref in chain.articles),
        "steps": _steps_summary(pack, chain),
        "lead_time": chain.lead_time,
        "lead_time_article": pack.cite(chain.lead_time.article) if chain.lead_time else "",
        "refusal": refusal,
    }


@screen
def request_form_view(request, kind: str):
    pack = current_pack()
    chain = _chain_or_404(pack, kind)
    initial = {"valid_from": time.today()} if kind == PRIVILEGE_KIND else None
    form = request_form(
        pack,
        chain,
        data=request.POST if request.method == "POST" else None,  # an empty post is a form left empty
        initial=initial,
        options_url=reverse("privilege_options"),
        people=requestable_people(request.user),
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            filed = request_file(kind=kind, actor=request.user, payload=form.payload(), title=form.title())
        except WorkflowError as error:
            form.place_error(error.field, error.message)
            refusal = error
        else:
            messages.success(request, f"申請しました（#{filed.pk}「{filed.title}」）。")
            return redirect("request_detail", pk=filed.pk)
    status = _status_of(refusal) if refusal else (400 if form.errors else 200)
    return render(request, "web/request_form.html", _form_context(pack, chain, form, refusal), status=status)


@screen
def privilege_options(request):
    """htmx: the privilege check boxes of the system just chosen."""
    pack = current_pack()
    chain = _chain_or_404(pack, PRIVILEGE_KIND)
    form = PrivilegeRequestForm(initial={"system": request.GET.get("system", "")}, pack=pack, chain=chain)
    return render(request, "web/_privilege_options.html", {"field": form["privileges"]})


# --- detail -------------------------------------------------------------------------------------


def _display(name: str, value, labels, payload) -> str:
    choices = labels.get(name, ("", {}))[1]
    if name == "privileges" and isinstance(value, list) and payload.get("system"):
        names = dict(
            Privilege.objects.filter(system__code=payload["system"], code__in=value).values_list(
                "code", "name"
            )
        )
        return "、".join(f"{names[c]}（{c}）" if c in names else c for c in value)
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return time.wareki(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return str(choices.get(value, value)) if isinstance(value, str) else str(value)


def _payload_rows(pack, chain, req: Request) -> list[tuple[str, str]]:
    labels = payload_labels(pack, chain, req.form)
    return [
        (labels.get(name, (name, {}))[0], _display(name, value, labels, req.payload))
        for name, value in req.payload.items()
    ]


def _detail_context(request, req: Request, *, error: WorkflowError | None = None, done: str = "") -> dict:
    pack = current_pack()
    try:
        chain = pack.chain(req.kind)
    except KeyError:
        chain = None
    req.refresh_from_db()
    steps = (
        req.steps.select_related("decided_by__person", "scope_unit")
        .prefetch_related("assignees__person")
        .order_by("round", "order")
    )
    step_rows = [
        {
            "step": step,
            "article": pack.cite(step.article),
            "assignees": [a.person.name for a in step.assignees.all()],
        }
        for step in steps
    ]
    decisions = [
        {"decision": d, "article": pack.cite(d.article) if d.article else ""}
        for d in req.decisions.select_related("person", "actor", "step")
    ]
    step = current_step(req)
    person = person_of(request)
    is_requester = person is not None and person.pk == req.requester_id
    return {
        "nav": "requests",
        "req": req,
        "payload_rows": _payload_rows(pack, chain, req),
        "step_rows": step_rows,
        "rounds": req.round > 1,
        "decisions": decisions,
        "current": step,
        "can_decide": may_decide(request.user, req, step, pack=pack, on=time.today()),
        "can_withdraw": is_requester and req.is_open,
        "can_resubmit": is_requester and req.state == RequestState.RETURNED,
        "articles": "・".join(pack.cite(ref) for ref in chain.articles) if chain else "",
        "error": error,
        "done": done,
    }


@screen
def request_detail(request, pk: int):
    req = get_object_or_404(visible_requests(request.user), pk=pk)
    return render(request, "web/request_detail.html", _detail_context(request, req))


def _after_change(request, req: Request, *, error: WorkflowError | None, done: str, row_step=None):
    """htmx gets the part of the page that changed; a plain form post a redirect or the page again."""
    visible = visible_requests(request.user).filter(pk=req.pk).exists()
    if is_htmx(request):
        if row_step is not None:
            row_step.refresh_from_db()
            item = {"step": row_step, "article": current_pack().cite(row_step.article)}
            return render(request, "web/_approval_row.html", {"item": item, "error": error, "done": done})
        if not visible:
            return render(request, "web/_refusal.html", {"error": error})
        return render(
            request, "web/_request_body.html", _detail_context(request, req, error=error, done=done)
        )
    if error is None:
        messages.success(request, done)
        return redirect(safe_next(request, reverse("request_detail", args=[req.pk])))
    if not visible:
        return render(
            request,
            "web/refused.html",
            {"message": error.message, "article": error.article},
            status=_status_of(error),
        )
    return render(
        request,
        "web/request_detail.html",
        _detail_context(request, req, error=error),
        status=_status_of(error),
    )


@screen
@require_POST
def request_decide_view(request, pk: int):
    req = get_object_or_404(Request, pk=pk)
    form = DecisionForm(request.POST)
    step = None
    if not form.is_valid():
        error, done = WorkflowError("承認・却下・差戻しのいずれかを選んでください"), ""
    else:
        step = RequestStep.objects.filter(pk=form.cleaned_data["step"], request=req).first()
        if step is None:
            raise Http404("この申請にその段階はありません")
        action = form.cleaned_data["action"]
        try:
            request_decide(step=step, actor=request.user, action=action, comment=form.cleaned_data["comment"])
        except WorkflowError as refused:
            error, done = refused, ""
        else:
            error, done = None, DONE[action]
    row = step if request.POST.get("fragment") == "row" else None
    return _after_change(request, req, error=error, done=done, row_step=row)


@screen
@require_POST
def request_withdraw_view(request, pk: int):
    req = get_object_or_404(Request, pk=pk)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        request_withdraw(request=req, actor=request.user, comment=form.cleaned_data.get("comment", ""))
    except WorkflowError as error:
        return _after_change(request, req, error=error, done="")
    return _after_change(request, req, error=None, done="申請を取り下げました。")


@screen
def request_resubmit_view(request, pk: int):
    # Only the requester (or whoever typed it in) resubmits: an approver who can read it cannot.
    req = get_object_or_404(my_requests(request.user), pk=pk)
    pack = current_pack()
    chain = _chain_or_404(pack, req.kind)
    data = request.POST if request.method == "POST" else None
    form = request_form(
        pack,
        chain,
        data=data,
        initial=req.payload,
        with_title=False,
        options_url=reverse("privilege_options"),
        people=requestable_people(request.user),
    )
    comment = CommentForm(data)
    refusal = None
    if request.method == "POST" and form.is_valid() and comment.is_valid():
        try:
            request_resubmit(
                request=req,
                actor=request.user,
                payload=form.payload(),
                comment=comment.cleaned_data["comment"],
            )
        except WorkflowError as error:
            form.place_error(error.field, error.message)
            refusal = error
        else:
            messages.success(request, "再申請しました。")
            return redirect("request_detail", pk=req.pk)
    context = _form_context(pack, chain, form, refusal)
    person = person_of(request)
    context.update(
        {
            "req": req,
            "comment_form": comment,
            "is_requester": person is not None and person.pk == req.requester_id,
        }
    )
    status = _status_of(refusal) if refusal else (400 if form.errors else 200)
    return render(request, "web/request_resubmit.html", context, status=status)
