"""Audit search over the operation events: everything a person did between two dates, everything
done to a subject (a resident's disclosure request), every use outside the operating hours in a period.

Pages are keyset pages — ``WHERE (at, id) > (last_at, last_id) ORDER BY at, id LIMIT n`` — so page
10,000 costs what page 1 costs on millions of rows; each search is bounded by a period and filtered
by person, subject, account or host, so the database walks the (person, at), (subject, at),
(account, at) or (host, at) index from the period's start."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate

from mamori.core import time
from mamori.exports.tables import Column, TableExport, csv_cell
from mamori.organisation.models import Person
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.systems.models import System
from mamori.terminals.hours import hours_for, outside_ranges

from .models import Event, EventKind

PAGE = 50
MAX_PAGE = 500
MAX_DAYS = 400  # one search covers at most a little over a year: narrow it down, or export by period


class SearchError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class AuditQuery:
    since: dt.date
    until: dt.date
    person: Person | None = None
    subject: str = ""
    account: str = ""
    host: str = ""
    kinds: tuple[str, ...] = ()
    outside_hours: bool = False

    def describe(self) -> str:
        parts = [f"{time.wareki(self.since)}〜{time.wareki(self.until)}"]
        if self.person is not None:
            parts.append(f"職員 {self.person.name}（{self.person.staff_number}）")
        if self.subject:
            parts.append(f"対象 {self.subject}")
        if self.account:
            parts.append(f"利用者ID {self.account}")
        if self.host:
            parts.append(f"端末 {self.host}")
        if self.kinds:
            parts.append("種別 " + "・".join(EventKind(k).label for k in self.kinds))
        if self.outside_hours:
            parts.append("操作時間外")
        return " / ".join(parts)


def audit_query(
    *,
    since: dt.date | str | None,
    until: dt.date | str | None,
    person: str = "",
    subject: str = "",
    account: str = "",
    host: str = "",
    kinds: list[str] | tuple[str, ...] = (),
    outside_hours: bool = False,
) -> AuditQuery:
    """A checked query from form or API values; a bad value names its field and nothing runs."""

    def day(value, name: str) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value or ""))
        except ValueError:
            raise SearchError(name, "日付は YYYY-MM-DD で入力してください") from None

    start, end = day(since, "since"), day(until, "until")
    if end < start:
        raise SearchError("until", "終了日が開始日より前です")
    if (end - start).days > MAX_DAYS:
        raise SearchError("until", f"期間は{MAX_DAYS}日以内にしてください")
    found = None
    if person.strip():
        found = Person.objects.filter(staff_number=person.strip()).first()
        if found is None:
            raise SearchError("person", f"職員番号 {person.strip()} の職員はいません")
    unknown = [k for k in kinds if k not in EventKind.values]
    if unknown:
        raise SearchError("kinds", f"種別が不明です: {', '.join(unknown)}")
    query = AuditQuery(
        since=start,
        until=end,
        person=found,
        subject=subject.strip(),
        account=account.strip(),
        host=host.strip(),
        kinds=tuple(kinds),
        outside_hours=outside_hours,
    )
    if not (query.person or query.subject or query.account or query.host or query.outside_hours):
        raise SearchError(
            "person", "職員・対象・利用者ID・端末のいずれかを指定するか、操作時間外に絞ってください"
        )
    return query


def _bounds(query: AuditQuery) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(query.since, dt.time.min, tzinfo=time.TOKYO)
    stop = dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO)
    return start, stop


def _outside(pack: Pack, query: AuditQuery) -> Q:
    """Events in the off-hours periods of the query's days (terminal hours; systems with their own)."""
    default, _ = hours_for(pack)
    if default is None:
        return Q(pk__in=[])
    condition = Q()
    special: dict = {}
    for system in System.objects.only("code", "name"):
        hours, _note = hours_for(pack, system)
        if hours is not default:
            special.setdefault(hours, []).append(system.code)
    for hours, codes in [(default, None), *special.items()]:
        ranges = Q()
        for begin, end in outside_ranges(pack=pack, since=query.since, until=query.until, hours=hours):
            ranges |= Q(at__gte=begin, at__lt=end)
        if not ranges:
            continue
        others = [c for cs in special.values() for c in cs]
        if codes:
            condition |= ranges & Q(system__in=codes)
        else:
            condition |= ranges & ~Q(system__in=others) if others else ranges
    return condition or Q(pk__in=[])


