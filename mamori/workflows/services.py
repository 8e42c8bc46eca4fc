"""The approval engine: filing, deciding, resubmitting and withdrawing requests.

Every function here is one transaction that changes the request, its steps and its decisions
and appends the record of it.  A step is decided by compare-and-set (``UPDATE … WHERE state =
'pending'``) under a lock on the request row, so two people deciding the same step at once
cannot both succeed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from mamori.accounts.models import User
from mamori.core import time
from mamori.core.policy import Actor, Refused
from mamori.organisation.models import Person, Unit
from mamori.organisation.roles import Holding, holders_of, holding_of, primary_unit
from mamori.records.actions import RecordAction
from mamori.records.services import record_append, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Chain, LeadTime, Pack, Step

from .handlers import PayloadError, handler_for
from .models import (
    REQUEST_TRANSITIONS,
    STEP_TRANSITIONS,
    Decision,
    Request,
    RequestState,
    RequestStep,
    StepAssignee,
    StepState,
)
from .notifications import notify
from .payloads import PayloadRefused, handler_reading, payload_schema

REQUEST_FIELDS = (
    "id",
    "kind",
    "title",
    "state",
    "requester_id",
    "requester_unit_id",
    "payload",
    "target_date",
    "is_late",
    "late_note",
    "round",
)


class WorkflowError(Refused):
    """A refusal a person can read: what is wrong and which article says so (400 in the API's one
    Problem schema, whatever the kind of refusal)."""

    status = 400

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


class NotAllowed(WorkflowError):
    pass


class LateRequest(WorkflowError):
    pass


class AlreadyDecided(WorkflowError):
    pass


def _move(request: Request, to: str) -> None:
    if to not in REQUEST_TRANSITIONS[request.state]:
        raise WorkflowError(
            f"申請の状態を「{request.get_state_display()}」から「{RequestState(to).label}」にはできません"
        )
    request.state = to


def _signed_in(actor: Actor) -> User:
    """Requests are filed and decided by a signed-in user, whom the decision names; mamori itself
    (``actor=None``) neither files nor decides."""
    if actor is None:
        raise NotAllowed("申請・決定は、ログインした職員が行います")
    return actor


def _person_of(actor: Actor) -> Person:
    person = getattr(actor, "person", None)
    if person is None:
        raise NotAllowed("職員情報に結び付いていないアカウントでは申請・決定できません")
    return person


# --- lead time ------------------------------------------------------------------------------


def filing_deadline(target: dt.date, rule: LeadTime, pack: Pack) -> dt.date:
    if rule.counting == "working":
        return time.add_working_days(target, -rule.days, pack.parameters.calendar.closures)
    return target - dt.timedelta(days=rule.days)


@implements("YAN-13-3")
def check_lead_time(
    *, chain: Chain, payload: dict[str, Any], today: dt.date, pack: Pack
) -> tuple[dt.date | None, str]:
    """A request due ``days`` before its date is refused or marked late, as the pack says."""
    rule = chain.lead_time
    if rule is None:
        return None, ""
    raw = payload.get(rule.date_field)
    if not raw:
        raise WorkflowError(f"「{rule.date_field}」(対象日) を入力してください", field=rule.date_field)
    try:
        target = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        raise WorkflowError(
            f"「{rule.date_field}」は日付 (YYYY-MM-DD) で入力してください: {raw}", field=rule.date_field
        ) from None
    deadline = filing_deadline(target, rule, pack)
    if today <= deadline:
        return target, ""
    unit = "開庁日" if rule.counting == "working" else "日"
    note = (
        f"{time.wareki(target)}の申請は{rule.days}{unit}前の{time.wareki(deadline)}までに"
        f"提出が必要です（{pack.cite(rule.article)}）"
    )
    if rule.on_late == "refuse":
        raise LateRequest(note, article=pack.cite(rule.article))
    return target, "期限後の申請: " + note


# --- resolving approvers --------------------------------------------------------------------


def _scope_unit(step: Step, request: Request) -> Unit | None:
    if step.resolve_in == "subject_unit":
        code = request.payload.get("unit")
        return Unit.objects.filter(code=code).first() if code else request.requester_unit
    if step.resolve_in == "system_owner":
        handler = handler_for(request.kind)
        if handler.owner_unit is None:
            raise WorkflowError(f"{request.kind}: no handler tells which unit owns the system")
        try:
            return handler.owner_unit(request.payload)
        except PayloadError as error:
            raise WorkflowError(error.message, field=error.field, article=error.article) from None
    return request.requester_unit


def approvers_for(step: RequestStep, *, on: dt.date, pack: Pack) -> list[Holding]:
    return holders_of(step.role, on=on, pack=pack, unit=step.scope_unit)


def _activate(step: RequestStep, *, pack: Pack, on: dt.date) -> list[Holding]:
    if StepState.PENDING not in STEP_TRANSITIONS[step.state]:
        raise WorkflowError("この段階は開始できません")
    step.state = StepState.PENDING
    step.save(update_fields=["state"])
    approvers = approvers_for(step, on=on, pack=pack)
    StepAssignee.objects.filter(step=step).delete()
    StepAssignee.objects.bulk_create(
        [StepAssignee(step=step, person=h.person, capacity=h.capacity) for h in approvers]
    )
    if approvers:
        request = step.request
        notify(
            people=[h.person for h in approvers],
            subject=f"【mamori】{request.chain_title}の{step.label}をお願いします（#{request.pk}）",
            body=f"{request.requester}さんから「{request.title}」が申請されました。\n"
            f"{step.role_name}として{step.label}してください（{pack.cite(step.article)}）。",
            request=request,
            article=step.article,
        )
    return approvers


def _create_steps(request: Request, chain: Chain, pack: Pack) -> list[RequestStep]:
    steps = [
        RequestStep(
            request=request,
            round=request.round,
            order=index,
            role=spec.role,
            role_name=pack.role(spec.role).name,
            label=spec.label,
            article=spec.article,
            scope_unit=_scope_unit(spec, request),
        )
        for index, spec in enumerate(chain.steps, start=1)
    ]
    return RequestStep.objects.bulk_create(steps)


def _record(
    request: Request,
    *,
    action: RecordAction,
    actor: Actor,
    capacity: str,
    before: dict | None,
    article: str,
    requirement: str,
) -> None:
    record_append(
        action=action,
        object_type="workflows.Request",
        object_id=str(request.pk),
        actor=actor,
        capacity=capacity,
        before=before,
        after=snapshot(request, REQUEST_FIELDS),
        article=article,
        requirement=requirement,
        retention_class="requests",
    )


def requirement_of_step(pack: Pack, chain: Chain, article: str) -> str:
    """The chain's requirement ID whose articles cover the step's article (KIT-5-4 for 第5条第4項)."""
    for requirement_id in chain.requirements:
        articles = pack.requirement(requirement_id).articles
        if any(article == ref or article.startswith(ref + "-") for ref in articles):
            return requirement_id
    return (chain.requirements or [""])[0]


def _cleaned(
    chain: Chain, payload: dict[str, Any], *, pack: Pack, requester: Person, on: dt.date
) -> dict[str, Any]:
    """The payload checked against its form (mamori/workflows/payloads.py), then by the kind's own
    handler, which gets the rows the form's person/unit/system fields name; a bad field is named."""
    schema = payload_schema(pack, chain)
    try:
        cleaned = schema.validate(payload, on=on)
    except PayloadRefused as refused:
        raise WorkflowError(refused.message, field=refused.field, article=refused.article) from None
    handler = schema.handler
    if handler.clean is None:
        return cleaned.data
    try:
        return handler.clean(cleaned.data, pack=pack, requester=requester, on=on, resolved=cleaned.resolved)
    except PayloadError as error:
        raise WorkflowError(error.message, field=error.field, article=error.article) from None


