"""The terminal register (端末機台帳) and the designation of each terminal's operators.

A terminal is named by its host name, the name the Windows logs and the business systems' operation
histories give it: operation events find their terminal by ``host_name`` (not by a foreign key, so an
event from an unregistered terminal is kept, and shows up as such)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q


class Terminal(models.Model):
    host_name = models.CharField("ホスト名", max_length=120, unique=True)
    location = models.CharField("設置場所", max_length=200, blank=True)
    # YAN-12-1: the section that holds the terminal (所管課); its 課長 is the 端末機管理責任者.
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name="所管課", on_delete=models.PROTECT, related_name="terminals"
    )
    # FUK-18-1: the systems the terminal reaches — its input and output are limited to these.
    systems = models.ManyToManyField(
        "access.System", verbose_name="利用システム", blank=True, related_name="+"
    )
    active_from = models.DateField("使用開始日")
    active_to = models.DateField("使用終了日", null=True, blank=True)
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "端末機"
        ordering = ["host_name"]

    def __str__(self) -> str:
        return self.host_name

    def is_active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class DesignationState(models.TextChoices):
    DESIGNATED = "designated", "指定済（未報告）"
    REPORTED = "reported", "報告済"
    ENDED = "ended", "指定解除"


DESIGNATION_TRANSITIONS: dict[str, set[str]] = {
    DesignationState.DESIGNATED: {DesignationState.REPORTED, DesignationState.ENDED},
    DesignationState.REPORTED: {DesignationState.ENDED},
    DesignationState.ENDED: set(),
}


class TerminalOperatorQuerySet(models.QuerySet):
    def on(self, day: dt.date) -> TerminalOperatorQuerySet:
        """Designations in force on ``day`` (an ended designation ran until its valid_to)."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class TerminalOperator(models.Model):
    """端末機操作員の指定 (YAN-12-3) / 端末機を操作する職員の指定 (FUK-18-2)."""

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="operators")
    person = models.ForeignKey(
        "organisation.Person", verbose_name="端末機操作員", on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField("指定日")
    valid_to = models.DateField("指定終了日", null=True, blank=True)
    state = models.CharField(
        "状態", max_length=16, choices=DesignationState.choices, default=DesignationState.DESIGNATED
    )
    # Who designated, in which capacity (端末機管理責任者 = the section's 課長; ICT推進課長 in 福山市).
    designated_by = models.ForeignKey(
        "organisation.Person", verbose_name="指定者", on_delete=models.PROTECT, related_name="+"
    )
    designated_capacity = models.CharField("指定者の資格", max_length=200)
    designated_at = models.DateTimeField("指定日時")
    # YAN-12-3: reported to the 情報セキュリティ責任者 by 様式第1号.
    reported_to = models.ForeignKey(
        "organisation.Person",
        verbose_name="報告先",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField("報告日時", null=True, blank=True)
    ended_at = models.DateTimeField("解除日時", null=True, blank=True)
    end_reason = models.CharField("解除の理由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TerminalOperatorQuerySet.as_manager()

    class Meta:
        verbose_name = "端末機操作員"
        ordering = ["terminal__host_name", "person__staff_number"]
        indexes = [models.Index(fields=["person", "valid_from"]), models.Index(fields=["terminal", "state"])]

    def __str__(self) -> str:
        return f"{self.terminal_id}:{self.person_id} ({self.state})"
