"""Findings over operation events (mamori/events/rules.py), each citing its requirement ID and article.

Events are stored through the events app's ingest (JSON lines), as the logs would arrive."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.access.models import Entitlement
from mamori.core import time
from mamori.designations.services import designation_add
from mamori.events import rules
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from mamori.regulations.schema import SubjectScope
from mamori.systems.models import Privilege, System
from mamori.terminals.eventgen import Row, at, session, store_events
from mamori.terminals.services import terminal_register
from mamori.workflows.services import current_step, request_decide, request_file
from tests.conftest import TODAY, make_city

pytestmark = pytest.mark.django_db
MON, TUE, SAT = dt.date(2026, 11, 9), dt.date(2026, 11, 10), dt.date(2026, 11, 14)


def observe(function, pack, on=TODAY):
    return {o.key: o for o in function(pack, on)}


def _setup_terminals(city, *, designate=True, designator=None):
    admin = city.accounts["admin"][0]
    systems = list(System.objects.filter(code__in=["SYS01"]))
    one = terminal_register(
        host_name="SHIMIN-PC01",
        unit=city.units["310"],
        actor=admin,
        active_from=dt.date(2026, 4, 1),
        systems=systems,
    )
    two = terminal_register(
        host_name="SHIMIN-PC02",
        unit=city.units["310"],
        actor=admin,
        active_from=dt.date(2026, 4, 1),
        systems=systems,
    )
    if designate:
        kacho = city.accounts["kacho.shimin"][0]
        first, second = city.staff["310"][:2]
        for terminal, person in ((one, first), (two, second)):
            designation_add(
                kind="terminal_operator",
                terminal=terminal,
                person=person,
                valid_from=dt.date(2026, 10, 1),
                actor=admin if designator else kacho,
                designator=designator,
                on=TODAY,
            )
    return one, two


@pytest.fixture
def yanagawa():
    city = make_city("yanagawa")
    _setup_terminals(city)
    return city


def test_YAN_13_1_use_outside_hours_without_approval_is_a_finding(yanagawa):
    """YAN-13-1: a Saturday session and a weekday night search are findings; office hours are not."""
    account = yanagawa.staff["310"][0].staff_number
    store_events(
        [
            *session(account, "SHIMIN-PC01", MON, "08:40", "17:10", "0x1"),
            Row(
                at(MON, "10:00"),
                "search",
                account,
                host="SHIMIN-PC01",
                system="SYS01",
                subject="A1",
                result_count=1,
            ),
            *session(account, "SHIMIN-PC01", SAT, "10:00", "11:30", "0x2"),
            Row(
                at(TUE, "21:05"),
                "search",
                account,
                host="SHIMIN-PC01",
                system="SYS01",
                subject="A2",
                result_count=1,
            ),
        ]
    )
    found = observe(rules.off_hours_use, yanagawa.pack)
    assert set(found) == {f"{account}@SHIMIN-PC01:2026-11-14", f"{account}@SHIMIN-PC01:2026-11-10"}
    saturday = found[f"{account}@SHIMIN-PC01:2026-11-14"]
    assert (saturday.requirement, saturday.article) == ("YAN-13-1", "第13条第1項")
    assert "土曜日" in saturday.title and saturday.person == yanagawa.staff["310"][0]
    assert saturday.unit == yanagawa.units["310"]


def test_YAN_13_3_an_approved_holiday_request_covers_the_use_it_names_and_nothing_more(yanagawa, monkeypatch):
    """YAN-13-3: the approval covers its day, hours, terminal and operators; use beyond it is a finding."""
    filed = dt.datetime(2026, 11, 5, 10, tzinfo=time.TOKYO)
    monkeypatch.setattr(time, "now", lambda: filed)
    operator = yanagawa.staff["310"][0]
    request = request_file(
        kind="terminals.off_hours_use",
        actor=yanagawa.accounts["kacho.shimin"][0],
        payload={
            "terminal": "SHIMIN-PC01",
            "use_date": SAT.isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "operators": operator.staff_number,
            "reason": "繁忙期",
        },
        on=filed.date(),
    )
    request_decide(
        step=current_step(request),
        actor=yanagawa.accounts["bucho.shimin"][0],
        action="approve",
        on=filed.date(),
    )
    store_events(session(operator.staff_number, "SHIMIN-PC01", SAT, "10:00", "11:30", "0x2"))
    assert observe(rules.off_hours_use, yanagawa.pack) == {}
    store_events(
        [
            Row(
                at(SAT, "13:10"),
                "search",
                operator.staff_number,
                host="SHIMIN-PC01",
                system="SYS01",
                subject="A9",
            )
        ]
    )
    found = observe(rules.off_hours_use, yanagawa.pack)
    assert list(found) == [f"{operator.staff_number}@SHIMIN-PC01:2026-11-14"]
    assert "承認の範囲を超えて" in found[f"{operator.staff_number}@SHIMIN-PC01:2026-11-14"].title


def test_YAN_12_3_a_terminal_used_by_someone_not_designated_for_it_is_a_finding(yanagawa):
    """YAN-12-3: 端末機の操作は端末責任者があらかじめ指定する職員が行う; unregistered terminals too."""
    first, second = yanagawa.staff["310"][:2]
    store_events(
        [
            *session(first.staff_number, "SHIMIN-PC01", MON, "08:40", "17:10", "0x1"),
            *session(second.staff_number, "SHIMIN-PC01", TUE, "09:00", "10:00", "0x3"),
            *session(first.staff_number, "ROGUE-PC", TUE, "09:00", "10:00", "0x4"),
        ]
    )
    found = observe(rules.terminal_used_by_undesignated, yanagawa.pack)
    assert set(found) == {f"SHIMIN-PC01:{second.staff_number}", "unregistered:ROGUE-PC"}
    finding = found[f"SHIMIN-PC01:{second.staff_number}"]
    assert (finding.requirement, finding.article) == ("YAN-12-3", "第12条第3項")
    assert finding.person == second and "令和8年11月10日" in finding.detail


def test_YAN_12_3_use_before_the_designation_started_is_a_finding_for_those_days_only(yanagawa):
    first = yanagawa.staff["310"][0]
    store_events(
        [
            *session(first.staff_number, "SHIMIN-PC01", dt.date(2026, 9, 30), "09:00", "10:00", "0x5"),
            *session(first.staff_number, "SHIMIN-PC01", MON, "09:00", "10:00", "0x6"),
        ]
    )
    found = observe(rules.terminal_used_by_undesignated, yanagawa.pack)
    assert found[f"SHIMIN-PC01:{first.staff_number}"].detail.startswith("指定の無い日: 令和8年9月30日。")


def test_YAN_12_5_one_user_id_at_two_terminals_at_once_is_a_finding(yanagawa):
    """YAN-12-5: overlapping logon sessions of one account on two hosts, paired by session ID."""
    account = yanagawa.staff["310"][0].staff_number
    other = yanagawa.staff["310"][1].staff_number
    store_events(
        [
            *session(account, "SHIMIN-PC01", MON, "09:00", "12:00", "0xa"),
            *session(account, "SHIMIN-PC02", MON, "10:00", "11:00", "0xb"),
            # One after the other on two terminals: not at once.
            *session(other, "SHIMIN-PC02", TUE, "09:00", "10:00", "0xc"),
            *session(other, "SHIMIN-PC01", TUE, "10:30", "11:00", "0xd"),
        ]
    )
    found = observe(rules.shared_user_id, yanagawa.pack)
    assert list(found) == [f"{account}:2026-11-09"]
    finding = found[f"{account}:2026-11-09"]
    assert (finding.requirement, finding.article) == ("YAN-12-5", "第12条第5項")
    assert "SHIMIN-PC01" in finding.title and "SHIMIN-PC02" in finding.title


def test_YAN_12_5_a_session_never_logged_off_still_counts_until_the_next_logon_on_its_host(yanagawa):
    account = yanagawa.staff["310"][0].staff_number
    store_events(
        [
            Row(at(MON, "09:00"), "logon", account, host="SHIMIN-PC01", session="0x1", logon_type=2),
            Row(at(MON, "13:00"), "logon", account, host="SHIMIN-PC01", session="0x2", logon_type=2),
            *session(account, "SHIMIN-PC02", MON, "10:00", "10:30", "0x3"),
            Row(at(MON, "13:30"), "logoff", account, host="SHIMIN-PC01", session="0x2"),
            # A network logon (type 3) is not a person at a terminal.
            Row(at(TUE, "09:00"), "logon", account, host="FILESERVER", session="0x9", logon_type=3),
            *session(account, "SHIMIN-PC01", TUE, "08:50", "12:00", "0x8"),
        ]
    )
    assert list(observe(rules.shared_user_id, yanagawa.pack)) == [f"{account}:2026-11-09"]


def test_FUK_18_1_a_terminal_used_for_a_system_outside_its_purpose_is_a_finding(db):
    """FUK-18-1: a terminal's input and output are limited to the systems of its purpose."""
    city = make_city("fukuyama")
    _setup_terminals(city, designate=False)
    account = city.staff["310"][0].staff_number
    store_events(
        [
            Row(at(MON, "10:00"), "search", account, host="SHIMIN-PC01", system="SYS01", subject="A1"),
            Row(at(MON, "10:05"), "search", account, host="SHIMIN-PC01", system="SYS03", subject="A1"),
        ]
    )
    found = observe(rules.terminal_outside_purpose, city.pack)
    assert list(found) == ["SHIMIN-PC01:SYS03"]
    assert (found["SHIMIN-PC01:SYS03"].requirement, found["SHIMIN-PC01:SYS03"].article) == (
        "FUK-18-1",
        "第18条第1項",
    )


