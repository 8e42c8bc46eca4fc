from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry


class DesignationsConfig(AppConfig):
    name = "mamori.designations"
    label = "designations"
    domain = Domain(
        title="指定",
        api_router="mamori.designations.api:router",
        urls="mamori.web.urls_designations",
        menu=(MenuEntry("指定", "designations", order=70),),
        demo="mamori.designations.demo:populate",
        demo_order=20,
    )

    def ready(self) -> None:
        # The grant check registers itself with mamori.access.checks (YAN-8, YAN-14, FUK-17, MEG-13-1).
        from . import checks  # noqa: F401
