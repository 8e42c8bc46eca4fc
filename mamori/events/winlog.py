"""Reading the records of a Windows event log (.evtx) once :mod:`.evtxfile` has checked the file.

The records come from the ``evtx`` package (Rust) as JSON.  Most records of a Security log are not
operation events (4672, 4907, …): their EventID and Channel are found in the JSON text by a regular
expression — the Rust writer's output is compact and ``System`` (EventID, then Channel) comes before
``EventData`` — so only the records that become events are decoded with ``json.loads``.

Every record is named by its EventRecordID, never by its position in the iteration.  A record the
reader cannot read is found by comparing the IDs it returned with the ranges the trusted chunks
declare, and its reason is given in Japanese with the reader's own words after it.
"""

from __future__ import annotations

import io
import json
import re
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

import evtx

from . import evtxfile
from .parsers import PERSON_LOGON_TYPES, WINDOWS_KINDS, Bad, Row, Skip, _Invalid, clean

SECURITY = "Security"
# EventID → kind, per channel; other channels' records are read and counted as skipped.
CHANNEL_KINDS: dict[str, dict[int, str]] = {SECURITY: WINDOWS_KINDS}
EVENT_ID = re.compile(r'"EventID":(?:\{"#attributes":\{[^{}]*\},"#text":)?(\d+)')
CHANNEL = re.compile(r'"Channel":"((?:[^"\\]|\\.)*)"')
LOGON_TYPE = re.compile(r'"LogonType":"?(\d+)')
SERVICE_CHECKED = frozenset({4624, 4634})  # logons and logoffs of a person only (LogonType)
RECORD_NUMBER = re.compile(r"record number (\d+)")
# The Rust reader's words → Japanese; the original follows in parentheses.
REASONS = (
    ("failed to fill whole buffer", "データが途中で終わっています"),
    ("record header magic", "レコードの署名が正しくありません"),
    ("record data size", "レコードの長さが不正です"),
    ("chunk header magic", "チャンクの署名がありません"),
    ("Failed to parse chunk", "チャンクを読めません"),
    ("out-of-range date", "日時が範囲外です"),
    ("buffer too small", "データが短すぎます"),
    ("Invalid UTF-16", "文字列が壊れています"),
    ("template", "テンプレートを読めません"),
)
SKIP_OTHER = "ログオン・ログオフ・ロック以外"
SKIP_SERVICE = "人以外のログオン（システム・ネットワーク・サービス）"


def in_japanese(error: str) -> str:
    """A reader error as a Japanese reason, the technical detail after it."""
    detail = " ".join(error.split())[:200]
    for needle, reason in REASONS:
        if needle.lower() in error.lower():
            return f"{reason}（詳細: {detail}）"
    return f"レコードを読めません（詳細: {detail}）"


def _event(record: dict[str, Any], number: int, event_id: int, channel: str) -> Row | Skip | Bad:
    event = json.loads(record["data"])["Event"]
    system = event.get("System") or {}
    kind = CHANNEL_KINDS.get(channel, {}).get(event_id)
    if kind is None:
        return Skip(number, f"EventID {event_id}: {SKIP_OTHER}", event_id=event_id)
    data = event.get("EventData") or {}
    logon_type = data.get("LogonType")
    logon_type = int(logon_type) if logon_type not in (None, "", "-") else None
    if event_id in (4624, 4634) and logon_type not in PERSON_LOGON_TYPES:
        return Skip(
            number,
            f"EventID {event_id} LogonType {logon_type}: {SKIP_SERVICE}",
            event_id=event_id,
            logon_type=logon_type,
        )
    moment = system.get("TimeCreated", {}).get("#attributes", {}).get("SystemTime") or record["timestamp"]
    values = {
        "at": moment,
        "kind": kind,
        "account": data.get("TargetUserName") or "",
        "host": system.get("Computer") or "",
        "action": str(event_id),
        "session": data.get("TargetLogonId") or "",
        "logon_type": logon_type,
    }
    try:
        row = clean(values, number)
    except _Invalid as error:
        return Bad(number, error.field, error.reason, f"EventRecordID {number}", unit="record")
    row.occurrence = f"r{number}"
    return row