# --- filing ---------------------------------------------------------------------------------


@implements("KIT-5-2", "YAN-13-3")
@transaction.atomic
def request_file(
    *, kind: str, actor: Actor, payload: dict[str, Any], title: str = "", on: dt.date | None = None
) -> Request:
    """File a request of ``kind`` as the actor's person, through the chain the pack gives."""
    pack = active_pack()
    today = on or time.today()
    try:
        chain = pack.chain(kind)
    except KeyError:
        raise WorkflowError(f"この規程には「{kind}」の申請がありません") from None
    user, person = _signed_in(actor), _person_of(actor)

    capacity = ""
    if chain.filed_by:
        holdings = [
            h
            for code in chain.filed_by
            for h in holders_of(code, on=today, pack=pack)
            if h.person.pk == person.pk
        ]
        if not holdings:
            names = "・".join(pack.role(code).name for code in chain.filed_by)
            raise NotAllowed(f"{chain.title}は{names}が申請します", article=pack.cite(chain.articles[0]))
        capacity = holdings[0].capacity

    handler = payload_schema(pack, chain).handler
    payload = _cleaned(chain, payload, pack=pack, requester=person, on=today)
    target, late_note = check_lead_time(chain=chain, payload=payload, today=today, pack=pack)

    unit = primary_unit(person, on=today)
    request = Request.objects.create(
        kind=kind,
        title=title or (handler.title(payload) if handler.title else chain.title),
        pack=pack.pack,
        chain_title=chain.title,
        form=chain.form or "",
        requester=person,
        requester_capacity=capacity,
        requester_unit=unit,
        filed_by=user,
        payload=payload,
        state=RequestState.SUBMITTED,
        filed_at=time.now(),
        target_date=target,
        is_late=bool(late_note),
        late_note=late_note,
    )
    steps = _create_steps(request, chain, pack)
    Decision.objects.create(
        request=request,
        action=Decision.Action.FILE,
        actor=user,
        person=person,
        capacity=capacity,
        article=chain.articles[0],
        at=request.filed_at,
        comment=late_note,
    )
    _record(
        request,
        action=RecordAction.REQUEST_FILED,
        actor=actor,
        capacity=capacity,
        before=None,
        article=chain.articles[0],
        requirement=(chain.requirements or [""])[0],
    )
    _activate(steps[0], pack=pack, on=today)
    return request


