from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "mamori.exports"
    label = "exports"
