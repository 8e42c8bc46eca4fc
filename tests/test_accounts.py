"""mamori's own log-in: Argon2, temporary passwords (KIT-8-2), strength, history and age (KIT-8-5), lock-out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from mamori.accounts.models import User
from mamori.accounts.services import (
    AccountError,
    account_unlock,
    login_attempt,
    must_change_password,
    password_change,
    password_is_expired,
    password_issue_temporary,
)
from mamori.core import time
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from mamori.records.models import Record

PASSWORD = "Mamori-demo-2026"


def test_passwords_are_hashed_with_argon2(people):
    assert settings.PASSWORD_HASHERS  # the suite uses cheaper Argon2 parameters, never another algorithm
    assert people.requester.password.startswith("argon2$")


def test_kit_8_2_a_temporary_password_must_be_changed_at_first_log_in(city, people):
    temporary = password_issue_temporary(user=people.outsider, actor=people.admin)
    user = User.objects.get(pk=people.outsider.pk)
    assert user.must_change_password and user.check_password(temporary)
    assert temporary not in str(list(Record.objects.values_list("after", flat=True)))  # never stored in clear
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].endswith("/password/")


def test_kit_8_2_an_unchanged_temporary_password_becomes_a_finding(city, people):
    password_issue_temporary(user=people.outsider, actor=people.admin)
    User.objects.filter(pk=people.outsider.pk).update(password_changed_at=time.now() - dt.timedelta(days=30))
    findings_run(on=time.today())
    finding = Finding.objects.get(
        rule="accounts.temporary_password_not_changed", object_id=str(people.outsider.pk)
    )
    assert finding.requirement.startswith("KIT-8")


def test_kit_8_5_a_weak_password_is_refused(people):
    with pytest.raises(AccountError) as refused:
        password_change(user=people.outsider, old_password=PASSWORD, new_password="password")
    assert refused.value.field == "new_password"


def test_kit_8_5_a_recent_password_cannot_be_reused(people):
    password_change(user=people.outsider, old_password=PASSWORD, new_password="Kitami-Second-77")
    password_change(user=people.outsider, old_password="Kitami-Second-77", new_password="Kitami-Third-88")
    with pytest.raises(AccountError, match="過去"):
        password_change(user=people.outsider, old_password="Kitami-Third-88", new_password=PASSWORD)


def test_kit_8_5_a_password_older_than_the_packs_maximum_age_must_be_changed(city, people):
    max_age = city.pack.parameters.password.max_age_days
    user = people.outsider
    user.password_changed_at = time.now() - dt.timedelta(days=max_age + 1)
    assert password_is_expired(user)
    assert must_change_password(user)
    user.password_changed_at = time.now() - dt.timedelta(days=max_age - 1)
    assert not password_is_expired(user)


def test_it_locks_the_account_after_the_packs_number_of_failures_and_records_it(city, people):
    threshold = city.pack.parameters.password.lockout_threshold
    for _ in range(threshold):
        with pytest.raises(AccountError):
            login_attempt(username=people.outsider.username, password="wrong")
    user = User.objects.get(pk=people.outsider.pk)
    assert user.is_locked
    with pytest.raises(AccountError, match="ロック"):
        login_attempt(username=user.username, password=PASSWORD)  # even the right password
    actions = list(
        Record.objects.filter(object_id=str(user.pk), object_type="accounts.User").values_list(
            "action", flat=True
        )
    )
    assert actions.count("accounts.login.failed") == threshold
    assert "accounts.locked" in actions and "accounts.login.refused_locked" in actions


def test_only_an_administrator_unlocks(city, people):
    User.objects.filter(pk=people.outsider.pk).update(locked_at=time.now(), failed_logins=5)
    with pytest.raises(AccountError):
        account_unlock(user=people.outsider, actor=people.requester)
    account_unlock(user=people.outsider, actor=people.admin)
    assert login_attempt(username=people.outsider.username, password=PASSWORD).pk == people.outsider.pk


def test_a_successful_log_in_resets_the_failure_count(people):
    with pytest.raises(AccountError):
        login_attempt(username=people.outsider.username, password="wrong")
    login_attempt(username=people.outsider.username, password=PASSWORD)
    assert User.objects.get(pk=people.outsider.pk).failed_logins == 0


def test_production_settings_hash_passwords_with_argon2():
    import mamori.settings as production

    assert production.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]
