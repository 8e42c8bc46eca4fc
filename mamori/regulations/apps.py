from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "mamori.regulations"
    label = "regulations"
