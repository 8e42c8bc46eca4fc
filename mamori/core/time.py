"""Time as a Japanese municipality counts it: Asia/Tokyo, 和暦, 年度 (April–March) and the
working-day calendar (Monday–Friday, minus national holidays, minus municipal closures)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

TOKYO = ZoneInfo("Asia/Tokyo")

# (first day, era name).  The first year of an era is written 元年.
ERAS: list[tuple[dt.date, str]] = [
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 1, 25), "明治"),
]


class Closure(Protocol):
    """A municipal closure every year (``MM-DD`` to ``MM-DD``, wrapping over the new year).  A pack's
    ``calendar.closures`` entries (mamori.regulations.parameters.Closure) are ones: core sits below
    regulations in the app graph, so it names the shape, not the pack's class."""

    @property
    def name(self) -> str: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str: ...


@dataclass(frozen=True)
class YearEnd:
    name: str = "年末年始"
    start: str = "12-29"
    end: str = "01-03"


DEFAULT_CLOSURES: tuple[Closure, ...] = (YearEnd(),)


# The one clock.  Everything in mamori asks ``now()`` / ``today()`` here (ruff bans the other clocks), so
# tests freeze it with time-machine and the demo can write its history at the moments it happened.
_as_of: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("mamori_as_of", default=None)


def now() -> dt.datetime:
    """This moment in Asia/Tokyo (or the moment set by ``as_of``)."""
    moment = _as_of.get()
    return moment if moment is not None else timezone.now().astimezone(TOKYO)


def today() -> dt.date:
    return now().date()


@contextlib.contextmanager
def as_of(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Run the services inside as if it were ``moment`` (a past one): the demo issues "ten days ago" a
    temporary password that is overdue today, with every stamp, deadline and record of that day coherent.
    Never for a moment in the future, which no record may hold."""
    if moment.tzinfo is None:
        raise ValueError("as_of needs an aware datetime")
    if moment > timezone.now():
        raise ValueError(f"as_of({moment.isoformat()}) is in the future")
    token = _as_of.set(moment.astimezone(TOKYO))
    try:
        yield moment
    finally:
        _as_of.reset(token)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at hour:minute in Asia/Tokyo."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TOKYO)


def era_of(day: dt.date) -> tuple[str, int]:
    for first_day, name in ERAS:
        if day >= first_day:
            return name, day.year - first_day.year + 1
    raise ValueError(f"{day} is before 明治")


def _era_year(name: str, year: int) -> str:
    return f"{name}{'元' if year == 1 else year}年"


def wareki(day: dt.date | dt.datetime) -> str:
    """2019-05-01 → 令和元年5月1日; 2019-04-30 → 平成31年4月30日; a day before 明治 (only ever a
    mistyped date) in 西暦, 西暦339年11月28日, rather than failing the page that shows it."""
    if isinstance(day, dt.datetime):
        day = local(day).date() if day.tzinfo else day.date()
    if day < ERAS[-1][0]:
        return f"西暦{day.year}年{day.month}月{day.day}日"
    name, year = era_of(day)
    return f"{_era_year(name, year)}{day.month}月{day.day}日"


def fiscal_year(day: dt.date) -> int:
    """The 年度 of a day, by the calendar year in which it starts: 2027-03-31 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(year: int) -> dt.date:
    return dt.date(year, 4, 1)


def fiscal_year_end(year: int) -> dt.date:
    return dt.date(year + 1, 3, 31)


def fiscal_year_label(year: int) -> str:
    """2019 → 令和元年度 (the 年度 is named by the era of its 4月1日, except 2019, named 令和元年度
    in municipal practice although its 4月 fell in 平成)."""
    start = fiscal_year_start(year)
    name, era_year = era_of(start)
    if year == 2019:
        name, era_year = "令和", 1
    return f"{_era_year(name, era_year)[:-1]}年度"


@functools.lru_cache(maxsize=64)
def _national_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.Japan(years=year, language="ja"))


def national_holiday(day: dt.date) -> str | None:
    return _national_holidays(day.year).get(day)


def _in_closure(day: dt.date, closure: Closure) -> bool:
    key = day.strftime("%m-%d")
    if closure.start <= closure.end:
        return closure.start <= key <= closure.end
    return key >= closure.start or key <= closure.end  # wraps over the new year (12-29 → 01-03)


def closure_on(day: dt.date, closures: Iterable[Closure] = DEFAULT_CLOSURES) -> str | None:
    for closure in closures:
        if _in_closure(day, closure):
            return closure.name
    return None


def why_closed(day: dt.date, closures: Iterable[Closure] = DEFAULT_CLOSURES) -> str | None:
    """None on a working day; otherwise 土曜日, 日曜日, the holiday's name or the closure's name."""
    if day.weekday() == 5:
        return "土曜日"
    if day.weekday() == 6:
        return "日曜日"
    return national_holiday(day) or closure_on(day, closures)


def is_working_day(day: dt.date, closures: Iterable[Closure] = DEFAULT_CLOSURES) -> bool:
    return why_closed(day, closures) is None


def working_days_between(start: dt.date, end: dt.date, closures: Iterable[Closure] = DEFAULT_CLOSURES) -> int:
    """Working days d with start <= d < end."""
    closures = tuple(closures)
    count, day = 0, start
    while day < end:
        count += is_working_day(day, closures)
        day += dt.timedelta(days=1)
    return count


def add_working_days(start: dt.date, days: int, closures: Iterable[Closure] = DEFAULT_CLOSURES) -> dt.date:
    """The day ``days`` working days after (or, negative, before) ``start``."""
    closures = tuple(closures)
    step = 1 if days >= 0 else -1
    remaining, day = abs(days), start
    while remaining:
        day += dt.timedelta(days=step)
        remaining -= is_working_day(day, closures)
    return day
