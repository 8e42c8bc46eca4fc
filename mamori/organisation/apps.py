from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "mamori.organisation"
    label = "organisation"
