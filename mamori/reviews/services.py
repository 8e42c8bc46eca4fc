"""Review campaigns: launch, decide each line (confirm, revoke, correct), close.

KIT-5-10 (第5条第10項): the system's administrators periodically confirm the management file; 第11項
lets them correct it.  KIT-6 (第6条第5項・第6項): the same for terminal privileges, by the
二要素認証システム管理者.  Who reviews a line comes from the pack (``parameters.review``), resolved
on the campaign date; a line is decided by that role's holder on the day of the decision, or by
whoever acts for them (代理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Subquery

from mamori.access.models import Entitlement, EntitlementState
from mamori.access.services import EntitlementError, entitlement_change, entitlement_end
from mamori.core import time
from mamori.core.policy import Actor, Refused, signed_in
from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import Holding, holders_of, holding_of
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack, Reviewer, ReviewRules
from mamori.systems.models import System

from .models import CAMPAIGN_TRANSITIONS, LINE_TRANSITIONS, Campaign, CampaignLine, CampaignState, LineState

CAMPAIGN_FIELDS = (
    "id",
    "title",
    "pack",
    "system_id",
    "unit_id",
    "include_sub_units",
    "launched_on",
    "deadline",
    "state",
    "requirement",
    "article",
)
LINE_FIELDS = ("id", "campaign_id", "entitlement_id", "person_id", "system_id", "privilege_id", "state")
DECISIONS = {"confirm": LineState.CONFIRMED, "revoke": LineState.REVOKED, "correct": LineState.CORRECTED}
CORRECTABLE = ("user_id", "valid_from", "valid_to")


class ReviewError(Refused):
    """A refusal a person can read: what is wrong, which field and which article says so (400 in the
    API's one Problem schema)."""

    status = 400

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


class NotReviewer(ReviewError):
    """Not the reviewer the pack names for this campaign (403)."""

    status = 403


# --- the pack's review rules ----------------------------------------------------------------


def review_rules(pack: Pack) -> ReviewRules:
    rules = pack.parameters.review
    if rules is None:
        raise ReviewError(f"{pack.municipality}の規程パックには管理ファイルの定期確認の定めがありません")
    return rules


def reviewer_for(rules: ReviewRules, system: System) -> Reviewer:
    """The pack's reviewer entry for a system: the first whose categories or administrator roles
    match it, else the first that matches every system."""
    admin_role = getattr(system, "administrator_role", "") or ""
    for reviewer in rules.reviewers:
        if system.category in reviewer.system_categories or (
            admin_role and admin_role in reviewer.system_roles
        ):
            return reviewer
    for reviewer in rules.reviewers:
        if not reviewer.system_categories and not reviewer.system_roles:
            return reviewer
    raise ReviewError(f"{system.name}を確認する役割が規程パックに定められていません")


def reviewer_role(reviewer: Reviewer, system: System, pack: Pack) -> str:
    """The role that reviews the system's lines: the administrator role its register entry names
    (KIT-3: COKAS-R/ADⅡ管理者, 個別システム管理者 …) where the pack says so, else the entry's role."""
    named = getattr(system, "administrator_role", "") or ""
    if reviewer.use_system_administrator and named and any(r.code == named for r in pack.roles):
        return named
    return reviewer.role


def _reviewer_holdings(person: Person, *, on: dt.date, pack: Pack) -> list[Holding]:
    """The reviewer roles the person holds (or acts for) on the day, in any unit."""
    rules = review_rules(pack)
    found = []
    codes = [r.role for r in rules.reviewers]
    if any(r.use_system_administrator for r in rules.reviewers):
        defined = {r.code for r in pack.roles}
        named = System.objects.exclude(administrator_role="").values_list("administrator_role", flat=True)
        codes += [code for code in named.distinct().order_by() if code in defined]
    for code in dict.fromkeys(codes):
        found += [h for h in holders_of(code, on=on, pack=pack) if h.person.pk == person.pk]
    return found


def _person_of(actor: Actor) -> Person | None:
    return getattr(actor, "person", None)


# --- scope ----------------------------------------------------------------------------------


def unit_subtree(unit: Unit) -> set[int]:
    """The unit and every unit below it (one query over the units table, which is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [unit.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def entitlements_in_scope(
    *, system: System | None, unit: Unit | None, include_sub_units: bool, on: dt.date
) -> tuple[QuerySet[Entitlement], set[int] | None]:
    """Active lines of the management file in scope on ``on``, and the units of a unit scope."""
    rows = Entitlement.objects.filter(state=EntitlementState.ACTIVE)
    units = None
    if system is not None:
        rows = rows.filter(system=system)
    if unit is not None:
        units = unit_subtree(unit) if include_sub_units else {unit.pk}
        people = Assignment.objects.on(on).filter(unit_id__in=units).values("person_id")
        rows = rows.filter(person_id__in=Subquery(people))
    return rows, units


def _units_of_people(on: dt.date, within: set[int] | None) -> dict[int, int]:
    """person → the unit their line is listed under: the primary assignment (within the scope's
    units, if it has any there) on the day."""
    assignments = Assignment.objects.on(on).order_by("start")
    if within is not None:
        assignments = assignments.filter(unit_id__in=within)
    units: dict[int, int] = {}
    primary: set[int] = set()
    for person_id, unit_id, kind in assignments.values_list("person_id", "unit_id", "kind"):
        if person_id in primary:
            continue
        units[person_id] = unit_id
        if kind == Assignment.Kind.PRIMARY:
            primary.add(person_id)
    return units


# --- launch ---------------------------------------------------------------------------------


def _refuse_lines_beyond_reviewer(
    person: Person, lines: list[CampaignLine], *, pack: Pack, rules: ReviewRules
) -> None:
    """KIT-4 / KIT-5-10: a reviewer launches a review only over lines they review themselves (today);
    a scope reaching into other organisations' or systems' lines would show them user IDs and privileges
    that are not theirs to see, and assign work to other people.  The administrators launch any scope."""
    today = time.today()
    units = Unit.objects.in_bulk({line.reviewer_unit_id for line in lines if line.reviewer_unit_id})
    pairs = {(line.reviewer_role, line.reviewer_unit_id) for line in lines}
    foreign = {
        (role, unit_id)
        for role, unit_id in pairs
        if holding_of(person, role, on=today, pack=pack, unit=units.get(unit_id) if unit_id else None) is None
    }
    if foreign:
        count = sum((line.reviewer_role, line.reviewer_unit_id) in foreign for line in lines)
        raise NotReviewer(
            f"この範囲には、あなたが確認者でない行が {count} 行あります。範囲を自分が確認するシステム・組織に"
            "絞るか、管理者に開始を依頼してください",
            article=pack.cite(rules.reviewers[-1].article),
        )


@implements("KIT-5-10", "KIT-6")
@transaction.atomic
def campaign_launch(
    *,
    actor: Actor,
    on: dt.date,
    title: str = "",
    system: System | None = None,
    unit: Unit | None = None,
    include_sub_units: bool = True,
    deadline: dt.date | None = None,
    pack: Pack | None = None,
) -> Campaign:
    """Start a review of the management file: every active line in scope becomes a campaign line,
    each with its reviewer resolved from the pack's roles on the campaign date."""
    pack = pack or active_pack()
    rules = review_rules(pack)
    launcher = signed_in(actor, doing="定期確認の開始")
    person = _person_of(actor)
    if not launcher.is_superuser and (person is None or not _reviewer_holdings(person, on=on, pack=pack)):
        roles = "・".join(dict.fromkeys(pack.role(r.role).name for r in rules.reviewers))
        raise NotReviewer(
            f"定期確認を開始できるのは管理者か{roles}です", article=pack.cite(rules.reviewers[-1].article)
        )
    if system is None and unit is None:
        raise ReviewError("対象のシステムか組織を選んでください", field="system")
    deadline = deadline or on + dt.timedelta(days=rules.deadline_days)
    if deadline < on:
        raise ReviewError("期限が基準日より前です", field="deadline")

    rows, units = entitlements_in_scope(system=system, unit=unit, include_sub_units=include_sub_units, on=on)
    entitlements = list(
        rows.select_related("system").only(
            "pk",
            "person_id",
            "system_id",
            "privilege_id",
            "user_id",
            "valid_from",
            "valid_to",
            "system__category",
            "system__administrator_role",
            "system__owner_unit_id",
            "system__name",
        )
    )
    if not entitlements:
        raise ReviewError("対象の範囲に有効な管理ファイルの行がありません", field="system")
    person_units = _units_of_people(on, units)
    unit_objects = Unit.objects.in_bulk()
    holders: dict[tuple[str, int | None], list[Holding]] = {}
    reviewers: dict[int, tuple[Reviewer, str]] = {}

    def resolved(role: str, unit_id: int | None) -> list[Holding]:
        key = (role, unit_id)
        if key not in holders:
            holders[key] = holders_of(
                role, on=on, pack=pack, unit=unit_objects.get(unit_id) if unit_id else None
            )
        return holders[key]

    lines: list[CampaignLine] = []
    requirement_counts: dict[tuple[str, str], int] = {}
    for entitlement in entitlements:
        system_of_line = entitlement.system
        if system_of_line.pk not in reviewers:
            chosen = reviewer_for(rules, system_of_line)
            reviewers[system_of_line.pk] = (chosen, reviewer_role(chosen, system_of_line, pack))
        reviewer, role = reviewers[system_of_line.pk]
        line_unit = person_units.get(entitlement.person_id)
        reviewer_unit = system_of_line.owner_unit_id if reviewer.resolve_in == "system_owner" else line_unit
        holding = next(iter(resolved(role, reviewer_unit)), None)
        article = pack.cite(reviewer.article)
        key = (reviewer.requirement, article)
        requirement_counts[key] = requirement_counts.get(key, 0) + 1
        lines.append(
            CampaignLine(
                entitlement_id=entitlement.pk,
                person_id=entitlement.person_id,
                unit_id=line_unit,
                system_id=entitlement.system_id,
                privilege_id=entitlement.privilege_id,
                user_id=entitlement.user_id,
                valid_from=entitlement.valid_from,
                valid_to=entitlement.valid_to,
                reviewer_role=role,
                reviewer_role_name=pack.role(role).name,
                reviewer_unit_id=reviewer_unit,
                reviewer_id=holding.person.pk if holding else None,
                article=article,
                correct_article=pack.cite(reviewer.correct_article) if reviewer.correct_article else "",
                requirement=reviewer.requirement,
            )
        )
    if not launcher.is_superuser and person is not None:  # (one who is not has a person: above)
        _refuse_lines_beyond_reviewer(person, lines, pack=pack, rules=rules)
    requirement, article = max(requirement_counts, key=requirement_counts.__getitem__)
    scope_names = [n for n in (system.name if system else "", unit.name if unit else "") if n]
    campaign = Campaign.objects.create(
        title=title.strip() or f"管理ファイルの定期確認（{'・'.join(scope_names)}）",
        pack=pack.pack,
        system=system,
        unit=unit,
        include_sub_units=include_sub_units,
        launched_on=on,
        deadline=deadline,
        requirement=requirement,
        article=article,
        launched_at=time.now(),
        launched_by=launcher,
    )
    for line in lines:
        line.campaign = campaign
    CampaignLine.objects.bulk_create(lines, batch_size=2000)
    capacity = (
        "管理者"
        if launcher.is_superuser or person is None
        else _reviewer_holdings(person, on=on, pack=pack)[0].capacity
    )
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.CAMPAIGN_LAUNCHED,
                object_type="reviews.Campaign",
                object_id=str(campaign.pk),
                actor=actor,
                capacity=capacity,
                after={
                    **snapshot(campaign, CAMPAIGN_FIELDS),
                    "lines": len(lines),
                    "by_requirement": {f"{r} {a}": n for (r, a), n in requirement_counts.items()},
                },
                article=article,
                requirement=requirement,
                retention_class="access",
            )
        ]
    )
    return campaign


