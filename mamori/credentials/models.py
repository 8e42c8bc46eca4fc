"""Passwords and PINs of the managed systems, MAI-23 照合ID/操作者ID, and KIT-11 viewing-ID loans.

None of these is mamori's own log-in.  A password or PIN is stored only as a hash: it is shown once
to whoever issues it and never written to a record (KIT-8-5, YAN-12-5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SecretKind(models.TextChoices):
    PASSWORD = "password", "パスワード"
    PIN = "pin", "暗証番号"


class CredentialPurpose(models.TextChoices):
    TEMPORARY = "temporary", "仮パスワード"  # KIT-8-2: the user changes it promptly
    ASSIGNED = "assigned", "設定パスワード"  # YAN-12-4, FUK-18-2: set for the user, kept
    MAINTENANCE = "maintenance", "保守要員パスワード"  # KIT-8-8


class CredentialState(models.TextChoices):
    ISSUED = "issued", "交付済"
    CHANGED = "changed", "変更済"
    REPLACED = "replaced", "再交付により失効"
    REVOKED = "revoked", "失効"


CREDENTIAL_TRANSITIONS: dict[str, set[str]] = {
    CredentialState.ISSUED: {CredentialState.CHANGED, CredentialState.REPLACED, CredentialState.REVOKED},
    CredentialState.CHANGED: {CredentialState.REPLACED, CredentialState.REVOKED},
    CredentialState.REPLACED: set(),
    CredentialState.REVOKED: set(),
}
LIVE_STATES = (CredentialState.ISSUED, CredentialState.CHANGED)


class Credential(models.Model):
    """One password or PIN issued to one person for one system (or one terminal)."""

    person = models.ForeignKey(
        "organisation.Person", verbose_name="使用者", on_delete=models.PROTECT, related_name="credentials"
    )
    system = models.ForeignKey(
        "systems.System",
        verbose_name="システム",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    terminal = models.CharField("端末機", max_length=80, blank=True)
    secret_kind = models.CharField("種類", max_length=16, choices=SecretKind.choices)
    purpose = models.CharField("区分", max_length=16, choices=CredentialPurpose.choices)
    secret_hash = models.CharField("ハッシュ", max_length=255)
    state = models.CharField(
        "状態", max_length=16, choices=CredentialState.choices, default=CredentialState.ISSUED, db_index=True
    )
    issued_at = models.DateTimeField("交付日時")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="設定者", on_delete=models.PROTECT, related_name="+"
    )
    issued_as = models.CharField("設定者の資格", max_length=200, blank=True)
    change_due = models.DateField("変更期限", null=True, blank=True)
    changed_at = models.DateTimeField("変更確認日時", null=True, blank=True)
    change_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_to = models.ForeignKey(
        "organisation.Person", verbose_name="通知先", null=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_via = models.ForeignKey(
        "organisation.Person",
        verbose_name="通知の経由者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notified_at = models.DateTimeField("通知日時", null=True, blank=True)
    request = models.ForeignKey(
        "workflows.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="credentials"
    )
    ended_at = models.DateTimeField("失効日時", null=True, blank=True)
    article = models.CharField("根拠条文", max_length=60, blank=True)
    requirement = models.CharField("要件ID", max_length=40, blank=True)

    class Meta:
        verbose_name = "パスワード・暗証番号"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["person", "state"]),
            models.Index(fields=["state", "change_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_secret_kind_display()} {self.person_id} ({self.state})"

    @property
    def target(self) -> str:
        return self.system.name if self.system_id else f"端末機 {self.terminal}"


class IdState(models.TextChoices):
    ACTIVE = "active", "有効"
    ENDED = "ended", "廃止"


class VerificationId(models.Model):
    """照合ID (MAI-23): one per operator.  Its code is never given to anyone else, even after it ends."""

    code = models.CharField("照合ID", max_length=40, unique=True)
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name="操作者",
        on_delete=models.PROTECT,
        related_name="verification_ids",
    )
    state = models.CharField("状態", max_length=16, choices=IdState.choices, default=IdState.ACTIVE)
    issued_at = models.DateTimeField("付与日時")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_as = models.CharField("付与者の資格", max_length=200, blank=True)
    request = models.ForeignKey(
        "workflows.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField("廃止日時", null=True, blank=True)

    class Meta:
        verbose_name = "照合ID"
        ordering = ["code"]
        constraints = [
            # 第23条第1項: 操作者に照合IDを付与する — one live 照合ID per operator.
            models.UniqueConstraint(
                fields=["person"], condition=Q(state="active"), name="one_active_verification_id_per_person"
            )
        ]

    def __str__(self) -> str:
        return self.code


class OperatorId(models.Model):
    """操作者ID (MAI-23): linked to a 照合ID, carries privileges of one system."""

    code = models.CharField("操作者ID", max_length=40, unique=True)
    verification = models.ForeignKey(
        VerificationId, verbose_name="照合ID", on_delete=models.PROTECT, related_name="operator_ids"
    )
    system = models.ForeignKey(
        "systems.System", verbose_name="システム", on_delete=models.PROTECT, related_name="operator_ids"
    )
    privileges = models.ManyToManyField("systems.Privilege", verbose_name="操作権限", related_name="+")
    entitlements = models.ManyToManyField("access.Entitlement", verbose_name="管理ファイル", related_name="+")
    state = models.CharField("状態", max_length=16, choices=IdState.choices, default=IdState.ACTIVE)
    issued_at = models.DateTimeField("付与日時")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        "workflows.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField("廃止日時", null=True, blank=True)

    class Meta:
        verbose_name = "操作者ID"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ViewingId(models.Model):
    """A viewing user ID (閲覧用ユーザID) kept by the section that has the terminal (KIT-11)."""

    code = models.CharField("閲覧用ユーザID", max_length=40, unique=True)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name="端末装置を設置している課",
        on_delete=models.PROTECT,
        related_name="+",
    )
    terminal = models.CharField("端末装置", max_length=80, blank=True)
    active = models.BooleanField("使用中", default=True)
    registered_at = models.DateTimeField("登録日時")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "閲覧用ユーザID"
        ordering = ["unit__code", "code"]

    def __str__(self) -> str:
        return self.code


class Loan(models.Model):
    """One lending of a viewing ID: the viewer's name, the ID, when it was lent and returned."""

    viewing_id = models.ForeignKey(
        ViewingId, verbose_name="閲覧用ユーザID", on_delete=models.PROTECT, related_name="loans"
    )
    viewer = models.ForeignKey(
        "organisation.Person", verbose_name="閲覧者", on_delete=models.PROTECT, related_name="viewing_loans"
    )
    viewer_name = models.CharField("閲覧者氏名", max_length=100)
    viewer_unit = models.CharField("閲覧者の所属", max_length=100, blank=True)
    purpose = models.CharField("閲覧の目的", max_length=200, blank=True)
    request = models.ForeignKey(
        "workflows.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lent_at = models.DateTimeField("貸与日時")
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lent_as = models.CharField("貸与者の資格", max_length=200, blank=True)
    returned_at = models.DateTimeField("返却日時", null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "閲覧用ユーザIDの貸与"
        ordering = ["-lent_at", "-id"]
        constraints = [
            # One ID cannot be lent twice at once.
            models.UniqueConstraint(
                fields=["viewing_id"],
                condition=Q(returned_at__isnull=True),
                name="one_open_loan_per_viewing_id",
            )
        ]
        indexes = [models.Index(fields=["returned_at", "lent_at"])]

    def __str__(self) -> str:
        return f"{self.viewing_id_id} → {self.viewer_name}"
