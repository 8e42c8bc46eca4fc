"""Operating hours of terminals, from the pack (YAN-13-1, FUK-18-4).

``parameters.operating_hours.weekdays`` are the hours of every working day of the municipal calendar
(national holidays and the pack's closures, e.g. 12/29–1/3, are closed days).  A system may have
hours of its own (``systems``), and a system whose hours the regulation leaves to a separate rule
without giving them (``defined_elsewhere``: 柳川市 第13条第1項ただし書) gets the weekday hours until the
municipality sets them — every message about it says so.  A pack without ``operating_hours`` sets no
hours: nothing is outside them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from mamori.core import time
from mamori.regulations.registry import implements
from mamori.regulations.schema import Hours, OperatingHours, Pack


def _hm(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def _system_keys(system: Any) -> tuple[str, str]:
    if system is None or system == "":
        return "", ""
    if isinstance(system, str):
        return system, system
    return str(getattr(system, "code", "")), str(getattr(system, "name", ""))


def _matches(key: str, code: str, name: str) -> bool:
    return bool(code or name) and (key in (code, name) or (bool(name) and key in name))


def hours_for(pack: Pack, system: Any = None) -> tuple[Hours | None, str]:
    """The hours that apply to ``system`` (a System, its code or name, or None for the terminal
    itself) and a note when they are the weekday hours standing in for hours defined elsewhere."""
    rules = pack.parameters.operating_hours
    if rules is None:
        return None, ""
    code, name = _system_keys(system)
    for key, hours in rules.systems.items():
        if _matches(key, code, name):
            return hours, ""
    for key in rules.defined_elsewhere:
        if _matches(key, code, name):
            return rules.weekdays, (
                f"{key}の操作時間は別に定めるとされ、パックに設定が無いため通常の操作時間を当てています"
            )
    return rules.weekdays, ""


def _open_on(day: dt.date, hours: Hours, pack: Pack) -> bool:
    return hours.days == "every_day" or time.is_working_day(day, pack.parameters.calendar.closures)


def _grace(rules: OperatingHours) -> dt.timedelta:
    return dt.timedelta(minutes=rules.grace_minutes)


def open_interval(day: dt.date, hours: Hours, pack: Pack) -> tuple[dt.datetime, dt.datetime] | None:
    """The moments [start, end) a terminal may be used on ``day`` (grace included), or None when closed."""
    rules = pack.parameters.operating_hours
    if rules is None or not _open_on(day, hours, pack):
        return None
    grace = _grace(rules)
    start = dt.datetime.combine(day, _hm(hours.start), tzinfo=time.TOKYO) - grace
    end = dt.datetime.combine(day, _hm(hours.end), tzinfo=time.TOKYO) + grace
    return start, end


@implements("YAN-13-1", "FUK-18-4")
def is_within_hours(*, pack: Pack, at: dt.datetime, system: Any = None) -> bool:
    """Whether a terminal (or ``system``) may be used at ``at`` without an off-hours approval."""
    hours, _note = hours_for(pack, system)
    if hours is None:
        return True
    interval = open_interval(time.local(at).date(), hours, pack)
    return interval is not None and interval[0] <= at < interval[1]


def why_outside(*, pack: Pack, at: dt.datetime, system: Any = None) -> str:
    """Why ``at`` is outside the operating hours, in words an auditor can read; "" when it is not."""
    rules = pack.parameters.operating_hours
    if rules is None or is_within_hours(pack=pack, at=at, system=system):
        return ""  # without rules every moment is within hours
    hours, note = hours_for(pack, system)
    moment = time.local(at)
    day = moment.date()
    article = pack.cite(rules.articles[0]) if rules.articles else ""
    closed = time.why_closed(day, pack.parameters.calendar.closures)
    if hours is not None and hours.days != "every_day" and closed:
        reason = f"{time.wareki(day)}は{closed}で閉庁日です（操作時間外）"
    else:
        reason = (
            f"{time.wareki(day)} {moment:%H:%M} は操作時間 {hours.start}〜{hours.end} の外です"
            if hours
            else ""
        )
    if article:
        reason += f"（{article}）"
    return f"{reason}。{note}" if note else reason


def outside_ranges(
    *, pack: Pack, since: dt.date, until: dt.date, hours: Hours
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The periods in [since, until] (whole days, Asia/Tokyo) outside ``hours``, merged, as aware
    datetimes: the complement of the open intervals.  Rules query events ``at`` in these ranges, so
    that the database reads only off-hours events through its ``at`` index."""
    cursor = dt.datetime.combine(since, dt.time.min, tzinfo=time.TOKYO)
    day = since
    while day <= until:
        interval = open_interval(day, hours, pack)
        if interval is not None:
            if cursor < interval[0]:
                yield cursor, interval[0]
            cursor = interval[1]
        day += dt.timedelta(days=1)
    stop = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=time.TOKYO)
    if cursor < stop:
        yield cursor, stop