# --- deciding lines -------------------------------------------------------------------------


def reviewer_holding(line: CampaignLine, person: Person | None, *, on: dt.date, pack: Pack) -> Holding | None:
    """The person's holding of the line's reviewer role on the day (as holder or deputy), or None."""
    if person is None:
        return None
    return holding_of(person, line.reviewer_role, on=on, pack=pack, unit=line.reviewer_unit)


def _check_open(campaign: Campaign) -> None:
    if campaign.state != CampaignState.OPEN:
        raise ReviewError(f"定期確認「{campaign.title}」は既に完了しています")


# What a reviewer's decision on a line is recorded as (the line's new state).
_DECIDED_AS: dict[str, RecordAction] = {
    LineState.CONFIRMED: RecordAction.LINE_CONFIRMED,
    LineState.REVOKED: RecordAction.LINE_REVOKED,
    LineState.CORRECTED: RecordAction.LINE_CORRECTED,
    LineState.UNDECIDED: RecordAction.LINE_UNDECIDED,
}


def _line_entry(
    line: CampaignLine, *, actor: Actor, capacity: str, before: dict, article: str, extra: dict
) -> Entry:
    return Entry(
        action=_DECIDED_AS[line.state],
        object_type="reviews.CampaignLine",
        object_id=str(line.pk),
        actor=actor,
        capacity=capacity,
        before=before,
        after={**snapshot(line, LINE_FIELDS), **extra},
        article=article,
        requirement=line.requirement,
        retention_class="access",
    )


