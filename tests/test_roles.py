"""ORG: who holds a role on a date follows from posts, appointments, absences and deputies."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.organisation.models import Assignment
from mamori.organisation.roles import holders_of, roles_of
from mamori.organisation.services import absence_register, role_appoint
from tests.conftest import TODAY, make_city


@pytest.fixture
def yanagawa(db):
    return make_city("yanagawa")


def test_yan_5_the_vice_mayor_is_the_cio_ex_officio(yanagawa):
    holders = holders_of("cio", on=TODAY, pack=yanagawa.pack)
    vice_mayor = Assignment.objects.get(post__title="副市長").person
    assert [h.person for h in holders] == [vice_mayor]
    assert holders[0].capacity == "最高情報統括責任者"
    assert not holders[0].is_deputy


def test_yan_5_the_chief_security_officer_deputises_while_the_cio_is_absent(yanagawa):
    vice_mayor = Assignment.objects.get(post__title="副市長").person
    absence_register(
        person=vice_mayor, start=TODAY, end=TODAY + dt.timedelta(days=2), reason="海外出張", actor=None
    )
    holders = holders_of("cio", on=TODAY, pack=yanagawa.pack)
    assert [h.person for h in holders] == [yanagawa.head_of("総務部")]
    assert holders[0].is_deputy
    assert holders[0].capacity == "統括情報セキュリティ責任者（最高情報統括責任者の職務代理）"
    # The day after the absence the holder is back.
    back = holders_of("cio", on=TODAY + dt.timedelta(days=3), pack=yanagawa.pack)
    assert [h.person for h in back] == [vice_mayor] and not back[0].is_deputy


def test_yan_5_the_deputy_acts_when_the_post_is_vacant(yanagawa):
    Assignment.objects.filter(post__title="副市長").update(end=TODAY - dt.timedelta(days=1))
    holders = holders_of("cio", on=TODAY, pack=yanagawa.pack)
    assert [h.person for h in holders] == [yanagawa.head_of("総務部")]
    assert holders[0].deputy_for == "最高情報統括責任者"


def test_yan_5_a_holder_on_an_earlier_date_is_the_one_assigned_then(yanagawa):
    vice_mayor = Assignment.objects.get(post__title="副市長")
    successor = yanagawa.staff["110"][0]
    Assignment.objects.filter(pk=vice_mayor.pk).update(end=TODAY - dt.timedelta(days=1))
    Assignment.objects.create(
        person=successor, unit=vice_mayor.unit, post=vice_mayor.post, title="副市長", start=TODAY
    )
    assert [h.person for h in holders_of("cio", on=TODAY, pack=yanagawa.pack)] == [successor]
    before = holders_of("cio", on=TODAY - dt.timedelta(days=1), pack=yanagawa.pack)
    assert [h.person for h in before] == [vice_mayor.person]


def test_yan_5_each_department_head_is_the_security_officer_of_their_own_department(yanagawa):
    citizens_section = yanagawa.unit("市民課")
    holders = holders_of("security_officer", on=TODAY, pack=yanagawa.pack, unit=citizens_section)
    assert [h.person for h in holders] == [yanagawa.head_of("市民部")]
    everyone = holders_of("security_officer", on=TODAY, pack=yanagawa.pack)
    assert len(everyone) >= 5  # one per 部


def test_a_named_deputy_comes_before_the_packs_deputy_role(yanagawa):
    vice_mayor = Assignment.objects.get(post__title="副市長").person
    named = yanagawa.staff["130"][0]
    role_appoint(pack=yanagawa.pack, role="cio", person=named, start=TODAY, actor=None, deputy=True)
    absence_register(person=vice_mayor, start=TODAY, end=TODAY, reason="病気休暇", actor=None)
    holders = holders_of("cio", on=TODAY, pack=yanagawa.pack)
    assert [h.person for h in holders] == [named]
    assert holders[0].via == "代理者の指定"


def test_roles_of_lists_every_role_a_person_holds(yanagawa):
    head = yanagawa.head_of("総務部")
    names = {h.role_name for h in roles_of(head, on=TODAY, pack=yanagawa.pack)}
    assert {"統括情報セキュリティ責任者", "情報セキュリティ責任者"} <= names


@pytest.mark.parametrize("pack", ["yanagawa", "kitami", "maizuru", "fukuyama", "meguro"])
def test_every_ex_officio_role_of_every_built_in_pack_has_a_holder_in_the_demo(db, pack):
    city = make_city(pack)
    for role in city.pack.roles:
        if role.held_by:
            assert holders_of(role.code, on=TODAY, pack=city.pack), f"{pack}: {role.code} has no holder"


def test_yan_5_a_cio_with_neither_holder_nor_deputy_is_a_finding_until_the_post_is_filled(yanagawa):
    from mamori.findings.models import Finding, FindingState
    from mamori.findings.services import findings_run

    vice_mayor = Assignment.objects.get(post__title="副市長")
    absence_register(person=vice_mayor.person, start=TODAY, end=TODAY, reason="出張", actor=None)
    findings_run(on=TODAY)
    assert not Finding.objects.filter(key="cio").exists()  # the 統括情報セキュリティ責任者 acts

    absence_register(person=yanagawa.head_of("総務部"), start=TODAY, end=TODAY, reason="研修", actor=None)
    findings_run(on=TODAY)
    finding = Finding.objects.get(rule="organisation.role_without_holder", key="cio")
    assert finding.requirement == "YAN-5" and finding.article == "第5条第1項第1号"
    assert "最高情報統括責任者" in finding.title

    findings_run(on=TODAY + dt.timedelta(days=1))  # both are back the next day
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED
