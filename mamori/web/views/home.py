"""ホーム and 承認: what waits for me."""

from __future__ import annotations

from django.shortcuts import render

from mamori.findings.models import FindingState
from mamori.workflows.services import pending_steps_for

from .common import current_pack, findings_for, my_requests, person_of, screen, unread_notifications

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
    return render(request, "web/home.html", {
        "nav": "home",
        "requests": my_requests(user)[:HOME_LIMIT],
        "request_count": my_requests(user).count(),
        "pending": _pending(request),
        "findings": open_findings[:HOME_LIMIT],
        "finding_count": open_findings.count(),
        "notifications": unread_notifications(user)[:HOME_LIMIT],
        "notification_count": unread_notifications(user).count(),
    })


@screen
def approvals(request):
    return render(request, "web/approvals.html", {"nav": "approvals", "pending": _pending(request)})
