"""Findings over the operation events (操作記録), each citing the requirement ID and article the pack
gives it in ``parameters.monitoring`` (and ``parameters.operating_hours``).  A rule the pack does not
configure is not run: the engine follows the pack.

Scale: every rule looks at a bounded period, the ``WINDOW_DAYS`` days up to the day it runs for
(a quarter: the period an auditor reviews, and what a daily run can re-read).  Findings are keyed by
what they are about (an account on a day, a person on a terminal…), so re-running finds the same
keys.  Each rule asks the database for aggregates — GROUP BY over the (account|person|host|subject,
at) indexes, or index range scans over the off-hours periods only — never iterating events in
Python, except the shared-ID rule, which sweeps the logon sessions of only those accounts that the
database first finds on two hosts on one day.  (A finding older than the window is resolved by the
findings engine when its key is no longer observed; the records keep it.)"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate

from mamori.access.models import Entitlement
from mamori.core import time
from mamori.designations.models import Designation
from mamori.findings.engine import Observation, rule
from mamori.organisation.models import Assignment, Person, Unit
from mamori.regulations.registry import implements
from mamori.regulations.schema import MonitoringRule, Pack
from mamori.systems.models import System
from mamori.terminals.hours import hours_for, outside_ranges
from mamori.terminals.kinds import approvals_between
from mamori.terminals.models import Terminal

from .models import Event, EventKind

WINDOW_DAYS = 92
# Windows logon types of a person at a terminal: 2 interactive, 7 unlock, 10 remote, 11 cached.
INTERACTIVE = (2, 7, 10, 11)
USE_KINDS = (
    EventKind.LOGON,
    EventKind.UNLOCK,
    EventKind.OPERATION,
    EventKind.SEARCH,
    EventKind.EXTRACT,
    EventKind.PRINT,
)
LOOKUP_KINDS = (EventKind.SEARCH, EventKind.EXTRACT, EventKind.PRINT)


def window(on: dt.date) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """The days [since, on] a rule looks at, and the same as aware datetimes [start, stop)."""
    since = on - dt.timedelta(days=WINDOW_DAYS - 1)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=time.TOKYO)
    stop = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO)
    return since, on, start, stop


def in_window(on: dt.date) -> QuerySet:
    _since, _until, start, stop = window(on)
    return Event.objects.filter(at__gte=start, at__lt=stop)


def _cite(pack: Pack, check: MonitoringRule) -> tuple[str, str]:
    return (check.requirements[0] if check.requirements else ""), pack.cite(check.articles[0])


def _people(ids: Iterable[int | None]) -> dict[int, Person]:
    wanted = {i for i in ids if i}
    return Person.objects.in_bulk(wanted) if wanted else {}


def _day(moment: dt.datetime) -> str:
    return time.wareki(time.local(moment).date())


def _span(first: dt.datetime, last: dt.datetime) -> str:
    a, b = time.local(first), time.local(last)
    if a.date() == b.date():
        return f"{time.wareki(a.date())} {a:%H:%M}〜{b:%H:%M}"
    return f"{time.wareki(a.date())} {a:%H:%M}〜{time.wareki(b.date())} {b:%H:%M}"


def _who(person: Person | None, account: str) -> str:
    return f"{person.name}（{account}）" if person else f"利用者ID {account}（職員に結び付かない）"


def _terminals_by_host() -> dict[str, Terminal]:
    return {t.host_name.lower(): t for t in Terminal.objects.select_related("unit")}


# --- operating hours (YAN-13-1, YAN-13-3, FUK-18-4) ------------------------------------------


def _hours_groups(pack: Pack) -> list[tuple[Any, str, list[str] | None]]:
    """(hours, note, system codes) groups: the weekday hours for terminals and for systems without
    hours of their own (codes None = "every code not listed elsewhere"), then each system's own."""
    default, _ = hours_for(pack)
    special: dict[Any, tuple[str, list[str]]] = {}
    notes: dict[str, str] = {}
    for system in System.objects.only("code", "name"):
        hours, note = hours_for(pack, system)
        if note:
            notes[system.code] = note
        if hours is not default:
            special.setdefault(hours, (note, []))[1].append(system.code)
    groups: list[tuple[Any, str, list[str] | None]] = [(default, "", None)]
    groups += [(hours, note, codes) for hours, (note, codes) in special.items()]
    return groups


