"""安全管理設備: the fire, disaster and theft safety equipment of server rooms and media stores
(YAN-18 保安装置, FUK-26 電子計算機室・記録媒体の保管施設の措置), recorded and checked at inspection."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mamori.registers.models import RegisterEntry, StateField


class EquipmentState(models.TextChoices):
    IN_USE = "in_use", "稼働中"
    OUT_OF_ORDER = "out_of_order", "故障・点検不合格"
    REMOVED = "removed", "撤去"


class Equipment(RegisterEntry):
    class Kind(models.TextChoices):
        FIRE = "fire", "防火・消火（消火設備・火災報知器）"
        DISASTER = "disaster", "防災（無停電電源・耐震・漏水検知）"
        THEFT = "theft", "防犯（施錠・監視カメラ・侵入検知）"

    State = EquipmentState
    transitions = {
        EquipmentState.IN_USE: {EquipmentState.OUT_OF_ORDER, EquipmentState.REMOVED},
        EquipmentState.OUT_OF_ORDER: {EquipmentState.IN_USE, EquipmentState.REMOVED},
        EquipmentState.REMOVED: set(),
    }
    end_state = EquipmentState.REMOVED

    name = models.CharField("設備名", max_length=100)
    kind = models.CharField("区分", max_length=16, choices=Kind.choices)
    place = models.CharField("設置場所", max_length=100)
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name="管理する課", on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField("最終点検日", null=True, blank=True)
    # Empty: the pack's interval for the kind (sections.equipment.inspection).
    inspection_months = models.PositiveSmallIntegerField("点検周期（月）", null=True, blank=True)
    state = StateField(EquipmentState)

    class Meta(RegisterEntry.Meta):
        verbose_name = "安全管理設備"
        ordering = ["place", "name", "id"]

    def __str__(self) -> str:
        return f"{self.place} {self.name}"


class InspectionResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class Inspection(models.Model):
    """One inspection of one item, with its result and follow-up (mamori/equipment/inspections.py)."""

    equipment = models.ForeignKey(
        Equipment, verbose_name="設備", on_delete=models.PROTECT, related_name="inspections"
    )
    inspected_on = models.DateField("点検日")
    inspector = models.CharField("点検者", max_length=100)
    result = models.CharField("結果", max_length=8, choices=InspectionResult.choices)
    follow_up = models.CharField("措置・フォローアップ", max_length=400, blank=True)
    follow_up_done_on = models.DateField("措置完了日", null=True, blank=True)
    article = models.CharField("根拠条文", max_length=60)
    requirement = models.CharField("要件ID", max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登録日時")

    class Meta:
        verbose_name = "安全管理設備の点検"
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=InspectionResult.values), name="equipment_inspection_result"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_done_on__isnull=True)
                | Q(follow_up_done_on__gte=models.F("inspected_on")),
                name="equipment_inspection_follow_up_after",
                violation_error_message="措置完了日は点検日以後の日付にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment} {self.inspected_on} {self.get_result_display()}"