def test_FUK_18_2_and_FUK_18_4_fukuyama_checks_designations_and_its_set_hours(db):
    """FUK-18-2: operators designated per terminal; FUK-18-4: use after 17:15 (+30 min) needs permission."""
    city = make_city("fukuyama")
    from mamori.organisation.roles import holders_of

    ict = holders_of("ict_section_head", on=TODAY, pack=city.pack)[0].person
    _setup_terminals(city, designator=ict)
    first, second = city.staff["310"][:2]
    store_events(
        [
            *session(first.staff_number, "SHIMIN-PC01", MON, "09:00", "17:40", "0x1"),
            *session(first.staff_number, "SHIMIN-PC01", TUE, "17:00", "19:00", "0x2"),
            *session(second.staff_number, "SHIMIN-PC01", TUE, "09:00", "10:00", "0x3"),
        ]
    )
    late = observe(rules.off_hours_use, city.pack)
    assert list(late) == [f"{first.staff_number}@SHIMIN-PC01:2026-11-10"]
    assert late[f"{first.staff_number}@SHIMIN-PC01:2026-11-10"].requirement == "FUK-18-4"
    undesignated = observe(rules.terminal_used_by_undesignated, city.pack)
    assert list(undesignated) == [f"SHIMIN-PC01:{second.staff_number}"]
    assert undesignated[f"SHIMIN-PC01:{second.staff_number}"].requirement == "FUK-18-2"


