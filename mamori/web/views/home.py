"""ホーム and 承認: what waits for me."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mamori.findings.models import FindingState
from mamori.workflows.models import Notification
from mamori.workflows.notifications import notification_mark_read
from mamori.workflows.selectors import my_requests, unread_notifications
from mamori.workflows.services import pending_steps_for

from .common import current_pack, findings_for, person_of, screen

HOME_LIMIT = 10


def _pending(request):
    person = person_of(request)
    if person is None:
        return []
    pack = current_pack()
    return [{"step": step, "article": pack.cite(step.article)} for step in pending_steps_for(person)]


@screen
def home(request):
    user = request.user
    open_findings = findings_for(user).filter(state=FindingState.OPEN)
    return render(
        request,
        "web/home.html",
        {
            "nav": "home",
            "requests": my_requests(user)[:HOME_LIMIT],
            "request_count": my_requests(user).count(),
            "pending": _pending(request),
            "findings": open_findings[:HOME_LIMIT],
            "finding_count": open_findings.count(),
            "notifications": unread_notifications(user)[:HOME_LIMIT],
            "notification_count": unread_notifications(user).count(),
        },
    )


@screen
def approvals(request):
    return render(request, "web/approvals.html", {"nav": "approvals", "pending": _pending(request)})


@screen
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, person_id=request.user.person_id)
    notification_mark_read(notification=notification, actor=request.user)
    return redirect("home")