def _parse_changes(changes: dict[str, Any] | None, line: CampaignLine) -> dict[str, Any]:
    if not changes:
        raise ReviewError(
            "修正する項目（ユーザID・有効開始日・有効終了日）を入力してください", field="changes"
        )
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ReviewError(f"修正できない項目です: {', '.join(unknown)}", field="changes")
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "user_id":
            value = str(value or "").strip()
            if not value:
                raise ReviewError("ユーザIDを空にはできません", field="user_id")
        elif value in (None, "") and name == "valid_to":
            value = None
        elif not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value))
            except ValueError:
                raise ReviewError(f"{name} は YYYY-MM-DD で入力してください（{value}）", field=name) from None
        parsed[name] = value
    return parsed


@implements("KIT-5-10", "KIT-6")
@transaction.atomic
def campaign_line_decide(
    *,
    line: CampaignLine,
    actor: Actor,
    decision: str,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> CampaignLine:
    """Confirm, revoke or correct one line, as its reviewer (or their deputy) on the day.  A revoke
    ends the entitlement and a correction changes it, in the same transaction (第5条第11項)."""
    if decision not in DECISIONS:
        raise ReviewError("確認・解除・修正のいずれかを選んでください", field="decision")
    pack = active_pack()
    today = on or time.today()
    line = (
        CampaignLine.objects.select_for_update(of=("self", "campaign"))
        .select_related("campaign", "reviewer_unit")
        .get(pk=line.pk)
    )
    _check_open(line.campaign)
    if line.state != LineState.PENDING:
        raise ReviewError(f"この行は既に「{line.get_state_display()}」と判断されています")
    holding = reviewer_holding(line, _person_of(actor), on=today, pack=pack)
    if holding is None:
        unit = line.reviewer_unit
        where = f"（{unit.name}）" if unit is not None and pack.role(line.reviewer_role).scope else ""
        raise NotReviewer(f"この行を確認するのは{line.reviewer_role_name}{where}です", article=line.article)
    to = DECISIONS[decision]
    _check_transition(LINE_TRANSITIONS, line.state, to, what="この行")
    reason = reason.strip()
    article = line.article
    extra: dict[str, Any] = {}
    entitlement = Entitlement.objects.get(pk=line.entitlement_id)
    try:
        if to == LineState.CONFIRMED:
            if entitlement.state != EntitlementState.ACTIVE:
                raise ReviewError(
                    f"この権限は既に{entitlement.get_state_display()}です。確認ではなく解除として記録してください"
                )
        elif to == LineState.REVOKED:
            if not reason:
                raise ReviewError(
                    "解除の理由を記入してください", field="reason", article=line.correct_article
                )
            article = line.correct_article or line.article
            if entitlement.state == EntitlementState.ACTIVE:
                entitlement_end(
                    entitlement=entitlement,
                    actor=actor,
                    state=EntitlementState.REVOKED,
                    reason=f"定期確認「{line.campaign.title}」: {reason}",
                    capacity=holding.capacity,
                    article=article,
                    requirement=line.requirement,
                )
            else:
                extra["already"] = entitlement.state
        else:
            if not reason:
                raise ReviewError(
                    "修正の理由を記入してください", field="reason", article=line.correct_article
                )
            article = line.correct_article or line.article
            parsed = _parse_changes(changes, line)
            entitlement_change(
                entitlement=entitlement,
                actor=actor,
                changes=parsed,
                reason=f"定期確認「{line.campaign.title}」: {reason}",
                capacity=holding.capacity,
                article=article,
                requirement=line.requirement,
            )
            line.changes = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in parsed.items()}
    except EntitlementError as refused:
        raise ReviewError(refused.message, article=refused.article or article) from None
    before = snapshot(line, LINE_FIELDS)
    line.state, line.decided_by, line.decided_as, line.decided_at, line.reason = (
        to,
        actor,
        holding.capacity,
        time.now(),
        reason,
    )
    line.save(update_fields=["state", "decided_by", "decided_as", "decided_at", "reason", "changes"])
    if line.changes:
        extra["changes"] = line.changes
    if reason:
        extra["reason"] = reason
    record_append_many(
        entries=[
            _line_entry(
                line, actor=actor, capacity=holding.capacity, before=before, article=article, extra=extra
            )
        ]
    )
    _close_when_done(line.campaign, actor=actor)
    return line


