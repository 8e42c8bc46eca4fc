"""Review campaigns of the management file (管理ファイルの正当性の定期確認).

KIT-5-10 (北見市 第5条第10項・第11項): each system's administrator periodically confirms that the
management file is right and corrects it where needed; KIT-6 (第6条第5項・第6項) the same for the
terminal privileges, by the 二要素認証システム管理者.  A campaign snapshots every in-scope active
entitlement as a line at launch; each line is confirmed, revoked or corrected by its reviewer."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CampaignState(models.TextChoices):
    OPEN = "open", "実施中"
    CLOSED = "closed", "完了"


CAMPAIGN_TRANSITIONS: dict[str, set[str]] = {
    CampaignState.OPEN: {CampaignState.CLOSED},
    CampaignState.CLOSED: set(),
}


class Campaign(models.Model):
    title = models.CharField("名称", max_length=200)
    pack = models.CharField("規程パック", max_length=40)
    # Scope: a system, an organisation unit (with its sub-units), or both.
    system = models.ForeignKey(
        "systems.System",
        verbose_name="対象システム",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name="対象組織",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    include_sub_units = models.BooleanField("下位組織を含む", default=True)
    # The campaign date: the lines are the file as it stood that day, the reviewers who held the roles.
    launched_on = models.DateField("基準日")
    deadline = models.DateField("期限")
    state = models.CharField(
        "状態", max_length=16, choices=CampaignState.choices, default=CampaignState.OPEN, db_index=True
    )
    # The requirement and article most of its lines are reviewed under (findings cite them).
    requirement = models.CharField("要件ID", max_length=40)
    article = models.CharField("根拠条文", max_length=80)
    launched_at = models.DateTimeField("開始日時")
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("終了日時", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField("終了時の記載", blank=True)

    class Meta:
        verbose_name = "定期確認"
        ordering = ["-launched_on", "-id"]

    def __str__(self) -> str:
        return self.title


class LineState(models.TextChoices):
    PENDING = "pending", "未確認"
    CONFIRMED = "confirmed", "確認（適正）"
    REVOKED = "revoked", "解除"
    CORRECTED = "corrected", "修正"
    # The administrator closed the campaign before the reviewer decided (recorded as such).
    UNDECIDED = "undecided", "未確認のまま終了"


LINE_TRANSITIONS: dict[str, set[str]] = {
    LineState.PENDING: {LineState.CONFIRMED, LineState.REVOKED, LineState.CORRECTED, LineState.UNDECIDED},
    LineState.CONFIRMED: set(),
    LineState.REVOKED: set(),
    LineState.CORRECTED: set(),
    LineState.UNDECIDED: set(),
}
DECIDED = (LineState.CONFIRMED, LineState.REVOKED, LineState.CORRECTED)


class CampaignLine(models.Model):
    """One entitlement as it stood at launch, who must review it, and what they decided."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="lines")
    entitlement = models.ForeignKey("access.Entitlement", on_delete=models.PROTECT, related_name="+")
    # Snapshot at launch: the file may change while the campaign runs.
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name="所属",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    system = models.ForeignKey("systems.System", on_delete=models.PROTECT, related_name="+")
    privilege = models.ForeignKey("systems.Privilege", on_delete=models.PROTECT, related_name="+")
    user_id = models.CharField("ユーザID", max_length=60)
    valid_from = models.DateField("有効開始日")
    valid_to = models.DateField("有効終了日", null=True, blank=True)
    # Who reviews: the pack role, resolved in this unit (the system's owner or the person's unit);
    # ``reviewer`` is who held it on the campaign date (a deputy may decide in their stead).
    reviewer_role = models.CharField("確認者の役割", max_length=60)
    reviewer_role_name = models.CharField("確認者", max_length=120)
    reviewer_unit = models.ForeignKey(
        "organisation.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        "organisation.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    article = models.CharField("根拠条文", max_length=80)
    correct_article = models.CharField("修正の根拠条文", max_length=80, blank=True)
    requirement = models.CharField("要件ID", max_length=40)
    state = models.CharField("結果", max_length=16, choices=LineState.choices, default=LineState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_as = models.CharField("資格", max_length=200, blank=True)
    decided_at = models.DateTimeField("判断日時", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    changes = models.JSONField("修正内容", null=True, blank=True)

    class Meta:
        verbose_name = "定期確認の明細"
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "entitlement"], name="one_line_per_entitlement")
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["reviewer_role", "reviewer_unit", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.entitlement_id} ({self.state})"
