from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class EventsConfig(AppConfig):
    name = "mamori.events"
    label = "events"
    domain = Domain(
        title="操作記録",
        api_router="mamori.events.api:router",
        urls="mamori.web.urls_events",
        menu=(MenuEntry("操作記録", "audit_search", perm="terminals.audit_search", order=100, nav="audit"),),
        # The events' own class: each pack gives its period, under this code or under a class of its
        # own that says it serves this one (``serves:``, e.g. 舞鶴市第25条第1項第1号の操作履歴).
        retention_classes=(
            RetentionClassSpec("operation_events", "操作記録", "取り込んだ操作ログ（evtx・CSV・JSON lines）"),
        ),
    )
