"""Operating hours from the pack (YAN-13-1, FUK-18-4) and off-hours use requests (YAN-13-3, FUK-18-4)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from mamori.core import time
from mamori.designations.services import designation_add
from mamori.organisation.roles import holders_of
from mamori.regulations.loader import get_pack
from mamori.systems.models import System
from mamori.terminals.hours import hours_for, is_within_hours, outside_ranges, why_outside
from mamori.terminals.kinds import ApprovalWindow, approved_off_hours
from mamori.terminals.services import terminal_register
from mamori.workflows.models import RequestState
from mamori.workflows.services import LateRequest, WorkflowError, current_step, request_decide, request_file
from tests.conftest import TODAY, make_city


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm), tzinfo=time.TOKYO)


YANAGAWA = get_pack("yanagawa")
FUKUYAMA = get_pack("fukuyama")
designate_operator = partial(designation_add, kind="terminal_operator")  # YAN-12-3, FUK-18-2


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (at("2026-11-16", "10:00"), True),  # a Monday
        (at("2026-11-16", "08:05"), True),  # 08:30 less the 30 minutes' grace of 「原則として」
        (at("2026-11-16", "07:55"), False),
        (at("2026-11-16", "17:29"), True),
        (at("2026-11-16", "17:31"), False),
        (at("2026-11-21", "10:00"), False),  # Saturday
        (at("2026-11-23", "10:00"), False),  # 勤労感謝の日 (a Monday)
        (at("2026-12-29", "10:00"), False),  # 年末年始, a Tuesday
        (at("2027-01-04", "10:00"), True),
    ],
)
def test_YAN_13_1_terminals_are_used_on_working_days_from_0830_to_1700(moment, inside):
    """YAN-13-1: 月〜金 8:30〜17:00, except national holidays and 12/29–1/3."""
    assert is_within_hours(pack=YANAGAWA, at=moment) is inside
    assert bool(why_outside(pack=YANAGAWA, at=moment)) is not inside


def test_YAN_13_1_why_outside_names_the_day_or_the_hours_and_the_article():
    assert (
        why_outside(pack=YANAGAWA, at=at("2026-11-23", "10:00"))
        == "令和8年11月23日は勤労感謝の日で閉庁日です（操作時間外）（第13条第1項）"
    )
    assert "操作時間 08:30〜17:00 の外" in why_outside(pack=YANAGAWA, at=at("2026-11-16", "20:15"))


def test_YAN_13_1_systems_with_hours_defined_elsewhere_get_the_weekday_hours_and_say_so(db):
    city = make_city("yanagawa")
    juki = System.objects.get(name__contains="住基")
    hours, note = hours_for(city.pack, juki)
    assert hours == city.pack.parameters.operating_hours.weekdays
    assert "別に定める" in note
    assert "別に定める" in why_outside(pack=city.pack, at=at("2026-11-16", "20:00"), system=juki)
    # A system with hours of its own in the pack uses them, on closed days too.
    from mamori.regulations.schema import Hours

    rules = city.pack.parameters.operating_hours.model_copy(
        update={"systems": {"住基ネット": Hours(start="06:00", end="22:00", days="every_day")}}
    )
    pack = city.pack.model_copy(
        update={"parameters": city.pack.parameters.model_copy(update={"operating_hours": rules})}
    )
    assert is_within_hours(pack=pack, at=at("2026-11-21", "21:00"), system=juki)
    assert not is_within_hours(pack=pack, at=at("2026-11-21", "21:00"), system=None)


def test_FUK_18_4_the_set_hours_of_fukuyama_end_at_1715():
    """FUK-18-4: 所定の時間 (the city's working hours, set in the pack) with 30 minutes' grace."""
    assert is_within_hours(pack=FUKUYAMA, at=at("2026-11-16", "17:40"))
    assert not is_within_hours(pack=FUKUYAMA, at=at("2026-11-16", "17:50"))
    assert "第18条第4項" in why_outside(pack=FUKUYAMA, at=at("2026-11-16", "17:50"))


def test_a_pack_without_operating_hours_has_nothing_outside_them():
    assert is_within_hours(pack=get_pack("kitami"), at=at("2026-11-22", "03:00"))


def test_outside_ranges_are_the_complement_of_the_open_hours_over_closed_days():
    hours = YANAGAWA.parameters.operating_hours.weekdays
    ranges = list(
        outside_ranges(pack=YANAGAWA, since=dt.date(2026, 11, 20), until=dt.date(2026, 11, 24), hours=hours)
    )
    # Fri 20 morning; Fri 17:30 → Tue 24 08:00 (Sat, Sun, 勤労感謝の日 Monday); Tue evening.
    assert ranges == [
        (at("2026-11-20", "00:00"), at("2026-11-20", "08:00")),
        (at("2026-11-20", "17:30"), at("2026-11-24", "08:00")),
        (at("2026-11-24", "17:30"), at("2026-11-25", "00:00")),
    ]


# --- requests -------------------------------------------------------------------------------


@pytest.fixture
def yanagawa(db):
    city = make_city("yanagawa")
    admin = city.accounts["admin"][0]
    terminal = terminal_register(
        host_name="SHIMIN-PC01", unit=city.units["310"], actor=admin, active_from=dt.date(2026, 4, 1)
    )
    kacho = city.accounts["kacho.shimin"][0]
    operator = city.staff["310"][0]
    designate_operator(
        terminal=terminal, person=operator, valid_from=dt.date(2026, 11, 1), actor=kacho, on=TODAY
    )
    return city


def _payload(city, **changes):
    payload = {
        "terminal": "SHIMIN-PC01",
        "use_date": "2026-11-28",  # a Saturday, 12 days ahead
        "start_time": "09:00",
        "end_time": "12:00",
        "operators": city.staff["310"][0].staff_number,
        "reason": "住民異動の繁忙期対応",
    }
    payload.update(changes)
    return payload


def test_YAN_13_3_an_approved_holiday_request_covers_its_operators_day_and_hours(yanagawa):
    """YAN-13-3: filed by the 所管課長, approved by the 情報セキュリティ責任者, it covers only what it names."""
    kacho = yanagawa.accounts["kacho.shimin"][0]
    request = request_file(kind="terminals.off_hours_use", actor=kacho, payload=_payload(yanagawa), on=TODAY)
    assert request.title.startswith("SHIMIN-PC01 時間外使用 令和8年11月28日（土曜日）")
    assert request.payload["closed_day"] == "土曜日"
    step = current_step(request)
    assert step.role == "security_officer"
    operator = yanagawa.staff["310"][0]
    assert approved_off_hours(at=at("2026-11-28", "10:00"), person=operator, host="SHIMIN-PC01") is None
    request_decide(step=step, actor=yanagawa.accounts["bucho.shimin"][0], action="approve", on=TODAY)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert approved_off_hours(at=at("2026-11-28", "10:00"), person=operator, host="shimin-pc01") == request
    assert approved_off_hours(at=at("2026-11-28", "13:00"), person=operator, host="SHIMIN-PC01") is None
    assert (
        approved_off_hours(at=at("2026-11-28", "10:00"), person=yanagawa.staff["310"][1], host="SHIMIN-PC01")
        is None
    )
    assert approved_off_hours(at=at("2026-11-28", "10:00"), person=operator, host="OTHER-PC") is None


def test_YAN_13_3_a_request_filed_less_than_7_days_before_the_holiday_is_refused(yanagawa):
    """YAN-13-3: 使用日前7日まで; the pack says a late one is refused."""
    kacho = yanagawa.accounts["kacho.shimin"][0]
    with pytest.raises(LateRequest) as refused:
        request_file(
            kind="terminals.off_hours_use",
            actor=kacho,
            payload=_payload(yanagawa, use_date="2026-11-21"),
            on=TODAY,
        )
    assert refused.value.article == "第13条第3項"


def test_off_hours_requests_refuse_undesignated_operators_hours_inside_and_unknown_terminals(yanagawa):
    kacho = yanagawa.accounts["kacho.shimin"][0]
    cases = [
        (
            _payload(yanagawa, operators=yanagawa.staff["310"][1].staff_number),
            "operators",
            "指定されていません",
        ),
        (
            _payload(yanagawa, use_date="2026-11-30", start_time="10:00", end_time="12:00"),
            "start_time",
            "操作時間内",
        ),
        (_payload(yanagawa, terminal="NOPE-PC"), "terminal", "登録されていません"),
        (_payload(yanagawa, end_time="08:00"), "end_time", "後に"),
        (_payload(yanagawa, reason=""), "reason", "理由"),
    ]
    for payload, field, message in cases:
        with pytest.raises(WorkflowError) as refused:
            request_file(kind="terminals.off_hours_use", actor=kacho, payload=payload, on=TODAY)
        assert refused.value.field == field
        assert message in refused.value.message


def test_FUK_18_4_the_ict_head_permits_off_hours_use_beforehand(db):
    """FUK-18-4: the 取扱責任者 applies to the ICT推進課長, whose permission must come before the use."""
    city = make_city("fukuyama")
    pack = city.pack
    admin = city.accounts["admin"][0]
    terminal = terminal_register(
        host_name="SHIMIN-PC01", unit=city.units["310"], actor=admin, active_from=dt.date(2026, 4, 1)
    )
    ict = holders_of("ict_section_head", on=TODAY, pack=pack)[0].person
    operator = city.staff["310"][0]
    designate_operator(
        terminal=terminal, person=operator, valid_from=TODAY, actor=admin, designator=ict, on=TODAY
    )
    kacho = city.accounts["kacho.shimin"][0]
    # The permission's time is the real clock's: the use is set a few days after whichever is later.
    use_date = max(time.today(), TODAY) + dt.timedelta(days=3)
    payload = _payload(city, use_date=use_date.isoformat(), start_time="18:00", end_time="21:00")
    request = request_file(kind="terminals.off_hours_use", actor=kacho, payload=payload, on=TODAY)
    step = current_step(request)
    assert (step.role, step.label) == ("ict_section_head", "許可")
    ict_account = admin.__class__.objects.filter(person=ict).first()
    if ict_account is None:
        from mamori.accounts.services import account_create

        ict_account, _ = account_create(username="ict", person=ict, actor=None, password="Mamori-test-2026!")
    request_decide(step=step, actor=ict_account, action="approve", on=TODAY)
    request.refresh_from_db()
    evening = dt.datetime.combine(use_date, dt.time(19), tzinfo=time.TOKYO)
    assert approved_off_hours(at=evening, person=operator, host="SHIMIN-PC01") == request
    # A use before the permission was given is not covered (あらかじめ…許可を得なければならない).
    window = ApprovalWindow(request)
    window.start, window.end = (
        request.closed_at - dt.timedelta(hours=1),
        request.closed_at + dt.timedelta(hours=1),
    )
    assert not window.covers(
        at=request.closed_at - dt.timedelta(minutes=1), person=operator, host="SHIMIN-PC01"
    )
    assert window.covers(at=request.closed_at + dt.timedelta(minutes=1), person=operator, host="SHIMIN-PC01")


def test_YAN_13_3_operators_may_be_named_as_on_the_form_or_by_staff_number(yanagawa):
    """The form asks for 端末機操作員(氏名): a name (spaces optional) or a staff number resolves to the person."""
    kacho = yanagawa.accounts["kacho.shimin"][0]
    operator = yanagawa.staff["310"][0]
    request = request_file(
        kind="terminals.off_hours_use",
        actor=kacho,
        payload=_payload(yanagawa, operators=operator.name.replace(" ", "")),
        on=TODAY,
    )
    assert request.payload["operators"] == [operator.staff_number]
    with pytest.raises(WorkflowError) as refused:
        request_file(
            kind="terminals.off_hours_use",
            actor=kacho,
            payload=_payload(yanagawa, operators="市民課 職員"),
            on=TODAY,
        )
    assert refused.value.field == "operators" and "当たる職員はいません" in refused.value.message


def test_YAN_13_3_a_request_for_the_sections_terminals_covers_their_designated_operators_all_day(yanagawa):
    """A request naming only the day and the reason covers the section's terminals and designated operators."""
    kacho = yanagawa.accounts["kacho.shimin"][0]
    request = request_file(
        kind="terminals.off_hours_use",
        actor=kacho,
        payload={"use_date": "2026-11-28", "reason": "選挙事務"},
        on=TODAY,
    )
    assert request.title.startswith("市民課の端末機 時間外使用 令和8年11月28日（土曜日） 00:00〜23:59")
    request_decide(
        step=current_step(request), actor=yanagawa.accounts["bucho.shimin"][0], action="approve", on=TODAY
    )
    request.refresh_from_db()
    request.closed_at = at("2026-11-20", "10:00")  # approved before the day, as the rule requires
    window = ApprovalWindow(request)
    operator, other = yanagawa.staff["310"][:2]
    assert window.covers(at=at("2026-11-28", "22:30"), person=operator, host="shimin-pc01")
    assert not window.covers(at=at("2026-11-28", "22:30"), person=other, host="SHIMIN-PC01")
    assert not window.covers(at=at("2026-11-28", "22:30"), person=operator, host="KAIGO-PC01")
