from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "mamori.credentials"
    label = "credentials"

    def ready(self) -> None:
        # Services outside services.py register their requirement IDs (@implements) on import:
        # MAI-23 照合ID/操作者ID and KIT-11 viewing-ID loans.
        from . import loans, operator_ids  # noqa: F401