@dataclass
class BulkResult:
    confirmed: int = 0
    skipped: int = 0  # already decided, or the entitlement ended since launch (decide those one by one)


@implements("KIT-5-10", "KIT-6")
@transaction.atomic
def campaign_lines_confirm(
    *, campaign: Campaign, actor: Actor, line_ids: Iterable[int], on: dt.date | None = None
) -> BulkResult:
    """Confirm many lines at once (「このページの残りをすべて確認」): one transaction, one record per
    line.  Every line must be the actor's to review, or nothing is confirmed."""
    pack = active_pack()
    today = on or time.today()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_open(campaign)
    ids = sorted({int(i) for i in line_ids})
    if not ids:
        raise ReviewError("確認する行を選んでください", field="lines")
    lines = list(
        CampaignLine.objects.select_for_update(of=("self",))
        .filter(campaign=campaign, pk__in=ids)
        .select_related("reviewer_unit")
        .order_by("pk")
    )
    missing = set(ids) - {line.pk for line in lines}
    if missing:
        raise ReviewError(f"この定期確認に無い行です: {', '.join(map(str, sorted(missing)))}", field="lines")
    person = _person_of(actor)
    capacities: dict[tuple[str, int | None], str] = {}
    for line in lines:
        key = (line.reviewer_role, line.reviewer_unit_id)
        if key not in capacities:
            holding = reviewer_holding(line, person, on=today, pack=pack)
            if holding is None:
                raise NotReviewer(
                    f"行 {line.pk} を確認するのは{line.reviewer_role_name}です（一括確認は行いませんでした）",
                    article=line.article,
                )
            capacities[key] = holding.capacity
    ended = set(
        Entitlement.objects.filter(pk__in=[line.entitlement_id for line in lines])
        .exclude(state=EntitlementState.ACTIVE)
        .values_list("pk", flat=True)
    )
    moment = time.now()
    result = BulkResult()
    changed: list[CampaignLine] = []
    entries: list[Entry] = []
    for line in lines:
        if line.state != LineState.PENDING or line.entitlement_id in ended:
            result.skipped += 1
            continue
        capacity = capacities[(line.reviewer_role, line.reviewer_unit_id)]
        before = snapshot(line, LINE_FIELDS)
        line.state, line.decided_by, line.decided_as, line.decided_at = (
            LineState.CONFIRMED,
            actor,
            capacity,
            moment,
        )
        changed.append(line)
        entries.append(
            _line_entry(
                line,
                actor=actor,
                capacity=capacity,
                before=before,
                article=line.article,
                extra={"bulk": True},
            )
        )
    CampaignLine.objects.bulk_update(
        changed, ["state", "decided_by", "decided_as", "decided_at"], batch_size=2000
    )
    record_append_many(entries=entries)
    result.confirmed = len(changed)
    _close_when_done(campaign, actor=actor)
    return result


