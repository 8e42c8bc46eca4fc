"""Passwords and PINs of managed systems: KIT-8-1 (別記様式2), KIT-8-2 (temporary password, notice,
deadline), KIT-8-8 (maintenance staff), YAN-12-4 (through the 端末責任者), FUK-18-2 (individual PIN)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.hashers import check_password

from mamori.credentials.models import Credential, CredentialPurpose, CredentialState, SecretKind
from mamori.credentials.services import (
    CredentialError,
    collecting_issued,
    credential_change_confirm,
    credential_issue_temporary,
)
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.records.models import Record
from mamori.systems.models import System
from mamori.workflows.models import Notification, RequestState
from mamori.workflows.services import WorkflowError, current_step, request_decide, request_file
from tests.conftest import TODAY, make_city


def records_mention(secret: str) -> bool:
    return any(
        secret in json.dumps([r.before, r.after], ensure_ascii=False)
        for r in Record.objects.filter(object_type="credentials.Credential")
    )


def test_kit_8_1_a_user_applies_with_form_2_and_the_approval_issues_a_temporary_password(
    city, people, account_for
):
    """KIT-8-1, KIT-8-2: 別記様式2 to the system's administrator; registering it sets a temporary
    password, shown once, stored only as a hash, never in a record."""
    request = request_file(
        kind="access.password",
        actor=people.outsider,
        on=TODAY,
        payload={"action": "register", "system": "SYS01"},
    )
    assert request.form == "beki2"
    step = current_step(request)
    assert [a.person for a in step.assignees.all()] == [people.approver.person]
    with collecting_issued() as issued:
        request_decide(step=step, actor=people.approver, action="approve", on=TODAY)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert len(issued) == 1
    credential, secret = issued[0].credential, issued[0].secret
    assert credential.person == people.outsider.person and credential.request == request
    assert credential.purpose == CredentialPurpose.TEMPORARY
    assert check_password(secret, credential.secret_hash) and secret not in credential.secret_hash
    assert not records_mention(secret)
    assert credential.requirement == "KIT-8-2"


def test_kit_8_1_for_a_fixed_term_member_only_their_security_officer_may_apply(city, people, account_for):
    """KIT-8-1 ただし書: 会計年度任用職員 → the 情報セキュリティ責任者 files; the user themselves may not."""
    fixed_term = city.staff["310"][-1]
    assert fixed_term.employment == "fixed_term"
    with pytest.raises(WorkflowError) as refused:
        request_file(
            kind="access.password",
            actor=account_for(fixed_term),
            on=TODAY,
            payload={"person": fixed_term.staff_number, "system": "SYS01"},
        )
    assert "情報セキュリティ責任者が申請します" in refused.value.message
    assert refused.value.article == "第8条第1項"
    # The 福祉部長 is not the 情報セキュリティ責任者 of 市民部's staff.
    with pytest.raises(WorkflowError):
        request_file(
            kind="access.password",
            actor=account_for(city.heads["400"]),
            on=TODAY,
            payload={"person": fixed_term.staff_number, "system": "SYS01"},
        )
    filed = request_file(
        kind="access.password",
        actor=people.requester,
        on=TODAY,
        payload={"person": fixed_term.staff_number, "system": "SYS01"},
    )
    assert filed.payload["person"] == fixed_term.staff_number


def test_kit_8_1_a_regular_member_applies_for_themselves(city, people):
    """KIT-8-1: システム使用者 files their own password request."""
    with pytest.raises(WorkflowError) as refused:
        request_file(
            kind="access.password",
            actor=people.requester,
            on=TODAY,
            payload={"person": city.staff["310"][0].staff_number, "system": "SYS01"},
        )
    assert "本人" in refused.value.message


def test_kit_8_2_the_security_officer_is_notified_and_an_overdue_change_is_a_finding(city, people):
    """KIT-8-2〜4: notice to the 情報セキュリティ責任者; the change deadline is tracked and flagged."""
    user = city.staff["310"][0]
    issued = credential_issue_temporary(
        person=user, system=System.objects.get(code="SYS01"), actor=people.approver, on=TODAY
    )
    credential = issued.credential
    assert credential.change_due == TODAY + dt.timedelta(days=7)
    assert credential.notified_to == people.requester.person  # 市民部長
    assert Notification.objects.filter(
        person=people.requester.person, subject__contains="パスワード"
    ).exists()
    assert not Notification.objects.filter(body__contains=issued.secret).exists()
    assert Record.objects.filter(
        action="credentials.credential.notified", object_id=str(credential.pk)
    ).exists()

    findings_run(on=TODAY + dt.timedelta(days=7), only=["credentials.temporary_password_not_changed"])
    assert not Finding.objects.filter(rule="credentials.temporary_password_not_changed").exists()
    findings_run(on=TODAY + dt.timedelta(days=8), only=["credentials.temporary_password_not_changed"])
    finding = Finding.objects.get(rule="credentials.temporary_password_not_changed")
    assert finding.requirement == "KIT-8-2" and finding.article == "第8条第2項"
    assert finding.person == user

    credential_change_confirm(credential=credential, actor=people.approver, on=TODAY + dt.timedelta(days=8))
    findings_run(on=TODAY + dt.timedelta(days=9), only=["credentials.temporary_password_not_changed"])
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED


def test_kit_8_2_only_the_systems_administrator_sets_a_password(city, people):
    """KIT-8-2: the administrator of the system's owner unit sets it, nobody else."""
    with pytest.raises(CredentialError) as refused:
        credential_issue_temporary(
            person=city.staff["310"][0],
            system=System.objects.get(code="SYS01"),
            actor=people.outsider,
            on=TODAY,
        )
    assert refused.value.article == "第8条第2項"
    assert not Credential.objects.exists()


