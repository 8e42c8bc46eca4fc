"""The approval engine on 柳川市's chains: lead times, self-approval, capacities, concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from mamori.accounts.models import User
from mamori.accounts.services import account_create
from mamori.organisation.services import absence_register, role_appoint
from mamori.records.models import Record
from mamori.records.services import records_verify
from mamori.regulations.loader import get_pack
from mamori.workflows.models import Decision, Request, RequestState, StepState
from mamori.workflows.services import (
    AlreadyDecided,
    LateRequest,
    NotAllowed,
    check_lead_time,
    current_step,
    request_decide,
    request_file,
    request_resubmit,
    request_withdraw,
)
from tests.conftest import TODAY, make_city


def account(person, name=None) -> User:
    existing = User.objects.filter(person=person).first()
    if existing:
        return existing
    user, _ = account_create(username=name or f"u{person.staff_number}", person=person, actor=None)
    return user


@pytest.fixture
def yanagawa(db):
    return make_city("yanagawa")


def off_hours(city, days_ahead: int, on=TODAY):
    """YAN-13-3: the 市民課長 asks to use terminals on a holiday ``days_ahead`` days from now."""
    return request_file(
        kind="terminals.off_hours_use",
        actor=account(city.head_of("市民課")),
        on=on,
        payload={"use_date": (on + dt.timedelta(days=days_ahead)).isoformat(), "reason": "選挙事務"},
    )


def test_yan_13_3_a_request_filed_seven_days_before_is_accepted(yanagawa):
    request = off_hours(yanagawa, 7)
    assert request.state == RequestState.SUBMITTED
    assert not request.is_late


def test_yan_13_3_a_request_filed_six_days_before_is_refused_citing_the_article(yanagawa):
    with pytest.raises(LateRequest) as refused:
        off_hours(yanagawa, 6)
    assert refused.value.article == "第13条第3項"
    assert not Request.objects.exists()


def test_yan_13_3_a_pack_that_marks_late_requests_accepts_them_marked():
    pack = get_pack("yanagawa")
    chain = pack.chain("terminals.off_hours_use")
    marking = chain.model_copy(update={"lead_time": chain.lead_time.model_copy(update={"on_late": "mark"})})
    target, note = check_lead_time(chain=marking, payload={"use_date": "2026-11-20"}, today=TODAY, pack=pack)
    assert target == dt.date(2026, 11, 20)
    assert note.startswith("期限後の申請") and "第13条第3項" in note


def test_only_the_roles_the_pack_names_may_file(yanagawa):
    staff = account(yanagawa.staff["310"][0])
    with pytest.raises(NotAllowed):
        request_file(
            kind="terminals.off_hours_use",
            actor=staff,
            on=TODAY,
            payload={"use_date": (TODAY + dt.timedelta(days=10)).isoformat()},
        )


def test_the_approver_is_the_security_officer_of_the_requesters_department(yanagawa):
    request = off_hours(yanagawa, 10)
    step = current_step(request)
    # The step is scoped to the requester's 課; the role is resolved in the 部 above it.
    assert step.role == "security_officer" and step.scope_unit == yanagawa.unit("市民課")
    assert [a.person for a in step.assignees.all()] == [yanagawa.head_of("市民部")]


def test_it_refuses_self_approval(yanagawa):
    # 第6条第2項 data.correction: any staff files, the section head decides.  The head files it.
    head = account(yanagawa.head_of("市民課"))
    request = request_file(kind="data.correction", actor=head, on=TODAY, payload={"details": "住所の誤記"})
    with pytest.raises(NotAllowed, match="自分の申請"):
        request_decide(step=current_step(request), actor=head, action=Decision.Action.APPROVE, on=TODAY)
    assert current_step(request).state == StepState.PENDING


def test_an_outsider_cannot_decide_and_is_told_which_role_decides(yanagawa):
    request = off_hours(yanagawa, 10)
    outsider = account(yanagawa.staff["410"][1])
    with pytest.raises(NotAllowed) as refused:
        request_decide(step=current_step(request), actor=outsider, action=Decision.Action.APPROVE, on=TODAY)
    assert "情報セキュリティ責任者" in refused.value.message


def test_yan_9_internal_use_needs_the_department_heads_consent_then_the_chief_security_officer(yanagawa):
    staff = account(yanagawa.staff["410"][0])
    request = request_file(kind="data.internal_use", actor=staff, on=TODAY, payload={"details": "住民記録"})
    first = current_step(request)
    assert first.role == "department_head"
    request = request_decide(
        step=first, actor=account(yanagawa.head_of("福祉部")), action="approve", on=TODAY
    )
    second = current_step(request)
    assert second.role == "chief_security_officer"
    request = request_decide(
        step=second,
        actor=account(yanagawa.head_of("総務部")),
        action="approve",
        comment="庁内利用を承認する",
        on=TODAY,
    )
    assert request.state == RequestState.APPROVED
    decisions = list(request.decisions.values_list("action", "capacity", "article"))
    assert decisions[1:] == [
        ("approve", "所管部長", first.article),
        ("approve", "統括情報セキュリティ責任者", second.article),
    ]


def test_an_absent_holder_cannot_decide_while_away(yanagawa):
    request = off_hours(yanagawa, 10)
    bucho = yanagawa.head_of("市民部")
    absence_register(person=bucho, start=TODAY, end=TODAY, reason="研修", actor=None)
    with pytest.raises(NotAllowed):
        request_decide(step=current_step(request), actor=account(bucho), action="approve", on=TODAY)


def test_a_named_deputy_decides_in_the_capacity_of_deputy(yanagawa):
    request = request_file(
        kind="data.internal_use",
        actor=account(yanagawa.staff["410"][0]),
        on=TODAY,
        payload={"details": "介護保険台帳"},
    )
    welfare = yanagawa.unit("福祉部")
    deputy = yanagawa.head_of("福祉課")
    role_appoint(
        pack=yanagawa.pack,
        role="department_head",
        person=deputy,
        unit=welfare,
        start=TODAY,
        actor=None,
        deputy=True,
    )
    absence_register(person=yanagawa.head_of("福祉部"), start=TODAY, end=TODAY, reason="出張", actor=None)
    request = request_decide(step=current_step(request), actor=account(deputy), action="approve", on=TODAY)
    decision = request.decisions.get(action="approve")
    assert decision.person == deputy
    assert decision.capacity == "所管部長（所管部長の職務代理）"


def test_a_returned_request_can_be_resubmitted_and_goes_through_the_chain_again(yanagawa):
    request = off_hours(yanagawa, 10)
    approver = account(yanagawa.head_of("市民部"))
    request = request_decide(
        step=current_step(request), actor=approver, action="return", comment="目的を具体的に", on=TODAY
    )
    assert request.state == RequestState.RETURNED
    request = request_resubmit(
        request=request,
        actor=account(yanagawa.head_of("市民課")),
        payload={"use_date": request.payload["use_date"], "reason": "衆議院選挙の期日前投票事務"},
        on=TODAY,
    )
    assert request.state == RequestState.SUBMITTED and request.round == 2
    request = request_decide(step=current_step(request), actor=approver, action="approve", on=TODAY)
    assert request.state == RequestState.APPROVED


def test_withdrawing_cancels_the_pending_step(yanagawa):
    request = off_hours(yanagawa, 10)
    request = request_withdraw(request=request, actor=account(yanagawa.head_of("市民課")))
    assert request.state == RequestState.WITHDRAWN
    assert not request.steps.filter(state=StepState.PENDING).exists()


def test_every_decision_appends_a_verifiable_record(yanagawa):
    request = off_hours(yanagawa, 10)
    request_decide(
        step=current_step(request), actor=account(yanagawa.head_of("市民部")), action="approve", on=TODAY
    )
    actions = list(
        Record.objects.filter(object_type="workflows.Request", object_id=str(request.pk)).values_list(
            "action", "capacity"
        )
    )
    assert [a for a, _ in actions] == ["workflow.request.filed", "workflow.step.approve"]
    assert actions[1][1] == "情報セキュリティ責任者"
    assert records_verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_on_the_same_step_cannot_both_succeed():
    """Run on PostgreSQL in CI (and on SQLite, where the write lock serialises them)."""
    city = make_city("yanagawa")
    request = request_file(
        kind="data.internal_use",
        actor=account(city.staff["410"][0]),
        on=TODAY,
        payload={"details": "住民記録"},
    )
    step = current_step(request)
    approver = account(city.head_of("福祉部"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action: str) -> None:
        try:
            barrier.wait(timeout=10)
            request_decide(step=step, actor=approver, action=action, comment="理由", on=TODAY)
            outcomes.append("won")
        except AlreadyDecided:
            outcomes.append("already decided")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already decided", "won"]
    assert Decision.objects.filter(step=step).count() == 1
    assert records_verify().ok