def events_for(query: AuditQuery, *, pack: Pack | None = None) -> QuerySet:
    start, stop = _bounds(query)
    events = Event.objects.filter(at__gte=start, at__lt=stop)
    if query.person is not None:
        events = events.filter(person=query.person)
    if query.subject:
        events = events.filter(subject=query.subject)
    if query.account:
        events = events.filter(account=query.account)
    if query.host:
        events = events.filter(host=query.host)
    if query.kinds:
        events = events.filter(kind__in=query.kinds)
    if query.outside_hours:
        if pack is None:
            pack = active_pack()
        events = events.filter(_outside(pack, query))
    return events


@dataclass
class Page:
    rows: list[Event] = field(default_factory=list)
    next_cursor: str = ""


def encode_cursor(event: Event) -> str:
    return f"{int(event.at.timestamp() * 1_000_000)}.{event.pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        micros, pk = cursor.split(".")
        moment = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
        return moment, int(pk)
    except ValueError:
        raise SearchError("after", "ページの指定が不正です") from None


@implements("MAI-3", "MAI-21-4", "FUK-18-1")
def audit_page(query: AuditQuery, *, after: str = "", limit: int = PAGE, pack: Pack | None = None) -> Page:
    """One keyset page of the query's events, oldest first; ``next_cursor`` continues after its last row."""
    limit = max(1, min(limit, MAX_PAGE))
    events = events_for(query, pack=pack)
    if after:
        moment, pk = decode_cursor(after)
        events = events.filter(Q(at__gt=moment) | Q(at=moment, pk__gt=pk))
    rows = list(events.select_related("person").order_by("at", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows=rows, next_cursor=encode_cursor(rows[-1]) if more and rows else "")


COLUMNS = [
    Column("日時", 18),
    Column("種別", 8),
    Column("利用者ID", 12),
    Column("職員番号", 10),
    Column("氏名", 14),
    Column("端末", 16),
    Column("業務システム", 10),
    Column("対象", 14),
    Column("操作", 10),
    Column("件数", 8, align="right"),
    Column("セッション", 14),
    Column("研修", 6),
]
KIND_LABELS = dict(EventKind.choices)


def event_row(event: Event) -> tuple:
    moment = time.local(event.at)
    return (
        f"{time.wareki(moment)} {moment:%H:%M:%S}",
        KIND_LABELS.get(event.kind, event.kind),
        event.account,
        event.person.staff_number if event.person else "",
        event.person.name if event.person else "",
        event.host,
        event.system,
        event.subject,
        event.action,
        event.result_count if event.result_count is not None else "",
        event.session,
        "研修" if event.training else "",
    )


def all_rows(query: AuditQuery, *, pack: Pack | None = None, chunk: int = 2000) -> Iterator[tuple]:
    """Every row of the query, streamed page by page (keyset), for the xlsx and csv exports."""
    cursor = ""
    while True:
        page = audit_page(query, after=cursor, limit=chunk, pack=pack)
        for event in page.rows:
            yield event_row(event)
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def audit_export(query: AuditQuery, *, pack: Pack, actor_label: str = "") -> TableExport:
    return TableExport(
        title="操作記録の検索結果",
        subtitle=pack.municipality,
        columns=COLUMNS,
        rows=all_rows(query, pack=pack),
        meta=[("条件", query.describe()), *([("出力者", actor_label)] if actor_label else [])],
        landscape=True,
        sheet_name="操作記録",
    )


def audit_csv_chunks(query: AuditQuery, *, pack: Pack) -> Iterator[str]:
    """CSV (UTF-8 with BOM, so Excel opens it in Japanese), streamed.  Text that a spreadsheet would
    take for a formula is neutralised (:func:`mamori.exports.tables.neutralise`): the columns carry
    ingested log values and imported names verbatim."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.label for c in COLUMNS])
    for index, row in enumerate(all_rows(query, pack=pack), start=1):
        writer.writerow([csv_cell(value) for value in row])
        if index % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = today.replace(day=1)
    last_prev = first_this - dt.timedelta(days=1)
    return last_prev.replace(day=1), last_prev


@implements("FUK-18-1")
def terminal_activity(host: str, *, since: dt.date, until: dt.date) -> list[dict]:
    """A terminal's operating status (稼働状況, 福山市 第18条第1項) day by day: first and last event,
    how many, and who used it — one GROUP BY over the (host, at) index."""
    start = dt.datetime.combine(since, dt.time.min, tzinfo=time.TOKYO)
    stop = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO)
    rows = (
        Event.objects.filter(host=host, at__gte=start, at__lt=stop)
        .annotate(day=TruncDate("at", tzinfo=time.TOKYO))
        .values("day")
        .annotate(
            first=Min("at"), last=Max("at"), count=Count("id"), accounts=Count("account", distinct=True)
        )
        .order_by("-day")
    )
    return [{**row, "first": time.local(row["first"]), "last": time.local(row["last"])} for row in rows]
