"""Operation events for the demo and the tests: a generator of a realistic month (logons 08:20–17:30
on working days, searches on residents) and ``store_events``, which stores rows through the events
app's ingest service (JSON lines, as the API receives them)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mamori.core import time
from mamori.events.models import EventSource
from mamori.events.services import event_source_save, events_ingest

SOURCE = "terminals-demo"


@dataclass
class Row:
    """One event as a log line says it (the JSON-lines shape of the events ingest)."""

    at: dt.datetime
    kind: str
    account: str
    host: str = ""
    system: str = ""
    subject: str = ""
    action: str = ""
    result_count: int | None = None
    session: str = ""
    logon_type: int | None = None
    training: bool = False

    def as_json(self) -> dict[str, Any]:
        data = {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "account": self.account,
            "host": self.host,
            "system": self.system,
            "subject": self.subject,
            "action": self.action,
            "session": self.session,
            "training": self.training,
        }
        if self.result_count is not None:
            data["result_count"] = self.result_count
        if self.logon_type is not None:
            data["logon_type"] = self.logon_type
        return data


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = hhmm.split(":")
    return dt.datetime.combine(day, dt.time(int(hour), int(minute)), tzinfo=time.TOKYO)


def session(
    account: str, host: str, day: dt.date, start: str, end: str, sid: str, *, logon_type: int = 2
) -> list[Row]:
    """A logon and its logoff, paired by ``sid``."""
    return [
        Row(at(day, start), "logon", account, host=host, session=sid, logon_type=logon_type, action="4624"),
        Row(at(day, end), "logoff", account, host=host, session=sid, action="4634"),
    ]


def store_events(rows: Iterable[Row], *, actor: Any = None, file_name: str = "terminals-demo.jsonl") -> int:
    """Store rows through the events app's ingest, as JSON lines (accounts are resolved to people
    there); returns how many were stored."""
    source = EventSource.objects.filter(code=SOURCE).first() or event_source_save(
        code=SOURCE, name="端末・業務システムの操作記録（デモ）", format="jsonl", actor=actor
    )
    body = "\n".join(json.dumps(row.as_json(), ensure_ascii=False) for row in rows).encode()
    if not body:
        return 0
    report = events_ingest(source=source, data=body, file_name=file_name, actor=actor)
    return report.stored


@dataclass
class Worker:
    account: str
    host: str
    system: str
    subject_prefix: str = "A"


@dataclass
class Month:
    rows: list[Row] = field(default_factory=list)


def working_month(
    workers: list[Worker], *, until: dt.date, days: int = 30, seed: int = 2026, closures: Iterable = ()
) -> Iterator[Row]:
    """Each worker's working days over ``days`` days up to ``until``: a logon between 08:20 and 08:45, a
    few searches on residents and an update or two, a lunch lock, a logoff between 17:00 and 17:30."""
    rng = random.Random(seed)
    closures = tuple(closures) if closures else time.DEFAULT_CLOSURES
    for offset in range(days, 0, -1):
        day = until - dt.timedelta(days=offset)
        if not time.is_working_day(day, closures):
            continue
        for index, worker in enumerate(workers):
            sid = f"0x{rng.randrange(16**6):06x}{index:02d}"
            start = at(day, "08:20") + dt.timedelta(minutes=rng.randrange(25))
            stop = at(day, "17:00") + dt.timedelta(minutes=rng.randrange(30))
            yield Row(
                start, "logon", worker.account, host=worker.host, session=sid, logon_type=2, action="4624"
            )
            moment = start + dt.timedelta(minutes=10)
            for _ in range(rng.randrange(3, 9)):
                moment += dt.timedelta(minutes=rng.randrange(15, 50))
                if moment >= stop - dt.timedelta(minutes=5):
                    break
                subject = f"{worker.subject_prefix}{rng.randrange(100000, 999999)}"
                kind, action = ("search", "照会") if rng.random() < 0.8 else ("operation", "更新")
                yield Row(
                    moment,
                    kind,
                    worker.account,
                    host=worker.host,
                    system=worker.system,
                    subject=subject,
                    action=action,
                    result_count=1 if kind == "search" else None,
                    session=sid,
                )
            lunch = at(day, "12:00") + dt.timedelta(minutes=rng.randrange(10))
            yield Row(lunch, "lock", worker.account, host=worker.host, session=sid, action="4800")
            yield Row(
                lunch + dt.timedelta(minutes=50),
                "unlock",
                worker.account,
                host=worker.host,
                session=sid,
                action="4801",
            )
            yield Row(stop, "logoff", worker.account, host=worker.host, session=sid, action="4634")
