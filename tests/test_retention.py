"""MAI-25: retention counted from the day (1) or from the next 年度 (2)(3)."""

import datetime as dt

import pytest

from mamori.core import time
from mamori.records.retention import purge_on, retained_until
from mamori.regulations.schema import RetentionClass

FROM_DAY = RetentionClass(label="操作履歴", years=5, base="day", requirements=[])
FROM_NEXT_YEAR = RetentionClass(label="入退室管理簿", years=5, base="next_fiscal_year", requirements=[])


@pytest.mark.parametrize(
    ("day", "until"),
    [
        (dt.date(2026, 3, 31), dt.date(2031, 3, 30)),
        (dt.date(2026, 4, 1), dt.date(2031, 3, 31)),
        (dt.date(2024, 2, 29), dt.date(2029, 2, 28)),
    ],
)
def test_mai_25_1_operation_history_is_kept_five_years_counted_from_the_day(day, until):
    assert retained_until(day, FROM_DAY) == until
    assert purge_on(day, FROM_DAY) == until + dt.timedelta(days=1)


def test_mai_25_3_room_log_counts_from_the_next_fiscal_year_across_the_march_april_boundary():
    # 3月31日 belongs to 年度 2025: counted from 2026-04-01, kept to 2031-03-31.
    assert retained_until(dt.date(2026, 3, 31), FROM_NEXT_YEAR) == dt.date(2031, 3, 31)
    # 4月1日 belongs to 年度 2026: counted from 2027-04-01, kept to 2032-03-31.
    assert retained_until(dt.date(2026, 4, 1), FROM_NEXT_YEAR) == dt.date(2032, 3, 31)
    assert purge_on(dt.date(2026, 4, 1), FROM_NEXT_YEAR) == dt.date(2032, 4, 1)


def test_a_class_without_years_is_kept_for_good():
    assert purge_on(dt.date(2026, 4, 1), RetentionClass(label="永年", years=None)) is None


def test_the_maizuru_pack_sets_the_three_retention_classes_of_mai_25():
    from mamori.regulations.loader import get_pack

    retention = get_pack("maizuru").parameters.retention
    rules = {(r.years, r.base) for r in retention.values() if "MAI-25" in r.requirements}
    assert (5, "day") in rules
    assert (5, "next_fiscal_year") in rules


def test_mai_25_each_record_carries_the_purge_date_of_its_class_from_the_active_pack(db):
    from django.db import transaction

    from mamori.core.time import TOKYO
    from mamori.records.services import Entry, record_append_many
    from mamori.regulations.models import Installation

    Installation.objects.create(pk=1, municipality="みどり市", pack="maizuru", activated_at=time.now())
    late_evening = dt.datetime(2026, 3, 31, 23, 30, tzinfo=TOKYO)  # still 3月31日 in Tokyo
    with transaction.atomic():
        operation, room, unknown = record_append_many(
            entries=[
                Entry(
                    action="jukinet.search",
                    object_type="t",
                    object_id="1",
                    retention_class="operation_history",
                    at=late_evening,
                ),
                Entry(
                    action="room.entered",
                    object_type="t",
                    object_id="2",
                    retention_class="room_log",
                    at=late_evening,
                ),
                Entry(
                    action="other",
                    object_type="t",
                    object_id="3",
                    retention_class="not_in_the_pack",
                    at=late_evening,
                ),
            ]
        )
    assert operation.purge_on == dt.date(2031, 3, 31)  # 5 years from the day, first day counted
    assert room.purge_on == dt.date(2031, 4, 1)  # 5 years from 2026-04-01, the next 年度
    assert unknown.purge_on is None  # a class the pack gives no period for is never purged