def _entitle(person, system, admin, *, valid_from=dt.date(2026, 4, 1), valid_to=None, user_id=None):
    privilege = Privilege.objects.get(system=system, code="view")
    return Entitlement.objects.create(
        person=person,
        system=system,
        privilege=privilege,
        user_id=user_id or person.staff_number,
        valid_from=valid_from,
        valid_to=valid_to,
        registered_at=time.now(),
        registered_by=admin,
    )


def test_KIT_10_training_use_is_reported_and_use_without_entitlement_is_a_finding(city, people):
    """KIT-10: use only for own duties (the management file), training use reported as such."""
    system = System.objects.get(code="SYS01")
    entitled, stranger = city.staff["310"][:2]
    _entitle(entitled, system, people.admin)
    store_events(
        [
            Row(at(MON, "10:00"), "search", entitled.staff_number, host="PC1", system="SYS01", subject="A1"),
            Row(
                at(MON, "14:00"),
                "search",
                entitled.staff_number,
                host="PC1",
                system="SYS01",
                subject="T1",
                training=True,
            ),
            Row(at(TUE, "10:00"), "search", stranger.staff_number, host="PC2", system="SYS01", subject="A2"),
            Row(at(TUE, "11:00"), "search", "ghost01", host="PC2", system="SYS01", subject="A3"),
        ]
    )
    training = observe(rules.training_use, city.pack)
    assert list(training) == [f"{entitled.staff_number}:SYS01:2026-11-09"]
    report = training[f"{entitled.staff_number}:SYS01:2026-11-09"]
    assert (report.requirement, report.article) == ("KIT-10", "第10条")
    assert report.title.startswith("（報告）") and "研修" in report.title
    unentitled = observe(rules.system_used_without_entitlement, city.pack)
    assert set(unentitled) == {f"system:SYS01:{stranger.staff_number}", "system:SYS01:ghost01"}
    assert unentitled[f"system:SYS01:{stranger.staff_number}"].person == stranger


