"""JSON API of the access domain; mounted by mamori/api.py under /api/access/.

Every change goes through the services of :mod:`mamori.access.services` (and the approval engine
for requests), so the API refuses exactly what the screens refuse, naming the field and article."""

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from mamori.core import time
from mamori.core.policy import require
from mamori.core.schemas import API_PAGE_SIZE, Code, ProblemOut, Text, Title
from mamori.organisation.models import Person, Unit
from mamori.regulations.active import active_pack
from mamori.systems.models import MaintenanceContract, System
from mamori.systems.services import privilege_define, system_register, system_update
from mamori.workflows.services import request_file

from .models import Entitlement, ProposalState, RevocationProposal
from .policies import visible_proposals
from .selectors import entitlement_history, entitlement_list, scope_of, visible_entitlements
from .services import (
    biometric_registration_record,
    contract_register,
    entitlement_assign_directly,
    entitlement_delete,
    entitlements_expire,
    maintenance_entitlement_register,
    user_registration_record,
)
from .transfers import revocation_proposal_apply, revocation_proposal_dismiss

router = Router(tags=["access"])


class PrivilegeOut(Schema):
    code: str
    name: str
    description: str = ""


class PrivilegeIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=120)
    description: str = Field("", max_length=300)


class SystemOut(Schema):
    code: str
    name: str
    owner_unit: str = Field(description="所管課")
    category: str
    administrator_role: str = Field(description="管理者の役割 (パックの役割コード、空はシステム管理者)")
    flags: list[str] = Field(description="パックが定める区分フラグ (cokas, two_factor …)")
    handles_personal_information: bool
    handles_specific_personal_information: bool
    handles_identity_information: bool
    privileges: list[PrivilegeOut]


class EntitlementOut(Schema):
    id: int
    staff_number: str
    person: str
    unit: str | None = Field(None, description="職員の現在の所属")
    system: str
    system_name: str
    privilege: str
    privilege_name: str
    user_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    state: str = Field(description="pending | active | revoked | expired | deleted")
    basis: str = Field(description="request (別記様式1) | direct (KIT-5-5) | maintenance (KIT-5-9)")
    request_id: int | None
    contract: str | None
    end_reason: str


class EntitlementPage(Schema):
    count: int
    page: int
    pages: int
    scope: str = Field(description="見える範囲 (KIT-4)")
    items: list[EntitlementOut]


class HistoryOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    action_label: str  # the action in words (「権限を登録」); ``action`` is its stored code
    actor: str
    capacity: str
    article: str
    requirement: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PrivilegeRequestIn(Schema):
    """別記様式1: action grant (登録) | change (変更: privileges is the wanted set) | revoke (解除)."""

    action: Code = "grant"
    person: Code = Field(description="職員番号")
    system: Code
    privileges: list[Code]
    user_id: str = Field("", max_length=60)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    reason: Text = ""
    terminal: bool = Field(False, description="端末装置の操作権限 (access.terminal_privilege, KIT-6)")


class FiledOut(Schema):
    id: int
    kind: str
    title: str
    state: str


class DirectIn(Schema):
    person: Code
    system: Code
    privileges: list[Code]
    user_id: str = Field("", max_length=60)
    valid_from: dt.date | None = None


class ReasonIn(Schema):
    reason: str = Field(max_length=300)  # 管理ファイルの終了の理由, 解除提案の備考: 300


class MaintenanceIn(Schema):
    person: Code
    system: Code
    privileges: list[Code]
    contract: Code = Field(description="契約番号")
    valid_to: dt.date
    valid_from: dt.date | None = None
    user_id: str = Field("", max_length=60)


class ContractIn(Schema):
    number: str = Field(max_length=60)
    company: str = Field(max_length=120)
    title: Title = ""
    start: dt.date
    end: dt.date
    systems: list[Code] = []


class ContractOut(Schema):
    id: int
    number: str
    company: str
    start: dt.date
    end: dt.date


class UserRegistrationIn(Schema):
    person: Code
    registered_on: dt.date
    reference: str = Field("", max_length=100)


class BiometricIn(Schema):
    person: Code
    system: Code
    place: str = Field(max_length=120)
    registered_on: dt.date


class DoneOut(Schema):
    id: int
    changed: list[int] = Field(description="変わった管理ファイルの行")


