"""The management file (管理ファイル): who holds which privilege on which system (the systems
register itself, with privileges and maintenance contracts, is mamori.systems).

KIT-2: the management file holds each user ID and its privileges per system, for staff and
会計年度任用職員 (システム使用者) and, as a class of their own, maintenance staff (保守要員) tied to a
contract.  Every change of a line goes through :mod:`mamori.access.services` and is recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EntitlementState(models.TextChoices):
    # KIT-6: registered, but not complete until the biometric registration is recorded.
    PENDING = "pending", "生体情報登録待ち"
    ACTIVE = "active", "有効"
    REVOKED = "revoked", "解除"
    EXPIRED = "expired", "期間満了"
    DELETED = "deleted", "削除"  # KIT-5-7: removed by the administrator, with the reason


ENTITLEMENT_TRANSITIONS: dict[str, set[str]] = {
    EntitlementState.PENDING: {EntitlementState.ACTIVE, EntitlementState.REVOKED, EntitlementState.DELETED},
    EntitlementState.ACTIVE: {EntitlementState.REVOKED, EntitlementState.EXPIRED, EntitlementState.DELETED},
    EntitlementState.REVOKED: set(),
    EntitlementState.EXPIRED: set(),
    EntitlementState.DELETED: set(),
}
# States in which a line still stands in the management file.
OPEN_STATES = (EntitlementState.PENDING, EntitlementState.ACTIVE)


class EntitlementBasis(models.TextChoices):
    REQUEST = "request", "申請"  # KIT-5-2, KIT-5-4, KIT-6 (the pack names the form, not this label)
    DIRECT = "direct", "管理者による指定"  # KIT-5-5
    MAINTENANCE = "maintenance", "保守要員の登録"  # KIT-5-9


class UserRegistration(models.Model):
    """KIT-5-3: the user-information registration (利用者情報登録) that must come before any grant
    to a 会計年度任用職員."""

    person = models.ForeignKey(
        "organisation.Person", on_delete=models.PROTECT, related_name="user_registrations"
    )
    registered_on = models.DateField("登録日")
    reference = models.CharField("申請書番号等", max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("記録日時")

    class Meta:
        verbose_name = "利用者情報登録"
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.registered_on}"


class BiometricRegistration(models.Model):
    """KIT-6 (第6条第4項): the person's biometric registration at the place the two-factor
    administrator designates; pending terminal privileges complete with it."""

    person = models.ForeignKey(
        "organisation.Person", on_delete=models.PROTECT, related_name="biometric_registrations"
    )
    system = models.ForeignKey(
        "systems.System", on_delete=models.PROTECT, related_name="biometric_registrations"
    )
    place = models.CharField("登録場所", max_length=120)
    registered_on = models.DateField("登録日")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("記録日時")

    class Meta:
        verbose_name = "生体情報登録"
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.system_id} {self.registered_on}"


class Entitlement(models.Model):
    """One line of the management file: person × system × privilege × user ID × validity."""

    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="entitlements")
    system = models.ForeignKey("systems.System", on_delete=models.PROTECT, related_name="entitlements")
    privilege = models.ForeignKey("systems.Privilege", on_delete=models.PROTECT, related_name="entitlements")
    user_id = models.CharField("ユーザID", max_length=60)
    valid_from = models.DateField("有効開始日")
    valid_to = models.DateField("有効終了日", null=True, blank=True)
    state = models.CharField(
        "状態",
        max_length=16,
        choices=EntitlementState.choices,
        default=EntitlementState.ACTIVE,
        db_index=True,
    )
    request = models.ForeignKey(
        "workflows.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements"
    )
    registered_at = models.DateTimeField("登録日時")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField("終了日時", null=True, blank=True)
    basis = models.CharField(
        "登録の根拠", max_length=16, choices=EntitlementBasis.choices, default=EntitlementBasis.REQUEST
    )
    contract = models.ForeignKey(
        "systems.MaintenanceContract",
        verbose_name="保守契約",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlements",
    )
    end_reason = models.CharField("終了の理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "管理ファイル"
        ordering = ["system__code", "person__staff_number"]
        indexes = [
            models.Index(fields=["person", "state"]),
            models.Index(fields=["system", "state"]),
            models.Index(fields=["state", "valid_to"]),
            models.Index(fields=["user_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.system_id}:{self.privilege_id} ({self.state})"


class ProposalState(models.TextChoices):
    OPEN = "open", "未処理"
    APPLIED = "applied", "解除済"
    DISMISSED = "dismissed", "見送り"


PROPOSAL_TRANSITIONS: dict[str, set[str]] = {
    ProposalState.OPEN: {ProposalState.APPLIED, ProposalState.DISMISSED},
    ProposalState.APPLIED: set(),
    ProposalState.DISMISSED: set(),
}


class RevocationProposal(models.Model):
    """KIT-5-5: a line that must be revoked because its holder transfers or retires, proposed from
    the staff-import diff for the administrator to apply."""

    class Cause(models.TextChoices):
        TRANSFER = "transfer", "異動"
        RETIREMENT = "retirement", "退職"

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="proposals")
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="+")
    cause = models.CharField("理由", max_length=16, choices=Cause.choices)
    effective = models.DateField("発令日")
    detail = models.CharField("内容", max_length=300)
    state = models.CharField(
        "状態", max_length=16, choices=ProposalState.choices, default=ProposalState.OPEN, db_index=True
    )
    created_at = models.DateTimeField("作成日時")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("処理日時", null=True, blank=True)
    note = models.CharField("備考", max_length=300, blank=True)

    class Meta:
        verbose_name = "権限解除の提案"
        ordering = ["effective", "person_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "effective"], name="one_proposal_per_line_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.cause} {self.effective} ({self.state})"