def test_KIT_10_use_after_the_entitlement_ended_is_a_finding(city, people):
    system = System.objects.get(code="SYS01")
    person = city.staff["310"][0]
    _entitle(person, system, people.admin, valid_to=MON)
    store_events(
        [
            Row(at(MON, "10:00"), "search", person.staff_number, host="PC1", system="SYS01", subject="A1"),
            Row(at(TUE, "10:00"), "search", person.staff_number, host="PC1", system="SYS01", subject="A1"),
        ]
    )
    found = observe(rules.system_used_without_entitlement, city.pack)
    assert "令和8年11月10日" in found[f"system:SYS01:{person.staff_number}"].detail
    assert "令和8年11月9日" not in found[f"system:SYS01:{person.staff_number}"].detail


@pytest.fixture
def maizuru():
    city = make_city("maizuru")
    if not System.objects.filter(handles_identity_information=True).exists():
        System.objects.filter(code="SYS01").update(handles_identity_information=True)
    return city


def test_MAI_3_access_to_identity_information_without_entitlement_or_by_an_unknown_id_is_a_finding(maizuru):
    """MAI-3 (第3条・第7条): every access to 本人確認情報 is logged and attributable, and limited to need."""
    admin = maizuru.accounts["admin"][0]
    juki = System.objects.filter(handles_identity_information=True).first()
    other = System.objects.filter(handles_identity_information=False).first()
    entitled, stranger = maizuru.staff["310"][:2]
    _entitle(entitled, juki, admin)
    store_events(
        [
            Row(
                at(MON, "10:00"), "search", entitled.staff_number, host="PC1", system=juki.code, subject="J1"
            ),
            Row(
                at(MON, "10:05"), "search", stranger.staff_number, host="PC2", system=juki.code, subject="J2"
            ),
            Row(at(MON, "10:06"), "search", "unknown9", host="PC2", system=juki.code, subject="J3"),
            Row(
                at(MON, "10:07"), "search", stranger.staff_number, host="PC2", system=other.code, subject="J3"
            ),
        ]
    )
    found = observe(rules.identity_information_access, maizuru.pack)
    assert set(found) == {f"identity:{juki.code}:{stranger.staff_number}", f"identity:{juki.code}:unknown9"}
    assert all((o.requirement, o.article) == ("MAI-3", "第7条") for o in found.values())


def test_MAI_21_4_mass_extractions_and_too_many_subjects_in_a_day_are_findings(maizuru):
    """MAI-21-4: more than max_rows at once, or more than max_subjects_per_day distinct subjects."""
    person = maizuru.staff["310"][0]
    account = person.staff_number
    base = at(MON, "09:00")
    rows = [
        Row(
            at(MON, "16:00"), "extract", account, host="PC1", system="SYS01", action="抽出", result_count=5000
        ),
        Row(at(MON, "16:10"), "search", account, host="PC1", system="SYS01", subject="A1", result_count=100),
    ]
    rows += [
        Row(
            base + dt.timedelta(minutes=i),
            "search",
            account,
            host="PC1",
            system="SYS01",
            subject=f"B{i}",
            result_count=1,
        )
        for i in range(60)
    ]
    rows += [
        Row(
            base + dt.timedelta(days=1, minutes=i),
            "search",
            account,
            host="PC1",
            system="SYS01",
            subject=f"C{i}",
        )
        for i in range(50)
    ]
    store_events(rows)
    found = observe(rules.search_beyond_limits, maizuru.pack)
    assert set(found) == {f"rows:{account}:2026-11-09", f"subjects:{account}:2026-11-09"}
    assert "最大 5000件" in found[f"rows:{account}:2026-11-09"].title
    assert (found[f"rows:{account}:2026-11-09"].requirement, found[f"rows:{account}:2026-11-09"].article) == (
        "MAI-21-4",
        "第21条第4項",
    )


