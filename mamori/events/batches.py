"""Ingest batches left behind: a batch whose ingest was killed stays ``running`` until the next
ingest finds its process gone and marks it ``interrupted`` (its committed chunks stay and verify;
ingesting the same file again stores only what is missing).  A batch records its process
("host:pid") and a heartbeat at every committed chunk: on this host the process is asked directly,
another host's batch counts as gone once it has been silent for :data:`STALE`."""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.core.time import TOKYO
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many

from .models import BATCH_TRANSITIONS, BatchState, IngestBatch

STALE = dt.timedelta(hours=1)  # a batch of another host that has not committed for this long is dead


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(batch: IngestBatch) -> bool:
    host, _, pid = batch.process.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False  # this process: another thread may be running it
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    last = batch.heartbeat or batch.started_at
    return not batch.process or last < time.now() - STALE


@transaction.atomic
def ingest_batch_interrupt(*, batch: IngestBatch, reason: str, actor: Actor = None) -> bool:
    """Mark a running batch interrupted (its committed chunks stay and verify); False if it was no
    longer running.  Compare-and-set on the state, with its Record in the same transaction."""
    if BatchState.INTERRUPTED not in BATCH_TRANSITIONS[batch.state]:
        return False
    changed = IngestBatch.objects.filter(pk=batch.pk, state=BatchState.RUNNING).update(
        state=BatchState.INTERRUPTED, finished_at=time.now(), message=reason[:2000]
    )
    if not changed:
        return False
    stored = IngestBatch.objects.filter(pk=batch.pk).values_list("stored", flat=True).first()
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.EVENT_BATCH_INTERRUPTED,
                object_type="events.IngestBatch",
                object_id=str(batch.pk),
                actor=actor,
                after={"file": batch.file_name, "stored": stored, "reason": reason[:2000]},
            )
        ]
    )
    return True


def interrupted_batches(*, actor: Actor = None) -> list[str]:
    """Batches left ``running`` by an ingest that was killed: marked interrupted, one line each."""
    lines = []
    for batch in IngestBatch.objects.filter(state=BatchState.RUNNING).order_by("pk"):
        if not _process_gone(batch):
            continue
        reason = f"取込が中断されていました（プロセス {batch.process or '不明'} が終了）"
        if ingest_batch_interrupt(batch=batch, reason=reason, actor=actor):
            lines.append(
                f"前回の取込 バッチ #{batch.pk}（{batch.file_name}、{batch.started_at.astimezone(TOKYO):%Y-%m-%d %H:%M}"
                f" 開始）は中断されていました。中断として記録しました（保存済みの {batch.stored} 件は残り、"
                "同じファイルを取り込み直すと残りだけを保存します）"
            )
    return lines
