from django.apps import AppConfig


class DesignationsConfig(AppConfig):
    name = "mamori.designations"
    label = "designations"
