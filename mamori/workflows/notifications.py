"""Notifications: a row in the person's inbox and an e-mail once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.organisation.models import Person
from mamori.records.actions import RecordAction
from mamori.records.services import record_append

from .models import Notification, Request


def _send(notification_ids: list[int]) -> None:
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related("person"):
        if not notification.person.email:
            continue
        send_mail(
            notification.subject, notification.body, None, [notification.person.email], fail_silently=True
        )
        Notification.objects.filter(pk=notification.pk).update(emailed=True)


def notify(
    *, people: Iterable[Person], subject: str, body: str, request: Request | None = None, article: str = ""
) -> list[Notification]:
    """Called inside the service's transaction; mail leaves only after it commits."""
    moment = time.now()
    unique = {person.pk: person for person in people}.values()
    created = Notification.objects.bulk_create(
        [
            Notification(
                person=person, request=request, subject=subject, body=body, article=article, created_at=moment
            )
            for person in unique
        ]
    )
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: _send(ids))
    return created


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: Actor) -> Notification:
    """The addressee marks a notification read (the record shows when the notice was taken)."""
    if getattr(actor, "person_id", None) != notification.person_id:
        raise PermissionError("他の職員あての通知は既読にできません")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=time.now())
        notification.refresh_from_db(fields=["read_at"])
        record_append(
            action=RecordAction.NOTIFICATION_READ,
            object_type="workflows.Notification",
            object_id=str(notification.pk),
            actor=actor,
            after={"read_at": notification.read_at.isoformat()},
            article=notification.article,
            retention_class="requests",
        )
    return notification
