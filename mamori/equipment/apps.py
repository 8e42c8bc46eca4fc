from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "mamori.equipment"
    label = "equipment"
    verbose_name = "安全管理設備"