@rule("events.off_hours_use")
@implements("YAN-13-1", "YAN-13-3", "FUK-18-4")
def off_hours_use(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A terminal or system used outside the operating hours (or on a closed day) with no approved
    off-hours request covering it.  The database reads only the events inside the off-hours periods
    (index range scans on ``at``), grouped by account, host and day."""
    rules = pack.parameters.operating_hours
    if rules is None:
        return
    requirement = rules.requirements[0] if rules.requirements else ""
    article = pack.cite(rules.articles[0]) if rules.articles else ""
    since, until, _start, _stop = window(on)
    approvals = approvals_between(since, until)
    groups = _hours_groups(pack)
    special_codes = [code for _h, _n, codes in groups if codes for code in codes]
    rows: list[tuple[dict, str]] = []
    for hours, note, codes in groups:
        ranges = Q()
        for begin, end in outside_ranges(pack=pack, since=since, until=until, hours=hours):
            ranges |= Q(at__gte=begin, at__lt=end)
        if not ranges:  # a system open round the clock every day
            continue
        # Every kind counts: a logoff or a lock at 19:00 shows the terminal was in use until then.
        events = Event.objects.filter(ranges)
        events = events.filter(system__in=codes) if codes else events.exclude(system__in=special_codes)
        grouped = (
            events.annotate(day=TruncDate("at", tzinfo=time.TOKYO))
            .values("account", "person", "host", "day")
            .annotate(first=Min("at"), last=Max("at"), count=Count("id"))
            .order_by("account", "day", "host")
        )
        rows += [(row, note) for row in grouped]
    people = _people(row["person"] for row, _note in rows)
    terminals = _terminals_by_host()
    for row, note in rows:
        person = people.get(row["person"])
        covering = [w for w in approvals if w.covers(at=row["first"], person=person, host=row["host"])]
        if any(w.covers(at=row["last"], person=person, host=row["host"]) for w in covering):
            continue
        terminal = terminals.get(row["host"].lower())
        closed = time.why_closed(row["day"], pack.parameters.calendar.closures)
        when = f"（{closed}）" if closed else ""
        partly = "（承認の範囲を超えて）" if covering else ""
        yield Observation(
            key=f"{row['account']}@{row['host']}:{row['day'].isoformat()}",
            requirement=requirement,
            article=article,
            title=f"{_who(person, row['account'])}が操作時間外に{row['host'] or '業務システム'}を"
            f"承認なく使用しました{partly}: {_span(row['first'], row['last'])}{when}",
            detail=f"操作 {row['count']}件。時間外・休日の使用には事前の申請と承認が必要です。{note}".strip(),
            object_type="terminals.Terminal" if terminal else "",
            object_id=str(terminal.pk) if terminal else "",
            person=person,
            unit=terminal.unit if terminal else None,
        )


# --- designated operators (YAN-12-3, FUK-18-2) and terminal purpose (FUK-18-1) ---------------


def _covered(spans: list[tuple[dt.date, dt.date | None]], first: dt.date, last: dt.date) -> bool:
    """Whether the union of validity spans covers every day from ``first`` to ``last``."""
    day = first
    for start, end in sorted(spans, key=lambda span: span[0]):
        if start > day:
            return False
        if end is None or end >= last:
            return True
        day = max(day, end + dt.timedelta(days=1))
    return day > last


def _uncovered_days(queryset: QuerySet, spans: list[tuple[dt.date, dt.date | None]]) -> list[dt.date]:
    days = queryset.annotate(day=TruncDate("at", tzinfo=time.TOKYO)).values_list("day", flat=True).distinct()
    return sorted(d for d in days if not any(s <= d and (e is None or d <= e) for s, e in spans))


@rule("events.terminal_used_by_undesignated")
@implements("YAN-12-3", "FUK-18-2")
def terminal_used_by_undesignated(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A terminal used by someone who was not a designated operator of it on that day, or a terminal
    missing from the register.  One GROUP BY (host, person, account) over the window; only pairs the
    designations do not cover entirely are looked at day by day."""
    check = pack.parameters.monitoring.designated_operators
    if check is None:
        return
    requirement, article = _cite(pack, check)
    events = in_window(on).filter(kind__in=USE_KINDS).exclude(host="")
    pairs = list(
        events.values("host", "person", "account")
        .annotate(first=Min("at"), last=Max("at"), count=Count("id"))
        .order_by("host", "account")
    )
    terminals = _terminals_by_host()
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    # Every designation of the pack's terminal kind, ended ones too: an ended one covers its days.
    designations = Designation.objects.filter(pack=pack.pack, kind=check.designation, terminal__isnull=False)
    for terminal_id, person_id, start, end in designations.values_list(
        "terminal_id", "person_id", "valid_from", "valid_to"
    ):
        spans[(terminal_id, person_id)].append((start, end))
    people = _people(p["person"] for p in pairs)
    unregistered: dict[str, list[dict]] = defaultdict(list)
    for pair in pairs:
        terminal = terminals.get(pair["host"].lower())
        if terminal is None:
            unregistered[pair["host"]].append(pair)
            continue
        person = people.get(pair["person"])
        valid = spans.get((terminal.pk, pair["person"]), []) if person else []
        first, last = time.local(pair["first"]).date(), time.local(pair["last"]).date()
        if _covered(valid, first, last):
            continue
        days = (
            _uncovered_days(events.filter(host=pair["host"], account=pair["account"]), valid)
            if valid
            else [first]
        )
        if not days:
            continue
        dates = "、".join(time.wareki(d) for d in days[:5]) + (
            f" ほか{len(days) - 5}日" if len(days) > 5 else ""
        )
        yield Observation(
            key=f"{terminal.host_name}:{pair['account']}",
            requirement=requirement,
            article=article,
            title=f"{_who(person, pair['account'])}は{terminal.host_name}（{terminal.unit.name}）の"
            f"端末機操作員に指定されていないのに操作しました",
            detail=f"指定の無い日: {dates}。操作 {pair['count']}件（{_span(pair['first'], pair['last'])}）。",
            object_type="terminals.Terminal",
            object_id=str(terminal.pk),
            person=person,
            unit=terminal.unit,
        )
    for host, host_pairs in unregistered.items():
        accounts = "、".join(sorted({p["account"] for p in host_pairs}))
        first, last = min(p["first"] for p in host_pairs), max(p["last"] for p in host_pairs)
        yield Observation(
            key=f"unregistered:{host}",
            requirement=requirement,
            article=article,
            title=f"端末機台帳に無い端末 {host} が使用されています（操作員を指定できません）",
            detail=f"利用者ID: {accounts}。{_span(first, last)}。",
        )


@rule("events.terminal_outside_purpose")
@implements("FUK-18-1")
def terminal_outside_purpose(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A terminal used for a system it is not registered to reach: its input and output are limited
    to the purpose it was installed for (福山市 第18条第1項).  One GROUP BY (host, system)."""
    check = pack.parameters.monitoring.terminal_purpose
    if check is None:
        return
    requirement, article = _cite(pack, check)
    pairs = (
        in_window(on)
        .exclude(host="")
        .exclude(system="")
        .values("host", "system")
        .annotate(first=Min("at"), last=Max("at"), count=Count("id"))
        .order_by("host", "system")
    )
    terminals = _terminals_by_host()
    reach: dict[int, set[str]] = defaultdict(set)
    for terminal_id, code in Terminal.systems.through.objects.values_list("terminal_id", "system__code"):
        reach[terminal_id].add(code)
    names = dict(System.objects.values_list("code", "name"))
    for pair in pairs:
        terminal = terminals.get(pair["host"].lower())
        if terminal is None or pair["system"] in reach[terminal.pk]:
            continue
        system = names.get(pair["system"], pair["system"])
        yield Observation(
            key=f"{terminal.host_name}:{pair['system']}",
            requirement=requirement,
            article=article,
            title=f"{terminal.host_name}（{terminal.unit.name}）から設置目的外のシステム「{system}」が使われました",
            detail=f"操作 {pair['count']}件（{_span(pair['first'], pair['last'])}）。端末機台帳の利用システムに"
            "無いシステムです。",
            object_type="terminals.Terminal",
            object_id=str(terminal.pk),
            unit=terminal.unit,
        )


# --- systems used without an entitlement (KIT-10, MAI-3) -------------------------------------


def _entitlement_spans(
    system_ids: Iterable[int],
) -> dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]]:
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = Entitlement.objects.filter(system_id__in=list(system_ids)).values_list(
        "person_id", "system_id", "valid_from", "valid_to", "ended_at"
    )
    for person_id, system_id, start, end, ended_at in rows:
        if ended_at is not None:
            ended = time.local(ended_at).date()
            end = ended if end is None else min(end, ended)
        spans[(person_id, system_id)].append((start, end))
    return spans


def unentitled_uses(
    pack: Pack, on: dt.date, *, systems: QuerySet, requirement: str, article: str, prefix: str
) -> Iterator[Observation]:
    """Uses of ``systems`` by an account that resolves to nobody, or by a person with no entitlement
    in force on the day of the use.  One GROUP BY (system, person, account) over the window."""
    by_code = {s.code: s for s in systems}
    if not by_code:
        return
    events = in_window(on).filter(system__in=list(by_code))
    pairs = list(
        events.values("system", "person", "account")
        .annotate(first=Min("at"), last=Max("at"), count=Count("id"))
        .order_by("system", "account")
    )
    spans = _entitlement_spans(s.pk for s in by_code.values())
    people = _people(p["person"] for p in pairs)
    for pair in pairs:
        system = by_code[pair["system"]]
        person = people.get(pair["person"])
        if person is None:
            yield Observation(
                key=f"{prefix}:{system.code}:{pair['account']}",
                requirement=requirement,
                article=article,
                title=f"{system.name}が職員に結び付かない利用者ID {pair['account']} で使われました",
                detail=f"操作 {pair['count']}件（{_span(pair['first'], pair['last'])}）。管理ファイルに無いIDです。",
                object_type="access.System",
                object_id=str(system.pk),
            )
            continue
        valid = spans.get((person.pk, system.pk), [])
        first, last = time.local(pair["first"]).date(), time.local(pair["last"]).date()
        if _covered(valid, first, last):
            continue
        days = _uncovered_days(events.filter(system=system.code, account=pair["account"]), valid)
        if not days:
            continue
        dates = "、".join(time.wareki(d) for d in days[:5]) + (
            f" ほか{len(days) - 5}日" if len(days) > 5 else ""
        )
        yield Observation(
            key=f"{prefix}:{system.code}:{pair['account']}",
            requirement=requirement,
            article=article,
            title=f"{_who(person, pair['account'])}が操作権限の無い{system.name}を使用しました",
            detail=f"権限の無い日: {dates}。操作 {pair['count']}件。",
            object_type="access.System",
            object_id=str(system.pk),
            person=person,
        )


@rule("events.system_used_without_entitlement")
@implements("KIT-10")
def system_used_without_entitlement(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A business system used by a person with no entitlement on it (北見市 第10条: systems are used
    only for the user's own duties, as the management file records them)."""
    check = pack.parameters.monitoring.entitlement_required
    if check is None:
        return
    requirement, article = _cite(pack, check)
    yield from unentitled_uses(
        pack, on, systems=System.objects.all(), requirement=requirement, article=article, prefix="system"
    )


@rule("events.identity_information_access")
@implements("MAI-3")
def identity_information_access(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """本人確認情報 (舞鶴市 第3条・第7条): every access to a system holding it is logged (the event
    store) and attributable, and its use is limited to what the business needs — an access by an
    unknown ID or by someone without an entitlement on the system is a finding."""
    check = pack.parameters.monitoring.identity_information
    if check is None:
        return
    requirement, article = _cite(pack, check)
    yield from unentitled_uses(
        pack,
        on,
        systems=System.objects.filter(handles_identity_information=True),
        requirement=requirement,
        article=article,
        prefix="identity",
    )


# --- one user ID at two terminals at once (YAN-12-5) -----------------------------------------


def sessions_of(accounts: Iterable[str], start: dt.datetime, stop: dt.datetime) -> dict[str, list[tuple]]:
    """Logon sessions of ``accounts`` as (host, session, begin, end): a logon paired with the first
    logoff of the same account, host and session; a session never logged off ends at the account's
    next logon on that host or at the end of its day."""
    accounts = list(accounts)
    logons = (
        Event.objects.filter(account__in=accounts, at__gte=start, at__lt=stop, kind=EventKind.LOGON)
        .filter(Q(logon_type__in=INTERACTIVE) | Q(logon_type__isnull=True))
        .values_list("account", "host", "session", "at")
        .order_by("account", "at")
    )
    logoffs: dict[tuple[str, str, str], list[dt.datetime]] = defaultdict(list)
    for account, host, session, at in (
        Event.objects.filter(
            account__in=accounts, at__gte=start, at__lt=stop + dt.timedelta(days=1), kind=EventKind.LOGOFF
        )
        .values_list("account", "host", "session", "at")
        .order_by("at")
    ):
        logoffs[(account, host.lower(), session)].append(at)
    by_account: dict[str, list[tuple]] = defaultdict(list)
    for account, host, session, at in logons:
        by_account[account].append((host, session, at))
    result: dict[str, list[tuple]] = {}
    for account, rows in by_account.items():
        sessions = []
        for index, (host, session, at) in enumerate(rows):
            ends = (
                [t for t in logoffs.get((account, host.lower(), session), []) if t >= at] if session else []
            )
            if ends:
                end = ends[0]
            else:
                later = [r[2] for r in rows[index + 1 :] if r[0].lower() == host.lower()]
                day_end = dt.datetime.combine(
                    time.local(at).date() + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO
                )
                end = min([*later[:1], day_end])
            sessions.append((host, session, at, end))
        result[account] = sessions
    return result


def overlaps(sessions: list[tuple]) -> Iterator[tuple[tuple, tuple]]:
    """Pairs of sessions on different hosts that overlap in time (sweep over sessions sorted by start)."""
    ordered = sorted(sessions, key=lambda s: s[2])
    active: list[tuple] = []
    for current in ordered:
        active = [s for s in active if s[3] > current[2]]
        for other in active:
            if other[0].lower() != current[0].lower():
                yield other, current
        active.append(current)


@rule("events.shared_user_id")
@implements("YAN-12-5")
def shared_user_id(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """One user ID logged on at two terminals at once (柳川市 第12条第5項: no one lets another operate
    under their name).  The database first finds accounts with logons on two or more hosts on one day
    (GROUP BY account, day HAVING COUNT(DISTINCT host) > 1); only their sessions are paired."""
    check = pack.parameters.monitoring.shared_ids
    if check is None:
        return
    requirement, article = _cite(pack, check)
    _since, _until, start, stop = window(on)
    suspects = (
        in_window(on)
        .filter(kind=EventKind.LOGON)
        .filter(Q(logon_type__in=INTERACTIVE) | Q(logon_type__isnull=True))
        .exclude(host="")
        .annotate(day=TruncDate("at", tzinfo=time.TOKYO))
        .values("account", "day")
        .annotate(hosts=Count("host", distinct=True))
        .filter(hosts__gt=1)
    )
    accounts = sorted({row["account"] for row in suspects})
    if not accounts:
        return
    persons = dict(
        Event.objects.filter(account__in=accounts, person__isnull=False)
        .filter(at__gte=start, at__lt=stop)
        .values_list("account", "person")
        .distinct()
    )
    people = _people(persons.values())
    for account, sessions in sessions_of(accounts, start, stop).items():
        seen: set[str] = set()
        for first, second in overlaps(sessions):
            day = time.local(second[2]).date()
            key = f"{account}:{day.isoformat()}"
            if key in seen:
                continue
            seen.add(key)
            person = people.get(persons.get(account))
            yield Observation(
                key=key,
                requirement=requirement,
                article=article,
                title=f"利用者ID {account} が二つの端末で同時に使われました: {first[0]} と {second[0]}"
                f"（{time.wareki(day)}）",
                detail=f"{first[0]}: {_span(first[2], first[3])}（セッション {first[1] or '-'}）、"
                f"{second[0]}: {_span(second[2], second[3])}（セッション {second[1] or '-'}）。"
                f"{'名義人: ' + person.name + '。' if person else ''}パスワードの貸し借り・他人による操作の疑い。",
                person=person,
            )


# --- searches and extractions (MAI-21-4, KIT-10) ---------------------------------------------


@rule("events.search_beyond_limits")
@implements("MAI-21-4", "KIT-10")
def search_beyond_limits(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """Searches, extractions or print-outs returning more rows than the pack's ``max_rows`` at once, and
    people looking up more distinct subjects in one day than ``max_subjects_per_day``: patterns to
    check against a business need.  Two GROUP BYs over the window."""
    check = pack.parameters.monitoring.search_limits
    if check is None:
        return
    requirement, article = _cite(pack, check)
    lookups = in_window(on).filter(kind__in=LOOKUP_KINDS)
    large = (
        lookups.filter(result_count__gt=check.max_rows)
        .annotate(day=TruncDate("at", tzinfo=time.TOKYO))
        .values("account", "person", "day")
        .annotate(count=Count("id"), most=Max("result_count"), first=Min("at"), last=Max("at"))
        .order_by("account", "day")
    )
    wide = (
        lookups.exclude(subject="")
        .annotate(day=TruncDate("at", tzinfo=time.TOKYO))
        .values("account", "person", "day")
        .annotate(subjects=Count("subject", distinct=True), first=Min("at"), last=Max("at"))
        .filter(subjects__gt=check.max_subjects_per_day)
        .order_by("account", "day")
    )
    large, wide = list(large), list(wide)
    people = _people([r["person"] for r in large] + [r["person"] for r in wide])
    for row in large:
        person = people.get(row["person"])
        yield Observation(
            key=f"rows:{row['account']}:{row['day'].isoformat()}",
            requirement=requirement,
            article=article,
            title=f"{_who(person, row['account'])}が{time.wareki(row['day'])}に{check.max_rows}件を超える"
            f"検索・抽出を行いました（最大 {row['most']}件）",
            detail=f"{row['count']}回（{_span(row['first'], row['last'])}）。業務上の必要を確認してください。",
            person=person,
        )
    for row in wide:
        person = people.get(row["person"])
        yield Observation(
            key=f"subjects:{row['account']}:{row['day'].isoformat()}",
            requirement=requirement,
            article=article,
            title=f"{_who(person, row['account'])}が{time.wareki(row['day'])}に{row['subjects']}人の対象を"
            f"検索しました（上限 {check.max_subjects_per_day}人）",
            detail=f"{_span(row['first'], row['last'])}。業務上の必要を確認してください。",
            person=person,
        )


def _unit_ids(refs: Iterable[str]) -> set[int]:
    refs = list(refs)
    return set(Unit.objects.filter(Q(code__in=refs) | Q(name__in=refs)).values_list("pk", flat=True))


def _within(unit: Unit, allowed: set[int], units: dict[int, Unit]) -> bool:
    while unit is not None:
        if unit.pk in allowed:
            return True
        unit = units.get(unit.parent_id) if unit.parent_id else None
    return False


@rule("events.subject_outside_duties")
@implements("MAI-21-4")
def subject_outside_duties(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A subject looked up by someone whose section does not handle it.  A subject belongs to the
    duties of the units the pack's ``subject_scopes`` give its identifier's prefix (e.g. "KZ" 国保 →
    保険年金課); subjects no scope names are not judged.  One GROUP BY (person, account) per prefix."""
    monitoring = pack.parameters.monitoring
    check = monitoring.subject_scope_rule
    if check is None or not monitoring.subject_scopes:
        return
    requirement, article = _cite(pack, check)
    since, until, _start, _stop = window(on)
    units = Unit.objects.in_bulk()
    for scope in monitoring.subject_scopes:
        allowed = _unit_ids(scope.units)
        rows = list(
            in_window(on)
            .filter(kind__in=(*LOOKUP_KINDS, EventKind.OPERATION), subject__startswith=scope.prefix)
            .values("person", "account")
            .annotate(
                count=Count("id"), subjects=Count("subject", distinct=True), first=Min("at"), last=Max("at")
            )
            .order_by("account")
        )
        people = _people(r["person"] for r in rows)
        placed: dict[int, list[Unit]] = defaultdict(list)
        for assignment in Assignment.objects.filter(person_id__in=list(people)).filter(
            Q(end__isnull=True) | Q(end__gte=since), start__lte=until
        ):
            placed[assignment.person_id].append(units[assignment.unit_id])
        label = scope.label or scope.prefix
        for row in rows:
            person = people.get(row["person"])
            if person is not None and any(_within(u, allowed, units) for u in placed[person.pk]):
                continue
            yield Observation(
                key=f"{scope.prefix}:{row['account']}",
                requirement=requirement,
                article=article,
                title=f"{_who(person, row['account'])}が所属の事務に無い対象（{label}）を検索しました",
                detail=f"{row['subjects']}人・{row['count']}件（{_span(row['first'], row['last'])}）。"
                f"対象 {scope.prefix}… を扱う所属: {'、'.join(scope.units)}。",
                person=person,
            )


# --- training use (KIT-10) -------------------------------------------------------------------


@rule("events.training_use")
@implements("KIT-10")
def training_use(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """Use marked as 研修 (北見市 第10条第2号), reported as such: an informational finding per person,
    system and day, for the 情報セキュリティ責任者 to confirm it was training and close.  One GROUP BY."""
    check = pack.parameters.monitoring.training_use
    if check is None:
        return
    requirement, article = _cite(pack, check)
    rows = list(
        in_window(on)
        .filter(training=True)
        .annotate(day=TruncDate("at", tzinfo=time.TOKYO))
        .values("account", "person", "system", "host", "day")
        .annotate(count=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("day", "account")
    )
    people = _people(r["person"] for r in rows)
    names = dict(System.objects.values_list("code", "name"))
    for row in rows:
        person = people.get(row["person"])
        where = names.get(row["system"], row["system"]) or row["host"] or "端末"
        yield Observation(
            key=f"{row['account']}:{row['system'] or row['host']}:{row['day'].isoformat()}",
            requirement=requirement,
            article=article,
            title=f"（報告）{_who(person, row['account'])}の{where}の使用は研修として記録されています"
            f"（{time.wareki(row['day'])}）",
            # The article the pack's training_use check cites (issue 9 item 6: never a city's article here).
            detail=f"操作 {row['count']}件（{_span(row['first'], row['last'])}）。教育研修としての使用"
            f"（{article}）であることを確認して受容してください。",
            person=person,
        )
