"""mamori records verify"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mamori.records.services import records_verify


class Command(BaseCommand):
    help = "記録の検証 (verify the tamper-evident record chain)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the chain and name the first bad position")
        verify.add_argument("--all", action="store_true", help="go on after the first problem")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            result = records_verify(stop_at_first=not options["all"])
            if not result.ok:
                for problem in result.problems:
                    self.stderr.write(problem)
                raise CommandError(f"記録の検証に失敗しました: first bad position #{result.first_bad}")
            self.stdout.write(
                f"OK: {result.checked} records verified; head #{result.head_seq} {result.head_hash}\n"
                "(write the head hash down outside mamori: it anchors the chain against truncation)"
            )
