from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class EquipmentConfig(AppConfig):
    name = "mamori.equipment"
    label = "equipment"
    verbose_name = "安全管理設備"
    domain = Domain(
        title="安全管理設備",
        api_router="mamori.equipment.register:router",
        api_prefix="/equipment",
        urls="mamori.equipment.register",
        url_prefix="equipment/",
        menu=(MenuEntry("安全管理設備", "equipment:list", perm="equipment.view", needs=("equipment",)),),
        demo="mamori.equipment.demo:populate",
        retention_classes=(RetentionClassSpec("equipment", "安全管理設備の記録", "設置・点検・撤去"),),
        pack_section="mamori.equipment.pack:EquipmentSection",
    )
