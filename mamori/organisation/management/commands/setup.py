"""mamori setup --pack NAME --municipality NAME --admin USERNAME: a real installation, not the demo."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from mamori.accounts.models import User
from mamori.accounts.services import account_create
from mamori.organisation.installation import installation_activate
from mamori.regulations.loader import PackError


class Command(BaseCommand):
    help = "導入設定: 規程パックを適用し、管理者アカウントを作成する (set up an installation)"

    def add_arguments(self, parser):
        parser.add_argument("--pack", required=True, help="built-in pack or one in MAMORI_PACK_DIRS")
        parser.add_argument("--municipality", required=True, help="自治体名, e.g. 北見市")
        parser.add_argument("--admin", default="", help="create this administrator account (情報政策課)")

    def handle(self, *args, pack: str, municipality: str, admin: str, **options):
        call_command("migrate", verbosity=0)
        try:
            installation = installation_activate(municipality=municipality, pack=pack, actor=None)
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
        except PackError as error:
            raise CommandError(error.describe()) from None
        self.stdout.write(f"{installation.municipality}: 規程パック {installation.pack} を適用しました。")
        if admin:
            if User.objects.filter(username=admin).exists():
                self.stdout.write(f"管理者 {admin} は既にあります。")
                return
            _, temporary = account_create(username=admin, person=None, actor=None, is_admin=True)
            self.stdout.write(
                f"管理者 {admin} の仮パスワード: {temporary}\n"
                "（表示はこの一度だけです。初回ログイン時に変更が必要です）"
            )
