from django.apps import AppConfig


class TerminalsConfig(AppConfig):
    name = "mamori.terminals"
    label = "terminals"
