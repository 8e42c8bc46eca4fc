"""The administrator's screens for role appointments, deputies and absences (issue 11 item 9): what they
record changes who ``holders_of(role, on=day)`` returns; staff are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.core.policy import Refused
from mamori.organisation.models import Absence, RoleAppointment
from mamori.organisation.roles import holders_of
from mamori.organisation.services import absence_register, role_appoint, role_appointment_end
from mamori.records.models import Record
from mamori.regulations.active import active_pack
from tests.conftest import TODAY

TOMORROW = TODAY + dt.timedelta(days=1)


def session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(role: str, day: dt.date) -> set[str]:
    return {h.person.name for h in holders_of(role, on=day, pack=active_pack())}


def test_it_lists_appoints_a_deputy_registers_an_absence_and_ends_the_appointment(city, people):
    admin = session(people.admin)
    deputy = city.staff["231"][0]
    head = people.approver.person  # 情報システム課長: COKAS-R/ADⅡ管理者 ex officio
    assert names("cokas_manager", TODAY) == {head.name}

    page = admin.get("/organisation/appointments/")
    assert page.status_code == 200 and "この日に有効な任命・代理者の指定はありません" in page.content.decode()

    appointed = admin.post(
        "/organisation/appointments/new/",
        {
            "role": "cokas_manager",
            "staff_number": deputy.staff_number,
            "start": TODAY.isoformat(),
            "deputy": "on",
        },
    )
    assert appointed["Location"] == "/organisation/appointments/"
    appointment = RoleAppointment.objects.get(person=deputy)
    assert appointment.capacity == RoleAppointment.Capacity.DEPUTY
    assert names("cokas_manager", TODAY) == {head.name}  # the holder is here: no deputy acts

    registered = admin.post(
        "/organisation/absences/new/",
        {
            "staff_number": head.staff_number,
            "start": TODAY.isoformat(),
            "end": TOMORROW.isoformat(),
            "reason": "出張",
        },
    )
    assert registered["Location"] == "/organisation/appointments/"
    assert names("cokas_manager", TODAY) == {deputy.name}
    assert names("cokas_manager", TOMORROW) == {deputy.name}

    listed = admin.get("/organisation/appointments/").content.decode()
    assert deputy.name in listed and "代理者" in listed and "出張" in listed and head.name in listed
    assert "data-confirm=" in listed.split(f'id="appointment-{appointment.pk}"')[1].split("</tr>")[0]

    ended = admin.post(f"/organisation/appointments/{appointment.pk}/end/", {"end": TODAY.isoformat()})
    assert ended["Location"] == "/organisation/appointments/"
    assert names("cokas_manager", TODAY) == {deputy.name}  # the last day it counts
    assert deputy.name not in names("cokas_manager", TOMORROW)
    actions = set(Record.objects.values_list("action", flat=True))
    assert {
        "organisation.role.appointed",
        "organisation.absence.registered",
        "organisation.role.appointment_ended",
    } <= actions


def test_it_names_the_field_it_refuses(city, people):
    admin = session(people.admin)
    person = city.staff["231"][0]
    ex_officio = admin.post(
        "/organisation/appointments/new/",
        {"role": "cokas_manager", "staff_number": person.staff_number, "start": TODAY.isoformat()},
    )
    assert ex_officio.status_code == 400 and "任命はできません" in ex_officio.content.decode()
    backwards = admin.post(
        "/organisation/absences/new/",
        {
            "staff_number": person.staff_number,
            "start": TOMORROW.isoformat(),
            "end": TODAY.isoformat(),
            "reason": "研修",
        },
    )
    assert backwards.status_code == 400 and "終了日は開始日以後" in backwards.content.decode()
    nobody = admin.post(
        "/organisation/absences/new/",
        {"staff_number": "no-such", "start": TODAY.isoformat(), "end": TODAY.isoformat(), "reason": "研修"},
    )
    assert nobody.status_code == 400 and "職員番号 no-such の職員はいません" in nobody.content.decode()
    assert not RoleAppointment.objects.exists() and not Absence.objects.exists()


def test_the_roles_page_links_to_the_appointments_for_administrators_only(city, people):
    assert "/organisation/appointments/" in session(people.admin).get("/organisation/roles/").content.decode()
    assert (
        "/organisation/appointments/"
        not in session(people.outsider).get("/organisation/roles/").content.decode()
    )


@pytest.mark.parametrize(
    "route",
    [
        "/organisation/appointments/",
        "/organisation/appointments/new/",
        "/organisation/appointments/{pk}/end/",
        "/organisation/absences/new/",
    ],
)
def test_staff_are_refused_on_every_appointment_route(city, people, route):
    appointment = role_appoint(
        pack=active_pack(),
        role="cokas_manager",
        person=city.staff["231"][0],
        start=TODAY,
        deputy=True,
        actor=None,
    )
    url = route.format(pk=appointment.pk)
    for user in (people.outsider, people.approver, people.requester):
        client = session(user)
        assert client.get(url).status_code == 403
        payload = {
            "role": "cokas_manager",
            "staff_number": user.person.staff_number,
            "start": TODAY.isoformat(),
            "end": TODAY.isoformat(),
            "deputy": "on",
            "reason": "出張",
        }
        assert client.post(url, payload).status_code == 403
    assert RoleAppointment.objects.get().end is None and not Absence.objects.exists()


def test_the_services_ask_the_policy_when_a_person_acts(city, people):
    pack = active_pack()
    person = city.staff["231"][0]
    with pytest.raises(Refused):
        role_appoint(
            pack=pack, role="cokas_manager", person=person, start=TODAY, deputy=True, actor=people.approver
        )
    with pytest.raises(Refused):
        absence_register(person=person, start=TODAY, end=TODAY, reason="出張", actor=people.outsider)
    appointment = role_appoint(
        pack=pack, role="cokas_manager", person=person, start=TODAY, deputy=True, actor=None
    )
    with pytest.raises(Refused):
        role_appointment_end(appointment=appointment, end=TODAY, actor=people.requester)
    role_appointment_end(appointment=appointment, end=TODAY, actor=people.admin)
