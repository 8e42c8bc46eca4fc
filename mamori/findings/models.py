"""Findings (指摘): what a rule found, citing its requirement ID and article, with a lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FindingState(models.TextChoices):
    OPEN = "open", "未対応"
    RESOLVED = "resolved", "是正済"
    ACCEPTED = "accepted", "理由付き受容"


FINDING_TRANSITIONS: dict[str, set[str]] = {
    FindingState.OPEN: {FindingState.RESOLVED, FindingState.ACCEPTED},
    FindingState.ACCEPTED: {FindingState.OPEN},
    FindingState.RESOLVED: {FindingState.OPEN},
}


class Finding(models.Model):
    rule = models.CharField("規則", max_length=80)
    # One finding per rule and subject: re-running a rule does not duplicate it.
    key = models.CharField("識別キー", max_length=200)
    requirement = models.CharField("要件ID", max_length=40, db_index=True)
    article = models.CharField("根拠条文", max_length=80)
    pack = models.CharField("規程パック", max_length=40)
    title = models.CharField("指摘", max_length=300)
    detail = models.TextField("詳細", blank=True)
    object_type = models.CharField("対象種別", max_length=80, blank=True)
    object_id = models.CharField("対象ID", max_length=80, blank=True)
    person = models.ForeignKey(
        "organisation.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    unit = models.ForeignKey(
        "organisation.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状態", max_length=16, choices=FindingState.choices, default=FindingState.OPEN, db_index=True
    )
    detected_at = models.DateTimeField("検出日時")
    closed_at = models.DateTimeField("終結日時", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("理由", blank=True)

    class Meta:
        verbose_name = "指摘"
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "rule", "key"], name="one_finding_per_subject")
        ]

    def __str__(self) -> str:
        return f"[{self.requirement}] {self.title}"
