"""ホーム and 承認: what waits for me."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.core.plugins import domains, resolve
from mamori.findings.models import FindingState
from mamori.findings.selectors import visible_findings
from mamori.workflows.models import Notification, RequestStep
from mamori.workflows.notifications import notification_mark_read
from mamori.workflows.selectors import my_requests, unread_notifications
from mamori.workflows.services import pending_steps_for

from .common import current_pack, person_of, screen

HOME_LIMIT = 10


APPROVALS_PAGE_SIZE = 50


def _pending_steps(request):
    person = person_of(request)
    return pending_steps_for(person) if person is not None else RequestStep.objects.none()


def _cited(steps) -> list[dict]:
    pack = current_pack()
    return [{"step": step, "article": pack.cite(step.article)} for step in steps]


def _waiting(request) -> list[dict]:
    """Work other than approvals that waits for this person, as each domain declares it
    (``Domain.home``: review lines, registrations to record, viewing IDs not returned …; issue 9
    item 4).  Counts only: each links to its own list."""
    today = time.today()
    waiting = []
    for domain in domains():
        if domain.home:
            waiting += resolve(domain.home)(request.user, on=today)
    return waiting


@screen
def home(request):
    user = request.user
    open_findings = visible_findings(user).filter(state=FindingState.OPEN)
    return render(
        request,
        "web/home.html",
        {
            "nav": "home",
            "requests": my_requests(user)[:HOME_LIMIT],
            "request_count": my_requests(user).count(),
            "pending": _cited(_pending_steps(request)[:HOME_LIMIT]),
            "pending_count": _pending_steps(request).count(),
            "waiting": _waiting(request),
            "findings": open_findings[:HOME_LIMIT],
            "finding_count": open_findings.count(),
            "notifications": unread_notifications(user)[:HOME_LIMIT],
            "notification_count": unread_notifications(user).count(),
        },
    )


@screen
def approvals(request):
    # Paged: an approver back from leave may find hundreds waiting.
    page = Paginator(_pending_steps(request), APPROVALS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/approvals.html", {"nav": "approvals", "pending": _cited(page), "page": page})


@screen
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, person_id=request.user.person_id)
    notification_mark_read(notification=notification, actor=request.user)
    return redirect("home")
