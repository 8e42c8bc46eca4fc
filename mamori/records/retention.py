"""Retention periods (保存期間) from the regulation pack.

Japanese periods counted 「…から起算して N 年間」 include their first day, so a period that starts on
D ends on the day before D's anniversary N years later (民法第143条: where the anniversary does
not exist, on 2月29日, the period ends with the last day of that month).
"""

from __future__ import annotations

import datetime as dt

from mamori.core.time import fiscal_year, fiscal_year_start
from mamori.regulations.registry import implements
from mamori.regulations.schema import RetentionClass


def _anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 2月29日 → the period ends with 2月末日, so the anniversary is 3月1日
        return dt.date(day.year + years, 3, 1)


def retention_start(day: dt.date, rule: RetentionClass) -> dt.date:
    if rule.base == "next_fiscal_year":
        # MAI-25(2)(3): 当該…日の属する年度の翌年度から起算
        return fiscal_year_start(fiscal_year(day) + 1)
    # MAI-25(1): 当該操作を行った日から起算
    return day


@implements("MAI-25")
def retained_until(day: dt.date, rule: RetentionClass) -> dt.date | None:
    """The last day a record of an event on ``day`` must be kept (None: kept for good)."""
    if rule.years is None:
        return None
    return _anniversary(retention_start(day, rule), rule.years) - dt.timedelta(days=1)


def purge_on(day: dt.date, rule: RetentionClass) -> dt.date | None:
    """The first day the record may be purged."""
    until = retained_until(day, rule)
    return None if until is None else until + dt.timedelta(days=1)