# --- closing --------------------------------------------------------------------------------


def _check_transition(transitions: Mapping[Any, Any], state: str, to: str, *, what: str) -> None:
    """The one transitions map decides; a refusal, not an ``assert`` (``python -O`` strips those)."""
    if to not in transitions[state]:
        raise ReviewError(f"{what}は今の状態から「{getattr(to, 'label', to)}」に進めません")


def _close(
    campaign: Campaign, *, actor: Actor, capacity: str, note: str, undecided: Sequence[CampaignLine]
) -> None:
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    _check_transition(CAMPAIGN_TRANSITIONS, campaign.state, CampaignState.CLOSED, what="この確認")
    moment = time.now()
    entries: list[Entry] = []
    for line in undecided:
        line_before = snapshot(line, LINE_FIELDS)
        line.state, line.decided_at = LineState.UNDECIDED, moment
        entries.append(
            _line_entry(
                line,
                actor=actor,
                capacity=capacity,
                before=line_before,
                article=line.article,
                extra={"note": note},
            )
        )
    CampaignLine.objects.bulk_update(list(undecided), ["state", "decided_at"], batch_size=2000)
    campaign.state, campaign.closed_at, campaign.closed_by, campaign.close_note = (
        CampaignState.CLOSED,
        moment,
        actor,
        note,
    )
    campaign.save(update_fields=["state", "closed_at", "closed_by", "close_note"])
    counts = dict(campaign.lines.values_list("state").annotate(n=Count("pk")).order_by())
    entries.append(
        Entry(
            action=RecordAction.CAMPAIGN_CLOSED,
            object_type="reviews.Campaign",
            object_id=str(campaign.pk),
            actor=actor,
            capacity=capacity,
            before=before,
            after={**snapshot(campaign, CAMPAIGN_FIELDS), "results": counts, "note": note},
            article=campaign.article,
            requirement=campaign.requirement,
            retention_class="access",
        )
    )
    record_append_many(entries=entries)


