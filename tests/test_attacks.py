"""The dangerous requests of issue 10, each tried as the person who must be refused, on the demo.

Each test is a reproduction from the issue: every one got through before the policy layer
(``mamori/core/policy.py`` and each app's ``policies.py``) and guards it now."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from mamori.access.models import Entitlement
from mamori.accounts.models import User
from mamori.accounts.validators import password_rules
from mamori.api import api
from mamori.findings.models import Finding
from mamori.organisation.models import Assignment, Person, Unit
from mamori.reviews.models import Campaign
from mamori.workflows.models import Request
from tests.conftest import NOW, TODAY
from tests.demo_world import demo_world, logged_in  # noqa: F401

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def is_problem(answer) -> bool:
    """The API's refusal: a Problem JSON naming what is wrong."""
    return answer.get("Content-Type", "").startswith("application/json") and "message" in answer.json()


def api_reads() -> list[str]:
    """Every API read without path parameters, from the OpenAPI schema."""
    paths = api.get_openapi_schema()["paths"]
    return [path for path, operations in paths.items() if "get" in operations and "{" not in path]


def units_under(code: str) -> set[int]:
    return {u.pk for u in Unit.objects.all() if code in {a.code for a in u.ancestors()}}


def people_of(unit_ids: set[int]) -> set[Person]:
    return {
        a.person for a in Assignment.objects.on(TODAY).filter(unit_id__in=unit_ids).select_related("person")
    }


def xlsx_text(answer) -> str:
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    return "\n".join(
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )


# --- A password that must be changed first allows nothing else (KIT-8-2, KIT-8-5) -------------------


@pytest.fixture(params=["temporary", "expired"])
def must_change(request, demo_world):  # noqa: F811
    """``shinjin`` with the demo's temporary password, or ``shokuin`` whose password is older than the
    pack's maximum age."""
    if request.param == "temporary":
        return logged_in("shinjin")
    too_old = NOW - dt.timedelta(days=password_rules().max_age_days + 30)
    User.objects.filter(username="shokuin").update(password_changed_at=too_old)
    return logged_in("shokuin")


def test_it_refuses_the_management_file_to_a_password_that_must_be_changed(must_change):
    answer = must_change.get("/api/access/entitlements")
    assert answer.status_code == 403 and is_problem(answer)


def test_it_refuses_a_request_filed_with_a_password_that_must_be_changed(must_change):
    filed = Request.objects.count()
    answer = post(must_change, "/api/requests", {"kind": "access.password", "payload": {"system": "SYS01"}})
    assert answer.status_code == 403 and is_problem(answer)
    assert Request.objects.count() == filed


def test_it_refuses_every_api_read_to_a_password_that_must_be_changed(must_change):
    got = {path: must_change.get(path).status_code for path in api_reads()}
    assert {path: status for path, status in got.items() if status != 403} == {}


# --- 市民課長 and the periodic review (KIT-5-10: a reviewer reviews their own organisation) -----------


def test_a_section_chief_may_not_launch_a_review_over_the_whole_city(demo_world):  # noqa: F811
    before = Campaign.objects.count()
    answer = post(logged_in("kacho.shimin"), "/api/reviews/campaigns", {"unit": "000", "title": "x"})
    assert answer.status_code == 403 and is_problem(answer)
    assert Campaign.objects.count() == before


def test_a_section_chief_reads_only_the_review_lines_of_their_own_section(demo_world):  # noqa: F811
    """Whatever campaigns 市民課長 may see (after trying to launch one over the whole city), their lines
    and their export hold only 市民課's people."""
    client = logged_in("kacho.shimin")
    post(client, "/api/reviews/campaigns", {"unit": "000", "title": "x"})
    mine = units_under("310")
    outsiders = {p.name for p in people_of(set(Unit.objects.values_list("pk", flat=True)) - mine)}
    mine_names = {u.name for u in Unit.objects.filter(pk__in=mine)}
    for campaign in [c["id"] for c in client.get("/api/reviews/campaigns").json()["items"]]:
        lines = client.get(f"/api/reviews/campaigns/{campaign}/lines?page_size=500").json()["items"]
        assert {line["unit"] for line in lines} <= mine_names, campaign
        exported = xlsx_text(client.get(f"/api/reviews/campaigns/{campaign}/export?fmt=xlsx"))
        assert not {name for name in outsiders if name in exported}, campaign


