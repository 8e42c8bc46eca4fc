"""Systems and the management file (管理ファイル): who holds which privilege on which system.

This is the part the foundation needs to prove the approval engine end to end with the 北見市
privilege request (KIT-5-2 → KIT-5-4); the access-rights issue builds the rest on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class System(models.Model):
    code = models.CharField("システムコード", max_length=40, unique=True)
    name = models.CharField("システム名", max_length=120)
    # The unit whose head administers the system (個別システム管理者 / COKAS-R/ADⅡ管理者: 情報システム課).
    owner_unit = models.ForeignKey(
        "organisation.Unit", verbose_name="所管課", on_delete=models.PROTECT, related_name="systems"
    )
    category = models.CharField("区分", max_length=40, blank=True)
    handles_personal_information = models.BooleanField("個人情報", default=False)
    handles_specific_personal_information = models.BooleanField("特定個人情報", default=False)
    handles_identity_information = models.BooleanField("本人確認情報", default=False)

    class Meta:
        verbose_name = "情報システム"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Privilege(models.Model):
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="privileges")
    code = models.CharField("権限コード", max_length=40)
    name = models.CharField("権限名", max_length=120)

    class Meta:
        verbose_name = "操作権限"
        ordering = ["system__code", "code"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="privilege_code_per_system")]

    def __str__(self) -> str:
        return f"{self.system.name}: {self.name}"


class EntitlementState(models.TextChoices):
    ACTIVE = "active", "有効"
    REVOKED = "revoked", "解除"
    EXPIRED = "expired", "期間満了"


ENTITLEMENT_TRANSITIONS: dict[str, set[str]] = {
    EntitlementState.ACTIVE: {EntitlementState.REVOKED, EntitlementState.EXPIRED},
    EntitlementState.REVOKED: set(),
    EntitlementState.EXPIRED: set(),
}


class Entitlement(models.Model):
    """One line of the management file: person × system × privilege × user ID × validity."""

    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="entitlements")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="entitlements")
    privilege = models.ForeignKey(Privilege, on_delete=models.PROTECT, related_name="entitlements")
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

    class Meta:
        verbose_name = "管理ファイル"
        ordering = ["system__code", "person__staff_number"]
        indexes = [models.Index(fields=["person", "state"]), models.Index(fields=["system", "state"])]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.system_id}:{self.privilege_id} ({self.state})"
