"""mamori records verify | ingest | source | purge

The command is named for what a clerk keeps (記録: the record chain and the operation events); it lives
in the events app because every subcommand but half of ``verify`` drives the event store, which sits
above mamori.records in the app graph (.importlinter)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from mamori.events.models import EventSource
from mamori.events.purge import PurgeRefused, events_purge
from mamori.events.services import CHUNK, IngestRejected, event_source_save, events_ingest
from mamori.events.verify import events_verify
from mamori.records.services import records_verify

FORMATS = {".evtx": "evtx", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


class Command(BaseCommand):
    help = "記録の検証・操作記録の取込み・保存期間を過ぎた操作記録の廃棄"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="recompute the record chain and the event store; name the first bad position"
        )
        verify.add_argument("--all", action="store_true", help="go on after the first problem")
        ingest = sub.add_parser(
            "ingest", help="取込み: store the operation events of a file (.evtx, .csv, .jsonl)"
        )
        ingest.add_argument("file", type=Path)
        ingest.add_argument("--source", required=True, help="取込元コード (EventSource.code)")
        ingest.add_argument(
            "--format", choices=["evtx", "csv", "jsonl"], help="default: from the source / the suffix"
        )
        ingest.add_argument(
            "--quarantine",
            type=Path,
            help="store what can be read; write the bad lines / lost records here with reasons "
            "(exit status 3 when anything was quarantined or lost)",
        )
        ingest.add_argument("--chunk", type=int, default=None, help="events per transaction (default 5000)")
        source = sub.add_parser(
            "source", help="取込元の登録・変更 (register an event source and its CSV mapping)"
        )
        source.add_argument("code")
        source.add_argument("--name", required=True)
        source.add_argument("--format", required=True, choices=["evtx", "csv", "jsonl"])
        source.add_argument("--system", default="", help="業務システムのコード (access.System.code)")
        source.add_argument("--mapping", help="CSV の列の対応: JSON の文字列または JSON ファイル")
        source.add_argument(
            "--retention-class",
            default=None,
            help="保存区分 (default: the active pack's class for operation events, parameters.retention)",
        )
        source.add_argument(
            "--channel",
            action="append",
            dest="channels",
            help="evtx: a channel the files must be a log of (repeatable; default Security)",
        )
        purge = sub.add_parser("purge", help="廃棄: delete operation events past their retention (MAI-25)")
        purge.add_argument(
            "--dry-run", action="store_true", help="only report what would go, per class and month"
        )
        purge.add_argument(
            "--today", type=dt.date.fromisoformat, help="the day of the purge (default: today)"
        )

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _verify(self, **options):
        result = records_verify(stop_at_first=not options["all"])
        # The heads and their anchors are printed whatever the outcome: compare them with what was
        # written down (MAMORI_HOME/anchors holds every head, records/anchors.py).
        anchor = f"anchor {result.anchor.describe()}" if result.anchor else "no anchor yet"
        if not result.ok:
            self.stdout.write(f"記録の末尾 / record head: #{result.head_seq} {result.head_hash} ({anchor})")
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"記録の検証に失敗しました: first bad position #{result.first_bad}")
        events = events_verify(stop_at_first=not options["all"])
        event_anchor = f"anchor {events.anchor.describe()}" if events.anchor else "no anchor yet"
        if not events.ok:
            self.stdout.write(
                f"操作記録の末尾 / event store head: chunk #{events.head_seq} {events.head_chain} ({event_anchor})"
            )
            for problem in events.problems:
                self.stderr.write(problem)
            raise CommandError(f"操作記録の検証に失敗しました: first bad position {events.first_bad}")
        self.stdout.write(
            f"OK: {result.checked} records verified; head #{result.head_seq} {result.head_hash}\n"
            f"OK: {events.checked} events in {events.chunks} chunks verified; chunk chain head {events.head_chain}\n"
            f"record head: {anchor}\nevent store head (chunk #{events.head_seq}): {event_anchor}\n"
            "(write the head hash down outside mamori: it anchors the chain against truncation)"
        )

    def _ingest(self, *, file: Path, source: str, format: str | None, quarantine: Path | None, chunk, **_):
        """Exit status: 0 stored (or nothing new), 1 refused (nothing stored), 3 stored with
        --quarantine while lines or records were quarantined or lost."""
        if not file.exists():
            raise CommandError(f"{file}: ファイルがありません")
        if file.is_dir():
            raise CommandError(f"{file}: ディレクトリです。取り込むファイルを指定してください")
        try:
            event_source = EventSource.objects.get(code=source)
        except EventSource.DoesNotExist:
            known = ", ".join(EventSource.objects.values_list("code", flat=True)) or "なし"
            raise CommandError(f"--source {source}: 取込元が登録されていません (登録済み: {known})") from None
        fmt = format or FORMATS.get(file.suffix.lower()) or event_source.format
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(file.name, total=None)
            try:
                report = events_ingest(
                    source=event_source,
                    path=file,
                    format=fmt,
                    quarantine=quarantine,
                    chunk_size=chunk or CHUNK,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            except IngestRejected as error:
                raise CommandError(str(error)) from None
        for line in report.interrupted:
            self.stderr.write(line)
        self.stdout.write(report.summary())
        for line in report.notes():
            self.stdout.write(f"  {line}")
        for line in report.skipped_table():
            self.stdout.write(f"  {line}")
        for problem in report.hook_errors:
            self.stderr.write(f"  規則の確認に失敗: {problem}")
        if report.lossy:
            noun = "レコード" if report.unit == "record" else "行"
            self.stderr.write(
                f"一部だけを保存しました（バッチ #{report.batch_id}）。失われた・隔離した{noun}:"
            )
            for line in report.loss_lines():
                self.stderr.write(f"  {line}")
            self.stderr.write(f"  隔離ファイル: {quarantine}")
            raise SystemExit(3)

    def _source(self, *, code, name, format, system, mapping, retention_class, channels=None, **_):
        data = {}
        if mapping:
            text = Path(mapping).read_text(encoding="utf-8") if Path(mapping).exists() else mapping
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise CommandError(f"--mapping: JSON として読めません: {error}") from None
        try:
            saved = event_source_save(
                code=code,
                name=name,
                format=format,
                system=system,
                mapping=data,
                retention_class=retention_class,
                channels=channels,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        expects = f"、チャンネル {'・'.join(saved.channels)}" if saved.channels else ""
        self.stdout.write(f"取込元 {saved.code} を登録しました ({saved.get_format_display()}{expects})")

    def _purge(self, *, dry_run: bool, today: dt.date | None, **_):
        try:
            report = events_purge(today=today, dry_run=dry_run)
        except PurgeRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(("廃棄対象 (dry run)" if dry_run else "廃棄") + f": {report.today}")
        for line in report.lines():
            self.stdout.write(line)
        if not dry_run:
            self.stdout.write(f"廃棄しました: {report.purged} 件 (checkpoint #{report.checkpoint_id})")
