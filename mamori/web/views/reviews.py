"""定期確認: review campaigns of the management file (KIT-5-10, KIT-6).  Each view reads through
mamori.reviews.selectors and changes through mamori.reviews.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.exports.tables import export_response
from mamori.organisation.models import Unit, active_on
from mamori.reviews.exports import campaign_results
from mamori.reviews.models import Campaign, CampaignLine, CampaignState, LineState
from mamori.reviews.selectors import (
    campaigns_for,
    line_rows,
    lines_for_reviewer,
    reviewer_condition,
    visible_lines,
)
from mamori.reviews.services import (
    ReviewError,
    campaign_close,
    campaign_launch,
    campaign_line_decide,
    campaign_lines_confirm,
    progress_of,
)
from mamori.systems.models import System

from .common import current_pack, is_htmx, person_of, render_list, safe_next, screen

CAMPAIGNS_PER_PAGE = 50
LINES_PER_PAGE = 100
DONE = {"confirm": "確認（適正）としました。", "revoke": "解除しました。", "correct": "修正しました。"}


class LaunchForm(forms.Form):
    title = forms.CharField(label="名称", required=False, max_length=200)
    system = forms.ModelChoiceField(label="対象システム", queryset=System.objects.none(), required=False)
    unit = forms.ModelChoiceField(label="対象組織", queryset=Unit.objects.none(), required=False)
    include_sub_units = forms.BooleanField(label="下位の組織を含む", required=False, initial=True)
    on = forms.DateField(label="基準日", widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label="期限", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, on: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = System.objects.order_by("code")
        self.fields["unit"].queryset = Unit.objects.filter(active_on(on)).order_by("code")
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} {unit.name}"
        self.fields["system"].label_from_instance = lambda system: f"{system.code} {system.name}"


def _progress_rows(campaigns):
    progress = progress_of(campaigns)
    for campaign in campaigns:
        counts = progress[campaign.pk]
        total = counts["total"] or 1
        done = counts["total"] - counts.get(LineState.PENDING, 0)
        campaign.progress = {**counts, "done": done, "percent": round(100 * done / total)}
    return campaigns


@screen
def review_list(request):
    today = time.today()
    state = request.GET.get("state", "")
    campaigns = campaigns_for(request.user, on=today)
    if state in CampaignState.values:
        campaigns = campaigns.filter(state=state)
    page = Paginator(campaigns, CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    _progress_rows(page.object_list)
    pack = current_pack()
    waiting = lines_for_reviewer(person_of(request), on=today, pack=pack).filter(state=LineState.PENDING)
    context = {
        "nav": "reviews",
        # The lead cites the pack's own review articles, never one city's (issue 9 item 6).
        "pack": pack,
        "review": pack.parameters.review,
        "page": page,
        "state": state,
        "states": CampaignState.choices,
        "today": today,
        "waiting": waiting.count(),
        "query": f"state={state}",
    }
    return render(request, "web/reviews/list.html", context)


@screen
def review_launch(request):
    pack = current_pack()
    today = time.today()
    rules = pack.parameters.review
    initial = {"on": today, "deadline": today + dt.timedelta(days=rules.deadline_days if rules else 30)}
    form = LaunchForm(request.POST or None, initial=initial, on=today)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_launch(
                actor=request.user,
                on=data["on"],
                title=data["title"],
                system=data["system"],
                unit=data["unit"],
                include_sub_units=data["include_sub_units"],
                deadline=data["deadline"],
                pack=pack,
            )
        except ReviewError as refused:
            error = refused
        else:
            messages.success(request, f"定期確認を開始しました（{campaign.lines.count()}行）。")
            return redirect("review_detail", pk=campaign.pk)
    reviewers = [
        ("・".join(r.system_categories) or "その他", pack.role(r.role).name, pack.cite(r.article))
        for r in (rules.reviewers if rules else [])
    ]
    context = {
        "nav": "reviews",
        "form": form,
        "error": error,
        "rules": rules,
        "pack": pack,
        "reviewers": reviewers,
    }
    return render(request, "web/reviews/launch.html", context, status=400 if error else 200)


def _held_pairs(request, lines) -> set[tuple[str, int | None]]:
    """The (role, unit) pairs among ``lines`` that the user reviews today."""
    condition = reviewer_condition(person_of(request), lines, on=time.today(), pack=current_pack())
    if condition is None:
        return set()
    return set(lines.filter(condition).values_list("reviewer_role", "reviewer_unit_id").distinct().order_by())


def _mark_decidable(rows, held: set[tuple[str, int | None]]):
    for line in rows:
        line.can_decide = (
            line.state == LineState.PENDING
            and line.campaign.state == CampaignState.OPEN
            and (line.reviewer_role, line.reviewer_unit_id) in held
        )
    return rows


@screen
def review_detail(request, pk: int):
    campaign = get_object_or_404(campaigns_for(request.user, on=time.today()), pk=pk)
    state = request.GET.get("state", "")
    lines = visible_lines(request.user, campaign, on=time.today(), pack=current_pack())
    held = _held_pairs(request, lines) if campaign.state == CampaignState.OPEN else set()
    rows = line_rows(lines)
    if state in LineState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, LINES_PER_PAGE).get_page(request.GET.get("page"))
    _mark_decidable(page.object_list, held)
    _progress_rows([campaign])
    pending_here = [line.pk for line in page.object_list if line.can_decide]
    context = {
        "nav": "reviews",
        "campaign": campaign,
        "page": page,
        "state": state,
        "states": LineState.choices,
        "pending_here": pending_here,
        "query": f"state={state}",
        "overdue": campaign.state == CampaignState.OPEN and campaign.deadline < time.today(),
    }
    return render_list(request, "web/reviews/detail.html", "web/reviews/_lines.html", context)


@screen
def review_mine(request):
    today = time.today()
    state = request.GET.get("state", LineState.PENDING)
    if state not in LineState.values:
        state = LineState.PENDING
    lines = lines_for_reviewer(person_of(request), on=today, pack=current_pack())
    rows = line_rows(lines.filter(state=state))
    page = Paginator(rows, LINES_PER_PAGE).get_page(request.GET.get("page"))
    for line in page.object_list:
        line.can_decide = line.state == LineState.PENDING
    by_campaign: dict[int, list[int]] = {}
    campaigns = {line.campaign_id: line.campaign for line in page.object_list}
    for line in page.object_list:
        if line.can_decide:
            by_campaign.setdefault(line.campaign_id, []).append(line.pk)
    context = {
        "nav": "reviews",
        "page": page,
        "state": state,
        "states": LineState.choices,
        "bulk": [{"campaign": campaigns[cid], "ids": ids} for cid, ids in by_campaign.items()],
        "query": f"state={state}",
        "mine": True,
    }
    return render_list(request, "web/reviews/mine.html", "web/reviews/_lines.html", context)


def _changes_from(post) -> dict[str, str]:
    changes = {}
    line_values = {
        "user_id": post.get("user_id"),
        "valid_from": post.get("valid_from"),
        "valid_to": post.get("valid_to"),
    }
    original = {
        "user_id": post.get("was_user_id"),
        "valid_from": post.get("was_valid_from"),
        "valid_to": post.get("was_valid_to"),
    }
    for name, value in line_values.items():
        if value is not None and value.strip() != (original[name] or "").strip():
            changes[name] = value.strip()
    return changes


@screen
@require_POST
def review_line_decide(request, pk: int):
    line = get_object_or_404(CampaignLine, pk=pk)
    decision = request.POST.get("decision", "")
    error, done = "", ""
    try:
        line = campaign_line_decide(
            line=line,
            actor=request.user,
            decision=decision,
            reason=request.POST.get("reason", ""),
            changes=_changes_from(request.POST) if decision == "correct" else None,
        )
    except ReviewError as refused:
        error = f"{refused.message}（{refused.article}）" if refused.article else refused.message
    else:
        done = DONE[decision]
    if is_htmx(request):
        row = line_rows(CampaignLine.objects.filter(pk=line.pk)).get()
        row.can_decide = bool(error) and row.state == LineState.PENDING
        context = {"line": row, "error": error, "done": done, "mine": request.POST.get("mine") == "1"}
        return render(request, "web/reviews/_line_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("review_detail", args=[line.campaign_id])))


@screen
@require_POST
def review_bulk_confirm(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        result = campaign_lines_confirm(
            campaign=campaign,
            actor=request.user,
            line_ids=[int(x) for x in request.POST.getlist("line") if x.isdigit()],
        )
    except ReviewError as refused:
        messages.error(request, refused.message)
    else:
        skipped = (
            f"（{result.skipped}行は判断済みか権限が終了しているため個別に判断してください）"
            if result.skipped
            else ""
        )
        messages.success(request, f"{result.confirmed}行を確認（適正）としました。{skipped}")
    return redirect(safe_next(request, reverse("review_mine")))


@screen
@require_POST
def review_close(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        campaign_close(campaign=campaign, actor=request.user, note=request.POST.get("note", ""))
    except ReviewError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "定期確認を終了しました。")
    return redirect("review_detail", pk=pk)


@screen
def review_export(request, pk: int, fmt: str):
    campaign = get_object_or_404(campaigns_for(request.user, on=time.today()), pk=pk)
    if fmt not in ("xlsx", "pdf"):
        return render(request, "web/refused.html", {"message": "出力形式は xlsx か pdf です。"}, status=404)
    lines = visible_lines(request.user, campaign, on=time.today(), pack=current_pack())
    return export_response(
        campaign_results(campaign, by=request.user, lines=lines),
        fmt=fmt,
        filename=f"teiki_kakunin_{campaign.pk}",
    )
