"""The demo holds an overdue review campaign, visible as a KIT-5-10 finding, and one in progress."""

from __future__ import annotations

from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.records.services import records_verify
from mamori.reviews.demo import populate
from mamori.reviews.models import Campaign, CampaignState, LineState
from tests.conftest import TODAY


def test_kit_5_10_the_demo_has_an_overdue_campaign_that_is_a_finding_and_one_in_progress(city, people):
    summary = populate(city, on=TODAY)
    assert summary.startswith("定期確認")
    overdue, current = Campaign.objects.order_by("launched_on")
    assert overdue.state == current.state == CampaignState.OPEN
    assert overdue.deadline < TODAY <= current.deadline
    states = list(overdue.lines.values_list("state", flat=True))
    decided = [s for s in states if s != LineState.PENDING]
    assert 0 < len(decided) < len(states) and LineState.REVOKED in decided and LineState.CORRECTED in decided
    assert current.lines.filter(state=LineState.CONFIRMED).count() == 1

    findings_run(on=TODAY)
    opened = Finding.objects.filter(rule__startswith="reviews.", state=FindingState.OPEN)
    assert {(f.rule, f.object_id) for f in opened} >= {
        ("reviews.campaign_overdue", str(overdue.pk)),
        ("reviews.lines_overdue", str(overdue.pk)),
    }
    assert not opened.filter(object_id=str(current.pk)).exists()
    assert records_verify().ok
