"""The access demo data (requests in every state, an expired fixed-term line that is a finding, a
transfer proposal) and the access API's actions, each through the same services as the screens."""

from __future__ import annotations

import datetime as dt

from mamori.access import demo
from mamori.access.models import (
    BiometricRegistration,
    Entitlement,
    EntitlementState,
    ProposalState,
    RevocationProposal,
)
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from mamori.organisation.models import Person
from mamori.records.services import records_verify
from mamori.systems.models import System
from mamori.workflows.models import Request, RequestState
from tests.conftest import TODAY


def test_the_demo_holds_requests_in_every_state_an_expired_line_and_a_proposal(city, people, client):
    summary = demo.populate(city, on=TODAY)
    assert "管理ファイル" in summary
    kinds = Request.objects.filter(kind__startswith="access.")
    assert set(kinds.values_list("state", flat=True)) == set(RequestState.values)
    assert Entitlement.objects.filter(
        state=EntitlementState.EXPIRED, person__employment="fixed_term"
    ).exists()
    assert Entitlement.objects.filter(state=EntitlementState.PENDING, system__code="TFA").exists()  # KIT-6
    assert Entitlement.objects.filter(state=EntitlementState.DELETED).exists()  # KIT-5-7
    assert Entitlement.objects.filter(basis="maintenance", contract__isnull=False).exists()  # KIT-5-9
    assert RevocationProposal.objects.filter(state=ProposalState.OPEN).exists()  # KIT-5-5
    findings_run(on=TODAY)
    try:
        import mamori.events.services  # noqa: F401
    except ImportError:
        pass
    else:  # KIT-7: the expired ID used yesterday
        assert Finding.objects.filter(rule="access.expired_entitlement_used", requirement="KIT-7").exists()
    assert records_verify().ok
    client.force_login(people.admin)
    for url in (
        "/access/",
        "/access/systems/",
        "/access/systems/TFA/",
        "/access/inbox/",
        "/access/?state=expired",
    ):
        assert client.get(url).status_code == 200, url
    inbox = client.get("/access/inbox/").content.decode()
    assert "生体情報の登録待ち" in inbox and "解除する" in inbox


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_api_files_a_request_and_names_the_kit_5_3_article(city, people, client):
    client.force_login(people.requester)
    ok = post(client, "/api/access/requests", {"person": city.staff["310"][0].staff_number, "system": "SYS01",
                                              "privileges": ["view"]})  # fmt: skip
    assert ok.status_code == 201 and ok.json()["kind"] == "access.privilege"
    refused = post(client, "/api/access/requests", {"person": city.staff["310"][-1].staff_number,
                                                   "system": "SYS01", "privileges": ["view"]})  # fmt: skip
    assert refused.status_code == 400 and refused.json()["article"] == "第5条第3項"
    body = {"person": city.staff["310"][-1].staff_number, "registered_on": TODAY.isoformat()}
    # KIT-5-3 / issue 10: the registration unlocks a refused grant, so only a system's administrator records it.
    refused = post(client, "/api/access/user-registrations", body)
    assert refused.status_code == 403 and "管理者" in refused.json()["message"]
    client.force_login(people.approver)
    assert post(client, "/api/access/user-registrations", body).status_code == 201


