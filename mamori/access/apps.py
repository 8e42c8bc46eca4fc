from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "mamori.access"
    label = "access"

    def ready(self) -> None:
        # KIT-5-5: the staff import's preview lists the privileges a transfer or retirement must revoke.
        from mamori.organisation.imports import STAFF_PLAN_HOOKS

        from .transfers import preview_lines

        if preview_lines not in STAFF_PLAN_HOOKS:
            STAFF_PLAN_HOOKS.append(preview_lines)
