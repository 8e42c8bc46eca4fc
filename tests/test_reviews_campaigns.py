"""Review campaigns of the management file: KIT-5-10 (北見市 第5条第10項・第11項: each system's
administrator periodically confirms the file and may correct it) and KIT-6 (第6条第5項・第6項: the
二要素認証システム管理者 does the same for terminal privileges)."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.access.models import Entitlement, EntitlementState
from mamori.accounts.models import User
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.organisation.models import Absence, RoleAppointment
from mamori.records.models import Record
from mamori.records.services import records_verify
from mamori.regulations.loader import get_pack
from mamori.reviews.models import Campaign, CampaignLine, CampaignState, LineState
from mamori.reviews.selectors import lines_for_reviewer
from mamori.reviews.services import (
    NotReviewer,
    ReviewError,
    campaign_close,
    campaign_launch,
    campaign_line_decide,
    campaign_lines_confirm,
)
from mamori.systems.models import Privilege, System
from tests.conftest import TODAY

RULES = ["reviews.campaign_overdue", "reviews.lines_overdue", "reviews.review_due"]


def grant(people, persons, system_code="SYS01", codes=("view",), valid_from=None) -> list[Entitlement]:
    """Lines of the management file, as the access services would have registered them."""
    system = System.objects.get(code=system_code)
    privileges = list(Privilege.objects.filter(system=system, code__in=codes))
    return Entitlement.objects.bulk_create(
        Entitlement(
            person=person,
            system=system,
            privilege=privilege,
            user_id=f"U{person.staff_number}",
            valid_from=valid_from or TODAY - dt.timedelta(days=100),
            registered_at=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
            registered_by=people.approver,
        )
        for person in persons
        for privilege in privileges
    )


def terminal_system(city) -> System:
    system = System.objects.create(
        code="TFA", name="二要素認証（端末装置）", owner_unit=city.units["231"], category="二要素認証"
    )
    Privilege.objects.create(system=system, code="logon", name="端末ログオン")
    return system


def user_for(person, username: str) -> User:
    return User.objects.create(username=username, person=person)


def shimin_staff(city):
    return [*city.staff["310"], *city.staff["320"]]


def launch(people, **kwargs) -> Campaign:
    kwargs.setdefault("system", System.objects.get(code="SYS01"))
    return campaign_launch(actor=people.admin, on=TODAY, **kwargs)


def test_kit_5_10_launch_snapshots_every_active_line_in_scope_with_the_systems_administrator(city, people):
    inside = grant(people, shimin_staff(city))
    grant(people, city.staff["410"])  # 福祉部: outside the unit scope
    ended = inside[0]
    Entitlement.objects.filter(pk=ended.pk).update(state=EntitlementState.REVOKED)

    campaign = launch(people, unit=city.units["300"])  # 市民部 and its 課

    lines = list(campaign.lines.select_related("reviewer"))
    assert {line.entitlement_id for line in lines} == {e.pk for e in inside[1:]}
    assert {line.unit_id for line in lines} <= {city.units[c].pk for c in ("310", "320")}
    # 第5条第10項: the administrators of the system (情報システム課長 for SYS01) confirm the file.
    assert {line.reviewer for line in lines} == {people.approver.person}
    assert {(line.reviewer_role, line.requirement, line.article) for line in lines} == {
        ("system_manager", "KIT-5-10", "第5条第10項")
    }
    assert campaign.deadline == TODAY + dt.timedelta(days=30)  # the pack's deadline_days
    record = Record.objects.get(action="reviews.campaign.launched", object_id=str(campaign.pk))
    assert record.after["lines"] == len(lines) and record.requirement == "KIT-5-10"


def test_kit_5_10_a_system_scope_goes_to_the_administrator_of_the_unit_that_owns_it(city, people):
    grant(people, city.staff["410"], system_code="SYS90")  # 文書管理, owned by 総務課
    campaign = launch(people, system=System.objects.get(code="SYS90"))
    assert set(campaign.lines.values_list("reviewer_id", flat=True)) == {city.heads["110"].pk}


def test_kit_5_10_a_system_whose_register_names_its_administrator_is_reviewed_by_that_role(city, people):
    System.objects.filter(code="SYS01").update(administrator_role="cokas_manager")
    grant(people, city.staff["310"][:1])
    line = launch(people).lines.get()
    assert (line.reviewer_role, line.reviewer_role_name) == ("cokas_manager", "COKAS-R/ADⅡ管理者")
    decided = campaign_line_decide(line=line, actor=people.approver, decision="confirm", on=TODAY)
    assert decided.decided_as == "COKAS-R/ADⅡ管理者"


def test_kit_6_terminal_privileges_are_reviewed_by_the_two_factor_manager(city, people):
    system = terminal_system(city)
    grant(people, city.staff["310"], system_code="TFA", codes=("logon",))
    campaign = launch(people, system=system)
    assert set(campaign.lines.values_list("reviewer_role", "requirement", "article", "correct_article")) == {
        ("two_factor_manager", "KIT-6", "第6条第5項", "第6条第6項")
    }
    assert campaign.requirement == "KIT-6"


def test_kit_5_10_launch_is_refused_without_scope_without_lines_and_to_staff_without_the_role(city, people):
    with pytest.raises(ReviewError, match="システムか組織"):
        campaign_launch(actor=people.admin, on=TODAY)
    with pytest.raises(ReviewError, match="有効な管理ファイル"):
        launch(people)
    grant(people, city.staff["310"])
    with pytest.raises(NotReviewer) as refused:
        campaign_launch(actor=people.outsider, on=TODAY, system=System.objects.get(code="SYS01"))
    assert refused.value.article == "第5条第10項"
    # The system's administrator may launch the review the article gives them.
    assert campaign_launch(actor=people.approver, on=TODAY, system=System.objects.get(code="SYS01")).pk
    assert Campaign.objects.count() == 1


def test_a_pack_without_review_rules_refuses_a_campaign(city, people):
    grant(people, city.staff["310"])
    with pytest.raises(ReviewError, match="定期確認の定めがありません"):
        launch(people, pack=get_pack("yanagawa"))
    assert not Campaign.objects.exists()


def test_kit_5_10_only_the_lines_reviewer_may_decide_it(city, people):
    grant(people, city.staff["310"])
    line = launch(people).lines.first()
    for actor in (people.outsider, people.requester, people.admin):
        with pytest.raises(NotReviewer) as refused:
            campaign_line_decide(line=line, actor=actor, decision="confirm", on=TODAY)
        assert refused.value.article == "第5条第10項"
    line.refresh_from_db()
    assert (
        line.state == LineState.PENDING
        and not Record.objects.filter(action__startswith="reviews.line").exists()
    )

    decided = campaign_line_decide(line=line, actor=people.approver, decision="confirm", on=TODAY)
    assert decided.state == LineState.CONFIRMED
    assert decided.decided_by == people.approver and decided.decided_at is not None
    assert decided.decided_as == "COKAS-R/ADⅡ管理者、中間サーバー管理者又は個別システム管理者"
    with pytest.raises(ReviewError, match="既に"):
        campaign_line_decide(line=line, actor=people.approver, decision="revoke", reason="x", on=TODAY)


def test_kit_5_10_a_deputy_decides_while_the_reviewer_is_away(city, people):
    grant(people, city.staff["310"])
    line = launch(people).lines.first()
    deputy_person = city.staff["231"][0]
    deputy = user_for(deputy_person, "dairi")
    with pytest.raises(NotReviewer):
        campaign_line_decide(line=line, actor=deputy, decision="confirm", on=TODAY)
    Absence.objects.create(person=people.approver.person, start=TODAY, end=TODAY, reason="出張")
    RoleAppointment.objects.create(
        pack="kitami",
        role="system_manager",
        person=deputy_person,
        unit=city.units["231"],
        capacity=RoleAppointment.Capacity.DEPUTY,
        start=TODAY - dt.timedelta(days=1),
    )
    assert lines_for_reviewer(deputy_person, on=TODAY, pack=get_pack("kitami")).count() == len(
        city.staff["310"]
    )
    decided = campaign_line_decide(line=line, actor=deputy, decision="confirm", on=TODAY)
    assert "職務代理" in decided.decided_as


def test_kit_5_10_revoking_a_line_ends_the_entitlement_under_paragraph_11(city, people):
    (entitlement,) = grant(people, city.staff["310"][:1])
    line = launch(people).lines.get()
    with pytest.raises(ReviewError, match="理由"):
        campaign_line_decide(line=line, actor=people.approver, decision="revoke", on=TODAY)
    entitlement.refresh_from_db()
    assert entitlement.state == EntitlementState.ACTIVE

    campaign_line_decide(line=line, actor=people.approver, decision="revoke", reason="異動済み", on=TODAY)
    entitlement.refresh_from_db()
    assert entitlement.state == EntitlementState.REVOKED and entitlement.ended_at
    ended = Record.objects.get(action="access.entitlement.revoked", object_id=str(entitlement.pk))
    assert (ended.requirement, ended.article) == ("KIT-5-10", "第5条第11項")
    assert "異動済み" in ended.after["reason"]
    decided = Record.objects.get(action="reviews.line.revoked")
    assert decided.capacity.startswith("COKAS-R/ADⅡ管理者") and decided.after["reason"] == "異動済み"
    assert records_verify().ok


def test_kit_5_10_correcting_a_line_changes_the_entitlement_and_refuses_bad_input_whole(city, people):
    (entitlement,) = grant(people, city.staff["310"][:1])
    line = launch(people).lines.get()
    for changes, message in (
        ({"privilege": "admin"}, "修正できない項目"),
        ({"valid_to": "2026/12/31"}, "YYYY-MM-DD"),
        ({"user_id": " "}, "ユーザID"),
        ({}, "修正する項目"),
    ):
        with pytest.raises(ReviewError, match=message):
            campaign_line_decide(
                line=line, actor=people.approver, decision="correct", reason="任期", changes=changes, on=TODAY
            )
    line.refresh_from_db()
    assert line.state == LineState.PENDING

    decided = campaign_line_decide(
        line=line,
        actor=people.approver,
        decision="correct",
        reason="任期の反映",
        changes={"valid_to": "2027-03-31"},
    )
    entitlement.refresh_from_db()
    assert entitlement.valid_to == dt.date(2027, 3, 31)
    assert decided.state == LineState.CORRECTED and decided.changes == {"valid_to": "2027-03-31"}
    changed = Record.objects.get(action="access.entitlement.changed")
    assert changed.before["valid_to"] is None and changed.after["valid_to"] == "2027-03-31"


def test_kit_5_10_confirming_a_line_whose_entitlement_ended_since_launch_is_refused(city, people):
    first, _second = grant(people, city.staff["310"][:2])
    campaign = launch(people)
    Entitlement.objects.filter(pk=first.pk).update(state=EntitlementState.EXPIRED)
    line = campaign.lines.get(entitlement=first)
    with pytest.raises(ReviewError, match="期間満了"):
        campaign_line_decide(line=line, actor=people.approver, decision="confirm", on=TODAY)
    result = campaign_lines_confirm(
        campaign=campaign,
        actor=people.approver,
        line_ids=campaign.lines.values_list("pk", flat=True),
        on=TODAY,
    )
    assert (result.confirmed, result.skipped) == (1, 1)
    # Revoking the ended line records the decision without ending it twice.
    campaign_line_decide(
        line=line, actor=people.approver, decision="revoke", reason="期間満了を確認", on=TODAY
    )
    assert Record.objects.get(action="reviews.line.revoked").after["already"] == "expired"


def test_kit_5_10_bulk_confirm_is_one_transaction_recorded_line_by_line(city, people):
    grant(people, shimin_staff(city))
    grant(people, city.staff["410"], system_code="SYS90")
    campaign = launch(people, unit=city.units["300"])
    other = launch(people, system=System.objects.get(code="SYS90"))
    mine = list(campaign.lines.values_list("pk", flat=True))

    # A line of someone else's (another campaign's) is refused and nothing is confirmed.
    with pytest.raises(ReviewError):
        campaign_lines_confirm(
            campaign=campaign, actor=people.approver, line_ids=[*mine, other.lines.first().pk], on=TODAY
        )
    with pytest.raises(NotReviewer):
        campaign_lines_confirm(
            campaign=other, actor=people.approver, line_ids=other.lines.values_list("pk", flat=True), on=TODAY
        )
    assert not CampaignLine.objects.exclude(state=LineState.PENDING).exists()

    result = campaign_lines_confirm(campaign=campaign, actor=people.approver, line_ids=mine[:-1], on=TODAY)
    assert result.confirmed == len(mine) - 1
    records = Record.objects.filter(action="reviews.line.confirmed")
    assert sorted(int(r.object_id) for r in records) == mine[:-1]
    assert all(r.after["bulk"] and r.requirement == "KIT-5-10" for r in records)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN


def test_kit_5_10_the_campaign_closes_when_every_line_is_decided(city, people):
    grant(people, city.staff["310"])
    campaign = launch(people)
    lines = list(campaign.lines.all())
    campaign_line_decide(line=lines[0], actor=people.approver, decision="revoke", reason="不要", on=TODAY)
    campaign_lines_confirm(
        campaign=campaign, actor=people.approver, line_ids=[x.pk for x in lines[1:]], on=TODAY
    )
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED and campaign.closed_at
    closed = Record.objects.get(action="reviews.campaign.closed")
    assert closed.after["results"] == {"revoked": 1, "confirmed": len(lines) - 1}
    with pytest.raises(ReviewError, match="完了"):
        campaign_close(campaign=campaign, actor=people.admin, note="")


def test_only_the_administrator_closes_early_and_undecided_lines_are_recorded(city, people):
    grant(people, city.staff["310"])
    campaign = launch(people)
    first = campaign.lines.first()
    campaign_line_decide(line=first, actor=people.approver, decision="confirm", on=TODAY)
    with pytest.raises(NotReviewer):
        campaign_close(campaign=campaign, actor=people.approver, note="打切り")
    with pytest.raises(ReviewError, match="理由"):
        campaign_close(campaign=campaign, actor=people.admin, note=" ")
    campaign_close(campaign=campaign, actor=people.admin, note="年度末のため打切り")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED and campaign.close_note == "年度末のため打切り"
    undecided = campaign.lines.filter(state=LineState.UNDECIDED)
    assert undecided.count() == len(city.staff["310"]) - 1
    assert Record.objects.filter(action="reviews.line.undecided").count() == undecided.count()
    with pytest.raises(ReviewError, match="完了"):
        campaign_line_decide(line=undecided.first(), actor=people.approver, decision="confirm", on=TODAY)


def test_kit_5_10_overdue_campaigns_and_lines_are_findings_that_resolve_when_decided(city, people):
    grant(people, city.staff["310"])
    campaign = launch(people, deadline=TODAY + dt.timedelta(days=10))
    findings_run(on=TODAY + dt.timedelta(days=10), only=RULES)
    assert not Finding.objects.filter(rule__startswith="reviews.").exists()

    late = TODAY + dt.timedelta(days=11)
    findings_run(on=late, only=RULES)
    overdue = Finding.objects.get(rule="reviews.campaign_overdue")
    assert (overdue.requirement, overdue.article, overdue.state) == (
        "KIT-5-10",
        "第5条第10項",
        FindingState.OPEN,
    )
    lines = Finding.objects.get(rule="reviews.lines_overdue")
    assert lines.person == people.approver.person and "未確認 3 行" in lines.detail
    assert lines.requirement == "KIT-5-10"

    campaign_lines_confirm(
        campaign=campaign,
        actor=people.approver,
        line_ids=campaign.lines.values_list("pk", flat=True),
        on=late,
    )
    findings_run(on=late, only=RULES)
    assert set(Finding.objects.filter(rule__startswith="reviews.").values_list("state", flat=True)) == {
        FindingState.RESOLVED
    }


def test_kit_6_overdue_terminal_lines_cite_article_6(city, people):
    system = terminal_system(city)
    grant(people, city.staff["310"], system_code="TFA", codes=("logon",))
    launch(people, system=system, deadline=TODAY)
    findings_run(on=TODAY + dt.timedelta(days=1), only=RULES)
    cited = set(Finding.objects.filter(rule__startswith="reviews.").values_list("requirement", "article"))
    assert cited == {("KIT-6", "第6条第5項")}


def test_kit_5_10_a_system_not_reviewed_within_the_interval_is_a_finding(city, people):
    grant(people, city.staff["310"], valid_from=TODAY - dt.timedelta(days=400))
    grant(people, city.staff["410"], system_code="SYS90")  # granted 100 days ago: not yet due
    findings_run(on=TODAY, only=RULES)
    due = Finding.objects.get(rule="reviews.review_due", state=FindingState.OPEN)
    assert due.object_id == str(System.objects.get(code="SYS01").pk)
    assert (due.requirement, due.article) == ("KIT-5-10", "第5条第10項") and "12か月" in due.title
    launch(people)
    findings_run(on=TODAY, only=RULES)
    due.refresh_from_db()
    assert due.state == FindingState.RESOLVED
