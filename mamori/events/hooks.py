"""Rule checks that run after each ingest batch (the terminals app registers its rules here).

    from mamori.events.hooks import after_ingest

    @after_ingest
    def check_sessions(batch): ...   # batch: events.IngestBatch; its events: batch_id_range(batch)

A hook that fails does not undo the ingest (the events are stored and chained): its error is
reported with the ingest's counts and the next ``mamori findings run`` catches up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
AFTER_INGEST: list[Callable[[Any], None]] = []


def after_ingest(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    if hook not in AFTER_INGEST:
        AFTER_INGEST.append(hook)
    return hook


def run_after_ingest(batch: Any) -> list[str]:
    problems = []
    for hook in list(AFTER_INGEST):
        try:
            hook(batch)
        except Exception as error:
            log.exception("after_ingest hook %s failed", hook)
            problems.append(f"{getattr(hook, '__name__', hook)}: {error}")
    return problems
