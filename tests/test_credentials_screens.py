"""Screens of credentials and designations: the password is shown once and never cached; loans in two
clicks; the designation ledger and its xlsx/PDF export."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mamori.credentials.loans import viewing_id_register
from mamori.credentials.models import Credential, Loan
from mamori.designations.models import Designation
from mamori.workflows.services import request_file
from tests.conftest import TODAY, make_city


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_kit_8_2_the_issue_screen_shows_the_password_once_and_the_list_never(city, people):
    """KIT-8-2: one page shows the secret, marked no-store; the list shows only its metadata."""
    admin = client_for(people.approver)
    assert admin.get(reverse("credentials")).status_code == 200
    shown = admin.post(
        reverse("credentials_issue"), {"person": city.staff["310"][0].staff_number, "system": "SYS01"}
    )
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"] or "no-cache" in shown["Cache-Control"]
    secret = shown.context["issued"][0].secret
    assert secret in shown.content.decode()
    listing = admin.get(reverse("credentials"))
    assert secret not in listing.content.decode() and "仮パスワード" in listing.content.decode()
    assert Credential.objects.count() == 1


def test_kit_8_1_the_administrator_registers_form_2_on_the_credentials_screen(city, people):
    """KIT-8-1: the pending 別記様式2 is listed for its administrator, who registers it and sees the secret."""
    request = request_file(
        kind="access.password", actor=people.outsider, on=TODAY, payload={"system": "SYS01"}
    )
    admin = client_for(people.approver)
    assert request.title in admin.get(reverse("credentials")).content.decode()
    shown = admin.post(reverse("credentials_register", args=[request.pk]))
    assert shown.status_code == 200 and shown.context["issued"][0].credential.request_id == request.pk


def test_kit_11_lend_and_return_in_two_clicks(city, people):
    """KIT-11: lend from the row of the ID, return with one button."""
    viewing = viewing_id_register(code="ETSURAN-9", unit=city.units["310"], actor=people.requester, on=TODAY)
    officer = client_for(people.requester)
    page = officer.get(reverse("credentials_loans"))
    assert "ETSURAN-9" in page.content.decode()
    officer.post(
        reverse("credentials_lend", args=[viewing.pk]), {"viewer": people.outsider.person.staff_number}
    )
    loan = Loan.objects.get()
    assert loan.returned_at is None
    officer.post(reverse("credentials_return", args=[loan.pk]))
    loan.refresh_from_db()
    assert loan.returned_at is not None
    refused = officer.post(
        reverse("credentials_lend", args=[viewing.pk]),
        {"viewer": city.staff["310"][0].staff_number},
        follow=True,
    )
    assert "第11条第1項" in refused.content.decode()


def test_the_ids_screen_says_when_the_pack_has_no_operator_ids(city, people):
    assert "定めがありません" in client_for(people.approver).get(reverse("credentials_ids")).content.decode()


@pytest.mark.django_db
def test_fuk_17_the_computing_staff_ledger_exports_as_xlsx_and_pdf(account_for):
    """FUK-17: 電算要員登録台帳 on screen, in Excel and in PDF."""
    city = make_city("fukuyama")
    head = client_for(account_for(city.head_of("ICT推進課")))
    response = head.post(
        reverse("designations_add", args=["computing_staff"]),
        {"person": city.staff["310"][0].staff_number, "duties": "運用"},
        follow=True,
    )
    assert Designation.objects.count() == 1
    assert "電算要員登録台帳" in response.content.decode()
    xlsx = head.get(reverse("designations_export", args=["computing_staff", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = head.get(reverse("designations_export", args=["computing_staff", "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_the_designation_screen_says_when_the_pack_requires_none(city, people):
    assert (
        "指定の定めがありません" in client_for(people.outsider).get(reverse("designations")).content.decode()
    )


@pytest.mark.django_db
def test_mai_23_the_ids_screen_issues_and_lists_ids(account_for):
    """MAI-23: the システム管理者 issues from the screen; a taken code is refused naming 第23条."""
    city = make_city("maizuru")
    manager = client_for(account_for(city.head_of("デジタル推進課")))
    form = {
        "person": city.staff["310"][0].staff_number,
        "system": "SYS01",
        "privileges": ["view"],
        "operator_id": "P-9",
    }
    page = manager.post(reverse("credentials_ids_issue"), form, follow=True)
    assert "P-9" in page.content.decode()
    form["person"] = city.staff["310"][1].staff_number
    refused = manager.post(reverse("credentials_ids_issue"), form, follow=True)
    assert "第23条" in refused.content.decode()


@pytest.mark.django_db
def test_meg_13_1_the_staff_list_of_a_system_on_screen(account_for):
    """MEG-13-1: the per-system list is kept on the ledger screen by the 課長 of the system's owner."""
    city = make_city("meguro")
    head = client_for(account_for(city.heads["231"]))
    page = head.post(
        reverse("designations_add", args=["pi_system_staff"]),
        {"person": city.staff["310"][0].staff_number, "system": "SYS01"},
        follow=True,
    )
    assert Designation.objects.get().system.code == "SYS01"
    assert city.staff["310"][0].name in page.content.decode()
