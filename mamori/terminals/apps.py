from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class TerminalsConfig(AppConfig):
    name = "mamori.terminals"
    label = "terminals"
    domain = Domain(
        title="端末機",
        api_router="mamori.terminals.api:router",
        urls="mamori.web.urls_terminals",
        menu=(MenuEntry("端末", "terminals", order=90),),
        demo="mamori.terminals.demo:populate",
        demo_order=50,
        retention_classes=(
            RetentionClassSpec("terminals", "端末機の記録", "端末機台帳・操作員の指定・時間外使用"),
        ),
    )