# --- deciding -------------------------------------------------------------------------------

ACTION_TO_STEP: dict[str, StepState] = {
    Decision.Action.APPROVE: StepState.APPROVED,
    Decision.Action.REJECT: StepState.REJECTED,
    Decision.Action.RETURN: StepState.RETURNED,
}


# How a decision on a step is recorded.
_DECIDED_AS: dict[str, RecordAction] = {
    Decision.Action.APPROVE: RecordAction.STEP_APPROVED,
    Decision.Action.REJECT: RecordAction.STEP_REJECTED,
    Decision.Action.RETURN: RecordAction.STEP_RETURNED,
}


@implements("KIT-5-4", "MAI-21-1")
@transaction.atomic
def request_decide(
    *, step: RequestStep, actor: Actor, action: str, comment: str = "", on: dt.date | None = None
) -> Request:
    """Approve, reject or send back the pending step, in the capacity the actor holds today."""
    if action not in ACTION_TO_STEP:
        raise WorkflowError(f"決定の種類が不正です: {action}")
    if action in (Decision.Action.REJECT, Decision.Action.RETURN) and not comment.strip():
        # A requester told "no" or "redo" must be told why: rejecting or sending back takes a reason.
        label = "却下" if action == Decision.Action.REJECT else "差戻し"
        raise WorkflowError(f"{label}の理由を記入してください", field="comment")
    pack = active_pack()
    today = on or time.today()
    request = Request.objects.select_for_update().get(pk=step.request_id)
    user, person = _signed_in(actor), _person_of(actor)
    # Nobody approves their own request: the requester and the person who typed it in.
    if person.pk == request.requester_id or user.pk == request.filed_by_id:
        raise NotAllowed("自分の申請を決定することはできません")
    step = RequestStep.objects.get(pk=step.pk)
    if step.state != StepState.PENDING or request.state != RequestState.SUBMITTED:
        raise AlreadyDecided("この段階は既に決定されています")
    holding = holding_of(person, step.role, on=today, pack=pack, unit=step.scope_unit)
    if holding is None:
        scope = f"（{step.scope_unit.name}）" if step.scope_unit else ""
        raise NotAllowed(f"この段階は{step.role_name}{scope}が決定します", article=pack.cite(step.article))

    before = snapshot(request, REQUEST_FIELDS)
    moment = time.now()
    new_state = ACTION_TO_STEP[action]
    # Compare-and-set: only one of two concurrent decisions finds the step still pending.
    won = RequestStep.objects.filter(pk=step.pk, state=StepState.PENDING).update(
        state=new_state, decided_by=actor, decided_as=holding.capacity, decided_at=moment, comment=comment
    )
    if won != 1:
        raise AlreadyDecided("この段階は既に決定されています")
    Decision.objects.create(
        request=request,
        step=step,
        action=action,
        actor=user,
        person=person,
        capacity=holding.capacity,
        comment=comment,
        article=step.article,
        at=moment,
    )
    chain = pack.chain(request.kind)
    requirement = requirement_of_step(pack, chain, step.article)

    if action == Decision.Action.APPROVE:
        following = request.steps.filter(round=request.round, order__gt=step.order).order_by("order").first()
        if following is not None:
            _activate(following, pack=pack, on=today)
        else:
            _move(request, RequestState.APPROVED)
            request.closed_at = moment
            request.save(update_fields=["state", "closed_at"])
            handler = handler_reading(pack, request.kind, request.form)
            if handler.on_approved is not None:
                handler.on_approved(
                    request=request,
                    actor=actor,
                    capacity=holding.capacity,
                    pack=pack,
                    on=today,
                    article=step.article,
                    requirement=requirement,
                )
            _notify_completion(request, chain, pack, today)
    else:
        _move(request, RequestState.REJECTED if action == Decision.Action.REJECT else RequestState.RETURNED)
        if request.state == RequestState.REJECTED:
            request.closed_at = moment
        request.save(update_fields=["state", "closed_at"])
        request.steps.filter(round=request.round, state=StepState.WAITING).update(state=StepState.CANCELLED)
        verb = "却下" if action == Decision.Action.REJECT else "差戻し"
        notify(
            people=[request.requester],
            subject=f"【mamori】{request.chain_title}が{verb}されました（#{request.pk}）",
            body=f"{holding.capacity} {person.name}: {comment or '（意見なし）'}",
            request=request,
            article=step.article,
        )

    _record(
        request,
        action=_DECIDED_AS[action],
        actor=actor,
        capacity=holding.capacity,
        before=before,
        article=step.article,
        requirement=requirement,
    )
    return request