class ExpireIn(Schema):
    date: dt.date | None = None


class ExpireOut(Schema):
    expired: list[int]


class ProposalOut(Schema):
    id: int
    entitlement_id: int
    staff_number: str
    person: str
    system: str
    cause: str
    effective: dt.date
    detail: str
    state: str

    @staticmethod
    def resolve_staff_number(proposal: RevocationProposal) -> str:
        return proposal.person.staff_number

    @staticmethod
    def resolve_person(proposal: RevocationProposal) -> str:
        return proposal.person.name

    @staticmethod
    def resolve_system(proposal: RevocationProposal) -> str:
        return proposal.entitlement.system.code


def _person(staff_number: str) -> Person:
    person = Person.objects.filter(staff_number=staff_number).first()
    if person is None:
        raise HttpError(400, f"職員番号 {staff_number} の職員はいません")
    return person


def _system(code: str) -> System:
    system = System.objects.filter(code=code).first()
    if system is None:
        raise HttpError(400, f"システム {code} は登録されていません")
    return system


def _line_out(line: Entitlement) -> dict[str, Any]:
    return {
        "id": line.pk,
        "staff_number": line.person.staff_number,
        "person": line.person.name,
        "unit": getattr(line, "unit_name", None),
        "system": line.system.code,
        "system_name": line.system.name,
        "privilege": line.privilege.code,
        "privilege_name": line.privilege.name,
        "user_id": line.user_id,
        "valid_from": line.valid_from,
        "valid_to": line.valid_to,
        "state": line.state,
        "basis": line.basis,
        "request_id": line.request_id,
        "contract": line.contract.number if line.contract else None,
        "end_reason": line.end_reason,
    }


@router.get("/systems", response=list[SystemOut])
def systems_list(request):
    """The systems register (KIT-3) with each system's privileges catalogue."""
    systems = System.objects.select_related("owner_unit").prefetch_related("privileges").order_by("code")
    return [
        {
            **{f: getattr(s, f) for f in ("code", "name", "category", "administrator_role", "flags")},
            "owner_unit": s.owner_unit.name,
            "handles_personal_information": s.handles_personal_information,
            "handles_specific_personal_information": s.handles_specific_personal_information,
            "handles_identity_information": s.handles_identity_information,
            "privileges": [
                {"code": p.code, "name": p.name, "description": p.description} for p in s.privileges.all()
            ],
        }
        for s in systems
    ]


@router.get("/systems/{code}/privileges", response=list[PrivilegeOut])
def system_privileges(request, code: Code):
    return list(get_object_or_404(System, code=code).privileges.values("code", "name", "description"))


@router.get("/entitlements", response=EntitlementPage)
def entitlements(
    request,
    system: Code = "",
    unit: Code = "",
    state: Code = "",
    q: Code = "",
    person: Code = "",
    page: int = 1,
    page_size: int = 50,
):
    """The management file as the user may see it (KIT-4), filtered and paginated."""
    pack, today = active_pack(), time.today()
    scope = scope_of(request.user, pack=pack, on=today)
    lines = entitlement_list(
        visible_entitlements(request.user, pack=pack, on=today, scope=scope),
        on=today,
        system=system,
        unit=unit,
        state=state,
        text=q,
        person=person,
    )
    paginator = Paginator(lines, max(1, min(page_size, 500)))
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "scope": scope.label,
        "items": [_line_out(line) for line in current],
    }


@router.get("/entitlements/{entitlement_id}/history", response=list[HistoryOut])
def entitlement_records(request, entitlement_id: int):
    """Every record of one line, oldest first."""
    pack, today = active_pack(), time.today()
    line = get_object_or_404(visible_entitlements(request.user, pack=pack, on=today), pk=entitlement_id)
    return [
        {
            "seq": r.seq,
            "at": r.at,
            "action": r.action,
            "action_label": r.action_label,
            "actor": r.actor_label,
            "capacity": r.capacity,
            "article": r.article,
            "requirement": r.requirement,
            "before": r.before,
            "after": r.after,
        }
        for r in entitlement_history(line)
    ]


