"""The demo's terminals and month of events: its planted violations show up as findings."""

from __future__ import annotations

import pytest

from mamori.events.models import Event
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from mamori.terminals import demo
from mamori.terminals.models import Terminal
from tests.conftest import TODAY, make_city

pytestmark = pytest.mark.django_db
EVENT_RULES = [
    "events.off_hours_use",
    "events.terminal_used_by_undesignated",
    "events.terminal_outside_purpose",
    "events.system_used_without_entitlement",
    "events.identity_information_access",
    "events.shared_user_id",
    "events.search_beyond_limits",
    "events.subject_outside_duties",
    "events.training_use",
]


def _findings(pack_name: str) -> tuple[set[str], object]:
    city = make_city(pack_name)
    summary = demo.populate(city, on=TODAY)
    findings_run(on=TODAY, only=EVENT_RULES)
    return set(Finding.objects.values_list("requirement", flat=True)), (city, summary)


def test_YAN_13_1_YAN_12_3_YAN_12_5_the_yanagawa_demo_plants_each_violation():
    requirements, (city, summary) = _findings("yanagawa")
    assert Terminal.objects.count() == 2 * len(city.staff)
    assert Event.objects.count() > 2000
    assert "端末機" in summary
    assert {"YAN-13-1", "YAN-12-3", "YAN-12-5"} <= requirements
    # Ordinary working days are not findings: only the planted ones.
    assert Finding.objects.filter(requirement="YAN-13-1").count() == 1
    assert Finding.objects.filter(requirement="YAN-12-5").count() == 1


def test_KIT_10_the_kitami_demo_reports_training_mass_extraction_and_unentitled_use():
    requirements, _ = _findings("kitami")
    assert requirements == {"KIT-10"}
    titles = list(Finding.objects.values_list("title", flat=True))
    assert any("研修" in t for t in titles)
    assert any("4800件" in t for t in titles)
    assert any("操作権限の無い" in t for t in titles)


def test_MAI_3_MAI_21_4_the_maizuru_demo_flags_identity_access_and_mass_extraction():
    requirements, _ = _findings("maizuru")
    assert {"MAI-3", "MAI-21-4"} <= requirements
