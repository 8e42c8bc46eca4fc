from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mamori.web"
    label = "web"
