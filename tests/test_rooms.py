"""Secure rooms and the 入退室管理簿 (issue 12, ROOM): the pack section of each city, the entry and exit
services and their refusals, and the findings, each citing the room's article (YAN-15-1, YAN-15-2,
YAN-15-3, YAN-16, MAI-20-1, MAI-20-2, MAI-20-3, MAI-20-4, FUK-25)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from mamori.core import time
from mamori.core.policy import Refused
from mamori.designations.models import Designation
from mamori.organisation.models import Person
from mamori.organisation.roles import holders_of
from mamori.records.models import Record
from mamori.regulations.loader import get_pack
from mamori.rooms import rules as room_rules
from mamori.rooms.models import RoomLogLine
from mamori.rooms.pack import room_rule, section
from mamori.rooms.selectors import may_enter_freely, may_escort
from mamori.rooms.services import room_entry_record, room_exit_record
from mamori.workflows.models import Request, RequestState
from tests.conftest import TODAY, make_city

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=time.TOKYO)


def split(pack, rule):
    people = list(Person.objects.order_by("staff_number"))
    inside = [p for p in people if may_enter_freely(rule, p, on=TODAY, pack=pack)]
    outside = [p for p in people if not may_enter_freely(rule, p, on=TODAY, pack=pack)]
    return inside, outside


def people_any():
    return Person.objects.order_by("-staff_number").first()


def observed(function, pack, on=TODAY):
    return {o.object_id: o for o in function(pack, on)}


@pytest.fixture
def maizuru(db):
    city = make_city("maizuru")
    return city, room_rule(city.pack, "jukinet_room")


def test_it_reads_each_citys_rooms_from_the_pack_yan_16_mai_20_1_fuk_25(db):
    yan = make_city("yanagawa").pack
    assert [(r.code, r.name, r.manager) for r in section(yan).rooms] == [
        ("server_room", "サーバ室", "room_manager")
    ]
    assert section(yan).rooms[0].goods.requirement == "YAN-15-3"
    mai, fuk = get_pack("maizuru"), get_pack("fukuyama")
    jukinet = room_rule(mai, "jukinet_room")
    assert jukinet.entrants.units == ["市民課"] and "maintenance_staff" in jukinet.entrants.roles
    assert jukinet.exit_consent.roles == ["room_security_officer", "room_exit_designee"]
    assert [r.name for r in section(fuk).rooms] == ["電子計算機室", "記録媒体の保管施設"]
    assert all(r.entrants.id_card and r.entrants.designations == ["room_entrant"] for r in section(fuk).rooms)
    assert section(get_pack("kitami")) is None


def test_the_room_manager_of_yanagawa_keeps_the_book_yan_16(db, account_for):
    city = make_city("yanagawa")
    manager = holders_of("room_manager", on=TODAY, pack=city.pack)[0].person
    clerk = Person.objects.exclude(pk=manager.pk).order_by("staff_number").last()
    assert account_for(manager).has_perm("rooms.view")
    assert not account_for(clerk).has_perm("rooms.view")


def test_staff_of_the_unit_and_the_roles_enter_freely_others_do_not_mai_20_1(maizuru):
    city, rule = maizuru
    inside, outside = split(city.pack, rule)
    officer = holders_of("room_security_officer", on=TODAY, pack=city.pack)[0].person
    assert officer in inside and outside
    line = room_entry_record(actor=None, room=rule.code, person=inside[-1], purpose="点検", at=at(TODAY, 9))
    room_exit_record(actor=None, line_id=line.pk, at=at(TODAY, 10))
    assert str(line.pk) not in observed(room_rules.entries_not_permitted, city.pack)


def test_entry_without_permission_is_a_finding_and_an_approved_request_covers_it_mai_20_2(
    maizuru, account_for
):
    city, rule = maizuru
    inside, outside = split(city.pack, rule)
    stranger = outside[0]
    line = room_entry_record(
        actor=None, room=rule.code, person=stranger, purpose="打合せ", escort=inside[0], at=at(TODAY, 9)
    )
    found = observed(room_rules.entries_not_permitted, city.pack)[str(line.pk)]
    assert (found.requirement, found.article) == ("MAI-20-2", "第20条第2項")
    Request.objects.create(
        kind="rooms.entry",
        title="入室",
        pack="maizuru",
        chain_title="入室の許可",
        requester=stranger,
        filed_by=account_for(stranger),
        state=RequestState.APPROVED,
        filed_at=time.now(),
        payload={
            "room": rule.code,
            "person": stranger.staff_number,
            "date_from": str(TODAY),
            "purpose": "打合せ",
        },
    )
    assert str(line.pk) not in observed(room_rules.entries_not_permitted, city.pack)


def test_an_escort_the_article_does_not_allow_is_refused_and_none_is_a_finding_mai_20_3(maizuru):
    city, rule = maizuru
    inside, outside = split(city.pack, rule)
    with pytest.raises(Refused) as refused:
        room_entry_record(
            actor=None,
            room=rule.code,
            visitor_company="A社",
            visitor_name="甲",
            purpose="保守",
            escort=outside[0],
            at=at(TODAY, 9),
        )
    assert (refused.value.field, refused.value.article) == ("escort", "第20条第3項")
    assert not RoomLogLine.objects.exists()
    alone = room_entry_record(
        actor=None, room=rule.code, visitor_company="A社", visitor_name="甲", purpose="保守", at=at(TODAY, 9)
    )
    escorted = room_entry_record(
        actor=None,
        room=rule.code,
        visitor_company="A社",
        visitor_name="乙",
        purpose="保守",
        escort=inside[0],
        at=at(TODAY, 9),
    )
    found = observed(room_rules.entrants_not_escorted, city.pack)
    assert found[str(alone.pk)].requirement == "MAI-20-3" and str(escorted.pk) not in found
    record = Record.objects.get(object_type="rooms.RoomLogLine", object_id=str(escorted.pk))
    assert (record.action, record.requirement) == ("room_log.add", "MAI-20-3")


def test_exit_needs_the_consent_of_the_officer_or_designee_mai_20_4(maizuru):
    city, rule = maizuru
    inside, outside = split(city.pack, rule)
    officer = holders_of("room_security_officer", on=TODAY, pack=city.pack)[0].person
    ok = room_entry_record(
        actor=None, room=rule.code, visitor_name="甲", purpose="保守", escort=inside[0], at=at(TODAY, 9)
    )
    bad = room_entry_record(
        actor=None, room=rule.code, visitor_name="乙", purpose="保守", escort=inside[0], at=at(TODAY, 9)
    )
    with pytest.raises(Refused) as refused:
        room_exit_record(actor=None, line_id=ok.pk, consent_by=outside[0], at=at(TODAY, 10))
    assert (refused.value.field, refused.value.article) == ("consent_by", "第20条第4項")
    room_exit_record(actor=None, line_id=ok.pk, consent_by=officer, at=at(TODAY, 10))
    room_exit_record(actor=None, line_id=bad.pk, at=at(TODAY, 10))
    found = observed(room_rules.exits_without_consent, city.pack)
    assert set(found) == {str(bad.pk)} and found[str(bad.pk)].article == "第20条第4項"
    with pytest.raises(Refused):
        room_exit_record(actor=None, line_id=ok.pk, consent_by=officer, at=at(TODAY, 11))


def test_no_exit_by_the_end_of_the_day_is_a_finding_mai_20_4(maizuru, clock):
    city, rule = maizuru
    inside, _ = split(city.pack, rule)
    line = room_entry_record(actor=None, room=rule.code, person=inside[0], purpose="点検", at=at(TODAY, 9))
    assert str(line.pk) not in observed(room_rules.exits_not_recorded, city.pack, TODAY)
    found = observed(room_rules.exits_not_recorded, city.pack, TODAY + dt.timedelta(days=1))
    assert found[str(line.pk)].requirement == "MAI-20-4"


def test_yanagawa_operators_enter_and_escort_visitors_and_goods_yan_15_1_yan_15_2_yan_15_3(db):
    city = make_city("yanagawa")
    rule = room_rule(city.pack, "server_room")
    inside, outside = split(city.pack, rule)
    assert not inside  # no 情報システム担当者 designated yet
    operator = outside[0]
    Designation.objects.create(
        pack="yanagawa",
        kind="server_room_operator",
        person=operator,
        article="14",
        requirement="YAN-14",
        valid_from=TODAY - dt.timedelta(days=30),
        recorded_at=time.now(),
        designated_by=people_any(),
    )
    assert may_escort(rule, operator, on=TODAY, pack=city.pack)
    with pytest.raises(Refused) as refused:
        room_entry_record(
            actor=None,
            room="server_room",
            visitor_name="甲",
            purpose="搬入",
            escort=operator,
            goods="サーバ",
            goods_escort=outside[1],
            at=at(TODAY, 9),
        )
    assert (refused.value.field, refused.value.article) == ("goods_escort", "第15条第3項")
    line = room_entry_record(
        actor=None,
        room="server_room",
        visitor_company="B社",
        visitor_name="甲",
        purpose="搬入",
        escort=operator,
        goods="サーバ",
        at=at(TODAY, 9),
    )
    assert line.goods_escort == operator
    stray = room_entry_record(
        actor=None, room="server_room", person=outside[1], purpose="見学", at=at(TODAY, 9)
    )
    denied = observed(room_rules.entries_not_permitted, city.pack)
    assert set(denied) == {str(line.pk), str(stray.pk)}
    assert denied[str(stray.pk)].requirement == "YAN-15-1"
    unescorted = observed(room_rules.entrants_not_escorted, city.pack)
    assert set(unescorted) == {str(stray.pk)} and unescorted[str(stray.pk)].article == "第15条第2項"
    room_exit_record(actor=None, line_id=line.pk, at=at(TODAY, 10))
    assert not observed(room_rules.exits_without_consent, city.pack)  # 柳川市 asks no consent


def test_fukuyama_card_holders_enter_both_rooms_others_need_permission_fuk_25(db):
    city = make_city("fukuyama")
    people = list(Person.objects.order_by("staff_number"))
    holder, other = people[0], people[1]
    Designation.objects.create(
        pack="fukuyama",
        kind="room_entrant",
        person=holder,
        article="25-1",
        requirement="FUK-25",
        valid_from=TODAY - dt.timedelta(days=10),
        recorded_at=time.now(),
        designated_by=people_any(),
    )
    for code in ("computer_room", "media_store"):
        rule = room_rule(city.pack, code)
        assert may_enter_freely(rule, holder, on=TODAY, pack=city.pack)
        assert not may_enter_freely(rule, other, on=TODAY, pack=city.pack)
    line = room_entry_record(
        actor=None, room="media_store", person=other, purpose="媒体の確認", at=at(TODAY, 9)
    )
    assert observed(room_rules.entries_not_permitted, city.pack)[str(line.pk)].article == "第25条第2項"
    assert observed(room_rules.entrants_not_escorted, city.pack)[str(line.pk)].requirement == "FUK-25"
    with pytest.raises(Refused) as refused:
        room_entry_record(actor=None, room="vault", person=holder, purpose="x", at=at(TODAY, 9))
    assert refused.value.field == "room"


def test_the_database_keeps_a_line_either_person_or_visitor_and_exit_after_entry(maizuru):
    city, rule = maizuru
    inside, _ = split(city.pack, rule)
    line = room_entry_record(actor=None, room=rule.code, person=inside[0], purpose="点検", at=at(TODAY, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomLogLine.objects.filter(pk=line.pk).update(visitor_name="甲")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomLogLine.objects.filter(pk=line.pk).update(exited_at=at(TODAY, 8), state="exited")
