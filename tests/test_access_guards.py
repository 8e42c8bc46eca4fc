"""Guards found by mutation testing (issue 15): each test fails when its rule is broken.

KIT-7: a 会計年度任用職員 whose appointment was cut short after the grant loses the access on the
day after the new end of term, not at the old end date the line was registered with."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.access.models import Entitlement, EntitlementState
from mamori.access.services import entitlements_expire
from mamori.records.models import Record
from mamori.systems.models import System
from tests.conftest import TODAY

OLD_END = dt.date(2027, 3, 31)  # the end of the fiscal year the line was granted to


@pytest.fixture
def granted(city, people):
    """A 会計年度任用職員 granted view to the end of the fiscal year, the line valid to that day."""
    person = city.staff["310"][-1]
    person.term_end = OLD_END
    person.save(update_fields=["term_end"])
    system = System.objects.get(code="SYS01")
    line = Entitlement.objects.create(
        person=person,
        system=system,
        privilege=system.privileges.get(code="view"),
        user_id="F077",
        valid_from=dt.date(2026, 4, 1),
        valid_to=OLD_END,
        registered_at=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
        registered_by=people.approver,
    )
    return person, line


def shorten(person, to: dt.date) -> None:
    person.term_end = to
    person.save(update_fields=["term_end"])


def test_KIT_7_a_term_cut_short_after_the_grant_ends_the_line_though_it_is_still_valid(city, granted):
    """KIT-7: the term ended yesterday; the line's own validity runs to 31 March. It expires today,
    naming the term, and only once."""
    person, line = granted
    shorten(person, TODAY - dt.timedelta(days=1))
    expired = entitlements_expire(on=TODAY, pack=city.pack)
    assert [e.pk for e in expired] == [line.pk]
    line.refresh_from_db()
    assert line.state == EntitlementState.EXPIRED
    assert line.end_reason == f"任用期間の満了（{TODAY - dt.timedelta(days=1)}まで）"
    record = Record.objects.get(action="access.entitlement.expired")
    assert (record.article, record.requirement) == ("7", "KIT-7")
    assert entitlements_expire(on=TODAY, pack=city.pack) == []


def test_KIT_7_a_term_cut_short_to_today_keeps_the_line_until_tomorrow(city, granted):
    """KIT-7: the last day of the term is still in term."""
    person, line = granted
    shorten(person, TODAY)
    assert entitlements_expire(on=TODAY, pack=city.pack) == []
    assert [e.pk for e in entitlements_expire(on=TODAY + dt.timedelta(days=1), pack=city.pack)] == [line.pk]


def test_KIT_7_a_line_without_an_end_date_expires_with_the_term(city, people, granted):
    """KIT-7: a line registered with no validity of its own follows its holder's term."""
    person, line = granted
    Entitlement.objects.filter(pk=line.pk).update(valid_to=None)
    shorten(person, TODAY - dt.timedelta(days=3))
    assert [e.pk for e in entitlements_expire(on=TODAY, pack=city.pack)] == [line.pk]
    line.refresh_from_db()
    assert line.state == EntitlementState.EXPIRED and "任用期間" in line.end_reason


def test_KIT_7_a_validity_that_ends_before_the_term_is_named_as_the_reason(city, granted):
    """KIT-7: the line's own validity ended first (the term runs on): the reason is the validity."""
    person, line = granted
    Entitlement.objects.filter(pk=line.pk).update(valid_to=TODAY - dt.timedelta(days=5))
    shorten(person, TODAY - dt.timedelta(days=1))
    entitlements_expire(on=TODAY, pack=city.pack)
    line.refresh_from_db()
    assert line.end_reason == f"有効期間の満了（{TODAY - dt.timedelta(days=5)}まで）"
