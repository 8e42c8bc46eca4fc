"""Designations (指定): who the regulation lets handle something, by whom designated, to whom reported.

One model for every kind the pack names in ``parameters.designations``: 本人確認情報を取り扱う者
(YAN-8), 情報システム担当者 (YAN-14), 電算要員 (FUK-10/FUK-17 電算要員登録台帳), 個人情報を取り扱う
電子情報処理に従事する者 (MEG-13-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DesignationState(models.TextChoices):
    ACTIVE = "active", "指定中"
    ENDED = "ended", "指定解除"


DESIGNATION_TRANSITIONS: dict[str, set[str]] = {
    DesignationState.ACTIVE: {DesignationState.ENDED},
    DesignationState.ENDED: set(),
}


class DesignationQuerySet(models.QuerySet):
    def on(self, day) -> DesignationQuerySet:
        """In force on ``day``: not ended and within its validity."""
        return self.filter(
            Q(state=DesignationState.ACTIVE)
            & Q(valid_from__lte=day)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )


class Designation(models.Model):
    pack = models.CharField("規程パック", max_length=40)
    kind = models.CharField("指定の種類", max_length=60)
    label = models.CharField("指定の名称", max_length=120)
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name="指定された者",
        on_delete=models.PROTECT,
        related_name="designations",
    )
    system = models.ForeignKey(
        "access.System",
        verbose_name="システム",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
    )
    valid_from = models.DateField("指定日")
    valid_to = models.DateField("指定期限", null=True, blank=True)
    state = models.CharField(
        "状態",
        max_length=16,
        choices=DesignationState.choices,
        default=DesignationState.ACTIVE,
        db_index=True,
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="指定者", on_delete=models.PROTECT, related_name="+"
    )
    designated_as = models.CharField("指定者の資格", max_length=200, blank=True)
    registered_at = models.DateTimeField("登録日時")
    reported_to = models.ForeignKey(
        "organisation.Person",
        verbose_name="報告先",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField("報告日時", null=True, blank=True)
    duties = models.CharField("担当業務", max_length=200, blank=True)
    article = models.CharField("根拠条文", max_length=60)
    requirement = models.CharField("要件ID", max_length=40, blank=True)
    ended_at = models.DateTimeField("解除日時", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField("解除の理由", max_length=200, blank=True)

    objects = DesignationQuerySet.as_manager()

    class Meta:
        verbose_name = "指定"
        ordering = ["kind", "person__staff_number", "id"]
        indexes = [
            models.Index(fields=["pack", "kind", "state"]),
            models.Index(fields=["person", "kind", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.person_id}"
