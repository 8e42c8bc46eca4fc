from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry


class CredentialsConfig(AppConfig):
    name = "mamori.credentials"
    label = "credentials"
    domain = Domain(
        title="ID・パスワード",
        api_router="mamori.credentials.api:router",
        urls="mamori.web.urls_credentials",
        menu=(MenuEntry("ID・パスワード", "credentials", order=60),),
        demo="mamori.credentials.demo:populate",
        demo_order=30,
        home="mamori.credentials.home:waiting",
    )

    def ready(self) -> None:
        # Services outside services.py register their requirement IDs (@implements) on import:
        # MAI-23 照合ID/操作者ID and KIT-11 viewing-ID loans.
        from . import loans, operator_ids  # noqa: F401
