"""管理ファイル: the management file (KIT-2, KIT-4), the systems register, the one-form privilege
request (KIT-5-2) and what waits for an administrator (KIT-5-5 proposals, KIT-6 biometric)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mamori.access.models import (
    OPEN_STATES,
    Entitlement,
    EntitlementState,
    ProposalState,
    RevocationProposal,
    UserRegistration,
)
from mamori.access.policies import requestable_people, visible_proposals
from mamori.access.selectors import entitlement_history, entitlement_list, scope_of, visible_entitlements
from mamori.access.services import (
    EntitlementError,
    biometric_registration_record,
    entitlement_delete,
    user_registration_record,
)
from mamori.access.transfers import revocation_proposal_apply
from mamori.core import time
from mamori.core.policy import may
from mamori.core.templatetags.pack import shares_form
from mamori.organisation.models import Employment, Person, Unit
from mamori.systems.models import System
from mamori.systems.selectors import administered_systems, administering
from mamori.workflows.services import WorkflowError, request_file

from .common import current_pack, person_of, render_list, screen

PAGE_SIZE = 50
STATES = [("open", "有効・登録待ち"), *EntitlementState.choices]


@screen
def entitlements(request):
    """The management file, per system / organisation / person as the filters say (KIT-4 scope)."""
    pack, today = current_pack(), time.today()
    filters = {k: request.GET.get(k, "").strip() for k in ("system", "unit", "state", "q", "person")}
    if "state" not in request.GET:
        filters["state"] = "open"
    scope = scope_of(request.user, pack=pack, on=today)
    lines = entitlement_list(
        visible_entitlements(request.user, pack=pack, on=today, scope=scope),
        on=today,
        system=filters["system"],
        unit=filters["unit"],
        state=filters["state"],
        text=filters["q"],
        person=filters["person"],
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    context = {
        "nav": "access",
        "pack": pack,  # the request link only where the pack declares the request (issue 9 item 6)
        "page": page,
        "filters": filters,
        "query": query,
        "scope": scope,
        "systems": System.objects.only("code", "name"),
        "units": Unit.objects.filter(level__in=["部", "課", "室", "支所"]).only("code", "name"),
        "states": STATES,
    }
    return render_list(
        request, "web/access/entitlements.html", "web/access/_entitlements_table.html", context
    )


@screen
def entitlement_detail(request, pk: int):
    pack, today = current_pack(), time.today()
    line = get_object_or_404(
        visible_entitlements(request.user, pack=pack, on=today).select_related(
            "person", "system", "privilege", "request", "contract", "registered_by"
        ),
        pk=pk,
    )
    may_delete = (
        line.state in OPEN_STATES
        and pack.parameters.access.deletion is not None
        and administering(person_of(request), line.system, pack=pack, on=today) is not None
    )
    return render(
        request,
        "web/access/entitlement_detail.html",
        {
            "nav": "access",
            "line": line,
            "history": entitlement_history(line),
            "may_delete": may_delete,
            "deletion_article": pack.cite(pack.parameters.access.deletion.article) if may_delete else "",
            "notified": _notified(pack),
            "is_open": line.state in OPEN_STATES,
            "pack": pack,
        },
    )


@screen
@require_POST
def entitlement_delete_view(request, pk: int):
    """KIT-5-7: the administrator deletes the line with the reason (required)."""
    pack = current_pack()
    line = get_object_or_404(Entitlement, pk=pk)
    try:
        entitlement_delete(
            entitlement=line, actor=request.user, reason=request.POST.get("reason", ""), pack=pack
        )
    except EntitlementError as refused:
        messages.error(request, f"{refused.message}" + (f"（{refused.article}）" if refused.article else ""))
    else:
        told = _notified(pack)
        messages.success(
            request, "管理ファイルから削除しました。" + (f"{told}に通知しました。" if told else "")
        )
    return redirect("access_entitlement", pk=pk)


def _notified(pack) -> str:
    """The names of the roles the pack tells of a change made without a request (KIT-5-8)."""
    return "・".join(pack.role(code).name for code in pack.parameters.access.notify)


@screen
def systems(request):
    """The systems register (KIT-3): administrator role, flags, privileges and open lines."""
    pack = current_pack()
    rows = (
        System.objects.select_related("owner_unit")
        .prefetch_related("privileges")
        .annotate(open_lines=Count("entitlements", filter=Q(entitlements__state=EntitlementState.ACTIVE)))
        .order_by("code")
    )
    flags = {f.code: f.label for f in pack.parameters.access.system_flags}
    roles = {r.code: r.name for r in pack.roles}
    return render(
        request, "web/access/systems.html", {"nav": "access", "systems": rows, "flags": flags, "roles": roles}
    )


@screen
def system_detail(request, code: str):
    pack = current_pack()
    system = get_object_or_404(System.objects.select_related("owner_unit"), code=code)
    flags = {f.code: f.label for f in pack.parameters.access.system_flags}
    return render(
        request,
        "web/access/system_detail.html",
        {
            "nav": "access",
            "system": system,
            "privileges": system.privileges.annotate(
                open_lines=Count("entitlements", filter=Q(entitlements__state=EntitlementState.ACTIVE))
            ),
            "flag_labels": [flags.get(f, f) for f in system.flags],
            "role_name": next(
                (r.name for r in pack.roles if r.code == system.administrator_role), "システム管理者"
            ),
            "contracts": system.contracts.all(),
            "pack": pack,
        },
    )


@screen
def request_quick(request):
    """KIT-5-2 in one form: person (name or number), system, privileges (htmx check boxes), from.  The
    form is the pack's own (its title, and the terminal request only where the pack files it on the
    same form); a pack without the request is told so instead (issue 9 item 6)."""
    pack, today = current_pack(), time.today()
    values = {
        "action": request.POST.get("action", "grant"),
        "person": request.POST.get("person", request.GET.get("person", "")).strip(),
        "system": request.POST.get("system", request.GET.get("system", "")).strip(),
        "privileges": request.POST.getlist("privileges"),
        "valid_from": request.POST.get("valid_from", today.isoformat()),
        "valid_to": request.POST.get("valid_to", ""),
        "reason": request.POST.get("reason", ""),
        "terminal": bool(request.POST.get("terminal")),
    }
    terminal_kind = "access.terminal_privilege"
    one_form = shares_form(pack, f"access.privilege,{terminal_kind}")
    error = None
    if request.method == "POST":
        number = values["person"].split(" ")[0]
        kind = terminal_kind if values["terminal"] and one_form else "access.privilege"
        payload = {k: v for k, v in values.items() if k != "terminal"}
        try:
            filed = request_file(kind=kind, actor=request.user, payload={**payload, "person": number})
        except WorkflowError as refused:
            error = refused
        else:
            messages.success(request, f"申請しました（#{filed.pk}「{filed.title}」）。")
            return redirect("request_detail", pk=filed.pk)
    context = {
        "nav": "access",
        "pack": pack,
        "values": values,
        "error": error,
        "systems": System.objects.only("code", "name"),
        "privileges": _privileges(values["system"]),
    }
    return render(request, "web/access/request_quick.html", context, status=400 if error else 200)


def _privileges(code: str):
    system = System.objects.filter(code=code).first()
    return list(system.privileges.all()) if system else []


@screen
def privilege_boxes(request):
    """htmx: the privileges of the chosen system as check boxes."""
    return render(
        request,
        "web/access/_privilege_boxes.html",
        {"privileges": _privileges(request.GET.get("system", "")), "values": {"privileges": []}},
    )


@screen
def people_search(request):
    """htmx: people whose name, kana or staff number matches (for the request form's datalist)."""
    text = request.GET.get("person", "").strip()
    people = Person.objects.none()
    if text:
        # KIT-5-2: the same people the request form offers (an officer: their own organisation's staff).
        people = requestable_people(request.user).filter(
            Q(name__icontains=text) | Q(name_kana__icontains=text) | Q(staff_number__startswith=text)
        )[:20]
    return render(request, "web/access/_people_options.html", {"people": people})


@screen
def inbox(request):
    """What waits for the administrator: terminal privileges pending biometric registration (KIT-6)
    and revocations proposed by transfers and retirements (KIT-5-5)."""
    pack, today = current_pack(), time.today()
    mine = administered_systems(person_of(request), pack=pack, on=today)
    systems_filter = Q() if request.user.is_superuser else Q(system__in=mine)
    pending = (
        Entitlement.objects.filter(systems_filter, state=EntitlementState.PENDING)
        .select_related("person", "system", "privilege")
        .order_by("registered_at")[:200]
    )
    proposals = (
        visible_proposals(request.user, on=today)
        .filter(state=ProposalState.OPEN)
        .order_by("effective", "person__staff_number")[:500]
    )
    unregistered = Person.objects.none()
    rule = pack.parameters.access.user_registration
    if rule is not None and may(request.user, "access.record_user_registration"):
        # KIT-5-3: 会計年度任用職員 in term whose user-information registration is not recorded yet.
        unregistered = (
            Person.objects.filter(employment__in=rule.employments)
            .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
            .exclude(pk__in=UserRegistration.objects.values("person_id"))
            .order_by("staff_number")[:200]
        )
    return render(
        request,
        "web/access/inbox.html",
        {
            "nav": "access",
            "pending": pending,
            "proposals": proposals,
            "systems": mine,
            "today": today,
            "unregistered": unregistered,
            "registration_name": rule.name if rule else "",
            # Who needs the registration, and which requests wait for biometrics, as the pack says.
            "registration_for": "・".join(dict(Employment.choices).get(e, e) for e in rule.employments)
            if rule
            else "",
            "biometric": pack.parameters.access.biometric,
            "pack": pack,
        },
    )


@screen
@require_POST
def user_registration_view(request, pk: int):
    """KIT-5-3: record a 会計年度任用職員's user-information registration."""
    pack, today = current_pack(), time.today()
    person = get_object_or_404(Person, pk=pk)
    try:
        registered_on = dt.date.fromisoformat(request.POST.get("registered_on") or today.isoformat())
    except ValueError:
        messages.error(request, "登録日は YYYY-MM-DD で入力してください")
        return redirect("access_inbox")
    user_registration_record(
        person=person,
        registered_on=registered_on,
        reference=request.POST.get("reference", "")[:100],
        actor=request.user,
        pack=pack,
    )
    messages.success(request, f"{person.name}さんの利用者情報登録を記録しました。")
    return redirect("access_inbox")


@screen
@require_POST
def proposal_apply(request, pk: int):
    proposal = get_object_or_404(RevocationProposal, pk=pk)
    try:
        revocation_proposal_apply(proposal=proposal, actor=request.user, pack=current_pack())
    except EntitlementError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{proposal.person.name}さんの権限を解除しました。")
    return redirect("access_inbox")


@screen
@require_POST
def biometric_record(request, pk: int):
    line = get_object_or_404(Entitlement.objects.select_related("person", "system"), pk=pk)
    try:
        registered_on = dt.date.fromisoformat(request.POST.get("registered_on") or time.today().isoformat())
        biometric_registration_record(
            person=line.person,
            system=line.system,
            place=request.POST.get("place", ""),
            registered_on=registered_on,
            actor=request.user,
            pack=current_pack(),
        )
    except ValueError as refused:
        messages.error(request, getattr(refused, "message", "登録日は YYYY-MM-DD で入力してください"))
    else:
        messages.success(request, f"{line.person.name}さんの生体情報の登録を記録しました。")
    return redirect("access_inbox")
