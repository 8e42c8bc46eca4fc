from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "mamori.credentials"
    label = "credentials"
