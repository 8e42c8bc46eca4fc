from django.apps import AppConfig

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec


class AccountsConfig(AppConfig):
    name = "mamori.accounts"
    label = "accounts"
    # mamori's own accounts are recorded under the access class (log-ins, locks, password changes).
    domain = Domain(
        title="アカウント",
        menu=(MenuEntry("アカウント", "accounts", perm="accounts.manage", order=130),),
        retention_classes=(
            RetentionClassSpec(
                "access",
                "操作権限・アカウントの記録",
                "管理ファイル・パスワード・ID・定期確認・アカウントの変更",
            ),
        ),
    )
