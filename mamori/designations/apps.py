from django.apps import AppConfig


class DesignationsConfig(AppConfig):
    name = "mamori.designations"
    label = "designations"

    def ready(self) -> None:
        # The grant check registers itself with mamori.access.checks (YAN-8, YAN-14, FUK-17, MEG-13-1).
        from . import checks  # noqa: F401
