"""JSON API of the credentials domain; mounted by mamori/api.py under /api/credentials/.

Every change goes through the services (credentials.services, .operator_ids, .loans).  A password or
PIN appears in exactly one response — the one that issued it — and nowhere else, ever."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from mamori.core import time
from mamori.core.schemas import API_PAGE_SIZE, Code, ProblemOut, Text
from mamori.organisation.models import Person, Unit
from mamori.systems.models import Privilege, System
from mamori.workflows.models import Request, RequestStep, StepState
from mamori.workflows.services import request_decide

from .loans import loan_lend, loan_return, viewing_id_register
from .models import Credential, CredentialState, IdState, Loan, OperatorId, VerificationId, ViewingId
from .operator_ids import operator_id_issue, verification_id_end
from .policies import (
    CREDENTIAL_RELATED,
    visible_credentials,
    visible_loans,
    visible_operator_ids,
    visible_viewing_ids,
)
from .services import (
    collecting_issued,
    credential_change_confirm,
    credential_issue_temporary,
)

router = Router(tags=["credentials"])

SHOWN_ONCE = "この値は今回だけ表示されます。mamori には保存されません（ハッシュのみ保存）。"


class CredentialOut(Schema):
    """A credential as its row holds it (never the secret): people and systems by their codes."""

    id: int
    person: str
    person_name: str
    system: str | None
    terminal: str
    secret_kind: str
    purpose: str
    state: str
    issued_at: dt.datetime
    issued_as: str
    change_due: dt.date | None
    changed_at: dt.datetime | None
    notified_to: str | None
    notified_via: str | None
    article: str
    requirement: str

    @staticmethod
    def resolve_person(c: Credential) -> str:
        return c.person.staff_number

    @staticmethod
    def resolve_person_name(c: Credential) -> str:
        return c.person.name

    @staticmethod
    def resolve_system(c: Credential) -> str | None:
        return c.system.code if c.system_id else None

    @staticmethod
    def resolve_notified_to(c: Credential) -> str | None:
        return c.notified_to.name if c.notified_to_id else None

    @staticmethod
    def resolve_notified_via(c: Credential) -> str | None:
        return c.notified_via.name if c.notified_via_id else None


class IssuedOut(Schema):
    credential: CredentialOut
    secret: str
    warning: str = SHOWN_ONCE


class IssueIn(Schema):
    person: Code  # 職員番号
    system: Code | None = None  # システムコード
    terminal: str = Field("", max_length=80)  # 端末機 (暗証番号・端末パスワード)
    purpose: Code | None = None  # temporary | assigned | maintenance (省略時は規程から)


class DecideIn(Schema):
    comment: Text = ""


class ApprovedOut(Schema):
    request_id: int
    state: str
    issued: list[IssuedOut]


class OperatorIdIn(Schema):
    person: Code
    system: Code
    privileges: list[Code]
    verification_id: str = Field("", max_length=40)
    operator_id: str = Field("", max_length=40)


class OperatorIdOut(Schema):
    code: str
    verification_id: str
    person: str
    person_name: str
    system: str
    privileges: list[str]
    state: str
    issued_at: dt.datetime

    @staticmethod
    def resolve_verification_id(o: OperatorId) -> str:
        return o.verification.code

    @staticmethod
    def resolve_person(o: OperatorId) -> str:
        return o.verification.person.staff_number

    @staticmethod
    def resolve_person_name(o: OperatorId) -> str:
        return o.verification.person.name

    @staticmethod
    def resolve_system(o: OperatorId) -> str:
        return o.system.code

    @staticmethod
    def resolve_privileges(o: OperatorId) -> list[str]:
        return [p.code for p in o.privileges.all()]


class VerificationEndIn(Schema):
    reason: Text


class ViewingIdIn(Schema):
    code: str = Field(max_length=40)
    unit: Code  # 所属コード of the section that has the terminal
    terminal: str = Field("", max_length=80)


class ViewingIdOut(Schema):
    id: int
    code: str
    unit: str
    unit_name: str
    terminal: str
    active: bool

    @staticmethod
    def resolve_unit(v: ViewingId) -> str:
        return v.unit.code

    @staticmethod
    def resolve_unit_name(v: ViewingId) -> str:
        return v.unit.name


class LoanIn(Schema):
    viewing_id: Code  # code
    viewer: Code  # 職員番号
    purpose: str = Field("", max_length=200)
    request_id: int | None = None


class LoanOut(Schema):
    id: int
    viewing_id: str
    viewer: str
    viewer_name: str
    viewer_unit: str
    purpose: str
    lent_at: dt.datetime
    lent_as: str
    returned_at: dt.datetime | None
    request_id: int | None

    @staticmethod
    def resolve_viewing_id(loan: Loan) -> str:
        return loan.viewing_id.code

    @staticmethod
    def resolve_viewer(loan: Loan) -> str:
        return loan.viewer.staff_number


# Refusals (CredentialError, WorkflowError, the policy's Refused) are the API's one Problem schema
# (mamori/api.py's problem_handlers): no router translates them.

PAGED = f"{API_PAGE_SIZE}件ずつのページ（items・count、?page=）"


@router.get(
    "/passwords", response=list[CredentialOut], summary=f"パスワード・暗証番号の一覧（値は含まない）: {PAGED}"
)
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def passwords_list(request, overdue: bool = False, state: Code | None = None):
    """KIT-8-2: ``overdue=true`` lists temporary passwords past their change deadline."""
    rows = visible_credentials(request.user)
    if state:
        rows = rows.filter(state=state)
    if overdue:
        rows = rows.filter(state=CredentialState.ISSUED, change_due__lt=time.today())
    return rows


@router.post("/passwords", response={201: IssuedOut, 400: ProblemOut}, summary="仮パスワード・暗証番号の発行")
def passwords_issue(request, body: IssueIn):
    """KIT-8-2, KIT-8-8, YAN-12-4, FUK-18-2: the secret is in this response only."""
    person = get_object_or_404(Person, staff_number=body.person)
    system = get_object_or_404(System, code=body.system) if body.system else None
    issued = credential_issue_temporary(
        person=person, system=system, terminal=body.terminal, purpose=body.purpose, actor=request.user
    )
    return Status(201, issued)


@router.post(
    "/passwords/{credential_id}/changed", response={200: CredentialOut, 400: ProblemOut}, summary="変更の確認"
)
def passwords_changed(request, credential_id: int):
    """KIT-8-4: the user (or the one who set it) records that the temporary password was changed."""
    credential = get_object_or_404(visible_credentials(request.user), pk=credential_id)
    changed = credential_change_confirm(credential=credential, actor=request.user)
    return Status(200, Credential.objects.select_related(*CREDENTIAL_RELATED).get(pk=changed.pk))


@router.post(
    "/password-requests/{request_id}/register",
    response={200: ApprovedOut, 400: ProblemOut},
    summary="別記様式2の登録（仮パスワードを一度だけ返す）",
)
def password_request_register(request, request_id: int, body: DecideIn):
    """KIT-8-1/8-2: the system's administrator registers a password request; the temporary password
    set by the registration is returned in this response only."""
    found = get_object_or_404(Request, pk=request_id, kind="access.password")
    step = RequestStep.objects.filter(request=found, round=found.round, state=StepState.PENDING).first()
    if step is None:
        return Status(400, {"message": "登録待ちの段階がありません", "article": "", "field": None})
    with collecting_issued() as issued:
        decided = request_decide(step=step, actor=request.user, action="approve", comment=body.comment)
    return Status(200, {"request_id": decided.pk, "state": decided.state, "issued": issued})


OPERATORS = OperatorId.objects.select_related("verification__person", "system").prefetch_related("privileges")


@router.get("/operator-ids", response=list[OperatorIdOut], summary=f"照合ID・操作者IDの一覧: {PAGED}")
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def operator_ids_list(request, person: Code | None = None, active: bool = True):
    rows = visible_operator_ids(request.user)
    if person:
        rows = rows.filter(verification__person__staff_number=person)
    if active:
        rows = rows.filter(state=IdState.ACTIVE)
    return rows


@router.post(
    "/operator-ids", response={201: OperatorIdOut, 400: ProblemOut}, summary="照合ID・操作者IDの付与"
)
def operator_ids_issue(request, body: OperatorIdIn):
    """MAI-23: a code already given to someone else is refused, naming 第23条."""
    person = get_object_or_404(Person, staff_number=body.person)
    system = get_object_or_404(System, code=body.system)
    privileges = list(Privilege.objects.filter(system=system, code__in=body.privileges))
    if len(privileges) != len(set(body.privileges)):
        return Status(
            400, {"message": f"{system.name}に無い権限があります", "article": "", "field": "privileges"}
        )
    issued = operator_id_issue(
        person=person,
        system=system,
        privileges=privileges,
        actor=request.user,
        verification_code=body.verification_id,
        operator_code=body.operator_id,
    )
    return Status(201, OPERATORS.get(pk=issued.pk))


@router.post(
    "/verification-ids/{code}/end",
    response={200: dict, 400: ProblemOut},
    summary="照合IDの廃止（配下の操作者IDも）",
)
def verification_ids_end(request, code: Code, body: VerificationEndIn):
    verification = get_object_or_404(VerificationId, code=code)
    ended = verification_id_end(verification=verification, actor=request.user, reason=body.reason)
    return Status(200, {"code": ended.code, "state": ended.state})


@router.get("/viewing-ids", response=list[ViewingIdOut], summary=f"閲覧用ユーザIDの一覧: {PAGED}")
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def viewing_ids_list(request, unit: Code | None = None):
    rows = visible_viewing_ids(request.user)
    if unit:
        rows = rows.filter(unit__code=unit)
    return rows


@router.post("/viewing-ids", response={201: ViewingIdOut, 400: ProblemOut}, summary="閲覧用ユーザIDの登録")
def viewing_ids_register(request, body: ViewingIdIn):
    unit = get_object_or_404(Unit, code=body.unit)
    viewing = viewing_id_register(code=body.code, unit=unit, terminal=body.terminal, actor=request.user)
    return Status(201, viewing)


LOANS = Loan.objects.select_related("viewing_id", "viewer")


@router.get("/loans", response=list[LoanOut], summary=f"閲覧用ユーザIDの貸与記録: {PAGED}")
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def loans_list(request, open: bool = False):
    rows = visible_loans(request.user)
    if open:
        rows = rows.filter(returned_at__isnull=True)
    return rows


@router.post("/loans", response={201: LoanOut, 400: ProblemOut}, summary="閲覧用ユーザIDの貸与")
def loans_lend(request, body: LoanIn):
    """KIT-11: records the viewer's name, the ID and the time; one ID is not lent twice at once."""
    viewing = get_object_or_404(ViewingId, code=body.viewing_id)
    viewer = get_object_or_404(Person, staff_number=body.viewer)
    permission = get_object_or_404(Request, pk=body.request_id) if body.request_id else None
    loan = loan_lend(
        viewing_id=viewing, viewer=viewer, actor=request.user, purpose=body.purpose, request=permission
    )
    return Status(201, LOANS.get(pk=loan.pk))


@router.post(
    "/loans/{loan_id}/return", response={200: LoanOut, 400: ProblemOut}, summary="閲覧用ユーザIDの返却"
)
def loans_return(request, loan_id: int):
    loan = get_object_or_404(Loan, pk=loan_id)
    returned = loan_return(loan=loan, actor=request.user)
    return Status(200, LOANS.get(pk=returned.pk))
