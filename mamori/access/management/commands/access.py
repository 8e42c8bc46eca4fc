"""mamori access expire [--date YYYY-MM-DD]: a scheduler calls it daily (KIT-7)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mamori.access.services import entitlements_expire
from mamori.regulations.active import NoActivePack, active_pack


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {text}") from None


class Command(BaseCommand):
    help = "管理ファイル: 有効期間・任用期間の過ぎた権限を期間満了にする (expire; idempotent)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser("expire", help="有効期間の過ぎた権限を期間満了にする（日次）")
        expire.add_argument("--date", type=_date, default=None, help="基準日 (既定: 今日)")

    def handle(self, *args: Any, action: str, date: dt.date | None = None, **options: Any) -> None:
        try:
            pack = active_pack()
        except NoActivePack as error:
            raise CommandError(str(error)) from None
        expired = entitlements_expire(on=date, pack=pack, actor=None)
        rule = pack.parameters.access.term_expiry
        cite = f"（{pack.cite(rule.article)}）" if rule else ""
        self.stdout.write(f"期間満了: {len(expired)} 件{cite}")
        for line in expired[:50]:
            self.stdout.write(
                f"  {line.person.staff_number} {line.person.name} {line.user_id} → {line.end_reason}"
            )
