from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class FindingsConfig(AppConfig):
    name = "mamori.findings"
    label = "findings"
    domain = Domain(
        title="指摘",
        menu=(MenuEntry("指摘", "findings", order=30),),
        retention_classes=(
            RetentionClassSpec("findings", "指摘の記録", "規則の実行による指摘と、その是正・受容"),
        ),
    )
