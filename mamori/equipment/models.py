"""安全管理設備: the fire, disaster and theft safety equipment of server rooms and media stores
(YAN-18 保安装置, FUK-26 電子計算機室・記録媒体の保管施設の措置), recorded and checked at inspection."""

from django.db import models

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
    state = StateField(EquipmentState)

    class Meta(RegisterEntry.Meta):
        verbose_name = "安全管理設備"
        ordering = ["place", "name", "id"]

    def __str__(self) -> str:
        return f"{self.place} {self.name}"