class EvtxRecords:
    """Iterate the operation events of a checked file: :class:`Row`, :class:`Skip` or :class:`Bad`,
    each numbered by EventRecordID.  After the iteration, ``channels`` counts the records of each
    channel and ``parsed`` is how many records the reader returned."""

    def __init__(self, data: bytes, check: evtxfile.FileCheck) -> None:
        self.data = data
        self.check = check
        self.channels: Counter = Counter()
        self.parsed = 0
        self.errors: list[str] = []

    def __iter__(self) -> Iterator[Row | Skip | Bad]:
        source = self.data if self.check.all_trusted else evtxfile.trusted_copy(self.data, self.check)
        ids = array("q")
        channels, kinds = self.channels, CHANNEL_KINDS
        event_search, channel_search, logon_search = EVENT_ID.search, CHANNEL.search, LOGON_TYPE.search
        reasons: dict = {}  # the reason text of each skipped EventID (and LogonType), made once
        try:
            iterator = evtx.PyEvtxParser(io.BytesIO(source)).records_json()
        except (OSError, RuntimeError, ValueError) as error:
            self.errors.append(str(error))
            iterator = iter(())
        while True:
            try:
                record = next(iterator)
            except StopIteration:
                break
            except (RuntimeError, ValueError, OSError) as error:
                self.errors.append(str(error))
                continue
            number = int(record["event_record_id"])
            ids.append(number)
            text = record["data"]
            found = event_search(text)
            named = channel_search(text, found.end()) if found else None
            try:
                if found is None or named is None:  # not the usual shape: decode it whole
                    system = json.loads(text)["Event"]["System"]
                    event_id = system["EventID"]
                    event_id = int(event_id["#text"] if isinstance(event_id, dict) else event_id)
                    channel = str(system.get("Channel") or "")
                else:
                    event_id, channel = int(found.group(1)), named.group(1)
                channels[channel] += 1
                wanted = kinds.get(channel)
                if wanted is None or event_id not in wanted:
                    reason = reasons.get(event_id)
                    if reason is None:
                        reason = reasons[event_id] = f"EventID {event_id}: {SKIP_OTHER}"
                    yield Skip(number, reason, event_id)
                    continue
                if event_id in SERVICE_CHECKED and named is not None:
                    # Most 4624s are services and the system logging on: skipped without decoding.
                    typed = logon_search(text, named.end())
                    if typed is not None and int(typed.group(1)) not in PERSON_LOGON_TYPES:
                        logon_type = int(typed.group(1))
                        reason = reasons.get((event_id, logon_type))
                        if reason is None:
                            reason = reasons[event_id, logon_type] = (
                                f"EventID {event_id} LogonType {logon_type}: {SKIP_SERVICE}"
                            )
                        yield Skip(number, reason, event_id, logon_type)
                        continue
                yield _event(record, number, event_id, channel)
            except (KeyError, ValueError, TypeError) as error:
                yield Bad(number, "record", in_japanese(f"{type(error).__name__}: {error}"), unit="record")
        self.parsed = len(ids)
        yield from self._unreadable(ids)

    def _unreadable(self, ids: array) -> Iterator[Bad]:
        """The records the trusted chunks declare that the reader did not return."""
        by_number = {}
        general = []
        for error in self.errors:
            found = RECORD_NUMBER.search(error)
            if found:
                by_number[int(found.group(1))] = error
            elif "chunk number" not in error:
                general.append(error)
        seen = set(ids)
        fallback = general[0] if general else "読み手がこのレコードを返しませんでした"
        for first, last in self.check.trusted_ranges():
            for number in range(first, last + 1):
                if number not in seen:
                    reason = in_japanese(by_number.get(number, fallback))
                    yield Bad(number, "record", reason, f"EventRecordID {number}", unit="record")
