"""mamori findings run [--on DATE] | list"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run


class Command(BaseCommand):
    help = "指摘: 規則を実行し、指摘を一覧する (run the rules; list open findings)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run every rule of the active pack (a scheduler calls this daily)")
        run.add_argument("--on", type=dt.date.fromisoformat, default=None)
        sub.add_parser("list", help="open findings")

    def handle(self, *args, action: str, **options):
        if action == "run":
            result = findings_run(on=options["on"])
            self.stdout.write(
                f"新規 {result.opened} / 再発 {result.reopened} / 解消 {result.resolved} / "
                f"継続 {result.still_open}"
            )
            return
        for finding in Finding.objects.filter(state=FindingState.OPEN):
            self.stdout.write(f"[{finding.requirement}] {finding.article} {finding.title}")
