"""mamori import units FILE [--apply]
mamori import staff FILE [--apply] [--effective YYYY-MM-DD]

(``import`` is a Python keyword, so the management command is called import_data.)"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mamori.organisation.csvfiles import CsvUnreadable
from mamori.organisation.imports import (
    ImportPlan,
    ImportRejected,
    PlanOutdated,
    parse_date,
    staff_apply,
    staff_preview,
    units_apply,
    units_preview,
)


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    help = "所属・職員の CSV を取り込む (--apply なしでは変更内容を表示するだけです)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="target", required=True)
        units = sub.add_parser("units", help="所属 (所属コード, 名称, 区分, 上位所属コード[, 廃止日])")
        units.add_argument("file")
        units.add_argument("--apply", action="store_true", help="変更を反映する")
        staff = sub.add_parser("staff", help="職員 (職員番号, 氏名, 任用区分, 所属コード, 職名 …)")
        staff.add_argument("file")
        staff.add_argument("--apply", action="store_true", help="変更を反映する")
        staff.add_argument(
            "--effective",
            type=_date,
            default=None,
            help="異動の発令日 (既定: 今日)。旧配置はその前日に終わります",
        )

    def handle(
        self,
        *args: Any,
        target: str,
        file: str,
        apply: bool = False,
        effective: dt.date | None = None,
        **options: Any,
    ) -> None:
        try:
            if target == "units":
                plan = units_preview(path=file)
            else:
                plan = staff_preview(path=file, effective=effective)
        except FileNotFoundError:
            raise CommandError(f"{file}: ファイルがありません") from None
        except CsvUnreadable as error:
            raise CommandError(str(error)) from None
        except ImportRejected as rejected:
            raise self._rejected(rejected) from None

        self._show(plan)
        if not apply:
            self.stdout.write("(--apply で反映します)")
            return
        if plan.is_empty:
            return
        try:
            applied = units_apply(plan=plan) if target == "units" else staff_apply(plan=plan)
        except PlanOutdated as error:
            raise CommandError(str(error)) from None
        except ImportRejected as rejected:  # the database changed under the file since the preview
            raise self._rejected(rejected) from None
        counts = "、".join(f"{kind} {count} 件" for kind, count in applied.counts().items())
        self.stdout.write(self.style.SUCCESS(f"反映しました: {counts}"))

    def _rejected(self, rejected: ImportRejected) -> CommandError:
        for error in rejected.errors:
            self.stderr.write(str(error))
        return CommandError(str(rejected))  # "N 件のエラーがあるため、何も取り込みませんでした"

    def _show(self, plan: ImportPlan) -> None:
        self.stdout.write(f"{plan.file}: 文字コード {plan.encoding}")
        if plan.effective is not None:
            self.stdout.write(f"発令日: {plan.effective}")
        for line in plan.lines():
            self.stdout.write(line)
        for note in plan.notes:
            self.stdout.write(f"※ {note}")
