"""Issue 3: the query count of every list page does not grow with the number of rows it shows.

Each test requests a page with a few rows and again with many (more than would fit if the page ran
one query per row) and asserts that both requests ran the same number of queries.  The rows are made
through the domains' services; the management file, the review lines and the export have their own
tests (tests/test_access_file.py, tests/test_reviews_screens.py, tests/test_exports_views.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mamori.access.services import entitlement_assign_directly
from mamori.accounts.services import account_create
from mamori.credentials.loans import loan_lend, viewing_id_register
from mamori.credentials.operator_ids import operator_id_issue
from mamori.credentials.services import credential_issue_temporary
from mamori.designations.services import designation_add
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from mamori.organisation.models import Assignment, Person
from mamori.regulations.active import active_pack
from mamori.reviews.services import campaign_launch
from mamori.systems.models import Privilege, System
from mamori.systems.services import system_register
from mamori.terminals.eventgen import session, store_events
from mamori.terminals.services import terminal_register
from mamori.workflows.services import request_file
from tests.conftest import TODAY, make_city

FEW, MANY = 2, 30
_serial = iter(range(10_000))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_staff(city, n: int, unit: str = "310") -> list[Person]:
    """``n`` more members of staff of ``unit`` (bulk: the staff import's path, without the file)."""
    created = Person.objects.bulk_create(
        [
            Person(
                staff_number=f"8{(index := next(_serial)):05d}", name=f"試験 {index}", employment="regular"
            )
            for _ in range(n)
        ]
    )
    Assignment.objects.bulk_create(
        [Assignment(person=p, unit=city.units[unit], start=dt.date(2026, 4, 1)) for p in created]
    )
    return created


def queries(client: Client, url: str, params: dict | None = None, *, method: str = "get") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(captured), response.content.decode()


def same_queries_for_few_and_many(
    client: Client,
    url: str,
    add: Callable[[int], list[str]],
    params: dict | None = None,
    *,
    method: str = "get",
) -> tuple[int, int]:
    """Add FEW rows, count the page's queries; add the rest up to MANY, count again.  ``add`` returns
    a text each new row shows, so that the page is seen to list every row it was counted with."""
    shown = add(FEW)
    queries(client, url, params, method=method)  # warm the session, the pack and the content types
    few, page = queries(client, url, params, method=method)
    assert all(text in page for text in shown), shown
    shown += add(MANY - FEW)
    many, page = queries(client, url, params, method=method)
    assert all(text in page for text in shown), [text for text in shown if text not in page]
    return few, many


def test_kit_8_2_the_credentials_page_runs_the_same_queries_for_2_and_30_passwords(city, people):
    """KIT-8-2: the issued passwords (metadata only) and the 別記様式2 waiting to be registered."""
    system = System.objects.get(code="SYS01")

    def add(n: int) -> list[str]:
        staff = new_staff(city, n)
        for person in staff:
            credential_issue_temporary(person=person, system=system, actor=people.approver, on=TODAY)
            request_file(kind="access.password", actor=people.outsider, on=TODAY, payload={"system": "SYS01"})
        return [person.name for person in staff]

    few, many = same_queries_for_few_and_many(client_for(people.approver), reverse("credentials"), add)
    assert few == many, (few, many)


def test_mai_23_the_operator_ids_page_runs_the_same_queries_for_2_and_30_ids(account_for):
    """MAI-23: the 照合ID/操作者ID register, each ID with its person, system and privileges."""
    maizuru = make_city("maizuru")
    manager = account_for(maizuru.head_of("デジタル推進課"))
    system = System.objects.get(code="SYS01")
    privileges = list(Privilege.objects.filter(system=system))

    def add(n: int) -> list[str]:
        return [
            operator_id_issue(
                person=person, system=system, privileges=privileges, actor=manager, on=TODAY
            ).code
            for person in new_staff(maizuru, n)
        ]

    few, many = same_queries_for_few_and_many(client_for(manager), reverse("credentials_ids"), add)
    assert few == many, (few, many)


def test_kit_11_the_loans_page_runs_the_same_queries_for_2_and_30_loans(city, people):
    """KIT-11: the viewing IDs with their open loans, and the loan history."""

    def add(n: int) -> list[str]:
        codes = []
        for person in new_staff(city, n, unit="320"):  # 第11条第1項: lent to someone outside 市民課
            viewing = viewing_id_register(
                code=f"ETSURAN-{next(_serial)}", unit=city.units["310"], actor=people.requester, on=TODAY
            )
            loan_lend(viewing_id=viewing, viewer=person, actor=people.requester, on=TODAY)
            codes.append(viewing.code)
        return codes

    few, many = same_queries_for_few_and_many(client_for(people.requester), reverse("credentials_loans"), add)
    assert few == many, (few, many)


def test_yan_8_the_designation_ledger_runs_the_same_queries_for_2_and_30_designations(account_for):
    """YAN-8: the ledger of 本人確認情報取扱者, each row naming who designated them."""
    yanagawa = make_city("yanagawa")
    manager = account_for(yanagawa.heads["310"])  # 市民課長: 本人確認情報管理責任者

    def add(n: int) -> list[str]:
        staff = new_staff(yanagawa, n)
        for person in staff:
            designation_add(kind="identity_handler", person=person, actor=manager, on=TODAY)
        return [person.name for person in staff]

    few, many = same_queries_for_few_and_many(
        client_for(manager), reverse("designations"), add, {"kind": "identity_handler"}
    )
    assert few == many, (few, many)


@pytest.mark.django_db
def test_yan_12_3_the_terminal_register_and_its_operators_run_the_same_queries_for_2_and_30_rows():
    """YAN-12-3: the terminal register, and a terminal's page listing its designated operators."""
    yanagawa = make_city("yanagawa")
    admin, kacho = yanagawa.accounts["admin"][0], yanagawa.accounts["kacho.shimin"][0]
    systems = list(System.objects.filter(code__in=["SYS01", "SYS02"]))
    first = terminal_register(
        host_name="SHIMIN-PC00", unit=yanagawa.units["310"], actor=admin, active_from=dt.date(2026, 4, 1),
        systems=systems,
    )  # fmt: skip

    def add_terminals(n: int) -> list[str]:
        return [
            terminal_register(
                host_name=f"SHIMIN-PC{next(_serial) + 1:03d}", unit=yanagawa.units["310"], actor=admin,
                active_from=dt.date(2026, 4, 1), systems=systems,
            ).host_name
            for _ in range(n)
        ]  # fmt: skip

    def add_operators(n: int) -> list[str]:
        staff = new_staff(yanagawa, n)
        for person in staff:
            designation_add(
                kind="terminal_operator",
                terminal=first,
                person=person,
                valid_from=TODAY,
                actor=kacho,
                on=TODAY,
            )
        return [person.name for person in staff]

    few, many = same_queries_for_few_and_many(client_for(admin), reverse("terminals"), add_terminals)
    assert few == many, ("terminals", few, many)
    few, many = same_queries_for_few_and_many(
        client_for(kacho), reverse("terminal_detail", args=[first.host_name]), add_operators
    )
    assert few == many, ("operators", few, many)


@pytest.mark.django_db
def test_mai_21_4_the_audit_search_runs_the_same_queries_for_2_and_30_people_s_events():
    """MAI-21-4: a search that returns rows, each naming the person its account resolves to."""
    yanagawa = make_city("yanagawa")
    day = dt.date(2026, 10, 5)

    def add(n: int) -> list[str]:
        staff, rows = new_staff(yanagawa, n), []
        for person in staff:
            rows += session(person.staff_number, "PC1", day, "08:40", "17:00", f"0x{next(_serial)}")
        store_events(rows)
        return [person.name for person in staff]

    # Two events (logon, logoff) a person: 60 rows on the page with many, within its 100.
    few, many = same_queries_for_few_and_many(
        client_for(yanagawa.accounts["admin"][0]),
        reverse("audit_search"),
        add,
        {"since": "2026-10-01", "until": "2026-10-31", "host": "PC1"},
        method="post",  # a search is recorded, so it is a POST
    )
    assert few == many, (few, many)


def filed_by_outsider(people, n: int) -> list[str]:
    """``n`` 別記様式2 filed by the outsider, for the administrator of SYS01 to register; their links."""
    filed = [
        request_file(kind="access.password", actor=people.outsider, on=TODAY, payload={"system": "SYS01"})
        for _ in range(n)
    ]
    return [reverse("request_detail", args=[request.pk]) for request in filed]


def test_kit_8_1_the_requests_page_runs_the_same_queries_for_2_and_30_requests(city, people):
    """KIT-8-1 (別記様式2): the filer's list of their requests."""
    few, many = same_queries_for_few_and_many(
        client_for(people.outsider), reverse("requests"), lambda n: filed_by_outsider(people, n)
    )
    assert few == many, (few, many)


def test_kit_8_1_the_approvals_page_runs_the_same_queries_for_2_and_30_waiting_steps(city, people):
    """KIT-8-1 (別記様式2): the administrator's inbox of requests waiting for their decision."""
    few, many = same_queries_for_few_and_many(
        client_for(people.approver), reverse("approvals"), lambda n: filed_by_outsider(people, n)
    )
    assert few == many, (few, many)


def test_kit_8_2_the_findings_page_runs_the_same_queries_for_2_and_30_findings(city, people):
    """KIT-8-2: temporary passwords never changed become findings, each naming its person."""
    system = System.objects.get(code="SYS01")
    long_ago = TODAY - dt.timedelta(days=120)

    def add(n: int) -> list[str]:
        staff = new_staff(city, n)
        for person in staff:
            credential_issue_temporary(person=person, system=system, actor=people.approver, on=long_ago)
        findings_run(on=TODAY, only=["credentials.temporary_password_not_changed"])
        return [person.name for person in staff]

    few, many = same_queries_for_few_and_many(client_for(people.admin), reverse("findings"), add)
    assert Finding.objects.count() >= MANY
    assert few == many, (few, many)


def test_kit_3_the_accounts_page_runs_the_same_queries_for_2_and_30_accounts(city, people):
    """KIT-3: the administrator's list of accounts, each with its person."""

    def add(n: int) -> list[str]:
        return [
            account_create(username=f"t{person.staff_number}", person=person, actor=people.admin)[0].username
            for person in new_staff(city, n)
        ]

    few, many = same_queries_for_few_and_many(client_for(people.admin), reverse("accounts"), add)
    assert few == many, (few, many)


def test_kit_2_the_systems_page_runs_the_same_queries_for_2_and_30_systems(city, people):
    """KIT-2: the register of systems, each with its owner and privileges."""

    def add(n: int) -> list[str]:
        codes = [f"T{next(_serial):03d}" for _ in range(n)]
        for code in codes:
            system_register(
                code=code, name=f"試験システム{code}", owner_unit=city.units["231"], actor=people.admin,
                pack=active_pack(), privileges=[("view", "照会"), ("update", "更新")],
            )  # fmt: skip
        return codes

    few, many = same_queries_for_few_and_many(client_for(people.admin), reverse("access_systems"), add)
    assert few == many, (few, many)


def test_kit_5_10_the_campaign_list_runs_the_same_queries_for_2_and_30_campaigns(city, people):
    """KIT-5-10: the list of review campaigns with their progress."""
    system = System.objects.get(code="SYS01")
    entitlement_assign_directly(
        person=city.staff["231"][0], system=system, privileges=["view"], actor=people.approver,
        pack=city.pack, on=TODAY,
    )  # fmt: skip

    def add(n: int) -> list[str]:
        return [
            campaign_launch(actor=people.admin, on=TODAY, system=system, title=f"点検 {next(_serial)}").title
            for _ in range(n)
        ]

    few, many = same_queries_for_few_and_many(client_for(people.admin), reverse("reviews"), add)
    assert few == many, (few, many)


def test_the_organisation_page_runs_the_same_queries_for_2_and_30_more_staff(city, people):
    """The organisation tree with each unit's staff (no article of its own: the roles are read from it)."""

    def add(n: int) -> list[str]:
        return [person.name for person in new_staff(city, n)]

    few, many = same_queries_for_few_and_many(client_for(people.admin), reverse("organisation"), add)
    assert few == many, (few, many)


def test_kit_8_1_the_home_page_runs_the_same_queries_for_2_and_30_waiting_steps(city, people):
    """KIT-8-1: the home page's excerpt of the approvals waiting (and its count) does not grow either."""

    def add(n: int) -> list[str]:
        filed_by_outsider(people, n)
        return []  # the home page shows the oldest few; the count says how many wait

    client = client_for(people.approver)
    few, many = same_queries_for_few_and_many(client, reverse("home"), add)
    assert client.get(reverse("home")).context["pending_count"] == MANY
    assert few == many, (few, many)
