"""Off-hours and holiday use of a terminal (kind ``terminals.off_hours_use``).

柳川市 第13条第3項 (YAN-13-3): the 所管課長 applies at least 7 days before a 市の休日 and the
情報セキュリティ責任者 approves; 福山市 第18条第4項 (FUK-18-4): the 取扱責任者 applies beforehand and
the ICT推進課長 permits.  The chain, its filer and its lead time are the pack's; the lead-time check is
the engine's (``check_lead_time`` on ``use_date``).  This handler checks the payload, names the unit
that owns the terminal and gives the title; ``approved_off_hours`` answers the rule's question "was
this use approved?"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Replace

from mamori.core import time
from mamori.designations.models import Designation
from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import primary_unit
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.workflows.handlers import KindHandler, PayloadError, register
from mamori.workflows.models import Request, RequestState
from mamori.workflows.payloads import FieldSpec

from .hours import hours_for, open_interval
from .models import Terminal

KIND = "terminals.off_hours_use"
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _time(payload: dict[str, Any], field: str, label: str) -> dt.time:
    raw = str(payload.get(field) or "").strip()
    match = TIME.match(raw)
    if not match:
        raise PayloadError(field, f"{label}は HH:MM（例 18:30）で入力してください: {raw or '(空)'}")
    return dt.time(int(match.group(1)), int(match.group(2)))


def _operators(payload: dict[str, Any]) -> list[str]:
    raw = payload.get("operators") or []
    if isinstance(raw, str):
        raw = re.split(r"[\n,、，;]+", raw)
    return [str(entry).strip() for entry in raw if str(entry).strip()]


def _bare(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _resolve_operators(entries: list[str]) -> dict[str, Person]:
    """Each entry is a staff number or a name (様式: 端末機操作員(氏名)); a name two people share must be
    given as a staff number."""
    found = {p.staff_number: p for p in Person.objects.filter(staff_number__in=entries)}
    names = [e for e in entries if e not in found]
    if names:
        bare = Replace(Replace(F("name"), Value(" "), Value("")), Value("\u3000"), Value(""))
        by_name: dict[str, list[Person]] = {}
        for person in Person.objects.annotate(bare=bare).filter(bare__in=[_bare(n) for n in names]):
            by_name.setdefault(_bare(person.name), []).append(person)
        for entry in names:
            matches = by_name.get(_bare(entry), [])
            if len(matches) > 1:
                raise PayloadError(
                    "operators", f"「{entry}」は同姓同名の職員がいます。職員番号で入力してください"
                )
            if matches:
                found[entry] = matches[0]
    unknown = [e for e in entries if e not in found]
    if unknown:
        raise PayloadError("operators", f"{', '.join(unknown)} に当たる職員はいません（氏名か職員番号）")
    return found


def _unit_of(payload: dict[str, Any], requester: Person, on: dt.date) -> Unit:
    code = str(payload.get("unit") or "").strip()
    unit = Unit.objects.filter(code=code).first() if code else primary_unit(requester, on=on)
    if unit is None:
        raise PayloadError("unit", f"所管課 {code or '(空)'} がありません")
    return unit


def _clean(
    payload: dict[str, Any], *, pack: Pack, requester: Person, on: dt.date, resolved: Any = None
) -> dict[str, Any]:
    """A request names the day and the reason; it may name one terminal (else: every terminal of the
    section), the operators (else: the designated operators of those terminals) and the times (else:
    the whole day)."""
    try:
        use_date = dt.date.fromisoformat(str(payload.get("use_date") or ""))
    except ValueError:
        raise PayloadError("use_date", "使用日は YYYY-MM-DD で入力してください") from None
    host = str(payload.get("terminal") or "").strip()
    terminal = None
    if host:
        terminal = Terminal.objects.select_related("unit").filter(host_name__iexact=host).first()
        if terminal is None:
            raise PayloadError(
                "terminal", f"端末機 {host} は端末機台帳に登録されていません（ホスト名で入力）"
            )
        if not terminal.is_active_on(use_date):
            raise PayloadError(
                "terminal", f"{terminal.host_name}は{time.wareki(use_date)}に使用されていません"
            )
    unit = terminal.unit if terminal else _unit_of(payload, requester, on)
    given = [bool(str(payload.get(f) or "").strip()) for f in ("start_time", "end_time")]
    if any(given):
        start, end = _time(payload, "start_time", "使用開始時刻"), _time(payload, "end_time", "使用終了時刻")
        if end <= start:
            raise PayloadError(
                "end_time", "使用終了時刻は使用開始時刻より後にしてください（日をまたぐときは日ごとに申請）"
            )
        rules = pack.parameters.operating_hours
        article = pack.cite(rules.articles[0]) if rules and rules.articles else ""
        hours, _note = hours_for(pack)
        interval = open_interval(use_date, hours, pack) if hours else None
        if interval is not None:
            begins = dt.datetime.combine(use_date, start, tzinfo=time.TOKYO)
            ends = dt.datetime.combine(use_date, end, tzinfo=time.TOKYO)
            if interval[0] <= begins and ends <= interval[1]:
                raise PayloadError(
                    "start_time",
                    f"{start:%H:%M}〜{end:%H:%M}は操作時間内です。時間外・休日の使用だけを申請します",
                    article=article,
                )
        times = (f"{start:%H:%M}", f"{end:%H:%M}")
    else:
        times = ("00:00", "23:59")
    people = {p.staff_number: p for p in _resolve_operators(_operators(payload)).values()}
    designation = pack.parameters.monitoring.designated_operators
    if people and designation is not None:
        terminals = [terminal] if terminal else list(Terminal.objects.filter(unit=unit))
        designated = set(
            Designation.objects.on(use_date)
            .filter(terminal__in=terminals, person__in=people.values())
            .values_list("person__staff_number", flat=True)
        )
        missing = [p.name for n, p in people.items() if n not in designated]
        if missing:
            where = terminal.host_name if terminal else f"{unit.name}の端末機"
            raise PayloadError(
                "operators",
                f"{'、'.join(missing)}は{where}の端末機操作員に指定されていません",
                article=pack.cite(designation.articles[0]),
            )
    reason = str(payload.get("reason") or payload.get("purpose") or "").strip()
    if not reason:
        raise PayloadError("reason", "使用の理由を入力してください")
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "terminal": terminal.host_name if terminal else "",
        "use_date": use_date.isoformat(),
        "start_time": times[0],
        "end_time": times[1],
        "operators": list(people),
        "operator_names": [p.name for p in people.values()],
        "closed_day": time.why_closed(use_date, pack.parameters.calendar.closures) or "",
        "reason": reason,
    }


def _owner_unit(payload: dict[str, Any]):
    unit = Unit.objects.filter(code=payload.get("unit", "")).first()
    if unit is None:
        raise PayloadError("unit", "所管課がありません")
    return unit


def _title(payload: dict[str, Any]) -> str:
    day = dt.date.fromisoformat(payload["use_date"])
    closed = f"（{payload['closed_day']}）" if payload.get("closed_day") else ""
    where = payload.get("terminal") or f"{payload.get('unit_name', '')}の端末機"
    return f"{where} 時間外使用 {time.wareki(day)}{closed} {payload['start_time']}〜{payload['end_time']}"


# The form as _clean reads it (柳川市 様式 of 第13条第2項 over the pack's wording; 福山市's chain names
# no form): the day and the reason are needed, the rest has the defaults _clean gives.
FIELDS = (
    FieldSpec("unit", "所管課", "unit", required=False, help="空欄のときは申請者の所属"),
    FieldSpec("use_date", "使用日", "date"),
    FieldSpec("start_time", "使用開始時刻", required=False, help="HH:MM、空欄のときは終日"),
    FieldSpec("end_time", "使用終了時刻", required=False, help="HH:MM、空欄のときは終日"),
    FieldSpec("terminal", "使用する端末機", required=False, help="空欄なら所管課の端末機すべて"),
    FieldSpec("operators", "端末機操作員（氏名又は職員番号）", "textarea", required=False, many=True),
    FieldSpec("reason", "使用の理由", "textarea"),
)

register(
    KindHandler(
        kind=KIND, clean=_clean, owner_unit=_owner_unit, title=_title, fields=FIELDS, reads=("use_date",)
    )
)


@implements("YAN-13-1", "YAN-13-3", "FUK-18-4")
def approved_off_hours(*, at: dt.datetime, person: Person | None = None, host: str = "") -> Request | None:
    """The approved off-hours request that covers a use at ``at`` by ``person`` (on ``host``), if any.

    A request covers the day and the times it names, on its terminal, for the operators it names.
    Approval must come before the use: a request approved after the moment does not cover it (事前の
    許可, FUK-18-4; 承認を受けなければならない, YAN-13-3)."""
    approvals = approvals_on(time.local(at).date())
    for window in approvals:
        if window.covers(at=at, person=person, host=host):
            return window.request
    return None


class ApprovalWindow:
    """One approved request as the moments, hosts and operators it covers: its terminal or every
    terminal of its section; the operators it names or, when it names none, the designated operators
    of those terminals on the day (the section's staff where the pack designates none)."""

    def __init__(self, request: Request):
        payload = request.payload
        day = dt.date.fromisoformat(payload["use_date"])
        self.request = request
        self.start = dt.datetime.combine(day, dt.time.fromisoformat(payload["start_time"]), tzinfo=time.TOKYO)
        self.end = dt.datetime.combine(day, dt.time.fromisoformat(payload["end_time"]), tzinfo=time.TOKYO)
        if self.end.time() == dt.time(23, 59):
            self.end += dt.timedelta(seconds=59, microseconds=999999)
        self.approved_at = request.closed_at
        terminals = (
            Terminal.objects.filter(host_name__iexact=payload["terminal"])
            if payload.get("terminal")
            else Terminal.objects.filter(unit__code=payload.get("unit", ""))
        )
        self.hosts = {h.lower() for h in terminals.values_list("host_name", flat=True)}
        self.staff_numbers = set(payload.get("operators") or [])
        if not self.staff_numbers:
            designated = Designation.objects.on(day).filter(terminal__in=terminals)
            self.staff_numbers = set(designated.values_list("person__staff_number", flat=True))
            if not designated.exists():
                self.staff_numbers = set(
                    Assignment.objects.on(day)
                    .filter(unit__code=payload.get("unit", ""))
                    .values_list("person__staff_number", flat=True)
                )

    def covers(self, *, at: dt.datetime, person: Person | None, host: str) -> bool:
        if not (self.start <= at <= self.end):
            return False
        if self.approved_at is None or self.approved_at > at:
            return False
        if host and host.lower() not in self.hosts:
            return False
        return person is not None and person.staff_number in self.staff_numbers


def approvals_on(*days: dt.date) -> list[ApprovalWindow]:
    """Approved off-hours requests for the given days (one query: rules call it once per run).  The
    day is read from the payload: a chain without a lead time leaves the request's target_date empty."""
    requests = Request.objects.filter(
        kind=KIND, state=RequestState.APPROVED, payload__use_date__in=[d.isoformat() for d in days]
    ).order_by("pk")
    return [ApprovalWindow(request) for request in requests]


def approvals_between(since: dt.date, until: dt.date) -> list[ApprovalWindow]:
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    return approvals_on(*days)
