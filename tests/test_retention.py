"""MAI-25: retention counted from the day (1) or from the next 年度 (2)(3)."""

import datetime as dt

import pytest

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
