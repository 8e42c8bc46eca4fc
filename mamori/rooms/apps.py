from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class RoomsConfig(AppConfig):
    name = "mamori.rooms"
    label = "rooms"
    verbose_name = "入退室管理"
    domain = Domain(
        title="入退室管理",
        api_router="mamori.rooms.register:router",
        api_prefix="/rooms",
        urls="mamori.rooms.urls",
        url_prefix="rooms/",
        menu=(
            MenuEntry("入退室の記録", "room_log:door", perm="rooms.door", needs=("rooms",)),
            MenuEntry("入退室管理簿", "room_log:list", perm="rooms.view", needs=("rooms",), nav="room_log"),
        ),
        demo="mamori.rooms.demo:populate",
        retention_classes=(RetentionClassSpec("room_log", "入退室管理簿", "入室・退室・立会い・承諾"),),
        pack_section="mamori.rooms.pack:RoomsSection",
    )