@router.post("/requests", response={201: FiledOut, 400: ProblemOut})
def privilege_request_file(request, body: PrivilegeRequestIn):
    """File 別記様式1 (KIT-5-2; KIT-6 with ``terminal``) through the approval engine."""
    payload = body.dict(exclude={"terminal"})
    for name in ("valid_from", "valid_to"):
        payload[name] = payload[name].isoformat() if payload[name] else ""
    kind = "access.terminal_privilege" if body.terminal else "access.privilege"
    filed = request_file(kind=kind, actor=request.user, payload=payload)
    return Status(201, {"id": filed.pk, "kind": filed.kind, "title": filed.title, "state": filed.state})


@router.post("/entitlements/direct", response={201: list[EntitlementOut], 400: ProblemOut})
def direct_assignment(request, body: DirectIn):
    """KIT-5-5: the administrator assigns without a request (別表第2 organisations)."""
    lines = entitlement_assign_directly(
        person=_person(body.person),
        system=_system(body.system),
        privileges=body.privileges,
        user_id=body.user_id,
        valid_from=body.valid_from,
        actor=request.user,
        pack=active_pack(),
    )
    return Status(201, [_line_out(line) for line in lines])


@router.post("/entitlements/{entitlement_id}/delete", response={200: EntitlementOut, 400: ProblemOut})
def entitlement_deletion(request, entitlement_id: int, body: ReasonIn):
    """KIT-5-7: delete a line with the reason (required); the 情報セキュリティ責任者 is told."""
    line = get_object_or_404(Entitlement, pk=entitlement_id)
    deleted = entitlement_delete(entitlement=line, actor=request.user, reason=body.reason, pack=active_pack())
    return Status(
        200,
        _line_out(
            Entitlement.objects.select_related("person", "system", "privilege", "contract").get(pk=deleted.pk)
        ),
    )


@router.post("/contracts", response={201: ContractOut, 400: ProblemOut})
def contract_new(request, body: ContractIn):
    contract = contract_register(
        number=body.number,
        company=body.company,
        title=body.title,
        start=body.start,
        end=body.end,
        systems=list(System.objects.filter(code__in=body.systems)),
        actor=request.user,
        pack=active_pack(),
    )
    return Status(201, {f: getattr(contract, f) for f in ("id", "number", "company", "start", "end")})


@router.post("/maintenance", response={201: list[EntitlementOut], 400: ProblemOut})
def maintenance_registration(request, body: MaintenanceIn):
    """KIT-5-9: maintenance staff's ID and privileges under a contract, with an end date."""
    contract = MaintenanceContract.objects.filter(number=body.contract).first()
    if contract is None:
        return Status(400, {"message": f"契約 {body.contract} は登録されていません", "field": "contract"})
    lines = maintenance_entitlement_register(
        person=_person(body.person),
        system=_system(body.system),
        privileges=body.privileges,
        contract=contract,
        valid_to=body.valid_to,
        valid_from=body.valid_from,
        user_id=body.user_id,
        actor=request.user,
        pack=active_pack(),
    )
    return Status(201, [_line_out(line) for line in lines])


@router.post("/user-registrations", response={201: DoneOut, 400: ProblemOut})
def user_registration(request, body: UserRegistrationIn):
    """KIT-5-3: record the user-information registration of a 会計年度任用職員."""
    registration = user_registration_record(
        person=_person(body.person),
        registered_on=body.registered_on,
        reference=body.reference,
        actor=request.user,
        pack=active_pack(),
    )
    return Status(201, {"id": registration.pk, "changed": []})


@router.post("/biometric-registrations", response={201: DoneOut, 400: ProblemOut})
def biometric_registration(request, body: BiometricIn):
    """KIT-6: record the biometric registration; pending terminal privileges become active."""
    registration, lines = biometric_registration_record(
        person=_person(body.person),
        system=_system(body.system),
        place=body.place,
        registered_on=body.registered_on,
        actor=request.user,
        pack=active_pack(),
    )
    return Status(201, {"id": registration.pk, "changed": [line.pk for line in lines]})


@router.post("/expire", response=ExpireOut)
def expire(request, body: ExpireIn):
    """KIT-7: expire every line past its validity or term (administrators; idempotent)."""
    require(request.user, "access.run_expiry", message="期間満了の処理は管理者が行います")
    return {
        "expired": [
            line.pk for line in entitlements_expire(on=body.date, pack=active_pack(), actor=request.user)
        ]
    }