def _notify_completion(request: Request, chain: Chain, pack: Pack, today: dt.date) -> None:
    people = [request.requester]
    for code in chain.notify_on_completion:
        people += [h.person for h in holders_of(code, on=today, pack=pack, unit=request.requester_unit)]
    notify(
        people=people,
        subject=f"【mamori】{request.chain_title}が完了しました（#{request.pk}）",
        body=f"「{request.title}」は全ての段階で承認されました。",
        request=request,
        article=chain.steps[-1].article,
    )


@transaction.atomic
def request_resubmit(
    *,
    request: Request,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    comment: str = "",
    on: dt.date | None = None,
) -> Request:
    """Send a returned request through its chain again, from the first step."""
    pack = active_pack()
    today = on or time.today()
    request = Request.objects.select_for_update().get(pk=request.pk)
    user = _signed_in(actor)
    if _person_of(actor).pk != request.requester_id:
        raise NotAllowed("再申請できるのは申請者だけです")
    before = snapshot(request, REQUEST_FIELDS)
    _move(request, RequestState.SUBMITTED)
    chain = pack.chain(request.kind)
    if payload is not None:
        request.payload = _cleaned(chain, payload, pack=pack, requester=request.requester, on=today)
    target, late_note = check_lead_time(chain=chain, payload=request.payload, today=today, pack=pack)
    request.target_date, request.is_late, request.late_note = target, bool(late_note), late_note
    request.round += 1
    request.save()
    steps = _create_steps(request, chain, pack)
    Decision.objects.create(
        request=request,
        action=Decision.Action.RESUBMIT,
        actor=user,
        person=request.requester,
        capacity=request.requester_capacity,
        comment=comment,
        article=chain.articles[0],
        at=time.now(),
    )
    _record(
        request,
        action=RecordAction.REQUEST_RESUBMITTED,
        actor=actor,
        capacity=request.requester_capacity,
        before=before,
        article=chain.articles[0],
        requirement=(chain.requirements or [""])[0],
    )
    _activate(steps[0], pack=pack, on=today)
    return request


@transaction.atomic
def request_withdraw(*, request: Request, actor: Actor, comment: str = "") -> Request:
    request = Request.objects.select_for_update().get(pk=request.pk)
    user = _signed_in(actor)
    if _person_of(actor).pk != request.requester_id:
        raise NotAllowed("取り下げできるのは申請者だけです")
    before = snapshot(request, REQUEST_FIELDS)
    _move(request, RequestState.WITHDRAWN)
    request.closed_at = time.now()
    request.save(update_fields=["state", "closed_at"])
    request.steps.filter(round=request.round, state__in=[StepState.WAITING, StepState.PENDING]).update(
        state=StepState.CANCELLED
    )
    Decision.objects.create(
        request=request,
        action=Decision.Action.WITHDRAW,
        actor=user,
        person=request.requester,
        capacity=request.requester_capacity,
        comment=comment,
        at=request.closed_at,
    )
    _record(
        request,
        action=RecordAction.REQUEST_WITHDRAWN,
        actor=actor,
        capacity=request.requester_capacity,
        before=before,
        article="",
        requirement="",
    )
    return request


# --- inbox ----------------------------------------------------------------------------------


def pending_steps_for(person: Person) -> QuerySet[RequestStep]:
    """Steps waiting for this person's decision (the inbox)."""
    return (
        RequestStep.objects.filter(
            state=StepState.PENDING, assignees__person=person, request__state=RequestState.SUBMITTED
        )
        .select_related("request__requester", "request__requester_unit", "scope_unit")
        .order_by("request__filed_at")
    )


def current_step(request: Request) -> RequestStep | None:
    return request.steps.filter(round=request.round, state=StepState.PENDING).first()