# --- 市民部長 files privilege requests only for 市民部 (KIT-4, KIT-5-2) ------------------------------


@pytest.mark.parametrize("action", ["revoke", "grant"])
def test_a_department_head_may_not_file_for_another_departments_staff(demo_world, action):  # noqa: F811
    welfare = demo_world.city.staff["410"][0]
    before = Request.objects.count()
    answer = post(
        logged_in("bucho.shimin"),
        "/api/access/requests",
        {"action": action, "person": welfare.staff_number, "system": "SYS01", "privileges": ["view"]},
    )
    assert 400 <= answer.status_code < 500 and is_problem(answer), answer.content
    assert Request.objects.count() == before


# --- 一般職員: no administrator's registrations -------------------------------------------------------


def test_plain_staff_may_not_record_a_user_registration(demo_world):  # noqa: F811
    answer = post(
        logged_in("shokuin"),
        "/api/access/user-registrations",
        {"person": demo_world.city.staff["310"][-1].staff_number, "registered_on": TODAY.isoformat()},
    )
    assert answer.status_code == 403 and is_problem(answer)


def test_plain_staff_may_not_register_a_maintenance_contract(demo_world):  # noqa: F811
    vendor = Person.objects.filter(employment="contractor").first()
    answer = post(
        logged_in("shokuin"),
        "/api/access/contracts",
        {"number": "C-X", "company": vendor.company, "start": "2026-04-01", "end": "2027-03-31",
         "systems": ["SYS01"]},
    )  # fmt: skip
    assert answer.status_code == 403 and is_problem(answer)


# --- 一般職員: what the screens hide, the API hides ----------------------------------------------------


def test_plain_staff_see_the_same_findings_in_the_api_as_on_the_screen(demo_world):  # noqa: F811
    client = logged_in("shokuin")
    me = User.objects.get(username="shokuin").person
    my_units = {a.unit_id for a in Assignment.objects.on(TODAY).filter(person=me)}
    page = client.get("/api/findings").json()
    shown = page["items"]
    assert page["count"] == len(shown)  # the demo's findings fit on one page
    about = Finding.objects.in_bulk([f["id"] for f in shown])
    assert all(f.person_id == me.pk or f.unit_id in my_units for f in about.values())
    screen = client.get("/findings/").content.decode()
    assert len(shown) == screen.split("<tbody", 1)[-1].split("</tbody>", 1)[0].count("<tr")


def test_plain_staff_do_not_see_the_transfer_proposals(demo_world):  # noqa: F811
    answer = logged_in("shokuin").get("/api/access/proposals")
    assert answer.status_code == 403 or answer.json() == []


def test_someone_elses_request_is_not_found(demo_world):  # noqa: F811
    me = User.objects.get(username="shokuin").person
    other = Request.objects.exclude(requester=me).exclude(steps__assignees__person=me).order_by("pk").first()
    assert logged_in("shokuin").get(f"/api/requests/{other.pk}").status_code == 404


# --- The management file's day is the day of the lines, not of the viewer's scope (KIT-4) -------------


def test_the_management_file_on_a_future_day_keeps_todays_scope_of_the_viewer(demo_world):  # noqa: F811
    """Appointed 市民部長 from next 4月1日, a member of staff may not read 市民部's lines today by asking
    for the file as it will stand on that day."""
    head_post = Assignment.objects.get(person=demo_world.city.heads["300"], post__isnull=False).post
    me = User.objects.get(username="shokuin").person
    Assignment.objects.create(
        person=me, unit=head_post.unit, post=head_post, kind="concurrent", start=dt.date(2027, 4, 1)
    )
    citizens = {p.name for p in people_of(units_under("300"))} - {me.name}
    lines = Entitlement.objects.filter(person__name__in=citizens, valid_to__isnull=True)
    assert lines.exists(), "市民部 has open-ended lines that still stand on 2027-04-01"
    exported = xlsx_text(logged_in("shokuin").get("/api/exports/management-file?on=2027-04-01&state="))
    assert not {name for name in citizens if name in exported}
