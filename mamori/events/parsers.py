"""Reading the three real formats into plain event values, line by line.

Every parser yields, for each line or record of the file, exactly one of :class:`Row` (an event),
:class:`Skip` (not an operation event, with the reason: a service logon, another EventID, a blank
line) or :class:`Bad` (the line cannot be read: field and reason).  Nothing is dropped silently —
the ingest counts every one of them.  Parsing is deterministic, so the ingest can read a file twice:
once to validate it whole, once to store it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mamori.core.time import TOKYO
from mamori.organisation.csvfiles import CsvUnreadable
from mamori.organisation.csvfiles import decode as strict

from .models import EventKind

# Windows LogonType of a person at a terminal: 2 interactive, 7 unlock, 10 remote interactive,
# 11 cached interactive.  0 (system), 3 (network), 4 (batch), 5 (service) … are not.
PERSON_LOGON_TYPES = frozenset({2, 7, 10, 11})
WINDOWS_KINDS = {4624: "logon", 4634: "logoff", 4647: "logoff", 4800: "lock", 4801: "unlock"}
LIMITS = {"account": 120, "host": 120, "system": 40, "subject": 120, "action": 80, "session": 40}
SHORTEST_LIMIT = min(LIMITS.values())
TEXT_FIELDS = ("account", "host", "system", "subject", "action", "session")
KINDS = frozenset(EventKind.values)
TRUE = frozenset({"1", "true", "yes", "y", "t", "研修", "○", "◯", "有"})
FALSE = frozenset({"", "0", "false", "no", "n", "f", "-", "無"})
# Control characters (tab aside): U+001E/U+001F separate the canonical encoding of the chain.
FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(slots=True)  # millions are made: smaller, quicker to build
class Row:
    line: int
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
    occurrence: str | None = None  # a natural unique key within the file (the EventRecordID)


@dataclass(slots=True)
class Skip:
    line: int
    reason: str
    event_id: int | None = None  # Windows logs: the summary table groups by EventID and LogonType
    logon_type: int | None = None


@dataclass
class Bad:
    line: int  # the line of a CSV or JSON-lines file; the EventRecordID of a Windows log record
    field: str
    reason: str
    raw: str = ""
    unit: str = "line"  # "line" or "record"

    def describe(self, file_name: str) -> str:
        if self.unit == "record":
            field = "" if self.field == "record" else f"{self.field}: "
            return f"{file_name}: レコード EventRecordID {self.line}: {field}{self.reason}"
        return f"{file_name}:{self.line}: {self.field}: {self.reason}"


@dataclass
class Mapping:
    """A CSV source's column mapping (EventSource.mapping): event field → CSV header."""

    columns: dict[str, str]
    date_format: str | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    default_kind: str = "operation"

    @classmethod
    def of(cls, data: dict[str, Any]) -> Mapping:
        data = dict(data or {})
        date_format = data.pop("date_format", None)
        kinds = data.pop("kinds", {}) or {}
        default_kind = data.pop("default_kind", "operation")
        columns = {key: value for key, value in data.items() if isinstance(value, str)}
        return cls(columns=columns, date_format=date_format, kinds=kinds, default_kind=default_kind)


class Undecodable(ValueError):
    pass


def decode(data: bytes, *, name: str = "") -> tuple[str, str]:
    """UTF-8 (with or without BOM) or CP932 (what Excel writes on a Japanese Windows), nothing
    else: see :func:`mamori.organisation.csvfiles.decode`, which refuses a guessed decoding."""
    try:
        return strict(data, name=name or "ファイル")
    except CsvUnreadable as error:
        raise Undecodable(str(error)) from None


