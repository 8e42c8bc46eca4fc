"""The administrator's account screens (issue 11 item 9): an account issued with a temporary password
shown once, a new temporary password, lock and unlock, stop and put back; staff are refused."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.accounts.services import account_lock, account_password_reset
from mamori.core.policy import Refused
from mamori.demo.city import DEMO_PASSWORD
from mamori.records.models import Record


def session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def logged_in_as(username: str, password: str = DEMO_PASSWORD) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


def temporary_password(response) -> str:
    match = re.search(r'id="temporary-password">([^<]+)<', response.content.decode())
    assert match, "no temporary password on the page"
    return match.group(1)


def a_person_without_account(city):
    return next(
        p for staff in city.staff.values() for p in staff if not User.objects.filter(person=p).exists()
    )


def test_it_issues_an_account_and_shows_the_temporary_password_once(city, people):
    admin = session(people.admin)
    person = a_person_without_account(city)
    assert admin.get("/accounts/new/").status_code == 200
    response = admin.post("/accounts/new/", {"staff_number": person.staff_number, "username": "atarashii"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "一度だけ表示" in page
    password = temporary_password(response)
    account = User.objects.get(username="atarashii")
    assert account.person == person and account.must_change_password and account.check_password(password)
    assert password not in str(list(Record.objects.values_list("after", flat=True)))
    assert password not in admin.get("/accounts/").content.decode()  # never shown again

    # The new member of staff must change it before anything else.
    client = Client()
    assert client.post("/login/", {"username": "atarashii", "password": password}).status_code == 302
    assert client.get("/requests/")["Location"] == "/password/"
    changed = client.post(
        "/password/",
        {"old_password": password, "new_password": "Kitami-Sakura-77", "new_password2": "Kitami-Sakura-77"},
    )
    assert changed["Location"] == "/"
    assert not User.objects.get(pk=account.pk).must_change_password


def test_it_names_the_field_when_the_account_cannot_be_issued(city, people):
    admin = session(people.admin)
    taken = admin.post(
        "/accounts/new/", {"staff_number": people.outsider.person.staff_number, "username": "another"}
    )
    assert taken.status_code == 400 and "既にあります" in taken.content.decode()
    unknown = admin.post("/accounts/new/", {"staff_number": "no-such-number", "username": "x1"})
    assert (
        unknown.status_code == 400 and "職員番号 no-such-number の職員はいません" in unknown.content.decode()
    )
    person = a_person_without_account(city)
    used = admin.post("/accounts/new/", {"staff_number": person.staff_number, "username": "shokuin"})
    assert used.status_code == 400 and "既に使われています" in used.content.decode()


def test_it_resets_the_password_to_a_new_temporary_one(city, people):
    admin = session(people.admin)
    response = admin.post(f"/accounts/{people.outsider.pk}/reset/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = temporary_password(response)
    account = User.objects.get(pk=people.outsider.pk)
    assert account.must_change_password and account.check_password(password)
    assert not account.check_password(DEMO_PASSWORD)
    assert Record.objects.filter(
        action="accounts.password.temporary_issued", object_id=str(account.pk)
    ).exists()
    client = Client()
    assert client.post("/login/", {"username": "shokuin", "password": password}).status_code == 302
    assert client.get("/requests/")["Location"] == "/password/"


def test_it_locks_an_account_and_ends_its_sessions_then_unlocks(city, people):
    staff = logged_in_as("shokuin")
    assert staff.get("/requests/").status_code == 200
    admin = session(people.admin)
    assert admin.post(f"/accounts/{people.outsider.pk}/lock/")["Location"] == "/accounts/"
    assert User.objects.get(pk=people.outsider.pk).is_locked
    assert staff.get("/requests/")["Location"].startswith("/login/")  # the open session ended
    assert Client().post("/login/", {"username": "shokuin", "password": DEMO_PASSWORD}).status_code == 400
    record = Record.objects.filter(action="accounts.locked", object_id=str(people.outsider.pk)).get()
    assert record.after["sessions_ended"] == 1

    admin.post(f"/accounts/{people.outsider.pk}/unlock/")
    assert not User.objects.get(pk=people.outsider.pk).is_locked
    logged_in_as("shokuin")


def test_it_stops_an_account_with_a_reason_and_puts_it_back(city, people):
    staff = logged_in_as("shokuin")
    admin = session(people.admin)
    admin.post(f"/accounts/{people.outsider.pk}/disable/", {"reason": ""})
    assert User.objects.get(pk=people.outsider.pk).is_active  # no reason, nothing done
    admin.post(f"/accounts/{people.outsider.pk}/disable/", {"reason": "退職"})
    assert not User.objects.get(pk=people.outsider.pk).is_active
    assert staff.get("/requests/")["Location"].startswith("/login/")
    page = admin.get("/accounts/").content.decode()
    assert "停止中" in page and "使用再開" in page
    admin.post(f"/accounts/{people.outsider.pk}/enable/")
    assert User.objects.get(pk=people.outsider.pk).is_active
    assert Record.objects.filter(action="accounts.enabled", object_id=str(people.outsider.pk)).exists()
    logged_in_as("shokuin")


def test_the_list_asks_before_each_action_that_cannot_be_undone(city, people):
    page = session(people.admin).get("/accounts/").content.decode()
    for action in ("lock", "reset", "disable"):
        form = page.split(f'action="/accounts/{people.outsider.pk}/{action}/"')[1].split("</form>")[0]
        assert "data-confirm=" in form
    assert 'name="reason"' in page and "使用停止の理由" in page


@pytest.mark.parametrize(
    "route",
    [
        "/accounts/new/",
        "/accounts/{pk}/lock/",
        "/accounts/{pk}/unlock/",
        "/accounts/{pk}/reset/",
        "/accounts/{pk}/disable/",
        "/accounts/{pk}/enable/",
    ],
)
def test_staff_are_refused_on_every_account_route(city, people, route):
    url = route.format(pk=people.outsider.pk)
    for user in (people.outsider, people.approver, people.requester):
        client = session(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x", "staff_number": "1", "username": "x"}).status_code == 403
    account = User.objects.get(pk=people.outsider.pk)
    assert account.is_active and not account.is_locked and not account.must_change_password


def test_the_services_refuse_staff_through_the_policy(city, people):
    with pytest.raises(Refused):
        account_lock(user=people.outsider, actor=people.requester)
    with pytest.raises(Refused):
        account_password_reset(user=people.outsider, actor=people.requester)
