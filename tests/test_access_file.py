"""The management file: what it holds (KIT-2), who sees which lines (KIT-4), its screens and API,
and list pages whose query count does not grow with the number of lines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mamori.access.models import Entitlement, EntitlementState
from mamori.access.selectors import visible_entitlements
from mamori.access.services import EntitlementError, entitlement_assign_directly
from mamori.core import time
from mamori.organisation.models import Person
from mamori.systems.models import System
from tests.conftest import TODAY


def lines_for(people_list, people, system="SYS01", privilege="view"):
    system = System.objects.get(code=system)
    privilege = system.privileges.get(code=privilege)
    return Entitlement.objects.bulk_create(
        [
            Entitlement(
                person=person,
                system=system,
                privilege=privilege,
                user_id=f"U{person.staff_number}",
                valid_from=TODAY,
                registered_at=time.now(),
                registered_by=people.approver,
            )
            for person in people_list
        ]
    )


def visible(user, city):
    return set(
        visible_entitlements(user, pack=city.pack, on=TODAY).values_list("person__staff_number", flat=True)
    )


def test_kit_2_the_file_holds_user_id_and_privileges_per_system_and_keeps_maintenance_staff_apart(
    city, people
):
    staff, vendor = city.staff["310"][0], Person.objects.get(employment="contractor")
    lines_for([staff, vendor], people)
    rows = set(
        Entitlement.objects.values_list("person__employment", "system__code", "user_id", "privilege__code")
    )
    assert ("regular", "SYS01", f"U{staff.staff_number}", "view") in rows
    # 保守要員 are a class of their own: the request path refuses them (KIT-5-9) and the direct path too.
    with pytest.raises(EntitlementError):
        entitlement_assign_directly(
            person=vendor, system=System.objects.get(code="SYS01"), privileges=["view"], actor=people.approver,
            pack=city.pack, on=TODAY,
        )  # fmt: skip


def test_kit_4_the_security_officer_sees_exactly_the_users_of_their_own_organisation(city, people):
    shimin = [*city.staff["310"], *city.staff["320"]]  # 市民部: 市民課, 保険年金課
    fukushi = city.staff["410"]
    lines_for([*shimin, *fukushi], people, system="SYS90")  # 文書管理: 総務課's system
    seen = visible(people.requester, city)  # 市民部長
    assert seen == {p.staff_number for p in shimin}


def test_kit_4_others_see_only_their_own_lines_and_the_administrator_everything(city, people):
    lines_for([*city.staff["410"], city.staff["310"][0]], people, system="SYS90")
    assert visible(people.outsider, city) == {people.outsider.person.staff_number}
    assert len(visible(people.admin, city)) == 4


def test_kit_4_a_systems_administrator_sees_the_lines_of_the_systems_they_administer(city, people):
    lines_for(city.staff["410"], people, system="SYS01")  # 情報システム課's system
    lines_for(city.staff["310"], people, system="SYS90")  # 総務課's system
    assert visible(people.approver, city) == {p.staff_number for p in city.staff["410"]}


def many_people(city, n, start=0):
    people = [
        Person(staff_number=f"9{index:05d}", name=f"試験 {index}", employment="regular")
        for index in range(start, start + n)
    ]
    created = Person.objects.bulk_create(people)
    from mamori.organisation.models import Assignment

    Assignment.objects.bulk_create(
        [Assignment(person=p, unit=city.units["310"], start=dt.date(2026, 4, 1)) for p in created]
    )
    return created


@pytest.mark.parametrize("who", ["admin", "requester"])
def test_kit_4_the_management_file_page_runs_the_same_queries_for_5_and_50_lines(city, people, client, who):
    user = getattr(people, who)
    client.force_login(user)
    counts = []
    test_people = many_people(city, 5)
    for n in (5, 50):
        Entitlement.objects.all().delete()
        if n == 50:
            test_people += many_people(city, 45, start=5)
        lines_for(test_people, people)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/access/", {"state": "open"})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_systems_and_inbox_pages_do_not_grow_with_rows(city, people, client):
    client.force_login(people.admin)
    counts = []
    for n in (5, 50):
        lines_for(many_people(city, 5 if n == 5 else 45, start=0 if n == 5 else 5), people, system="SYS02")
        with CaptureQueriesContext(connection) as systems_page:
            assert client.get("/access/systems/").status_code == 200
        Entitlement.objects.filter(system__code="SYS02").update(state=EntitlementState.PENDING)
        with CaptureQueriesContext(connection) as inbox_page:
            assert client.get("/access/inbox/").status_code == 200
        counts.append((len(systems_page), len(inbox_page)))
    assert counts[0] == counts[1], counts


def test_the_line_page_shows_its_history(city, people, client):
    line = entitlement_assign_directly(
        person=city.staff["231"][0], system=System.objects.get(code="SYS01"), privileges=["view"],
        actor=people.approver, pack=city.pack, on=TODAY,
    )[0]  # fmt: skip
    client.force_login(people.admin)
    page = client.get(f"/access/lines/{line.pk}/").content.decode()
    # The action in words, not its stored code (issue 9 item 5).
    assert "権限を登録" in page and "access.entitlement.registered" not in page and "KIT-5-5" in page


def test_kit_5_2_the_quick_form_files_a_request_and_names_a_refused_field(city, people, client):
    client.force_login(people.requester)
    person = city.staff["310"][0]
    assert client.get("/access/request/").status_code == 200
    boxes = client.get("/access/request/privileges/", {"system": "SYS01"}).content.decode()
    assert 'value="view"' in boxes
    found = client.get("/access/request/people/", {"person": person.name[:2]}).content.decode()
    assert person.staff_number in found
    response = client.post(
        "/access/request/",
        {"action": "grant", "person": f"{person.staff_number} {person.name}", "system": "SYS01",
         "privileges": ["view"], "valid_from": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    refused = client.post(
        "/access/request/", {"action": "grant", "person": city.staff["310"][-1].staff_number, "system": "SYS01",
                             "privileges": ["view"]},
    )  # fmt: skip
    assert refused.status_code == 400 and "第5条第3項" in refused.content.decode()


def test_the_api_lists_the_file_with_scope_and_history(city, people, client):
    lines_for(city.staff["310"], people)
    client.force_login(people.requester)
    body = client.get("/api/access/entitlements", {"system": "SYS01"}).json()
    assert body["count"] == 3 and "所管する組織" in body["scope"]
    history = client.get(f"/api/access/entitlements/{body['items'][0]['id']}/history").json()
    assert history == []  # bulk-created in the test without records
    systems = client.get("/api/access/systems").json()
    assert any(s["code"] == "SYS01" and s["privileges"] for s in systems)


def test_the_api_refuses_a_deletion_without_reason_naming_the_field(city, people, client):
    line = entitlement_assign_directly(
        person=city.staff["231"][0], system=System.objects.get(code="SYS01"), privileges=["view"],
        actor=people.approver, pack=city.pack, on=TODAY,
    )[0]  # fmt: skip
    client.force_login(people.approver)
    response = client.post(
        f"/api/access/entitlements/{line.pk}/delete", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["field"] == "reason"