# --- values --------------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def parse_at(value: Any, date_format: str | None = None) -> dt.datetime:
    """A moment; a time without an offset is Japan time (Asia/Tokyo), as municipal systems log it."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        raw = str(value or "").strip()
        if not raw:
            raise _Invalid("at", "日時がありません")
        try:
            if date_format:
                moment = dt.datetime.strptime(raw, date_format)  # noqa: DTZ007 - made aware below
            else:
                moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            expected = date_format or "ISO 8601 (2026-11-16T09:30:00+09:00)"
            raise _Invalid("at", f"日時として読めません: {raw!r} (形式 {expected})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TOKYO)
    return moment


def _int(name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Invalid(name, f"整数ではありません: {value!r}")
    try:
        number = int(str(value).strip().replace(",", ""))
    except ValueError:
        raise _Invalid(name, f"整数ではありません: {value!r}") from None
    if number < 0 or number > 2**31 - 1:
        raise _Invalid(name, f"範囲外の値です: {number}")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = str(value if value is not None else "").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise _Invalid("training", f"研修の区分として読めません: {value!r} (1/0, true/false, 研修)")


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise _Invalid(name, f"文字列ではありません: {value!r}")
    text = str(value).strip()
    if len(text) > LIMITS[name]:
        raise _Invalid(name, f"{LIMITS[name]}文字を超えています ({len(text)}文字)")
    if FORBIDDEN.search(text):
        raise _Invalid(name, "制御文字が含まれています")
    return text


def clean(values: dict[str, Any], line: int, *, date_format: str | None = None, kinds=None) -> Row:
    """Check and normalise one event's values (from CSV through a mapping, or from JSON).

    Written for millions of lines: the text fields are checked inline, and the control-character
    check runs once over all of them; only a line that fails is looked at field by field."""
    kind = values.get("kind") or "operation"
    if kinds:
        kind = kinds.get(kind, kind)
    if kind not in KINDS:
        raise _Invalid("kind", f"種別が不明です: {kind!r} ({', '.join(sorted(KINDS))})")
    get = values.get
    texts = []
    for name in TEXT_FIELDS:
        value = get(name)
        if value is None:
            texts.append("")
            continue
        if type(value) is not str:
            value = _text(name, value)
        else:
            value = value.strip()
            # every limit is at least SHORTEST_LIMIT: most values skip the lookup
            if len(value) > SHORTEST_LIMIT and len(value) > LIMITS[name]:
                raise _Invalid(name, f"{LIMITS[name]}文字を超えています ({len(value)}文字)")
        texts.append(value)
    joined = "".join(texts)
    if FORBIDDEN.search(joined):
        for name, value in zip(TEXT_FIELDS, texts, strict=True):
            _text(name, value)
    account, host, system, subject, action, session = texts
    if not account:
        raise _Invalid("account", "利用者IDがありません")
    result_count, logon_type, training = get("result_count"), get("logon_type"), get("training")
    at = get("at")
    if type(at) is not dt.datetime or at.tzinfo is None:
        at = parse_at(at, date_format)
    return Row(
        line=line,
        at=at,
        kind=kind,
        account=account,
        host=host,
        system=system,
        subject=subject,
        action=action,
        result_count=result_count
        if result_count is None or (type(result_count) is int and result_count >= 0)
        else _int("result_count", result_count),
        session=session,
        logon_type=logon_type
        if logon_type is None or (type(logon_type) is int and logon_type >= 0)
        else _int("logon_type", logon_type),
        training=training if type(training) is bool else _bool(training),
    )


# --- formats -------------------------------------------------------------------------------------


def read_csv(data: bytes, mapping: Mapping, *, name: str = "") -> Iterator[Row | Skip | Bad]:
    """A business system's operation history, one operation per line, through the source's mapping."""
    try:
        text, _encoding = decode(data, name=name)
    except Undecodable as error:
        yield Bad(1, "file", str(error))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        yield Bad(1, "file", "空のファイルです")
        return
    header = [name.strip() for name in header]
    positions: dict[str, int] = {}
    for name, column in mapping.columns.items():
        if column not in header:
            yield Bad(1, name, f"列「{column}」がありません (見出し: {', '.join(header)})")
            return
        positions[name] = header.index(column)
    if "at" not in positions or "account" not in positions:
        yield Bad(1, "mapping", "列の対応に at (日時) と account (利用者ID) が必要です")
        return
    width = len(header)
    for cells in reader:
        line = reader.line_num
        if not cells or not any(cell.strip() for cell in cells):
            yield Skip(line, "空行")
            continue
        if len(cells) != width:
            yield Bad(line, "line", f"列の数が {len(cells)} です (見出しは {width} 列)", ",".join(cells))
            continue
        values: dict[str, Any] = {name: cells[i] for name, i in positions.items()}
        if "kind" not in values:
            values["kind"] = mapping.default_kind
        try:
            yield clean(values, line, date_format=mapping.date_format, kinds=mapping.kinds)
        except _Invalid as error:
            yield Bad(line, mapping.columns.get(error.field, error.field), error.reason, ",".join(cells))


def read_jsonl(data: bytes | str, first_line: int = 1, *, name: str = "") -> Iterator[Row | Skip | Bad]:
    """JSON lines (one object per line) or one JSON list of objects, in UTF-8 (or CP932)."""
    if isinstance(data, bytes):
        try:
            text, _encoding = decode(data, name=name)
        except Undecodable as error:
            yield Bad(1, "file", str(error))
            return
    else:
        text = data
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as error:
            yield Bad(error.lineno, "json", f"JSON として読めません: {error.msg}")
            return
        lines = [(i + 1, item, json.dumps(item, ensure_ascii=False)) for i, item in enumerate(items)]
    else:
        # Split on "\n" only: str.splitlines() would also cut at U+2028 or U+001E, which a JSON
        # string may hold raw, and line numbers would no longer match the file's.
        raw_lines = text.split("\n")
        if raw_lines and raw_lines[-1] == "":
            raw_lines.pop()
        lines = ((i + first_line, None, raw.rstrip("\r")) for i, raw in enumerate(raw_lines))
    for line, item, raw in lines:
        if item is None:
            if not raw.strip():
                yield Skip(line, "空行")
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as error:
                yield Bad(line, "json", f"JSON として読めません: {error.msg}", raw)
                continue
        if not isinstance(item, dict):
            yield Bad(line, "json", "オブジェクト ({...}) ではありません", raw)
            continue
        unknown = set(item) - {"at", "kind", "training", "result_count", "logon_type", *TEXT_FIELDS}
        if unknown:
            yield Bad(line, sorted(unknown)[0], "未知の項目です", raw)
            continue
        try:
            yield clean(item, line)
        except _Invalid as error:
            yield Bad(line, error.field, error.reason, raw)


ALLOWED_KEYS = frozenset({"at", "kind", "training", "result_count", "logon_type", *TEXT_FIELDS})


def read_values(items: Iterable[dict[str, Any]], first_line: int = 1) -> Iterator[Row | Skip | Bad]:
    """Events already decoded (a JSON list an agent posted, a caller's dicts), numbered from 1."""
    for line, item in enumerate(items, start=first_line):
        if not isinstance(item, dict):
            yield Bad(line, "json", "オブジェクト ({...}) ではありません", repr(item)[:200])
            continue
        if not item.keys() <= ALLOWED_KEYS:
            yield Bad(line, sorted(set(item) - ALLOWED_KEYS)[0], "未知の項目です", repr(item)[:200])
            continue
        try:
            yield clean(item, line)
        except _Invalid as error:
            yield Bad(line, error.field, error.reason, repr(item)[:200])
