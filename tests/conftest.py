"""The shared test municipality and its people: an approver, a requester and an outsider.

Every test runs on the real database (SQLite by default, PostgreSQL with DATABASE_URL set);
only mail, which would leave the machine, goes to Django's in-memory outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from mamori.accounts.models import User
from mamori.core.time import TOKYO
from mamori.demo.city import City, build_city

# A Monday in term time, so that working-day rules do not depend on when the suite runs.
TODAY = dt.date(2026, 11, 16)
# The instant every test starts at (Asia/Tokyo): the suite never reads the machine's date.  A test that
# needs time to pass moves the clock itself (the ``clock`` fixture).
NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def clock():
    """Every test runs on a frozen clock at ``NOW``; ``clock.move_to(...)`` or ``clock.shift(...)`` moves it.
    ``time.monotonic`` is left alone, so timeouts and benchmarks still measure real durations."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class People:
    approver: User  # 情報システム課長: administers the systems (KIT-3) and registers privileges (KIT-5-4)
    requester: User  # 市民部長: 情報セキュリティ責任者 of 市民部 (KIT-4), files privilege requests (KIT-5-2)
    outsider: User  # a member of staff of 福祉課 who holds no role
    admin: User  # 情報政策課's administrator of mamori


def make_city(pack: str) -> City:
    return build_city(pack_name=pack, today=TODAY, staff_per_unit=3)


@pytest.fixture
def city(db) -> City:
    return make_city("kitami")


@pytest.fixture
def people(city: City) -> People:
    account = {name: entry[0] for name, entry in city.accounts.items()}
    return People(
        approver=account["kacho.joho"],
        requester=account["bucho.shimin"],
        outsider=account["shokuin"],
        admin=account["admin"],
    )


def _uses_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


def _uses_db(request) -> bool:
    return (
        _uses_transactions(request)
        or "db" in request.fixturenames
        or bool(request.node.get_closest_marker("django_db"))
    )


@pytest.fixture(autouse=True)
def _records_stay_append_only(request):
    """Every database test runs with the append-only triggers in place.  Transactional tests end
    with a flush (DELETE or TRUNCATE of every table), which the triggers rightly refuse: they are
    lifted for that flush only, and the next test puts them back."""
    if not _uses_db(request):
        yield
        return
    from django.db import connection

    from mamori.records import triggers

    transactional = _uses_transactions(request)
    request.getfixturevalue("transactional_db" if transactional else "db")  # torn down after this fixture

    def run(install: bool) -> None:
        with connection.cursor() as cursor:
            for statement in triggers._statements(connection.vendor, install=install):
                cursor.execute(statement)

    run(install=True)
    yield
    if transactional:
        run(install=False)


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _events_stay_append_only(request):
    """The event store's append-only triggers, like the records' above: in place for every
    database test, lifted only for the flush that ends a transactional test."""
    if not _uses_db(request):
        yield
        return
    from django.db import connection

    from mamori.events import triggers as event_triggers

    transactional = _uses_transactions(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    with connection.cursor() as cursor:
        event_triggers.run(cursor, connection.vendor, install=True)
    yield
    if transactional:
        with connection.cursor() as cursor:
            event_triggers.run(cursor, connection.vendor, install=False)


@pytest.fixture
def account_for(db):
    """An account for any person of a test city (credentials & designations tests need the holders
    of roles the shared ``people`` do not hold, in other packs too)."""
    from mamori.accounts.services import account_create

    def make(person) -> User:
        existing = User.objects.filter(person=person).first()
        if existing is not None:
            return existing
        user, _ = account_create(username=f"u{person.staff_number}", person=person, actor=None)
        User.objects.filter(pk=user.pk).update(must_change_password=False)  # screens, not the first log-in
        user.must_change_password = False
        return user

    return make
