"""Designations on the register layer (issue 9 item 2): the layer's API and screens list, add and end
designations, and the layer calls the designation services for what is the pack's (YAN-8: who may
designate; FUK-10: what is reported), so its refusals are the Problem naming the field and article."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mamori.designations.models import Designation, DesignationState
from mamori.designations.services import designation_add
from tests.conftest import TODAY, make_city


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_yan_8_the_api_adds_through_the_designation_rules_and_pages_the_list(account_for):
    city = make_city("yanagawa")
    person = city.staff["310"][0]
    body = {
        "kind": "identity_handler",
        "person_id": person.pk,
        "valid_from": TODAY.isoformat(),
        "duties": "窓口",
    }
    refused = client_for(account_for(city.heads["300"])).post(
        "/api/designations/", body, content_type="application/json"
    )
    assert refused.status_code == 403  # 市民部長 designates nothing under 第8条
    manager = client_for(account_for(city.heads["310"]))  # 市民課長: 本人確認情報管理責任者
    added = manager.post("/api/designations/", body, content_type="application/json")
    assert added.status_code == 201, added.json()
    assert (
        added.json()["designated_as"] == "本人確認情報管理責任者" and added.json()["requirement"] == "YAN-8"
    )
    again = manager.post("/api/designations/", body, content_type="application/json")
    assert again.status_code == 400 and again.json()["field"] == "person"
    listed = manager.get("/api/designations/?kind=identity_handler&page_size=1").json()
    assert listed["count"] == 1 and listed["items"][0]["person"] == person.pk
    assert manager.get("/api/designations/?state=nope").status_code == 400


@pytest.mark.django_db
def test_fuk_10_the_layers_end_screen_ends_through_the_service_and_reports_it(account_for):
    city = make_city("fukuyama")
    officer = account_for(city.heads["310"])
    row = designation_add(kind="computing_staff", person=city.staff["310"][0], actor=officer, on=TODAY)
    other = client_for(account_for(city.heads["410"]))
    assert (
        other.post(reverse("designations:end", args=[row.pk]), {"on": TODAY, "reason": "x"}).status_code
        == 403
    )
    client = client_for(officer)
    detail = client.get(reverse("designations:detail", args=[row.pk]))
    assert detail.status_code == 200 and "電算要員" in detail.content.decode()
    ended = client.post(reverse("designations:end", args=[row.pk]), {"on": TODAY, "reason": "異動"})
    assert ended.status_code == 302
    row.refresh_from_db()
    assert row.state == DesignationState.ENDED and row.end_reason == "異動" and row.ended_by == officer
    assert not Designation.objects.on(TODAY).exists()
    page = client.get(reverse("designations"), {"kind": "computing_staff", "state": "ended"})
    assert page.status_code == 200 and "1件" in page.content.decode()
    assert client.get(reverse("designations:export", args=["xlsx"])).status_code == 200
