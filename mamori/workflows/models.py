"""Requests (申請) and their approval steps.  One engine for every kind; the steps come from the
pack's chain for the kind, and every decision says who, when, in which capacity and under which article."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", "審査中"
    RETURNED = "returned", "差戻し"
    APPROVED = "approved", "完了"
    REJECTED = "rejected", "却下"
    WITHDRAWN = "withdrawn", "取下げ"


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestState.SUBMITTED: {
        RequestState.APPROVED,
        RequestState.REJECTED,
        RequestState.RETURNED,
        RequestState.WITHDRAWN,
    },
    RequestState.RETURNED: {RequestState.SUBMITTED, RequestState.WITHDRAWN},
    RequestState.APPROVED: set(),
    RequestState.REJECTED: set(),
    RequestState.WITHDRAWN: set(),
}


class StepState(models.TextChoices):
    WAITING = "waiting", "未着手"
    PENDING = "pending", "審査待ち"
    APPROVED = "approved", "承認"
    REJECTED = "rejected", "却下"
    RETURNED = "returned", "差戻し"
    CANCELLED = "cancelled", "取消"


STEP_TRANSITIONS: dict[str, set[str]] = {
    StepState.WAITING: {StepState.PENDING, StepState.CANCELLED},
    StepState.PENDING: {StepState.APPROVED, StepState.REJECTED, StepState.RETURNED, StepState.CANCELLED},
    StepState.APPROVED: set(),
    StepState.REJECTED: set(),
    StepState.RETURNED: set(),
    StepState.CANCELLED: set(),
}


class Request(models.Model):
    kind = models.CharField("種別", max_length=80, db_index=True)
    title = models.CharField("件名", max_length=200)
    pack = models.CharField("規程パック", max_length=40)
    chain_title = models.CharField("申請の名称", max_length=200)
    form = models.CharField("様式", max_length=40, blank=True)
    requester = models.ForeignKey(
        "organisation.Person", verbose_name="申請者", on_delete=models.PROTECT, related_name="requests"
    )
    requester_capacity = models.CharField("申請者の資格", max_length=200, blank=True)
    requester_unit = models.ForeignKey(
        "organisation.Unit", verbose_name="申請所属", null=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="入力者", on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField("申請内容", default=dict)
    state = models.CharField(
        "状態", max_length=16, choices=RequestState.choices, default=RequestState.SUBMITTED, db_index=True
    )
    filed_at = models.DateTimeField("申請日時")
    target_date = models.DateField("対象日", null=True, blank=True)
    is_late = models.BooleanField("期限後の申請", default=False)
    late_note = models.CharField("期限の注記", max_length=300, blank=True)
    round = models.PositiveIntegerField("回", default=1)
    closed_at = models.DateTimeField("完結日時", null=True, blank=True)

    class Meta:
        verbose_name = "申請"
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["requester", "state"])]

    def __str__(self) -> str:
        return f"{self.chain_title} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in (RequestState.SUBMITTED, RequestState.RETURNED)


class RequestStep(models.Model):
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="steps")
    round = models.PositiveIntegerField("回", default=1)
    order = models.PositiveSmallIntegerField("順番")
    role = models.CharField("役割", max_length=60)
    role_name = models.CharField("役割名", max_length=100)
    label = models.CharField("行為", max_length=20)
    article = models.CharField("根拠条文", max_length=40)
    scope_unit = models.ForeignKey(
        "organisation.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状態", max_length=16, choices=StepState.choices, default=StepState.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_as = models.CharField("資格", max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("意見", blank=True)

    class Meta:
        verbose_name = "審査段階"
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "round", "order"], name="one_step_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}-{self.round}-{self.order} {self.role} ({self.state})"


class StepAssignee(models.Model):
    """Who was resolved as the approver when the step became pending: the inbox reads this.
    The decision itself re-resolves the role on the day, so a transfer since then is respected."""

    step = models.ForeignKey(RequestStep, on_delete=models.CASCADE, related_name="assignees")
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "person"], name="one_assignee_row")]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.person_id}"


class Decision(models.Model):
    class Action(models.TextChoices):
        FILE = "file", "申請"
        APPROVE = "approve", "承認"
        REJECT = "reject", "却下"
        RETURN = "return", "差戻し"
        RESUBMIT = "resubmit", "再申請"
        WITHDRAW = "withdraw", "取下げ"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="decisions")
    step = models.ForeignKey(RequestStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("行為", max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("organisation.Person", null=True, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField("資格", max_length=200, blank=True)
    comment = models.TextField("意見", blank=True)
    article = models.CharField("根拠条文", max_length=60, blank=True)
    at = models.DateTimeField("日時")

    class Meta:
        verbose_name = "決定"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} by {self.actor_id}"


class Notification(models.Model):
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="notifications")
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("件名", max_length=200)
    body = models.TextField("本文")
    article = models.CharField("根拠条文", max_length=60, blank=True)
    created_at = models.DateTimeField("通知日時")
    emailed = models.BooleanField("メール送信", default=False)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
