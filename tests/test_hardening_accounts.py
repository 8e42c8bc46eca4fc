"""Accounts (KIT-8-5): one refusal message for every cause, passwords of repeated characters
refused, and a locked or disabled account loses its open sessions at once."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from mamori.accounts.models import User
from mamori.accounts.services import (
    LOGIN_REFUSED,
    AccountError,
    account_disable,
    generate_temporary_password,
    login_attempt,
    password_change,
)
from mamori.accounts.validators import repeated_character_problem
from mamori.core import time
from mamori.demo.city import DEMO_PASSWORD
from mamori.records.models import Record


def _refusal(username: str, password: str) -> str:
    with pytest.raises(AccountError) as refused:
        login_attempt(username=username, password=password, remote_addr="10.0.0.9")
    return refused.value.message


def test_it_gives_one_message_for_every_cause_and_records_the_true_one(people):
    unknown = _refusal("nobody-here", "whatever")
    wrong = _refusal(people.outsider.username, "wrong")
    User.objects.filter(pk=people.approver.pk).update(locked_at=time.now())
    locked = _refusal(people.approver.username, DEMO_PASSWORD)
    User.objects.filter(pk=people.requester.pk).update(is_active=False)
    disabled = _refusal(people.requester.username, DEMO_PASSWORD)
    assert unknown == wrong == locked == disabled == LOGIN_REFUSED

    causes = {
        (r.action, r.after.get("username"), r.after.get("cause"))
        for r in Record.objects.filter(action__startswith="accounts.login.")
    }
    assert ("accounts.login.refused_unknown", "nobody-here", "unknown_user") in causes
    assert ("accounts.login.failed", people.outsider.username, "wrong_password") in causes
    assert ("accounts.login.refused_locked", people.approver.username, "locked") in causes
    assert ("accounts.login.refused_disabled", people.requester.username, "disabled") in causes


def test_the_login_screen_says_the_same_for_an_unknown_id_and_a_locked_account(people):
    User.objects.filter(pk=people.approver.pk).update(locked_at=time.now())
    client = Client()
    unknown = client.post("/login/", {"username": "nobody-here", "password": "x"}).content.decode()
    locked = client.post(
        "/login/", {"username": people.approver.username, "password": DEMO_PASSWORD}
    ).content.decode()
    assert LOGIN_REFUSED in unknown and LOGIN_REFUSED in locked
    assert "ロックされています" not in locked and "使用停止中です" not in locked


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaA1", "Abcd1111efgh!", "Zzzzz-Mamori-9", "a1a1a1a1a1a1aaB#"],
)
def test_it_refuses_passwords_of_repeated_characters(people, password):
    with pytest.raises(AccountError) as refused:
        password_change(user=people.outsider, old_password=DEMO_PASSWORD, new_password=password)
    assert refused.value.field == "new_password"
    assert "同じ文字を4文字以上続けた" in refused.value.message


def test_it_accepts_a_varied_password_and_its_own_temporary_ones(people):
    password_change(user=people.outsider, old_password=DEMO_PASSWORD, new_password="Kawa-sumi-2027!")
    assert repeated_character_problem("aaab") is not None and repeated_character_problem("aab1c") is None
    assert all(repeated_character_problem(generate_temporary_password(14)) is None for _ in range(200))


def _open_session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    assert client.get("/").status_code == 200
    return client


def test_a_lock_by_failed_log_ins_ends_the_accounts_open_sessions(people):
    client = _open_session(people.outsider)
    other = _open_session(people.requester)
    for _ in range(5):
        _refusal(people.outsider.username, "wrong")
    assert User.objects.get(pk=people.outsider.pk).is_locked
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(people.outsider.pk) for s in Session.objects.all()
    )
    assert client.get("/")["Location"].startswith("/login/")
    assert other.get("/").status_code == 200  # another person's session is left alone


def test_disabling_an_account_ends_its_sessions_and_is_recorded(people):
    client = _open_session(people.outsider)
    with pytest.raises(AccountError):
        account_disable(user=people.outsider, actor=people.requester, reason="退職")
    account_disable(user=people.outsider, actor=people.admin, reason="退職")
    assert client.get("/")["Location"].startswith("/login/")
    record = Record.objects.filter(action="accounts.disabled").get()
    assert record.after["reason"] == "退職" and record.after["sessions_ended"] == 1


def test_the_middleware_refuses_a_session_of_an_account_locked_behind_its_back(people):
    """A lock set by another path (the database, another worker) is refused on the next request,
    on the screens and on the API."""
    client = _open_session(people.outsider)
    api = _open_session(people.outsider)
    User.objects.filter(pk=people.outsider.pk).update(locked_at=time.now())
    assert client.get("/")["Location"].startswith("/login/")
    answer = api.get("/api/requests")
    assert answer.status_code == 401 and "使用できません" in answer.json()["message"]
