"""JSON API of the terminals domain; mounted by mamori/api.py under /api/terminals/.

The terminal register and operator designations (YAN-12-3, FUK-18-2), the operating hours
(YAN-13-1, FUK-18-4) and the audit search over operation events (``/audit/…``).  Off-hours use
requests (kind ``terminals.off_hours_use``) are filed through the requests API of the approval
engine.  Every change goes through :mod:`mamori.terminals.services`, so the API refuses exactly what
the screens refuse, naming the field and article."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from mamori.core import time
from mamori.core.policy import require
from mamori.core.schemas import Code, ProblemOut
from mamori.designations.models import Designation
from mamori.designations.reports import designation_report
from mamori.designations.services import (
    designation_add,
    designation_end,
    designations_report,
    operator_rule,
)
from mamori.events.search import (
    SearchError,
    audit_csv_chunks,
    audit_export,
    audit_page,
    audit_query,
    event_row,
)
from mamori.exports.tables import export_response
from mamori.organisation.models import Person, Unit
from mamori.regulations.active import active_pack
from mamori.systems.models import System

from .audit import audit_searched
from .hours import is_within_hours, why_outside
from .models import Terminal
from .services import terminal_register, terminal_retire

router = Router(tags=["terminals"])
HostName = Annotated[str, Field(max_length=120)]  # the column of Terminal.host_name and Event.host


class TerminalOut(Schema):
    host_name: str
    location: str
    unit: str = Field(description="所管課コード")
    unit_name: str
    systems: list[str] = Field(description="利用システム (access.System.code)")
    active_from: dt.date
    active_to: dt.date | None

    @staticmethod
    def resolve_unit(terminal: Terminal) -> str:
        return terminal.unit.code

    @staticmethod
    def resolve_unit_name(terminal: Terminal) -> str:
        return terminal.unit.name

    @staticmethod
    def resolve_systems(terminal: Terminal) -> list[str]:
        return sorted(s.code for s in terminal.systems.all())


class TerminalIn(Schema):
    host_name: HostName
    unit: Code = Field(description="所管課コード")
    location: str = Field("", max_length=200)
    systems: list[Code] = []
    active_from: dt.date
    note: str = Field("", max_length=200)


class OperatorOut(Schema):
    """A designation whose target is the terminal, read straight from the row (no dict builder)."""

    id: int
    host_name: str = Field(alias="terminal.host_name")
    staff_number: str = Field(alias="person.staff_number")
    name: str = Field(alias="person.name")
    valid_from: dt.date
    valid_to: dt.date | None
    state: str = Field(description="designated | reported | ended")
    designated_by: str = Field(alias="designated_by.name")
    designated_capacity: str = Field(alias="designated_as", description="指定者の資格")
    reported_to: str | None = Field(None, alias="reported_to.name")
    reported_at: dt.datetime | None


class DesignateIn(Schema):
    staff_number: Code
    valid_from: dt.date
    valid_to: dt.date | None = None
    designator: Code | None = Field(None, description="紙で指定された場合の指定者の職員番号 (管理者の入力)")


class OperatorEndIn(Schema):
    on: dt.date
    reason: str = Field(max_length=200)  # 解除の理由: 200


class HoursOut(Schema):
    at: dt.datetime
    within: bool
    reason: str


class EventOut(Schema):
    at: str
    kind: str
    account: str
    staff_number: str
    name: str
    host: str
    system: str
    subject: str
    action: str
    result_count: int | str
    session: str
    training: str


class AuditPageOut(Schema):
    query: str
    rows: list[EventOut]
    next_cursor: str = Field(description="次のページ: after= に渡す (空なら最後のページ)")


def _admin(request, perm: str = "terminals.register") -> None:
    require(request.user, perm, message="管理者（情報政策課）だけが行えます")


@router.get("/terminals", response=list[TerminalOut])
def terminals_list(request, unit: Code = ""):
    """The terminal register (端末機台帳), optionally for one section."""
    terminals = Terminal.objects.select_related("unit").prefetch_related("systems").order_by("host_name")
    if unit:
        terminals = terminals.filter(unit__code=unit)
    return terminals


@router.post("/terminals", response={201: TerminalOut, 400: ProblemOut})
def terminals_register(request, body: TerminalIn):
    """Register a terminal (administrators)."""
    _admin(request)
    unit = get_object_or_404(Unit, code=body.unit)
    systems = list(System.objects.filter(code__in=body.systems))
    missing = sorted(set(body.systems) - {s.code for s in systems})
    if missing:
        return Status(
            400, {"message": f"システム {', '.join(missing)} は登録されていません", "field": "systems"}
        )
    terminal = terminal_register(
        host_name=body.host_name,
        unit=unit,
        actor=request.user,
        active_from=body.active_from,
        location=body.location,
        systems=systems,
        note=body.note,
    )
    return Status(201, terminal)


@router.post("/terminals/{host_name}/retire", response={200: TerminalOut, 400: ProblemOut})
def terminals_retire(request, host_name: HostName, on: dt.date):
    _admin(request)
    terminal = get_object_or_404(Terminal, host_name__iexact=host_name)
    return terminal_retire(terminal=terminal, on=on, actor=request.user)


@router.get("/terminals/{host_name}/operators", response=list[OperatorOut])
def operators_list(request, host_name: HostName, on: dt.date | None = None):
    """The designated operators of a terminal (in force on ``on``, default today)."""
    terminal = get_object_or_404(Terminal, host_name__iexact=host_name)
    return terminal.designations.on(on or time.today()).select_related(
        "terminal", "person", "designated_by", "reported_to"
    )


@router.post("/terminals/{host_name}/operators", response={201: OperatorOut, 400: ProblemOut})
def operators_designate(request, host_name: HostName, body: DesignateIn):
    """Designate an operator (YAN-12-3, FUK-18-2: the role the pack names, in the terminal's section)."""
    terminal = get_object_or_404(Terminal, host_name__iexact=host_name)
    person = Person.objects.filter(staff_number=body.staff_number).first()
    if person is None:
        return Status(
            400, {"message": f"職員番号 {body.staff_number} の職員はいません", "field": "staff_number"}
        )
    designator = None
    if body.designator:
        designator = Person.objects.filter(staff_number=body.designator).first()
        if designator is None:
            return Status(
                400, {"message": f"職員番号 {body.designator} の職員はいません", "field": "designator"}
            )
    designation = designation_add(
        kind=operator_rule(active_pack()).kind,
        terminal=terminal,
        person=person,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        actor=request.user,
        designator=designator,
    )
    return Status(201, designation)


@router.post("/operators/{designation_id}/end", response={200: OperatorOut, 400: ProblemOut})
def operators_end(request, designation_id: int, body: OperatorEndIn):
    designation = get_object_or_404(Designation, pk=designation_id, terminal__isnull=False)
    return designation_end(designation=designation, on=body.on, reason=body.reason, actor=request.user)


@router.post("/units/{unit_code}/report", response={200: list[OperatorOut], 400: ProblemOut})
def operators_report(request, unit_code: Code):
    """Report the section's unreported designations on the pack's form (様式第1号)."""
    unit = get_object_or_404(Unit, code=unit_code)
    return designations_report(kind=operator_rule(active_pack()).kind, unit=unit, actor=request.user)


@router.get("/report", response={200: None})
def operators_report_export(request, fmt: Code = "xlsx", unit: Code = "", on: dt.date | None = None):
    """The pack's report of the terminal operators (様式第1号, or the list) as xlsx or PDF."""
    if fmt not in ("xlsx", "pdf"):
        raise HttpError(400, "fmt は xlsx か pdf です")
    target = get_object_or_404(Unit, code=unit) if unit else None
    pack = active_pack()
    export = designation_report(pack=pack, spec=operator_rule(pack), unit=target, on=on)
    return export_response(export, fmt=fmt, filename=f"terminal_operators_{unit or 'all'}")


@router.get("/hours", response=HoursOut)
def hours_check(request, at: dt.datetime, system: Code = ""):
    """Whether a moment is within the operating hours (YAN-13-1, FUK-18-4), and why not."""
    pack = active_pack()
    if at.tzinfo is None:
        at = at.replace(tzinfo=time.TOKYO)
    target = System.objects.filter(code=system).first() if system else None
    return {
        "at": at,
        "within": is_within_hours(pack=pack, at=at, system=target),
        "reason": why_outside(pack=pack, at=at, system=target),
    }


# --- audit search -----------------------------------------------------------------------------


class AuditFilter(Schema):
    since: dt.date
    until: dt.date
    person: Code = Field("", description="職員番号")
    subject: str = Field("", max_length=120, description="対象 (宛名番号など)")
    account: str = Field("", max_length=120, description="利用者ID")
    host: HostName = Field("", description="端末のホスト名")
    kinds: list[Code] = Field([], description="logon, logoff, search, extract …")
    outside_hours: bool = False


class AuditSearchIn(AuditFilter):
    after: Code = Field("", description="前のページの next_cursor (空なら最初のページ)")
    limit: int = Field(50, ge=1, le=500)


class AuditExportIn(AuditFilter):
    fmt: Code = Field("xlsx", description="xlsx | csv")


SEARCH_BY_POST = (
    "操作記録の検索は POST で行います（検索したこと自体を記録するため: MAI-3, MAI-21-4）。"
    "本文に since, until と person / subject / account / host / outside_hours のいずれかを JSON で指定してください。"
)


def _query(request, filters: AuditFilter):
    _admin(request, "terminals.audit_search")
    try:
        return audit_query(**filters.dict(include=set(AuditFilter.model_fields)))
    except SearchError as error:
        raise HttpError(400, f"{error.field}: {error.message}") from None


@router.get("/audit/events", response={405: ProblemOut})
def audit_events_usage(request):
    """Searches are POSTs (each is recorded); a GET only says so."""
    return Status(405, {"message": SEARCH_BY_POST, "article": "", "field": None})


@router.post("/audit/events", response={200: AuditPageOut, 400: ProblemOut})
def audit_events(request, body: AuditSearchIn):
    """Everything a person did between two dates, everything done to a subject, or all use outside
    hours in a period: keyset pages, oldest first (administrators).  Every page is recorded, the
    first and each next one (``after``)."""
    query = _query(request, body)
    pack = active_pack()
    try:
        page = audit_page(query, after=body.after, limit=body.limit, pack=pack)
    except SearchError as error:
        raise HttpError(400, f"{error.field}: {error.message}") from None
    audit_searched(query=query, actor=request.user, purpose="api.next" if body.after else "api")
    names = [f for f in EventOut.model_fields]
    return {
        "query": query.describe(),
        "rows": [dict(zip(names, event_row(e), strict=True)) for e in page.rows],
        "next_cursor": page.next_cursor,
    }


@router.post("/audit/export", response={200: None, 400: ProblemOut})
def audit_events_export(request, body: AuditExportIn):
    """The whole result as xlsx or csv (UTF-8 with BOM), streamed; recorded like a search."""
    query = _query(request, body)
    pack = active_pack()
    fmt = body.fmt
    if fmt not in ("xlsx", "csv"):
        raise HttpError(400, "fmt は xlsx か csv です")
    audit_searched(query=query, actor=request.user, purpose=f"export.{fmt}")
    if fmt == "csv":
        response = StreamingHttpResponse(
            audit_csv_chunks(query, pack=pack), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''audit_events.csv"
        return response
    actor = getattr(request.user, "display_name", "") or request.user.get_username()
    return export_response(
        audit_export(query, pack=pack, actor_label=actor), fmt="xlsx", filename="audit_events"
    )
