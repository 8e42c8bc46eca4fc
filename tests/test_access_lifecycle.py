"""Lines of the management file made and ended without a request: direct assignment for 別表第2
organisations and revocation on transfer or retirement (KIT-5-5), deletion with a reason (KIT-5-7),
and expiry at the end of the term (KIT-7) with its finding."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from mamori.access.models import Entitlement, EntitlementState, ProposalState, RevocationProposal
from mamori.access.rules import expired_entitlements_still_used
from mamori.access.services import (
    EntitlementError,
    entitlement_assign_directly,
    entitlement_delete,
    entitlements_expire,
    user_registration_record,
)
from mamori.access.transfers import revocation_proposal_apply, revocation_proposal_dismiss
from mamori.organisation.imports import staff_apply, staff_preview
from mamori.organisation.models import Assignment, Unit
from mamori.records.models import Record
from mamori.systems.models import System
from mamori.workflows.models import Notification
from tests.conftest import TODAY


def assign(city, people, person, privileges=("view",), system="SYS01"):
    return entitlement_assign_directly(
        person=person,
        system=System.objects.get(code=system),
        privileges=list(privileges),
        actor=people.approver,
        pack=city.pack,
        on=TODAY,
    )


# --- KIT-5-5 direct assignment --------------------------------------------------------------------


def test_kit_5_5_the_cokas_administrator_assigns_directly_to_staff_of_a_table_2_organisation(city, people):
    # 企画財政部 / DX推進室 / 情報システム課 is the first organisation of 別表第2.
    person = city.staff["231"][0]
    lines = assign(city, people, person)
    assert [line.state for line in lines] == [EntitlementState.ACTIVE]
    assert lines[0].basis == "direct" and lines[0].request is None
    record = Record.objects.get(action="access.entitlement.registered", object_id=str(lines[0].pk))
    assert (record.article, record.requirement) == ("5-5", "KIT-5-5")
    assert record.capacity == "COKAS-R/ADⅡ管理者"
    # 第5条第6項: the 情報セキュリティ責任者 of the person's 部 is told.
    officer = city.heads["200"]
    assert Notification.objects.filter(person=officer, subject__contains="指定").exists()


def test_kit_5_5_no_direct_assignment_outside_table_2(city, people):
    with pytest.raises(EntitlementError) as refused:
        assign(city, people, city.staff["310"][0])  # 市民部市民課 is not in 別表第2
    assert refused.value.article == "第5条第5項" and "別表第2" in refused.value.message


def test_kit_5_5_no_direct_assignment_for_a_fixed_term_member_of_staff(city, people):
    fixed_term = city.staff["231"][-1]
    user_registration_record(person=fixed_term, registered_on=TODAY, actor=people.approver, pack=city.pack)
    with pytest.raises(EntitlementError) as refused:
        assign(city, people, fixed_term)
    assert "会計年度任用職員" in refused.value.message


def test_kit_5_5_a_table_row_limited_to_some_subsections_is_respected(city, people):
    bu = city.units["100"]  # 総務部
    shokuin = Unit.objects.create(code="140", name="職員課", level="課", parent=bu)
    jinji = Unit.objects.create(code="141", name="人事係", level="係", parent=shokuin)
    shomu = Unit.objects.create(code="142", name="庶務係", level="係", parent=shokuin)
    a, b = city.staff["110"][0], city.staff["110"][1]
    Assignment.objects.filter(person__in=[a, b]).update(end=TODAY - dt.timedelta(days=1))
    Assignment.objects.create(person=a, unit=jinji, start=TODAY)
    Assignment.objects.create(person=b, unit=shomu, start=TODAY)
    assert assign(city, people, a)  # 総務部職員課(人事係及び給与係に限る。)
    with pytest.raises(EntitlementError):
        assign(city, people, b)


def test_kit_5_5_only_the_cokas_or_intermediate_server_administrator_assigns_directly(city, people):
    with pytest.raises(EntitlementError):
        entitlement_assign_directly(
            person=city.staff["231"][0],
            system=System.objects.get(code="SYS01"),
            privileges=["view"],
            actor=people.requester,
            pack=city.pack,
            on=TODAY,
        )


# --- KIT-5-5 transfer and retirement ----------------------------------------------------------------

HEADER = "職員番号,氏名,氏名カナ,任用区分,所属コード,職名,任用開始日,任用終了日,所属会社,メール,退職日"


def staff_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    return path


def row(person, unit_code, title="主事", left_on=""):
    return f"{person.staff_number},{person.name},,正規職員,{unit_code},{title},,,,{person.email},{left_on}"


def test_kit_5_5_the_april_transfer_preview_lists_every_privilege_that_must_go(city, people, tmp_path):
    mover, stayer, retiree = city.staff["231"][0], city.staff["231"][1], city.heads["310"]
    assign(city, people, mover, privileges=("view", "update"))
    assign(city, people, stayer)
    Entitlement.objects.create(
        person=retiree,
        system=System.objects.get(code="SYS02"),
        privilege=System.objects.get(code="SYS02").privileges.get(code="view"),
        user_id="R1",
        valid_from=TODAY,
        registered_at=Entitlement.objects.first().registered_at,
        registered_by=people.approver,
    )
    april = dt.date(2027, 4, 1)
    path = staff_file(
        tmp_path,
        [row(mover, "410"), row(stayer, "231", "主査"), row(retiree, "310", "課長", "2027-03-31")],
    )
    plan = staff_preview(path=path, effective=april)
    proposals = [note for note in plan.notes if note.startswith("権限解除")]
    assert len(proposals) == 3  # the mover's two lines and the retiree's; the stayer keeps theirs
    assert any(mover.name in note and "異動" in note for note in proposals)
    assert any(retiree.name in note and "退職" in note for note in proposals)
    assert not RevocationProposal.objects.exists()  # a preview writes nothing

    staff_apply(plan=plan, actor=people.admin)
    opened = RevocationProposal.objects.filter(state=ProposalState.OPEN)
    assert opened.count() == 3
    first = opened.get(entitlement__person=mover, entitlement__privilege__code="view")
    revocation_proposal_apply(proposal=first, actor=people.approver, pack=city.pack, on=april)
    first.refresh_from_db()
    assert first.state == ProposalState.APPLIED
    assert first.entitlement.state == EntitlementState.REVOKED
    assert Record.objects.filter(action="access.entitlement.revoked", requirement="KIT-5-5").exists()
    second = opened.get(entitlement__person=mover, entitlement__privilege__code="update")
    with pytest.raises(EntitlementError):
        revocation_proposal_dismiss(proposal=second, actor=people.approver, reason=" ", pack=city.pack)
    revocation_proposal_dismiss(
        proposal=second, actor=people.approver, reason="異動先でも同じ業務", pack=city.pack, on=april
    )
    second.refresh_from_db()
    assert second.state == ProposalState.DISMISSED and second.entitlement.state == EntitlementState.ACTIVE


# --- KIT-5-7 ------------------------------------------------------------------------------------


def test_kit_5_7_deletion_needs_a_reason_and_tells_the_security_officer(city, people):
    line = assign(city, people, city.staff["231"][0])[0]
    with pytest.raises(EntitlementError) as refused:
        entitlement_delete(entitlement=line, actor=people.approver, reason="  ", pack=city.pack, on=TODAY)
    assert refused.value.field == "reason"
    line.refresh_from_db()
    assert line.state == EntitlementState.ACTIVE

    entitlement_delete(
        entitlement=line,
        actor=people.approver,
        reason="目的外の照会（個人情報保護法第69条第1項）",
        pack=city.pack,
        on=TODAY,
    )
    line.refresh_from_db()
    assert line.state == EntitlementState.DELETED and "第69条" in line.end_reason
    record = Record.objects.get(action="access.entitlement.deleted")
    assert (record.article, record.requirement) == ("5-7", "KIT-5-7")
    assert record.after["reason"].startswith("目的外")
    assert Notification.objects.filter(person=city.heads["200"], subject__contains="削除").exists()


def test_kit_5_7_only_the_administrator_deletes(city, people):
    line = assign(city, people, city.staff["231"][0])[0]
    with pytest.raises(EntitlementError):
        entitlement_delete(entitlement=line, actor=people.requester, reason="理由", pack=city.pack, on=TODAY)


# --- KIT-7 ---------------------------------------------------------------------------------------


@pytest.fixture
def term_ended(city, people):
    """A 会計年度任用職員 whose term ended yesterday, with a line valid to that day."""
    person = city.staff["310"][-1]
    person.term_end = TODAY - dt.timedelta(days=1)
    person.save(update_fields=["term_end"])
    system = System.objects.get(code="SYS01")
    return Entitlement.objects.create(
        person=person,
        system=system,
        privilege=system.privileges.get(code="view"),
        user_id="F001",
        valid_from=dt.date(2026, 4, 1),
        valid_to=person.term_end,
        registered_at=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
        registered_by=people.approver,
    )


def test_kit_7_the_daily_job_expires_lines_at_the_end_of_the_term_once(city, people, term_ended):
    out = StringIO()
    call_command("access", "expire", "--date", TODAY.isoformat(), stdout=out)
    assert "期間満了: 1 件" in out.getvalue()
    term_ended.refresh_from_db()
    assert term_ended.state == EntitlementState.EXPIRED and "任用期間" in term_ended.end_reason
    record = Record.objects.get(action="access.entitlement.expired")
    assert (record.article, record.requirement) == ("7", "KIT-7")
    assert entitlements_expire(on=TODAY, pack=city.pack) == []  # idempotent


def test_kit_7_a_line_still_valid_today_is_not_expired(city, people, term_ended):
    assert entitlements_expire(on=term_ended.valid_to, pack=city.pack) == []


def test_kit_7_use_of_an_expired_id_is_a_finding(city, people, term_ended):
    Event = pytest.importorskip("mamori.events.models").Event
    entitlements_expire(on=TODAY, pack=city.pack)
    assert list(expired_entitlements_still_used(city.pack, TODAY)) == []  # no events: nothing found
    from mamori.events.models import EventSource, IngestBatch

    source = EventSource.objects.create(code="sys01", name="住民記録 操作ログ", format="csv", system="SYS01")
    batch = IngestBatch.objects.create(source=source, started_at=dt.datetime(2026, 11, 16, 3, tzinfo=dt.UTC))
    moments = [dt.datetime(2026, 11, 14, 9, tzinfo=dt.UTC), dt.datetime(2026, 11, 16, 1, tzinfo=dt.UTC)]
    from mamori.events.services import ensure_partitions

    ensure_partitions(moments[0], moments[-1])  # PostgreSQL keeps events in monthly partitions
    Event.objects.bulk_create(
        [
            Event(at=at, kind="search", account="F001", system="SYS01", source=source, batch=batch, line=n,
                  fingerprint=f"test-{n}")
            for n, at in enumerate(moments, start=1)
        ]
    )  # fmt: skip
    found = list(expired_entitlements_still_used(city.pack, TODAY))
    assert [(o.requirement, o.article) for o in found] == [("KIT-7", "第7条")]
    assert "1 件" in found[0].detail


def test_kit_7_a_line_left_open_past_its_validity_is_a_finding(city, people, term_ended):
    from mamori.access.rules import lines_open_past_their_validity

    found = list(lines_open_past_their_validity(city.pack, TODAY))
    assert [(o.requirement, o.object_id) for o in found] == [("KIT-7", str(term_ended.pk))]
    entitlements_expire(on=TODAY, pack=city.pack)
    assert list(lines_open_past_their_validity(city.pack, TODAY)) == []


def test_kit_5_5_the_staff_import_command_prints_the_revocations_and_a_proposal_left_open_is_a_finding(
    city, people, tmp_path
):
    from mamori.access.rules import proposals_left_open

    mover = city.staff["231"][0]
    assign(city, people, mover)
    april = dt.date(2027, 4, 1)
    path = staff_file(tmp_path, [row(mover, "410")])
    out = StringIO()
    call_command("import_data", "staff", str(path), "--effective", april.isoformat(), "--apply", stdout=out)
    assert f"権限解除（第5条第5項）: {mover.staff_number}" in out.getvalue()
    assert RevocationProposal.objects.filter(entitlement__person=mover).count() == 1
    assert list(proposals_left_open(city.pack, TODAY)) == []  # not yet 4月1日
    found = list(proposals_left_open(city.pack, april))
    assert [o.requirement for o in found] == ["KIT-5-5"]
    revocation_proposal_apply(
        proposal=RevocationProposal.objects.get(), actor=people.approver, pack=city.pack, on=april
    )
    assert list(proposals_left_open(city.pack, april)) == []
    # 第5条第6項 in the words of KIT-5-5: the 情報セキュリティ責任者 hears of the revocation.
    assert Notification.objects.filter(subject__contains="解除しました").exists()
