from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "mamori.workflows"
    label = "workflows"
