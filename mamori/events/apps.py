from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "mamori.events"
    label = "events"
