"""Read-only questions about requests, shared by the screens and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from mamori.organisation.roles import holding_of
from mamori.regulations.schema import Pack

from .models import Notification, Request, RequestStep


def my_requests(user: Any) -> QuerySet[Request]:
    """Requests the user filed or that were filed for their person."""
    condition = Q(filed_by=user)
    if user.person_id:
        condition |= Q(requester_id=user.person_id)
    return Request.objects.filter(condition).select_related("requester", "requester_unit").distinct()


def visible_requests(user: Any) -> QuerySet[Request]:
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


def may_decide(user: Any, request: Request, step: RequestStep | None, *, pack: Pack, on: dt.date) -> bool:
    """Whether to offer the decision buttons (request_decide still checks, on the day, whether it may)."""
    person = getattr(user, "person", None)
    if step is None or person is None or person.pk == request.requester_id or request.filed_by_id == user.pk:
        return False
    if step.assignees.filter(person=person).exists():
        return True
    return holding_of(person, step.role, on=on, pack=pack, unit=step.scope_unit) is not None


def unread_notifications(user: Any) -> QuerySet[Notification]:
    if not user.person_id:
        return Notification.objects.none()
    return Notification.objects.filter(person_id=user.person_id, read_at__isnull=True).select_related(
        "request"
    )
