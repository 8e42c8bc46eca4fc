"""JSON API of the events domain; mounted by mamori/api.py under /api/events/.

``POST /api/events/ingest?source=CODE`` takes JSON lines (one event per line) or one JSON list in
the body — what a log-shipping agent sends.  It is the same :func:`events_ingest` as the command
line: a body with a bad line is refused whole (400, every line named) unless ``quarantine=true``,
which stores the good lines and returns the bad ones with their reasons."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from mamori.core import time
from mamori.core.policy import require
from mamori.core.schemas import Code

from .models import EventSource, IngestBatch, SourceFormat
from .services import IngestRejected, events_ingest

router = Router(tags=["操作記録"])

EXAMPLE = (
    '{"at": "2026-11-16T09:01:12+09:00", "kind": "search", "account": "kacho.joho", "host": "MIDORI-PC012", '
    '"system": "jukiki", "subject": "100200300", "action": "住民票照会", "result_count": 1, "training": false}\n'
)


class SourceOut(Schema):
    code: str
    name: str
    format: str
    system: str
    mapping: dict
    retention_class: str


class BadLineOut(Schema):
    line: int
    field: str
    reason: str


class IngestOut(Schema):
    batch: int | None
    read: int
    stored: int
    duplicate: int
    skipped: int
    skipped_reasons: dict[str, int]
    quarantined: int
    bad_lines: list[BadLineOut] = []
    hook_errors: list[str] = []


class RefusedOut(Schema):
    message: str
    bad_lines: list[BadLineOut]


class BatchOut(Schema):
    id: int
    source: str
    file_name: str
    state: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    read: int
    stored: int
    duplicate: int
    skipped: int
    quarantined: int


@router.get("/sources", response=list[SourceOut], summary="取込元の一覧")
def sources(request):
    require(request.user, "events.view_sources", message="取込元は管理者と取込用アカウントが扱います")
    return list(EventSource.objects.order_by("code"))


@router.get("/batches", response=list[BatchOut], summary="取込バッチ (新しい順)")
def batches(request, limit: int = 50):
    require(request.user, "events.view_batches", message="取込バッチは管理者と取込用アカウントが扱います")
    rows = IngestBatch.objects.select_related("source").order_by("-started_at", "-id")[
        : max(1, min(limit, 500))
    ]
    return [
        {**{f: getattr(b, f) for f in BatchOut.model_fields if f != "source"}, "source": b.source.code}
        for b in rows
    ]


@router.post(
    "/ingest",
    response={201: IngestOut, 400: RefusedOut},
    summary="操作記録の取込み (JSON lines)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                # The body's bound is the request limit (MAMORI_MAX_REQUEST_BYTES; each line's values
                # are then checked against the event columns by events_ingest).
                "application/x-ndjson": {
                    "schema": {"type": "string", "maxLength": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
                    "example": EXAMPLE,
                },
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
)
def ingest(request, source: Code, quarantine: bool = False):
    """One event per line: at (ISO 8601; without an offset: Japan time), kind (logon, logoff, lock,
    unlock, operation, search, extract, print), account, and optionally host, system, subject, action,
    result_count, session, logon_type, training (KIT-10)."""
    require(
        request.user, "events.ingest", message="操作記録の取込みには管理者か取込用アカウントの権限が必要です"
    )
    try:
        event_source = EventSource.objects.get(code=source)
    except EventSource.DoesNotExist:
        raise HttpError(404, f"source: 取込元 {source!r} は登録されていません") from None
    name = f"api:{source}:{time.now():%Y%m%dT%H%M%S}"
    with tempfile.TemporaryDirectory() as folder:
        bad_file = Path(folder) / "bad.tsv" if quarantine else None
        try:
            report = events_ingest(
                source=event_source,
                data=request.body,
                file_name=name,
                format=SourceFormat.JSONL,
                actor=request.user,
                quarantine=bad_file,
            )
        except IngestRejected as refused:
            bad = [{"line": e.line, "field": e.field, "reason": e.reason} for e in refused.errors]
            return Status(400, {"message": str(refused).splitlines()[0], "bad_lines": bad})
        bad_lines = []
        if bad_file is not None and bad_file.exists():
            for row in bad_file.read_text(encoding="utf-8").splitlines()[1:]:
                _file, line, field, reason, *_ = row.split("\t")
                bad_lines.append({"line": int(line), "field": field, "reason": reason})
    return Status(
        201,
        {
            "batch": report.batch_id,
            "read": report.read,
            "stored": report.stored,
            "duplicate": report.duplicate,
            "skipped": report.skipped,
            "skipped_reasons": dict(report.skipped_reasons),
            "quarantined": report.quarantined,
            "bad_lines": bad_lines,
            "hook_errors": report.hook_errors,
        },
    )
