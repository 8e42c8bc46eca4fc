from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class AccessConfig(AppConfig):
    name = "mamori.access"
    label = "access"
    domain = Domain(
        title="管理ファイル",
        api_router="mamori.access.api:router",
        urls="mamori.web.urls_access",
        menu=(MenuEntry("管理ファイル", "access_entitlements", order=40),),
        demo="mamori.access.demo:populate",
        demo_order=10,
        home="mamori.access.home:waiting",
        retention_classes=(
            RetentionClassSpec(
                "access",
                "操作権限・アカウントの記録",
                "管理ファイル・パスワード・ID・定期確認・アカウントの変更",
            ),
        ),
    )

    def ready(self) -> None:
        # KIT-5-5: the staff import's preview lists the privileges a transfer or retirement must revoke.
        from mamori.organisation.imports import STAFF_PLAN_HOOKS

        from .transfers import preview_lines

        if preview_lines not in STAFF_PLAN_HOOKS:
            STAFF_PLAN_HOOKS.append(preview_lines)
