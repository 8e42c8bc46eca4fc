"""Findings you can act on: each links to its evidence, the list filters, sorts, pages and exports
what the viewer may see, and a finding about a condition that is mended resolves at once."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from mamori.accounts.models import User
from mamori.accounts.services import password_change, password_issue_temporary
from mamori.core import time
from mamori.credentials.loans import loan_lend, loan_return, viewing_id_register
from mamori.credentials.services import credential_change_confirm, credential_issue_temporary
from mamori.demo.city import DEMO_PASSWORD
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_recheck, findings_run
from mamori.organisation.models import Assignment
from mamori.records.models import Record
from mamori.systems.models import System
from tests.conftest import TODAY

ACCOUNTS_RULE = "accounts.temporary_password_not_changed"
CREDENTIALS_RULE = "credentials.temporary_password_not_changed"
LOAN_RULE = "credentials.viewing_id_not_returned"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _resolved_with_its_record(finding: Finding, actor: User) -> None:
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED and finding.closed_at == time.now()
    record = Record.objects.get(action="findings.resolved", object_id=str(finding.pk))
    assert record.actor_id == actor.pk and record.requirement == finding.requirement
    assert record.before["state"] == FindingState.OPEN and record.after["state"] == FindingState.RESOLVED


@pytest.fixture
def overdue_login_password(people) -> Finding:
    """KIT-8-2: the outsider's temporary log-in password, issued 30 days ago and never changed."""
    password_issue_temporary(user=people.outsider, actor=people.admin, password=DEMO_PASSWORD)
    User.objects.filter(pk=people.outsider.pk).update(password_changed_at=time.now() - dt.timedelta(days=30))
    findings_run(on=TODAY, only=[ACCOUNTS_RULE])
    return Finding.objects.get(rule=ACCOUNTS_RULE, object_id=str(people.outsider.pk), state=FindingState.OPEN)


def test_kit_8_2_changing_the_temporary_password_resolves_its_finding_at_once(people, overdue_login_password):
    """KIT-8-2: the change itself resolves the finding, with its record; no wait for the daily run."""
    password_change(user=people.outsider, old_password=DEMO_PASSWORD, new_password="Kawaru-Pass-2026!x")
    _resolved_with_its_record(overdue_login_password, people.outsider)


def test_kit_8_2_a_recheck_leaves_a_condition_that_still_holds_open(people, overdue_login_password):
    """KIT-8-2: a recheck only resolves what the rule no longer sees; another user's finding stays."""
    resolved = findings_recheck(
        rule=ACCOUNTS_RULE, object_type="accounts.User", object_id=people.outsider.pk, actor=people.admin
    )
    assert resolved == 0
    overdue_login_password.refresh_from_db()
    assert overdue_login_password.state == FindingState.OPEN
    assert not Record.objects.filter(action="findings.resolved").exists()


def test_kit_8_2_confirming_a_managed_password_change_resolves_its_finding_at_once(city, people):
    """KIT-8-2〜4: the system password past its change deadline is resolved by the confirmation."""
    later = TODAY + dt.timedelta(days=8)
    issued = credential_issue_temporary(
        person=city.staff["310"][0], system=System.objects.get(code="SYS01"), actor=people.approver, on=TODAY
    )
    findings_run(on=later, only=[CREDENTIALS_RULE])
    finding = Finding.objects.get(rule=CREDENTIALS_RULE, object_id=str(issued.credential.pk))
    assert finding.state == FindingState.OPEN
    credential_change_confirm(credential=issued.credential, actor=people.approver, on=later)
    _resolved_with_its_record(finding, people.approver)


