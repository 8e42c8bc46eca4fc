"""The JSON API (django-ninja); its OpenAPI schema is served at /api/openapi.json and browsable at
/api/docs.  Every change goes through the same service functions as the screens."""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from ninja import NinjaAPI, Schema, Status
from ninja.openapi.docs import Swagger
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from mamori.core import time
from mamori.core.plugins import Domain, domains, resolve
from mamori.core.policy import require
from mamori.core.schemas import API_PAGE_SIZE, Code, JsonObject, ProblemOut, Text, Title
from mamori.events.verify import events_verify
from mamori.findings.models import FindingState
from mamori.findings.selectors import visible_findings
from mamori.organisation.roles import holders_of
from mamori.records.services import records_verify
from mamori.registers.api import problem_handlers
from mamori.regulations.active import active_installation, active_pack
from mamori.workflows.models import Request, RequestStep
from mamori.workflows.selectors import my_requests, visible_requests
from mamori.workflows.services import pending_steps_for, request_decide, request_file


class LocalSwagger(Swagger):
    """/api/docs from the Swagger UI vendored under mamori/web/static/mamori/swagger/ (LGWAN: no
    CDN), with its settings in a JSON block and its start-up in a static file (the CSP allows no
    inline script)."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": self.settings, "api": api}
        return render(request, "web/api_docs.html", context)


api = NinjaAPI(
    title="mamori API",
    version="1",
    auth=django_auth,
    description="守り: 規程パックに基づく申請・承認、役割、指摘、記録の検証",
    docs=LocalSwagger(settings={"persistAuthorization": False}),
    # The schema and its viewer describe every route: for signed-in staff only, like the rest of mamori.
    docs_decorator=login_required,
)


# --- limits: refusals in the one Problem shape (mamori/core/schemas.py ProblemOut) ---------------


def body_limit_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"リクエストの本文が上限 {limit:,} バイト（{limit / 1024 / 1024:.1f} MB）を超えています。"
        "分けて送ってください（設定 MAMORI_MAX_REQUEST_BYTES）。"
    )


def _problem_response(status: int, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(
        {"message": message, "article": "", "field": field},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


# The largest whole number a URL may carry (2**53, what JavaScript keeps exact): IDs and page numbers
# stay far below it, and page × page size (at most 1000) stays within the database's 64-bit integers.
MAX_URL_NUMBER = 2**53
NUMBER = re.compile(r"^-?\d+$")


def _too_large_number(request) -> str | None:
    """The name of the first query parameter or path segment that is a number beyond the limit."""
    for name, values in request.GET.lists():
        for value in values:
            if NUMBER.match(value.strip()) and abs(int(value)) > MAX_URL_NUMBER:
                return name
    for segment in request.path.split("/"):
        if NUMBER.match(segment) and abs(int(segment)) > MAX_URL_NUMBER:
            return "path"
    return None


class RequestLimitMiddleware:
    """Refusals before any view runs, in the Problem shape: a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    gets 413 with the limit (Django alone answers a bare 400 from the CSRF check, or a 500 in the
    API), a number in the URL beyond 2**53 gets 400 (the database would overflow: a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _problem_response(400, "Content-Length が不正です。", "Content-Length")
        if limit is not None and length > limit:
            return _problem_response(413, body_limit_message())
        field = _too_large_number(request)
        if field is not None:
            return _problem_response(
                400, f"数値が大きすぎます（上限 {MAX_URL_NUMBER:,}）。指定を確かめてください。", field
            )
        return self.get_response(request)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _problem_response(413, body_limit_message())


@api.exception_handler(OverflowError)
def _overflow(request, exc):
    # A number too large for the database (?page=99999999999999999999): the caller's mistake.
    return _problem_response(400, "数値が大きすぎます。ページ番号などの指定を確かめてください。")


@api.exception_handler(DataError)
def _data_error(request, exc):
    return _problem_response(400, "指定された値をデータベースで扱えません（数値が大きすぎる等）。")


# Every policy refusal, from a router or from a service, and every input ninja cannot read (422) is the
# one Problem schema naming the field.
problem_handlers(api)


class PackOut(Schema):
    pack: str
    municipality: str
    title: str
    number: str
    installation: str


class HolderOut(Schema):
    role: str
    role_name: str
    person: str
    staff_number: str
    unit: str | None
    capacity: str
    via: str
    deputy: bool


class StepOut(Schema):
    id: int
    order: int
    round: int
    role: str
    role_name: str
    label: str
    article: str
    state: str
    decided_by: str | None
    decided_as: str
    decided_at: dt.datetime | None
    comment: str

    @staticmethod
    def resolve_decided_by(step: RequestStep) -> str | None:
        return step.decided_by.display_name if step.decided_by else None


class RequestOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    requester: str
    requester_capacity: str
    filed_at: dt.datetime
    target_date: dt.date | None
    is_late: bool
    late_note: str
    payload: dict[str, Any]
    steps: list[StepOut]

    @staticmethod
    def resolve_requester(request: Request) -> str:
        return request.requester.name


class RequestIn(Schema):
    kind: Code
    title: Title = ""
    payload: JsonObject = {}


class DecisionIn(Schema):
    action: Code  # approve | reject | return
    comment: Text = ""


class FindingOut(Schema):
    id: int
    requirement: str
    article: str
    title: str
    state: str
    detected_at: dt.datetime


class VerifyOut(Schema):
    ok: bool
    checked: int
    first_bad: int | None
    problems: list[str]
    head_seq: int
    head_hash: str
    events_checked: int = 0
    events_chunks: int = 0
    events_first_bad: str | None = None


STEPS = Prefetch("steps", queryset=RequestStep.objects.select_related("decided_by__person"))


@api.get("/regulations/active", response=PackOut, tags=["規程"])
def regulation_active(request):
    pack = active_pack()
    return {
        "pack": pack.pack,
        "municipality": pack.municipality,
        "title": pack.title,
        "number": pack.number,
        "installation": active_installation().municipality,
    }


@api.get("/roles/holders", response=list[HolderOut], tags=["組織"])
def role_holders(request, on: dt.date | None = None):
    """Who holds each role of the active pack on a day (today by default), deputies included."""
    pack = active_pack()
    day = on or time.today()
    return [
        {
            "role": h.role_code,
            "role_name": h.role_name,
            "person": h.person.name,
            "staff_number": h.person.staff_number,
            "unit": h.unit.name if h.unit else None,
            "capacity": h.capacity,
            "via": h.via,
            "deputy": h.is_deputy,
        }
        for role in pack.roles
        for h in holders_of(role.code, on=day, pack=pack)
    ]


PAGED = f"{API_PAGE_SIZE}件ずつのページ（items・count、?page=）"


@api.get("/requests", response=list[RequestOut], tags=["申請"], summary=f"自分の申請: {PAGED}")
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def requests_mine(request, state: Code | None = None):
    rows = my_requests(request.user).prefetch_related(STEPS)
    if state:
        rows = rows.filter(state=state)
    return rows


@api.post("/requests", response={201: RequestOut, 400: ProblemOut}, tags=["申請"])
def requests_file(request, body: RequestIn):
    filed = request_file(kind=body.kind, actor=request.user, payload=body.payload, title=body.title)
    return Status(201, filed)


@api.get("/requests/{request_id}", response=RequestOut, tags=["申請"])
def request_detail(request, request_id: int):
    # The same rule as the screen's: a request the user may not see does not exist for them.
    found = get_object_or_404(
        visible_requests(request.user).select_related("requester").prefetch_related(STEPS), pk=request_id
    )
    return found


@api.get("/approvals", response=list[RequestOut], tags=["申請"])
def approvals_mine(request):
    steps = pending_steps_for(request.user.person).prefetch_related(
        Prefetch("request__steps", queryset=RequestStep.objects.select_related("decided_by__person"))
    )
    return [step.request for step in steps]


@api.post("/requests/{request_id}/decisions", response={200: RequestOut, 400: ProblemOut}, tags=["申請"])
def request_decision(request, request_id: int, body: DecisionIn):
    found = get_object_or_404(Request, pk=request_id)
    step = found.steps.filter(round=found.round, state="pending").first()
    if step is None:
        return Status(400, {"message": "決定待ちの段階がありません", "article": "", "field": None})
    decided = request_decide(step=step, actor=request.user, action=body.action, comment=body.comment)
    return Status(200, decided)


@api.get("/findings", response=list[FindingOut], tags=["指摘"], summary=f"指摘: {PAGED}")
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def findings_open(request, state: Code = FindingState.OPEN):
    """The findings the user may read (the same as the screen): their own and their units'."""
    return visible_findings(request.user).filter(state=state)


@api.get("/records/verify", response=VerifyOut, tags=["記録"])
def records_verification(request):
    require(request.user, "records.verify", message="記録の検証は管理者が行います")
    result = records_verify()
    # The event store hangs off the record chain: both are verified, as `mamori records verify` does.
    events = events_verify()
    return {
        "ok": result.ok and events.ok,
        "checked": result.checked,
        "first_bad": result.first_bad,
        "problems": result.problems + events.problems,
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
        "events_checked": events.checked,
        "events_chunks": events.chunks,
        "events_first_bad": events.first_bad,
    }


def add_domain_routers(target: NinjaAPI, found: list[Domain]) -> None:
    """Mount the router each domain declares (``Domain.api_router``) under its prefix (by default
    ``/<app label>/``): a new domain is added to the API by its AppConfig alone (issue 9 item 4)."""
    for domain in found:
        if domain.api_router:
            target.add_router(domain.api_prefix or f"/{domain.label}/", resolve(domain.api_router))


add_domain_routers(api, domains())