def test_MAI_21_4_subjects_outside_the_sections_duties_are_findings(maizuru):
    """MAI-21-4: a subject prefix the pack ties to 保険年金課, searched from 市民課, is a finding."""
    monitoring = maizuru.pack.parameters.monitoring.model_copy(
        update={
            "subject_scopes": [
                SubjectScope(prefix="KZ", units=["保険年金課"], label="国民健康保険の被保険者")
            ]
        }
    )
    pack = maizuru.pack.model_copy(
        update={"parameters": maizuru.pack.parameters.model_copy(update={"monitoring": monitoring})}
    )
    outsider, insider = maizuru.staff["310"][0], maizuru.staff["320"][0]
    store_events(
        [
            Row(
                at(MON, "10:00"),
                "search",
                outsider.staff_number,
                host="PC1",
                system="SYS01",
                subject="KZ0001",
            ),
            Row(
                at(MON, "10:00"), "search", insider.staff_number, host="PC2", system="SYS01", subject="KZ0002"
            ),
            Row(
                at(MON, "10:00"), "search", outsider.staff_number, host="PC1", system="SYS01", subject="A0003"
            ),
        ]
    )
    found = observe(rules.subject_outside_duties, pack)
    assert list(found) == [f"KZ:{outsider.staff_number}"]
    assert found[f"KZ:{outsider.staff_number}"].requirement == "MAI-21-4"
    assert observe(rules.subject_outside_duties, maizuru.pack) == {}  # no scopes set: nothing judged


def test_rules_look_only_at_their_window_and_open_findings_through_the_engine(yanagawa):
    account = yanagawa.staff["310"][0].staff_number
    old_saturday = TODAY - dt.timedelta(days=rules.WINDOW_DAYS + 2)
    store_events([*session(account, "SHIMIN-PC01", old_saturday, "10:00", "11:00", "0x1")])
    assert observe(rules.off_hours_use, yanagawa.pack) == {}
    store_events([*session(account, "SHIMIN-PC01", SAT, "10:00", "11:00", "0x2")])
    result = findings_run(on=TODAY, only=["events.off_hours_use"])
    assert result.opened == 1
    finding = Finding.objects.get(rule="events.off_hours_use")
    assert (finding.requirement, finding.article, finding.pack) == ("YAN-13-1", "第13条第1項", "yanagawa")
    assert findings_run(on=TODAY, only=["events.off_hours_use"]).opened == 0


def test_a_pack_that_does_not_configure_a_rule_does_not_run_it(city):
    """kitami sets no operating hours, no designations and no shared-ID rule."""
    account = city.staff["310"][0].staff_number
    store_events(
        [
            *session(account, "PC1", SAT, "10:00", "11:00", "0x1"),
            *session(account, "PC2", SAT, "10:30", "10:45", "0x2"),
        ]
    )
    for function in (rules.off_hours_use, rules.terminal_used_by_undesignated, rules.shared_user_id):
        assert observe(function, city.pack) == {}


def test_KIT_10_two_entitlements_from_the_same_day_one_open_ended_still_cover_the_use(city, people):
    """Spans starting the same day, one without an end, are compared by their start only."""
    system = System.objects.get(code="SYS01")
    person = city.staff["310"][0]
    _entitle(person, system, people.admin, valid_to=MON)
    _entitle(person, system, people.admin)
    store_events(
        [Row(at(TUE, "10:00"), "search", person.staff_number, host="PC1", system="SYS01", subject="A1")]
    )
    assert observe(rules.system_used_without_entitlement, city.pack) == {}