def test_the_api_direct_assignment_maintenance_biometric_expiry_and_proposals(city, people, client):
    client.force_login(people.approver)
    direct = post(client, "/api/access/entitlements/direct",
                  {"person": city.staff["231"][0].staff_number, "system": "SYS01", "privileges": ["view"]})  # fmt: skip
    assert direct.status_code == 201 and direct.json()[0]["basis"] == "direct"
    outside = post(client, "/api/access/entitlements/direct",
                   {"person": city.staff["310"][0].staff_number, "system": "SYS01", "privileges": ["view"]})  # fmt: skip
    assert outside.status_code == 400 and outside.json()["article"] == "第5条第5項"

    vendor = Person.objects.get(employment="contractor")
    contract = post(client, "/api/access/contracts", {"number": "C-1", "company": vendor.company,
                    "start": "2026-04-01", "end": "2027-03-31", "systems": ["SYS01"]})  # fmt: skip
    assert contract.status_code == 201
    too_long = post(client, "/api/access/maintenance", {"person": vendor.staff_number, "system": "SYS01",
                    "privileges": ["admin"], "contract": "C-1", "valid_to": "2027-06-30"})  # fmt: skip
    assert too_long.status_code == 400 and too_long.json()["field"] == "valid_to"

    system = System.objects.get(code="SYS01")
    line = Entitlement.objects.get(pk=direct.json()[0]["id"])
    Entitlement.objects.filter(pk=line.pk).update(state=EntitlementState.PENDING)
    bio = post(client, "/api/access/biometric-registrations", {"person": line.person.staff_number,
               "system": system.code, "place": "本庁3階", "registered_on": TODAY.isoformat()})  # fmt: skip
    assert bio.status_code == 201 and bio.json()["changed"] == [line.pk]
    assert BiometricRegistration.objects.filter(person=line.person).exists()

    assert client.post("/api/access/expire", {}, content_type="application/json").status_code == 403
    client.force_login(people.admin)
    assert post(
        client, "/api/access/expire", {"date": (TODAY + dt.timedelta(days=1)).isoformat()}
    ).json() == {"expired": []}
    assert client.get("/api/access/proposals").json() == {"items": [], "count": 0}
    schema = client.get("/api/openapi.json").json()
    assert "/api/access/entitlements" in schema["paths"]


def test_kit_5_7_the_administrator_deletes_from_the_line_page_with_a_reason(city, people, client):
    from mamori.access.services import entitlement_assign_directly

    line = entitlement_assign_directly(
        person=city.staff["231"][0], system=System.objects.get(code="SYS01"), privileges=["view"],
        actor=people.approver, pack=city.pack, on=TODAY,
    )[0]  # fmt: skip
    client.force_login(people.requester)
    assert "削除の理由" not in client.get(f"/access/lines/{line.pk}/").content.decode()
    client.force_login(people.approver)
    assert "削除の理由" in client.get(f"/access/lines/{line.pk}/").content.decode()
    client.post(f"/access/lines/{line.pk}/delete/", {"reason": ""})
    line.refresh_from_db()
    assert line.state == EntitlementState.ACTIVE  # no reason, nothing written
    client.post(f"/access/lines/{line.pk}/delete/", {"reason": "目的外利用"})
    line.refresh_from_db()
    assert line.state == EntitlementState.DELETED


def test_kit_5_3_the_inbox_lists_fixed_term_staff_waiting_for_their_user_registration(city, people, client):
    waiting = city.staff["310"][-1]
    client.force_login(people.approver)
    form = f"/access/inbox/people/{waiting.pk}/registration/"
    assert form in client.get("/access/inbox/").content.decode()
    client.post(form, {"reference": "R8-1"})
    assert form not in client.get("/access/inbox/").content.decode()
    client.force_login(people.outsider)
    assert client.post(f"/access/inbox/people/{city.staff['320'][-1].pk}/registration/").status_code == 403


def test_the_api_registers_and_changes_a_system_with_pack_roles_and_flags(city, people, client):
    client.force_login(people.admin)
    made = post(client, "/api/access/systems", {"code": "MID", "name": "中間サーバー", "owner_unit": "231",
                "administrator_role": "intermediate_server_manager", "flags": ["intermediate_server"],
                "handles_specific_personal_information": True, "privileges": [{"code": "link", "name": "連携"}]})  # fmt: skip
    assert made.status_code == 201 and made.json()["privileges"][0]["code"] == "link"
    bad = post(client, "/api/access/systems/MID", {"flags": ["no_such_flag"]})
    assert bad.status_code == 400 and bad.json()["field"] == "flags"
    changed = post(client, "/api/access/systems/MID", {"category": "基幹"})
    assert changed.json()["category"] == "基幹"