@router.get(
    "/proposals",
    response=list[ProposalOut],
    summary=f"解除提案: {API_PAGE_SIZE}件ずつのページ（items・count、?page=）",
)
@paginate(PageNumberPagination, page_size=API_PAGE_SIZE)
def proposals(request, state: Code = ProposalState.OPEN):
    """KIT-5-5: revocations proposed from the staff import (transfers and retirements), as far as
    the user's policy shows them (a transfer is not public before it happens)."""
    require(request.user, "access.view_proposals", message="解除提案はシステムの管理者が扱います")
    return visible_proposals(request.user).filter(state=state)


@router.post("/proposals/{proposal_id}/apply", response={200: DoneOut, 400: ProblemOut})
def proposal_apply(request, proposal_id: int):
    proposal = get_object_or_404(RevocationProposal, pk=proposal_id)
    done = revocation_proposal_apply(proposal=proposal, actor=request.user, pack=active_pack())
    return Status(200, {"id": done.pk, "changed": [done.entitlement_id]})


@router.post("/proposals/{proposal_id}/dismiss", response={200: DoneOut, 400: ProblemOut})
def proposal_dismiss(request, proposal_id: int, body: ReasonIn):
    proposal = get_object_or_404(RevocationProposal, pk=proposal_id)
    done = revocation_proposal_dismiss(
        proposal=proposal, actor=request.user, reason=body.reason, pack=active_pack()
    )
    return Status(200, {"id": done.pk, "changed": []})


class SystemIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=120)
    owner_unit: Code = Field(description="所管課の所属コード")
    category: str = Field("", max_length=40)
    administrator_role: str = Field("", max_length=60)
    flags: list[Code] = []
    handles_personal_information: bool = False
    handles_specific_personal_information: bool = False
    handles_identity_information: bool = False
    privileges: list[PrivilegeIn] = []


class SystemChangeIn(Schema):
    name: str | None = Field(None, max_length=120)
    category: str | None = Field(None, max_length=40)
    administrator_role: str | None = Field(None, max_length=60)
    flags: list[Code] | None = None
    handles_personal_information: bool | None = None
    handles_specific_personal_information: bool | None = None
    handles_identity_information: bool | None = None
    note: str | None = Field(None, max_length=300)


def _system_out(code: str) -> dict[str, Any]:
    return next(s for s in systems_list(None) if s["code"] == code)


@router.post("/systems", response={201: SystemOut, 400: ProblemOut})
def system_new(request, body: SystemIn):
    """Register a system with its administrator role, flags and privileges (administrators of mamori)."""
    require(request.user, "access.manage_systems", message="情報システムの登録は管理者が行います")
    unit = Unit.objects.filter(code=body.owner_unit).first()
    if unit is None:
        return Status(400, {"message": f"所属コード {body.owner_unit} はありません", "field": "owner_unit"})
    values = body.dict(exclude={"code", "name", "owner_unit", "privileges"})
    system_register(
        code=body.code,
        name=body.name,
        owner_unit=unit,
        actor=request.user,
        pack=active_pack(),
        privileges=[(p.code, p.name) for p in body.privileges],
        **values,
    )
    return Status(201, _system_out(body.code))


@router.post("/systems/{code}", response={200: SystemOut, 400: ProblemOut})
def system_change(request, code: Code, body: SystemChangeIn):
    """Change a system's register entry; the change is recorded before/after."""
    require(request.user, "access.manage_systems", message="情報システムの変更は管理者が行います")
    system = get_object_or_404(System, code=code)
    changes = {k: v for k, v in body.dict().items() if v is not None}
    system_update(system=system, changes=changes, actor=request.user, pack=active_pack())
    return Status(200, _system_out(code))


@router.post("/systems/{code}/privileges", response={201: PrivilegeOut, 400: ProblemOut})
def system_privilege_new(request, code: Code, body: PrivilegeIn):
    require(request.user, "access.manage_systems", message="操作権限の登録は管理者が行います")
    system = get_object_or_404(System, code=code)
    privilege = privilege_define(
        system=system, code=body.code, name=body.name, description=body.description, actor=request.user
    )
    return Status(201, {"code": privilege.code, "name": privilege.name, "description": privilege.description})