def test_kit_8_8_maintenance_passwords_are_rotated_with_dates_recorded(city, people):
    """KIT-8-8: the administrator sets the maintenance staff's password; a new one replaces the old."""
    vendor = next(p for p in city.staff.get("231", []) + list(_contractors()) if p.employment == "contractor")
    system = System.objects.get(code="SYS01")
    first = credential_issue_temporary(person=vendor, system=system, actor=people.approver, on=TODAY)
    assert first.credential.purpose == CredentialPurpose.MAINTENANCE
    assert first.credential.requirement == "KIT-8-8" and first.credential.change_due is None
    second = credential_issue_temporary(person=vendor, system=system, actor=people.approver, on=TODAY)
    first.credential.refresh_from_db()
    assert first.credential.state == CredentialState.REPLACED and first.credential.ended_at is not None
    assert second.credential.state == CredentialState.ISSUED and second.secret != first.secret
    actions = list(
        Record.objects.filter(object_type="credentials.Credential")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions.count("credentials.credential.issued") == 2
    assert "credentials.credential.replaced" in actions


def _contractors():
    from mamori.organisation.models import Person

    return Person.objects.filter(employment="contractor")


@pytest.mark.django_db
def test_yan_12_4_the_security_officer_sets_it_and_tells_the_operator_through_the_terminal_manager(
    account_for,
):
    """YAN-12-4: 情報セキュリティ責任者 sets the terminal password; notice goes through the 端末責任者;
    the record names both, never the password."""
    city = make_city("yanagawa")
    operator = city.staff["310"][0]
    officer = account_for(city.heads["300"])  # 市民部長
    terminal_manager = city.heads["310"]  # 市民課長
    with pytest.raises(CredentialError) as refused:
        credential_issue_temporary(
            person=operator, terminal="SHIMIN-01", actor=account_for(terminal_manager), on=TODAY
        )
    assert refused.value.article == "第12条第4項"
    issued = credential_issue_temporary(person=operator, terminal="SHIMIN-01", actor=officer, on=TODAY)
    credential = issued.credential
    assert credential.notified_via == terminal_manager and credential.notified_to == operator
    assert credential.purpose == CredentialPurpose.ASSIGNED and credential.change_due is None
    assert credential.requirement == "YAN-12-4"
    notice = Record.objects.get(action="credentials.credential.notified", object_id=str(credential.pk))
    assert notice.after["notified_via"] == terminal_manager.name
    assert notice.capacity == "情報セキュリティ責任者"
    assert Notification.objects.filter(person=terminal_manager, body__contains="通じて").exists()
    assert not records_mention(issued.secret)


@pytest.mark.django_db
def test_fuk_18_2_the_ict_section_head_gives_an_individual_pin(account_for):
    """FUK-18-2: ICT推進課長 gives the designated operator of a terminal a PIN of their own."""
    city = make_city("fukuyama")
    operator = city.staff["310"][0]
    with pytest.raises(CredentialError) as refused:
        credential_issue_temporary(
            person=operator, terminal="T-310", actor=account_for(city.heads["310"]), on=TODAY
        )
    assert refused.value.article == "第18条第2項"
    head = account_for(city.head_of("ICT推進課"))
    first = credential_issue_temporary(person=operator, terminal="T-310", actor=head, on=TODAY)
    other = credential_issue_temporary(person=city.staff["310"][1], terminal="T-310", actor=head, on=TODAY)
    assert first.credential.secret_kind == SecretKind.PIN
    assert first.secret.isdigit() and len(first.secret) == 6
    assert first.credential.requirement == "FUK-18-2"
    # Each operator has their own PIN for the same terminal: the other's is not replaced.
    first.credential.refresh_from_db()
    assert first.credential.state == CredentialState.ISSUED and other.credential.person != operator
