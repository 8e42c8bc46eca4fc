from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class WorkflowsConfig(AppConfig):
    name = "mamori.workflows"
    label = "workflows"
    domain = Domain(
        title="申請・承認",
        menu=(
            MenuEntry("申請", "requests", order=10, nav="requests"),
            MenuEntry("承認", "approvals", order=20, nav="approvals"),
        ),
        retention_classes=(RetentionClassSpec("requests", "申請・承認の記録", "申請・決定・通知"),),
    )
