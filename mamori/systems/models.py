"""The systems register (情報システム台帳): business systems, their privileges catalogue and the
maintenance contracts that cover them (KIT-2, KIT-3, KIT-5-9).

The models moved here from mamori.access (issue 9 item 2) without touching the database: each keeps
its table (``access_system``, ``access_privilege``, ``access_maintenancecontract`` and the contract's
``access_maintenancecontract_systems``), and the migrations moved them in Django's state only."""

from __future__ import annotations

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
    # KIT-3: the pack role that administers the system (cokas_manager, individual_system_manager …),
    # resolved in the owner unit; empty: the pack's system_manager role of the owner unit.
    administrator_role = models.CharField("管理者の役割", max_length=60, blank=True)
    # Pack-defined marks (parameters.access.system_flags): cokas, two_factor, intermediate_server …
    flags = models.JSONField("区分フラグ", default=list, blank=True)
    note = models.CharField("備考", max_length=300, blank=True)

    class Meta:
        db_table = "access_system"
        verbose_name = "情報システム"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Privilege(models.Model):
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="privileges")
    code = models.CharField("権限コード", max_length=40)
    name = models.CharField("権限名", max_length=120)
    description = models.CharField("説明", max_length=300, blank=True)

    class Meta:
        db_table = "access_privilege"
        verbose_name = "操作権限"
        ordering = ["system__code", "code"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="privilege_code_per_system")]

    def __str__(self) -> str:
        return f"{self.system.name}: {self.name}"


class MaintenanceContract(models.Model):
    """KIT-5-9: the contract under which maintenance staff (保守要員) hold IDs and privileges."""

    number = models.CharField("契約番号", max_length=60, unique=True)
    company = models.CharField("事業者", max_length=120)
    title = models.CharField("件名", max_length=200, blank=True)
    start = models.DateField("契約開始日")
    end = models.DateField("契約終了日")
    systems = models.ManyToManyField(
        System, verbose_name="対象システム", blank=True, related_name="contracts"
    )

    class Meta:
        db_table = "access_maintenancecontract"
        verbose_name = "保守契約"
        ordering = ["-end", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="contract_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.company}"
