import datetime as dt

import pytest

from mamori.core import time


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2020, 1, 1), "令和2年1月1日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_wareki_changes_era_on_the_first_day_of_the_new_era(day, expected):
    assert time.wareki(day) == expected


def test_wareki_of_a_day_before_meiji_is_written_in_seireki_rather_than_failing():
    # A mistyped date (year 339) reached an export header and failed the page (found by schemathesis).
    assert time.wareki(dt.date(339, 11, 28)) == "西暦339年11月28日"
    assert time.wareki(dt.date(1868, 1, 25)) == "明治元年1月25日"


def test_wareki_of_an_aware_datetime_uses_tokyo_time():
    moment = dt.datetime(2019, 4, 30, 15, 30, tzinfo=dt.UTC)  # 2019-05-01 00:30 in Tokyo
    assert time.wareki(moment) == "令和元年5月1日"


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2027, 3, 31), 2026), (dt.date(2027, 4, 1), 2027), (dt.date(2026, 1, 1), 2025)],
)
def test_the_fiscal_year_runs_from_april_to_march(day, year):
    assert time.fiscal_year(day) == year


def test_fiscal_year_labels_use_the_era_of_april_first():
    assert time.fiscal_year_label(2019) == "令和元年度"
    assert time.fiscal_year_label(2026) == "令和8年度"
    assert time.fiscal_year_label(2018) == "平成30年度"


def test_national_holidays_and_the_new_year_closure_are_not_working_days():
    assert time.why_closed(dt.date(2026, 11, 23)) == "勤労感謝の日"
    assert time.why_closed(dt.date(2026, 12, 29)) == "年末年始"
    assert time.why_closed(dt.date(2027, 1, 4)) is None  # Monday after the closure
    assert time.why_closed(dt.date(2026, 11, 21)) == "土曜日"
    assert time.is_working_day(dt.date(2026, 11, 24))


def test_working_days_skip_weekends_holidays_and_closures():
    # Friday 2026-12-25 + 1 working day: 12/28 (Mon) is open, 12/29–1/3 closed.
    assert time.add_working_days(dt.date(2026, 12, 25), 1) == dt.date(2026, 12, 28)
    assert time.add_working_days(dt.date(2026, 12, 28), 1) == dt.date(2027, 1, 4)
    assert time.add_working_days(dt.date(2027, 1, 4), -1) == dt.date(2026, 12, 28)
    assert time.working_days_between(dt.date(2026, 12, 28), dt.date(2027, 1, 5)) == 2
