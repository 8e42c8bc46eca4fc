from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "mamori.findings"
    label = "findings"
