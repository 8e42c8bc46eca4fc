"""The demo municipality of ``mamori demo`` (北見市 pack), built once per test module for the harness
that proves who may see and do what (issue 10): the URL × role matrix, the attacks and the fuzzer.

Building it takes about fifteen seconds, so a module builds it once, inside one transaction that is
rolled back when the module ends; each test runs in a savepoint within it (pytest-django's ``db``), so
whatever a test changes is undone and the next module's database is as empty as before.  The demo is
built on the suite's frozen clock (``tests.conftest.NOW``), as the autouse ``clock`` fixture is
per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from mamori.accounts.models import User
from mamori.demo.city import DEMO_PASSWORD, City, build_city
from mamori.demo.domains import populate_domains
from mamori.demo.requests import file_demo_requests, plant_findings
from mamori.findings.services import findings_run
from tests.conftest import NOW, TODAY

# Every demo log-in the harness walks through, in the order the matrix lists them; ``shinjin`` must
# change a temporary password before anything else.
DEMO_ROLES = ("admin", "kacho.joho", "bucho.shimin", "kacho.shimin", "bucho.somu", "fuku", "shokuin")
TEMPORARY = "shinjin"
ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, TEMPORARY, *DEMO_ROLES)


@dataclass
class DemoWorld:
    city: City

    def user(self, username: str) -> User:
        return User.objects.get(username=username)


def _build() -> City:
    city = build_city(pack_name="kitami", today=TODAY)
    file_demo_requests(city, on=TODAY)
    plant_findings(city, on=TODAY)
    populate_domains(city, on=TODAY)
    findings_run(on=TODAY)
    return city


def demo_world_fixture(django_db_setup, django_db_blocker) -> Iterator[DemoWorld]:
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        world = DemoWorld(city=_build())
        yield world
        transaction.set_rollback(True)  # nothing of this module's demo survives into the next module


# A module-scoped fixture: ``from tests.demo_world import demo_world`` in a test module builds the
# demo once for that module.
demo_world = pytest.fixture(scope="module")(demo_world_fixture)


def logged_in(username: str, **client_options) -> Client:
    """A test client logged in through the log-in form, as a person would (not ``force_login``)."""
    client = Client(**client_options)
    if username == ANONYMOUS:
        return client
    answer = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 302, f"{username} could not log in: {answer.status_code}"
    return client
