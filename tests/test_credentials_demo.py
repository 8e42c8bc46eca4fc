"""The demo data of credentials and designations follows the active pack, and its planted problems
are findings: an overdue temporary password (KIT-8-2) and an unreturned viewing ID (KIT-11)."""

from __future__ import annotations

import pytest

from mamori.credentials import demo as credentials_demo
from mamori.credentials.models import OperatorId
from mamori.designations import demo as designations_demo
from mamori.designations.models import Designation
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from tests.conftest import TODAY, make_city


def test_kit_8_2_and_kit_11_the_kitami_demo_plants_an_overdue_password_and_an_unreturned_id(city):
    """KIT-8-2, KIT-11: both visible as findings; kitami requires no designation."""
    summary = credentials_demo.populate(city, on=TODAY)
    assert "変更期限切れ1件" in summary and "未返却1件" in summary
    assert designations_demo.populate(city, on=TODAY) == ""
    findings_run(
        on=TODAY, only=["credentials.temporary_password_not_changed", "credentials.viewing_id_not_returned"]
    )
    assert set(Finding.objects.values_list("requirement", flat=True)) == {"KIT-8-2", "KIT-11"}


@pytest.mark.django_db
@pytest.mark.parametrize("pack", ["yanagawa", "fukuyama", "meguro", "maizuru"])
def test_the_demo_does_what_each_pack_requires(pack):
    """YAN-8, YAN-14, FUK-10, MEG-13-1, MAI-23: designations and IDs only where the pack has them."""
    city = make_city(pack)
    credentials_demo.populate(city, on=TODAY)
    designations_demo.populate(city, on=TODAY)
    # Terminal operators are designations too; the terminals' demo step designates them.
    kinds = {spec.kind for spec in city.pack.parameters.designations if not spec.per_terminal}
    assert set(Designation.objects.values_list("kind", flat=True)) == kinds
    assert OperatorId.objects.exists() == (city.pack.parameters.operator_ids is not None)
