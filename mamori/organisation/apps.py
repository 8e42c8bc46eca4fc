from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class OrganisationConfig(AppConfig):
    name = "mamori.organisation"
    label = "organisation"
    domain = Domain(
        title="組織・役割",
        menu=(MenuEntry("組織・役割", "organisation", order=110),),
        retention_classes=(
            RetentionClassSpec(
                "organisation", "組織・職員の記録", "組織・職員・配置の取込みと役割の任命・代理"
            ),
        ),
    )
