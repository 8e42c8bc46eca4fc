from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mamori.core"
    label = "core"
