"""mamori demo [--pack NAME] [--reset] [--serve]: a populated fictional municipality on SQLite."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mamori.accounts.models import User
from mamori.core import time
from mamori.demo.city import DEMO_PASSWORD, build_city
from mamori.demo.domains import populate_domains
from mamori.demo.requests import file_demo_requests, plant_findings
from mamori.findings.services import findings_run
from mamori.organisation.models import Assignment
from mamori.organisation.roles import roles_of
from mamori.regulations.active import active_pack
from mamori.regulations.loader import available_packs
from mamori.regulations.models import Installation


class Command(BaseCommand):
    help = "デモ用の架空の自治体を作成する (load the demo municipality)"

    def add_arguments(self, parser):
        parser.add_argument("--pack", default="kitami", help="regulation pack (default: kitami)")
        parser.add_argument("--reset", action="store_true", help="start again from an empty SQLite database")
        parser.add_argument("--serve", action="store_true", help="then serve it at 127.0.0.1:8000")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, pack: str, reset: bool, serve: bool, port: str, **options):
        if "MAMORI_EMAIL_BACKEND" not in os.environ:
            # The demo's notification mails are written as files under MAMORI_HOME/mail instead of going
            # to an SMTP server (and instead of burying the log-in details on the console).
            settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
            settings.EMAIL_FILE_PATH = str(settings.HOME / "mail")
        if pack not in available_packs():
            raise CommandError(f"no pack '{pack}' (known: {', '.join(available_packs())})")
        database = settings.DATABASES["default"]
        if not reset and connection.vendor == "sqlite" and Path(str(database["NAME"])).exists():
            # `make demo PACK=yanagawa` after a kitami demo: the demo of the pack asked for, not the old one.
            existing = self._existing_pack()
            if existing and existing != pack:
                self.stdout.write(f"既存のデモは規程パック {existing} です。{pack} のデモを作り直します。")
                reset = True
        if reset:
            if connection.vendor != "sqlite":
                raise CommandError("--reset only removes a SQLite database; drop a PostgreSQL one yourself")
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(database["NAME"]) + suffix).unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
        installation = Installation.objects.filter(pk=1).first()
        if installation is not None:
            self.stdout.write(
                f"デモは作成済みです（{installation.municipality}・{installation.pack}）。"
                "作り直すには --reset を付けてください。"
            )
        else:
            today = time.today()
            city = build_city(pack_name=pack, today=today)
            filed = file_demo_requests(city, on=today)
            plant_findings(city, on=today)
            summaries = populate_domains(city, on=today)
            result = findings_run(on=today)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{city.name}（規程: {city.pack.municipality} {city.pack.title}）を作成しました: "
                    f"申請 {filed} 件, 指摘 {result.opened} 件"
                )
            )
            for summary in summaries:
                self.stdout.write(f"  {summary}")
        self._print_logins()
        if "MAMORI_EMAIL_BACKEND" not in os.environ:
            self.stdout.write(f"\n通知メールは {settings.EMAIL_FILE_PATH} にファイルとして保存されます。")
        if serve:
            self.stdout.write(f"\n http://127.0.0.1:{port}/ で公開します（Ctrl+C で終了）\n")
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _existing_pack(self) -> str | None:
        """The pack of the demo already in the database, or None (no database or no demo yet)."""
        try:
            call_command("migrate", verbosity=0)
            installation = Installation.objects.filter(pk=1).first()
        finally:
            connection.close()
        return installation.pack if installation else None

    def _print_logins(self) -> None:

        self.stdout.write("\nログイン（パスワードは全員 " + DEMO_PASSWORD + "）:")
        today = time.today()
        pack = active_pack()
        for user in User.objects.select_related("person").order_by("id")[:14]:
            where = ""
            if user.person:
                assignment = (
                    Assignment.objects.on(today)
                    .filter(person=user.person)
                    .select_related("post__unit", "unit")
                )
                first = assignment.first()
                if first is not None:
                    where = str(first.post) if first.post else f"{first.unit.name} {first.title}"
            label = "管理者（情報政策課）" if user.is_superuser else where
            if user.person and not user.is_superuser:
                roles = sorted({h.role_name for h in roles_of(user.person, on=today, pack=pack)})
                label += f"｜{'・'.join(roles[:3])}" if roles else ""
            name = user.person.name if user.person else ""
            change = "（初回ログイン時にパスワード変更）" if user.must_change_password else ""
            self.stdout.write(f"  {user.username:14} {name:8} {label}{change}")
