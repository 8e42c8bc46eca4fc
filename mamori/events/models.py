"""Operation events (操作記録): logons, logoffs and business-system operations read from logs.

The event store is append-only and tamper-evident, but not row by row like :mod:`mamori.records`:
an HMAC over a JSON encoding of every row would cost more than the insert itself.  Events are
written in *chunks* (one transaction each); a chunk's digest is a SHA-256 over a canonical byte
encoding of its rows (see :mod:`mamori.events.chain`), chunks are chained, and every chunk appends
one :class:`~mamori.records.models.Record` carrying its digest, so the event store hangs off the
keyed record chain.  ``mamori records verify`` recomputes each chunk's digest inside the database.

Foreign keys of :class:`Event` carry no database constraint on purpose: the table only grows
through :func:`mamori.events.services.events_ingest`, which resolves them itself, and a per-row
foreign-key check would be paid on millions of inserts (and complicates the PostgreSQL partitions).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mamori.regulations.active import NoActivePack, active_pack


class EventKind(models.TextChoices):
    LOGON = "logon", "ログオン"
    LOGOFF = "logoff", "ログオフ"
    LOCK = "lock", "ロック"
    UNLOCK = "unlock", "ロック解除"
    OPERATION = "operation", "操作"
    SEARCH = "search", "検索"
    EXTRACT = "extract", "抽出"
    PRINT = "print", "印刷"


class SourceFormat(models.TextChoices):
    EVTX = "evtx", "Windows イベントログ (.evtx)"
    CSV = "csv", "CSV (業務システムの操作履歴)"
    JSONL = "jsonl", "JSON lines"


# The engine's retention class of operation events, declared in apps.py (Domain.retention_classes).
ENGINE_RETENTION_CLASS = "operation_events"


def default_retention_class() -> str:
    """The active pack's class for operation events: keyed ``operation_events``, or a class of the
    pack's own words that serves it (舞鶴市第25条第1項第1号「操作履歴」).  Never a city's class name
    written in the engine (issue 9 item 6)."""
    try:
        pack = active_pack()
    except NoActivePack:
        return ENGINE_RETENTION_CLASS
    return pack.retention_class_for(ENGINE_RETENTION_CLASS) or ENGINE_RETENTION_CLASS


class EventSource(models.Model):
    """Where events come from: one log or export of one system, with the column mapping of its
    CSV (which column holds the time, the account, …) so that each month's file reads the same."""

    code = models.SlugField("ソースコード", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    format = models.CharField("形式", max_length=8, choices=SourceFormat.choices)
    # The business system (access.System.code) the events belong to when a row does not say.
    system = models.CharField("業務システム", max_length=40, blank=True)
    # CSV: {"at": "操作日時", "account": "操作者ID", …, "date_format": "%Y/%m/%d %H:%M:%S"}.
    mapping = models.JSONField("列の対応", default=dict, blank=True)
    # The pack's retention class of these events (MAI-25(1): 操作履歴), by default the one the active
    # pack gives for the engine's class of operation events (issue 9 item 6).
    retention_class = models.CharField("保存区分", max_length=40, default=default_retention_class)
    # evtx: the channels a file must be a log of (["Security"] for logons; an RDP source may add
    # "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational").  A file of another
    # channel is refused.  Empty for CSV and JSON lines.
    channels = models.JSONField("想定するチャンネル", default=list, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "操作記録の取込元"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BatchState(models.TextChoices):
    RUNNING = "running", "取込中"
    COMPLETE = "complete", "完了"
    PARTIAL = "partial", "一部保存（欠落・隔離あり）"
    INTERRUPTED = "interrupted", "中断"
    REJECTED = "rejected", "不採用"


BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchState.RUNNING: {
        BatchState.COMPLETE,
        BatchState.PARTIAL,
        BatchState.INTERRUPTED,
        BatchState.REJECTED,
    },
    BatchState.COMPLETE: set(),
    BatchState.PARTIAL: set(),
    BatchState.INTERRUPTED: set(),
    BatchState.REJECTED: set(),
}


class IngestBatch(models.Model):
    """One ingestion of one file (or one API body), with what happened to each of its lines.

    A batch is created only once its file has been read and found good (a refused file writes
    nothing), so ``rejected`` is not reached today.  ``partial``: stored with --quarantine while
    records were lost or quarantined (``findings`` says which).  An ingest that crashes marks its
    batch ``interrupted``; one killed halfway leaves it ``running`` with the chunks it committed,
    until the next ingest finds its process gone, marks it ``interrupted`` and stores the rest."""

    source = models.ForeignKey(EventSource, verbose_name="取込元", on_delete=models.PROTECT)
    file_name = models.CharField("ファイル名", max_length=255, blank=True)
    file_sha256 = models.CharField("ファイルのSHA-256", max_length=64, blank=True, db_index=True)
    state = models.CharField("状態", max_length=12, choices=BatchState.choices, default=BatchState.RUNNING)
    started_at = models.DateTimeField("開始")
    finished_at = models.DateTimeField("終了", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    read = models.IntegerField("読込", default=0)
    stored = models.IntegerField("保存", default=0)
    duplicate = models.IntegerField("重複", default=0)
    skipped = models.IntegerField("対象外", default=0)
    quarantined = models.IntegerField("隔離", default=0)
    # {"4672 (対象外のイベントID)": 459, …}: nothing is dropped without being counted.
    skipped_reasons = models.JSONField("対象外の内訳", default=dict, blank=True)
    message = models.TextField("結果", blank=True)
    # evtx: EventRecordIDs absent from the file (gaps, a cut-off end); the problems found in the
    # file as a whole: [{"code", "severity", "message", "chunk", "first_id", "last_id", "count"}].
    missing = models.BigIntegerField("欠落", default=0)
    findings = models.JSONField("ファイルの検査結果", default=list, blank=True)
    # Who runs it ("host:pid") and when it last committed: a later ingest tells a running batch
    # from one whose process was killed.
    process = models.CharField("実行プロセス", max_length=120, blank=True)
    heartbeat = models.DateTimeField("最終更新", null=True, blank=True)

    class Meta:
        verbose_name = "取込バッチ"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name or self.source.code}"


class Event(models.Model):
    """One operation event.  Field names are a contract with the terminals app (rules, audit
    search): add, do not rename."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField("日時")
    kind = models.CharField("種別", max_length=12, choices=EventKind.choices)
    account = models.CharField("利用者ID", max_length=120)
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name="職員",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # (person, at) below serves every lookup by person
        related_name="events",
    )
    host = models.CharField("端末", max_length=120, blank=True)
    system = models.CharField("業務システム", max_length=40, blank=True)
    subject = models.CharField("対象", max_length=120, blank=True)
    action = models.CharField("操作", max_length=80, blank=True)
    result_count = models.IntegerField("件数", null=True, blank=True)
    session = models.CharField("セッション", max_length=40, blank=True)
    logon_type = models.SmallIntegerField("ログオン種別", null=True, blank=True)
    training = models.BooleanField("研修", default=False)
    source = models.ForeignKey(
        EventSource,
        verbose_name="取込元",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    batch = models.ForeignKey(
        IngestBatch,
        verbose_name="取込バッチ",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # The line of a CSV / JSON-lines file, or the EventRecordID of a Windows log record (64-bit).
    line = models.BigIntegerField("行・EventRecordID")
    # Keyed BLAKE2b of the source and the event's own content: the same event ingested twice
    # (the same file again, or overlapping monthly exports) is recognised and not stored again.
    fingerprint = models.CharField(max_length=32)

    class Meta:
        verbose_name = "操作記録"
        indexes = [
            models.Index(fields=["person", "at"], name="events_person_at"),
            models.Index(fields=["host", "at"], name="events_host_at"),
            models.Index(fields=["subject", "at"], name="events_subject_at"),
            models.Index(fields=["account", "at"], name="events_account_at"),
            models.Index(fields=["at"], name="events_at"),
        ]
        constraints = [
            # The partition key must be part of every unique constraint on PostgreSQL; the
            # fingerprint already covers ``at``, so this is as strict as fingerprint alone.
            models.UniqueConstraint(fields=["fingerprint", "at"], name="events_fingerprint_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.account} {self.kind} {self.subject}"


class EventChunk(models.Model):
    """One committed chunk of events: ids ``first_id``–``last_id`` (contiguous), the SHA-256 of
    their canonical encoding, and the chain value ``sha256(prev_chain || digest)``.  The Record
    ``record_seq`` carries the same values under the keyed record chain."""

    seq = models.BigIntegerField("番号", primary_key=True)
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="chunks")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    count = models.IntegerField()
    at_min = models.DateTimeField()
    at_max = models.DateTimeField()
    digest = models.CharField(max_length=64)
    prev_chain = models.CharField(max_length=64)
    chain = models.CharField(max_length=64)
    record_seq = models.BigIntegerField()

    class Meta:
        verbose_name = "操作記録のチャンク"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"chunk #{self.seq} ({self.first_id}–{self.last_id})"


class PurgeCheckpoint(models.Model):
    """What one purge removed (MAI-25): the retention class, the cut-off, how many events and,
    for each chunk it touched, the digest of the rows that remain, so the rest still verifies."""

    at = models.DateTimeField("実行日時")
    retention_class = models.CharField("保存区分", max_length=40)
    cutoff = models.DateTimeField("この日時より前を廃棄")
    count = models.BigIntegerField("廃棄件数")
    # [{"chunk": seq, "purged": n, "remaining": n, "digest": hex, "ids": [first, last]}, …]
    chunks = models.JSONField(default=list)
    record_seq = models.BigIntegerField()

    class Meta:
        verbose_name = "廃棄の記録"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"purge #{self.pk} {self.retention_class} {self.count}"


class PurgePermit(models.Model):
    """A row here lets the append-only triggers pass a DELETE of events.  The purge service
    inserts it and removes it in its own transaction, so no other connection ever sees it."""

    reason = models.CharField(max_length=80)

    class Meta:
        verbose_name = "廃棄の許可"

    def __str__(self) -> str:
        return self.reason