def test_kit_11_returning_a_viewing_id_resolves_its_finding_at_once(city, people, clock):
    """KIT-11: a viewing ID still out the next day is a finding; its return resolves it then and there."""
    viewing = viewing_id_register(code="ETSURAN-01", unit=city.units["310"], actor=people.requester, on=TODAY)
    loan = loan_lend(viewing_id=viewing, viewer=people.outsider.person, actor=people.requester, on=TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    clock.move_to(dt.datetime.combine(tomorrow, dt.time(9, 0), tzinfo=time.TOKYO))
    findings_run(on=tomorrow, only=[LOAN_RULE])
    finding = Finding.objects.get(rule=LOAN_RULE, object_id=str(loan.pk))
    assert finding.state == FindingState.OPEN and finding.requirement == "KIT-11"
    loan_return(loan=loan, actor=people.requester, on=tomorrow)
    _resolved_with_its_record(finding, people.requester)


def test_kit_8_2_a_finding_links_to_its_evidence_only_for_a_viewer_who_may_open_it(
    people, overdue_login_password
):
    """KIT-8-2: the administrator follows 「根拠を見る」 to the accounts screen; the person it is about
    reads the finding, without a link to a screen that would refuse them."""
    admin = client_for(people.admin)
    page = admin.get(reverse("findings")).content.decode()
    evidence = reverse("finding_evidence", args=[overdue_login_password.pk])
    assert evidence in page and "根拠を見る" in page
    assert "仮パスワードの未変更（ログイン）" in page and f">{ACCOUNTS_RULE}<" not in page  # only as a value
    assert admin.get(evidence)["Location"] == reverse("accounts")
    assert client_for(people.approver).get(evidence).status_code == 404  # not theirs to read
    # Once about the approver's unit, they read it, but get no link to a screen that would refuse them.
    unit = (
        Assignment.objects.on(TODAY).filter(person=people.approver.person).values_list("unit", flat=True)[0]
    )
    Finding.objects.filter(pk=overdue_login_password.pk).update(unit=unit)
    theirs = client_for(people.approver)
    page = theirs.get(reverse("findings")).content.decode()
    assert overdue_login_password.title in page and evidence not in page
    assert theirs.get(evidence).status_code == 404


def test_kit_11_the_loan_finding_leads_to_the_loans_and_the_person_to_their_findings(city, people, clock):
    """KIT-11: the list links the loan finding to the loans and its person to their findings."""
    viewing = viewing_id_register(code="ETSURAN-01", unit=city.units["310"], actor=people.requester, on=TODAY)
    loan_lend(viewing_id=viewing, viewer=people.outsider.person, actor=people.requester, on=TODAY)
    findings_run(on=TODAY + dt.timedelta(days=1), only=[LOAN_RULE])
    finding = Finding.objects.get(rule=LOAN_RULE)
    client = client_for(people.admin)
    page = client.get(reverse("findings")).content.decode()
    assert reverse("finding_evidence", args=[finding.pk]) in page
    assert f"?person={people.outsider.person.staff_number}" in page
    response = client.get(reverse("finding_evidence", args=[finding.pk]))
    assert response["Location"] == reverse("credentials_loans")


def test_kit_8_2_the_list_filters_by_rule_requirement_person_state_and_date(
    city, people, overdue_login_password
):
    """KIT-8-2: filters narrow the list and the count says how many; a mended finding is under 是正済."""
    issued = credential_issue_temporary(
        person=city.staff["310"][0], system=System.objects.get(code="SYS01"), actor=people.approver, on=TODAY
    )
    findings_run(on=TODAY + dt.timedelta(days=8), only=[CREDENTIALS_RULE])
    client = client_for(people.admin)

    def listed(**query) -> str:
        return client.get(reverse("findings"), query).content.decode()

    other = Finding.objects.get(rule=CREDENTIALS_RULE, object_id=str(issued.credential.pk))
    both = listed()
    assert overdue_login_password.title in both and other.title in both and "2件" in both
    only_rule = listed(rule=CREDENTIALS_RULE)
    assert other.title in only_rule and overdue_login_password.title not in only_rule and "1件" in only_rule
    assert other.title in listed(requirement="KIT-8") and "0件" in listed(requirement="KIT-11")
    by_name = listed(person=people.outsider.person.name[:2])
    assert overdue_login_password.title in by_name and other.title not in by_name
    assert other.title in listed(person=city.staff["310"][0].staff_number)
    assert "0件" in listed(detected_after=(TODAY + dt.timedelta(days=1)).isoformat())
    assert "2件" in listed(detected_after=TODAY.isoformat(), detected_before=TODAY.isoformat())
    password_change(user=people.outsider, old_password=DEMO_PASSWORD, new_password="Kawaru-Pass-2026!x")
    assert overdue_login_password.title not in listed()
    assert overdue_login_password.title in listed(state="resolved")
    assert "2件" in listed(state="all")
    ordered = listed(state="all", sort="requirement")
    assert "並び順" in ordered


def test_kit_8_2_the_export_holds_the_filtered_findings_the_viewer_may_see(
    city, people, overdue_login_password
):
    """KIT-8-2: the xlsx holds what the list shows, with the rule's title; a colleague's is left out."""
    findings_run(on=TODAY, only=[ACCOUNTS_RULE])
    response = client_for(people.admin).get(reverse("finding_export", args=["xlsx"]), {"rule": ACCOUNTS_RULE})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert overdue_login_password.title in cells and "仮パスワードの未変更（ログイン）" in cells
    assert ACCOUNTS_RULE not in cells
    stranger = client_for(people.approver).get(reverse("finding_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(stranger.content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert overdue_login_password.title not in cells
    assert client_for(people.admin).get(reverse("finding_export", args=["csv"])).status_code == 404
