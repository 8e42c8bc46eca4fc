from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry


class ExportsConfig(AppConfig):
    name = "mamori.exports"
    label = "exports"
    domain = Domain(
        title="帳票出力",
        api_router="mamori.exports.api:router",
        urls="mamori.web.urls_exports",
        menu=(MenuEntry("帳票出力", "exports", order=80),),
    )
