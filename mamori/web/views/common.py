"""What every screen shares: log-in and administrator checks, the active pack, htmx detection and
the read-only queries the screens list (changes go through the services, never through here)."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from mamori.core import time
from mamori.findings.models import Finding
from mamori.organisation.models import Assignment
from mamori.regulations.active import NoActivePack, active_pack
from mamori.regulations.loader import PackError
from mamori.regulations.schema import Pack
from mamori.workflows.models import Notification, Request


def screen(view=None, *, admin: bool = False):
    """A screen for a logged-in user (``admin``: administrators only) that needs the active pack."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(request, *args, **kwargs):
            if admin and not request.user.is_superuser:
                return render(request, "web/refused.html", {"message": "この画面は管理者だけが使えます。"},
                              status=403)
            try:
                return function(request, *args, **kwargs)
            except (NoActivePack, PackError) as error:
                return render(request, "web/no_pack.html", {"error": str(error)}, status=503)

        return login_required(wrapper)

    return decorate(view) if view is not None else decorate


def current_pack() -> Pack:
    """The active pack; a pack file that has gone missing counts as no active pack."""
    try:
        return active_pack()
    except KeyError as error:
        raise NoActivePack(str(error)) from None


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def parse_day(raw: str | None) -> tuple[dt.date, str]:
    """?on=YYYY-MM-DD → the day, or today with a message for the screen."""
    if not raw:
        return time.today(), ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return time.today(), f"日付は YYYY-MM-DD で指定してください（{raw}）。本日で表示しています。"


def person_of(request):
    return getattr(request.user, "person", None)


# --- read-only queries the screens list ---------------------------------------------------------


def my_requests(user) -> QuerySet[Request]:
    """Requests the user filed or that were filed for their person."""
    condition = Q(filed_by=user)
    if user.person_id:
        condition |= Q(requester_id=user.person_id)
    return Request.objects.filter(condition).select_related("requester", "requester_unit").distinct()


def visible_requests(user) -> QuerySet[Request]:
    """Requests the user may read: their own, those they were asked to decide or decided, those they
    were notified of; an administrator reads all."""
    if user.is_superuser:
        return Request.objects.all()
    condition = Q(filed_by=user)
    if user.person_id:
        person = user.person_id
        condition |= (
            Q(requester_id=person)
            | Q(steps__assignees__person_id=person)
            | Q(decisions__person_id=person)
            | Q(pk__in=Notification.objects.filter(person_id=person).values("request_id"))
        )
    return Request.objects.filter(condition).distinct()


def findings_for(user, *, on: dt.date | None = None) -> QuerySet[Finding]:
    """An administrator sees every finding; anyone else those about their person or their units."""
    findings = Finding.objects.select_related("person", "unit")
    if user.is_superuser:
        return findings
    if not user.person_id:
        return findings.none()
    units = Assignment.objects.on(on or time.today()).filter(person_id=user.person_id).values("unit_id")
    return findings.filter(Q(person_id=user.person_id) | Q(unit_id__in=units))


def unread_notifications(user) -> QuerySet[Notification]:
    if not user.person_id:
        return Notification.objects.none()
    return Notification.objects.filter(person_id=user.person_id, read_at__isnull=True).select_related("request")
