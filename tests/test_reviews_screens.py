"""Screens and JSON API of review campaigns (KIT-5-10, KIT-6): the list, the launch form, the lines a
reviewer must decide (htmx per line, bulk confirm), the detail with progress, the results export;
and a lines page whose number of queries does not grow with the number of lines."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mamori.access.models import Entitlement, EntitlementState
from mamori.core import time
from mamori.records.models import Record
from mamori.reviews.models import Campaign, CampaignState, LineState
from mamori.reviews.services import campaign_launch
from mamori.systems.models import System
from tests.test_reviews_campaigns import grant, shimin_staff


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def started(people, **kwargs) -> Campaign:
    kwargs.setdefault("system", System.objects.get(code="SYS01"))
    return campaign_launch(actor=people.admin, on=time.today(), **kwargs)


def test_kit_5_10_the_administrator_launches_a_campaign_from_the_form(city, people):
    grant(people, shimin_staff(city))
    admin = session(people.admin)
    form = admin.get("/reviews/new/")
    assert form.status_code == 200 and "第5条第10項" in form.content.decode()
    refused = admin.post(
        "/reviews/new/", {"on": time.today().isoformat(), "deadline": time.today().isoformat()}
    )
    assert refused.status_code == 400 and "システムか組織" in refused.content.decode()
    response = admin.post(
        "/reviews/new/",
        {
            "unit": city.units["300"].pk,
            "include_sub_units": "on",
            "on": time.today().isoformat(),
            "deadline": (time.today() + dt.timedelta(days=14)).isoformat(),
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reviews/{campaign.pk}/"
    assert campaign.lines.count() == len(shimin_staff(city))
    page = admin.get("/reviews/").content.decode()
    assert campaign.title in page and "0 / 6行" in page


def test_kit_5_10_a_reviewer_decides_a_line_in_place_and_confirms_the_rest_of_the_page(city, people):
    entitlements = grant(people, city.staff["310"])
    campaign = started(people)
    reviewer = session(people.approver)
    mine = reviewer.get("/reviews/mine/").content.decode()
    assert mine.count('id="line-') == len(entitlements) and "すべて確認（適正）とする" in mine
    assert 'id="line-' not in session(people.outsider).get("/reviews/mine/").content.decode()

    first = campaign.lines.order_by("pk").first()
    row = reviewer.post(
        f"/reviews/lines/{first.pk}/decide/",
        {"decision": "revoke", "reason": "", "mine": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "理由を記入してください" in row and "<tr" in row and "<html" not in row
    row = reviewer.post(
        f"/reviews/lines/{first.pk}/decide/",
        {"decision": "revoke", "reason": "退職予定", "mine": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "解除しました" in row and "<html" not in row
    assert Entitlement.objects.get(pk=first.entitlement_id).state == EntitlementState.REVOKED

    rest = [str(pk) for pk in campaign.lines.filter(state=LineState.PENDING).values_list("pk", flat=True)]
    response = reviewer.post(f"/reviews/{campaign.pk}/confirm/", {"line": rest})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED
    assert Record.objects.filter(action="reviews.line.confirmed").count() == len(rest)


def test_kit_5_10_someone_else_cannot_decide_through_the_screen(city, people):
    grant(people, city.staff["310"])
    line = started(people).lines.first()
    row = session(people.outsider).post(
        f"/reviews/lines/{line.pk}/decide/", {"decision": "confirm"}, HTTP_HX_REQUEST="true"
    )
    assert "第5条第10項" in row.content.decode()
    line.refresh_from_db()
    assert line.state == LineState.PENDING


def test_the_detail_shows_progress_and_the_results_export_as_xlsx_and_pdf(city, people):
    grant(people, city.staff["310"])
    campaign = started(people)
    page = session(people.approver).get(f"/reviews/{campaign.pk}/").content.decode()
    assert "進捗" in page and "このページの未確認 3行" in page
    xlsx = session(people.admin).get(f"/reviews/{campaign.pk}/export/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "filename*=UTF-8''" in xlsx["Content-Disposition"]
    pdf = session(people.approver).get(f"/reviews/{campaign.pk}/export/pdf/")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert session(people.outsider).get(f"/reviews/{campaign.pk}/export/xlsx/").status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_number_of_queries_of_the_lines_pages_does_not_grow_with_the_lines(city, people):
    reviewer = session(people.approver)
    grant(people, city.staff["310"][:1])
    small = started(people)
    few_mine, few_detail = _queries(reviewer, "/reviews/mine/"), _queries(reviewer, f"/reviews/{small.pk}/")
    few_list = _queries(session(people.admin), "/reviews/")

    everyone = [p for staff in city.staff.values() for p in staff]
    grant(people, everyone, codes=("view", "update", "admin"))
    big = started(people, title="大きい")
    assert big.lines.count() > 40
    assert _queries(reviewer, "/reviews/mine/") <= few_mine
    assert _queries(reviewer, f"/reviews/{big.pk}/") <= few_detail
    assert _queries(session(people.admin), "/reviews/") <= few_list


def test_the_api_launches_decides_bulk_confirms_closes_and_exports(city, people):
    grant(people, city.staff["310"])
    admin, reviewer = session(people.admin), session(people.approver)
    bad = admin.post("/api/reviews/campaigns", {"system": "NOPE"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "system"
    created = admin.post(
        "/api/reviews/campaigns", {"system": "SYS01", "title": "API"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["lines"], body["pending"], body["requirement"]) == (3, 3, "KIT-5-10")
    campaign_id = body["id"]

    mine = reviewer.get("/api/reviews/lines/mine").json()
    assert mine["count"] == 3 and mine["items"][0]["reviewer_role"] == "system_manager"
    first, *rest = [item["id"] for item in mine["items"]]
    refused = session(people.outsider).post(
        f"/api/reviews/lines/{first}/decision", {"decision": "confirm"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["article"] == "第5条第10項"
    corrected = reviewer.post(
        f"/api/reviews/lines/{first}/decision",
        {"decision": "correct", "reason": "ID誤り", "changes": {"user_id": "X-1"}},
        content_type="application/json",
    )
    assert corrected.status_code == 200 and corrected.json()["state"] == "corrected"
    assert corrected.json()["decided_by"] == people.approver.person.name

    bulk = reviewer.post(
        f"/api/reviews/campaigns/{campaign_id}/confirm", {"lines": rest[:1]}, content_type="application/json"
    )
    assert bulk.json() == {"confirmed": 1, "skipped": 0}
    not_admin = reviewer.post(
        f"/api/reviews/campaigns/{campaign_id}/close", {"note": "x"}, content_type="application/json"
    )
    assert not_admin.status_code == 403
    closed = admin.post(
        f"/api/reviews/campaigns/{campaign_id}/close", {"note": "打切り"}, content_type="application/json"
    )
    assert (
        closed.status_code == 200 and closed.json()["undecided"] == 1 and closed.json()["state"] == "closed"
    )
    lines = admin.get(f"/api/reviews/campaigns/{campaign_id}/lines?state=undecided").json()
    assert lines["count"] == 1
    exported = admin.get(f"/api/reviews/campaigns/{campaign_id}/export?fmt=xlsx")
    assert exported.status_code == 200 and exported.content[:2] == b"PK"

    schema = admin.get("/api/openapi.json").json()
    assert "/api/reviews/campaigns/{campaign_id}/confirm" in schema["paths"]
