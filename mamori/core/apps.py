from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "mamori.core"
    label = "core"

    def ready(self) -> None:
        # The policy layer: every app's ``policies.py`` registers its permissions with django-rules, so
        # screens, API, exports, CLI and services all find them (mamori/core/policy.py).
        for config in apps.get_app_configs():
            module = f"{config.name}.policies"
            if config.name.startswith("mamori.") and find_spec(module) is not None:
                import_module(module)
