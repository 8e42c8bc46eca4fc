"""The demo is coherent on whatever day it is built (issue 8): built on a frozen clock at a 3月31日, a
4月1日 and a 12月29日, it holds no record, event or decision after that moment, no deadline before its
issue date, and every violation it plants is a finding on that very day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import models

from mamori.core import time
from mamori.credentials.models import Credential
from mamori.demo.city import build_city
from mamori.demo.domains import populate_domains
from mamori.demo.requests import file_demo_requests, plant_findings
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.reviews.models import Campaign
from mamori.workflows.models import Decision, Request

# (moment the demo is built at, why this moment)
BUILD_MOMENTS = [
    (dt.datetime(2027, 3, 31, 8, 0, tzinfo=time.TOKYO), "kitami", "年度末、始業前"),
    (dt.datetime(2027, 4, 1, 8, 30, tzinfo=time.TOKYO), "yanagawa", "年度初日（異動の日）"),
    (dt.datetime(2027, 12, 29, 7, 45, tzinfo=time.TOKYO), "kitami", "年末年始の閉庁日"),
    (dt.datetime(2030, 2, 28, 23, 59, tzinfo=time.TOKYO), "maizuru", "月末の深夜"),
]
# The violations each pack's demo plants (demo/requests.py and each domain's demo.py): every build shows
# them all, whatever the day.
PLANTED_RULES: dict[str, set[str]] = {
    "kitami": {
        "access.expired_entitlement_used",  # KIT-7: an ID used after its line expired
        "accounts.temporary_password_not_changed",
        "credentials.temporary_password_not_changed",  # KIT-8-2: issued ten days ago, a 7-day deadline
        "credentials.viewing_id_not_returned",  # KIT-11: lent yesterday
        "events.search_beyond_limits",
        "events.system_used_without_entitlement",
        "events.training_use",  # KIT-10
        "organisation.role_without_holder",
        "reviews.campaign_overdue",  # KIT-5-10: a deadline ten days ago
        "reviews.lines_overdue",
    },
    "yanagawa": {
        "accounts.temporary_password_not_changed",
        "equipment.inspection_overdue",  # YAN-18: a water detector inspected 400 days ago
        "events.off_hours_use",  # YAN-13-1: last Saturday
        "events.shared_user_id",  # YAN-12-5
        "events.terminal_used_by_undesignated",  # YAN-12-3
        "organisation.role_without_holder",
    },
    "maizuru": {
        "accounts.temporary_password_not_changed",
        "events.identity_information_access",  # MAI-3
        "events.search_beyond_limits",  # MAI-21-4
        "organisation.role_without_holder",
    },
}


def _mamori_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("mamori.")]


def _build_demo(moment: dt.datetime, pack: str) -> None:
    today = time.today()
    assert today == moment.date()
    city = build_city(pack_name=pack, today=today)
    file_demo_requests(city, on=today)
    plant_findings(city, on=today)
    populate_domains(city, on=today)
    findings_run(on=today)


@pytest.mark.parametrize(
    ("moment", "pack", "why"), BUILD_MOMENTS, ids=[f"{m.date().isoformat()}-{p}" for m, p, _ in BUILD_MOMENTS]
)
def test_a_demo_built_on_any_day_holds_nothing_in_the_future_and_no_deadline_before_its_issue(
    db, clock, moment, pack, why
):
    clock.move_to(moment)
    _build_demo(moment, pack)
    now = time.now()

    # Nothing happened after the moment the demo was built: records, events, decisions, log-ins…
    for model in _mamori_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.DateTimeField):
                late = model.objects.filter(**{f"{field.name}__gt": now})
                assert not late.exists(), (
                    f"{why}: {model.__name__}.{field.name} after {now:%Y-%m-%d %H:%M}: "
                    f"{list(late.values_list(field.name, flat=True)[:3])}"
                )

    # Deadlines come after what they are deadlines of.
    for credential in Credential.objects.exclude(change_due=None):
        assert time.local(credential.issued_at).date() <= credential.change_due, credential
    for campaign in Campaign.objects.all():
        assert campaign.launched_on <= campaign.deadline, campaign
        assert (
            time.local(campaign.launched_at).date() >= campaign.launched_on
            or campaign.launched_on <= now.date()
        )
    for request in Request.objects.exclude(closed_at=None):
        assert request.filed_at <= request.closed_at, request
    for decision in Decision.objects.select_related("request"):
        assert decision.request.filed_at <= decision.at <= now, decision

    # Every planted violation is a finding on that very day: an "overdue" item is overdue then, not on the
    # day the code was written, and an "expired" line expired before it.
    open_rules = set(Finding.objects.filter(state=FindingState.OPEN).values_list("rule", flat=True))
    assert PLANTED_RULES[pack] <= open_rules, (why, PLANTED_RULES[pack] - open_rules)