def _close_when_done(campaign: Campaign, *, actor: Actor) -> None:
    """The campaign is complete once every line is decided."""
    if campaign.state == CampaignState.OPEN and not campaign.lines.filter(state=LineState.PENDING).exists():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _close(campaign, actor=actor, capacity="", note="全行の確認が終わったため完了", undecided=[])


@implements("KIT-5-10", "KIT-6")
@transaction.atomic
def campaign_close(*, campaign: Campaign, actor: Actor, note: str = "") -> Campaign:
    """The administrator closes a campaign before every line is decided; the undecided lines are
    recorded as such, one record each, with the administrator's note (required)."""
    if not getattr(actor, "is_superuser", False):
        raise NotReviewer("定期確認を途中で終了できるのは管理者だけです")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_open(campaign)
    undecided = list(campaign.lines.select_for_update().filter(state=LineState.PENDING).order_by("pk"))
    note = note.strip()
    if undecided and not note:
        raise ReviewError(
            f"未確認の行が{len(undecided)}件あります。終了する理由を記入してください", field="note"
        )
    _close(campaign, actor=actor, capacity="管理者", note=note or "全行の確認済み", undecided=undecided)
    return campaign


# --- progress -------------------------------------------------------------------------------


def progress_of(campaigns: Iterable[Campaign]) -> dict[int, dict[str, int]]:
    """campaign id → {state: count, "total": n}, in one query."""
    ids = [c.pk for c in campaigns]
    result: dict[int, dict[str, int]] = {pk: {"total": 0} for pk in ids}
    rows = (
        CampaignLine.objects.filter(campaign_id__in=ids)
        .values_list("campaign_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for campaign_id, state, n in rows:
        result[campaign_id][state] = n
        result[campaign_id]["total"] += n
    return result
