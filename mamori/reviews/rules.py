"""Rules over review campaigns (KIT-5-10 第5条第10項, KIT-6 第6条第5項): a campaign past its deadline
and not complete; lines still unconfirmed past the deadline (one finding per campaign and reviewer,
so a thousand lines do not make a thousand findings); a system whose file is not reviewed within
the pack's interval.  Each resolves by itself once the lines are decided or the campaign closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Max, Min

from mamori.access.models import Entitlement, EntitlementState
from mamori.core.time import wareki
from mamori.findings.engine import Observation, rule
from mamori.organisation.models import Person, Unit
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.systems.models import System

from .models import Campaign, CampaignLine, CampaignState, LineState
from .services import reviewer_for


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate in range(day.day, 0, -1):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@rule("reviews.campaign_overdue")
@implements("KIT-5-10", "KIT-6")
def campaigns_overdue(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A review campaign whose deadline has passed and which is not complete."""
    campaigns = Campaign.objects.filter(
        pack=pack.pack, state=CampaignState.OPEN, deadline__lt=on
    ).select_related("unit", "system__owner_unit")
    for campaign in campaigns:
        yield Observation(
            key=f"campaign:{campaign.pk}",
            requirement=campaign.requirement,
            article=campaign.article,
            title=f"定期確認「{campaign.title}」が期限（{wareki(campaign.deadline)}）を過ぎても完了していません",
            object_type="reviews.Campaign",
            object_id=str(campaign.pk),
            unit=campaign.unit or (campaign.system.owner_unit if campaign.system else None),
        )


@rule("reviews.lines_overdue")
@implements("KIT-5-10", "KIT-6")
def lines_overdue(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """Lines not yet confirmed, revoked or corrected past the deadline: one finding per campaign and
    reviewer (role and unit), naming the reviewer who holds it."""
    groups = (
        CampaignLine.objects.filter(
            campaign__pack=pack.pack,
            campaign__state=CampaignState.OPEN,
            campaign__deadline__lt=on,
            state=LineState.PENDING,
        )
        .values(
            "campaign_id",
            "campaign__title",
            "campaign__deadline",
            "reviewer_role",
            "reviewer_role_name",
            "reviewer_unit_id",
            "requirement",
            "article",
        )
        .annotate(n=Count("pk"), reviewer_id=Max("reviewer_id"))
        .order_by("campaign_id", "reviewer_role", "reviewer_unit_id")
    )
    groups = list(groups)
    units = Unit.objects.in_bulk({g["reviewer_unit_id"] for g in groups if g["reviewer_unit_id"]})
    people = Person.objects.in_bulk({g["reviewer_id"] for g in groups if g["reviewer_id"]})
    for group in groups:
        unit = units.get(group["reviewer_unit_id"])
        where = f"（{unit.name}）" if unit and pack.role(group["reviewer_role"]).scope else ""
        yield Observation(
            key=f"campaign:{group['campaign_id']}:{group['reviewer_role']}:{group['reviewer_unit_id'] or '-'}",
            requirement=group["requirement"],
            article=group["article"],
            title=(
                f"定期確認「{group['campaign__title']}」で{group['reviewer_role_name']}{where}の確認が"
                f"期限（{wareki(group['campaign__deadline'])}）を過ぎても終わっていません"
            ),
            detail=f"検出時点で未確認 {group['n']} 行",
            object_type="reviews.Campaign",
            object_id=str(group["campaign_id"]),
            person=people.get(group["reviewer_id"]),
            unit=unit,
        )


@rule("reviews.review_due")
@implements("KIT-5-10", "KIT-6")
def reviews_due(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A system whose management file has active lines older than the pack's review interval and no
    review campaign launched within it (定期的に確認しなければならない).  Runs only where the pack
    sets ``parameters.review.interval_months``."""
    rules = pack.parameters.review
    if rules is None or rules.interval_months is None:
        return
    since = _months_before(on, rules.interval_months)
    oldest = dict(
        Entitlement.objects.filter(state=EntitlementState.ACTIVE)
        .values_list("system_id")
        .annotate(first=Min("valid_from"))
        .order_by()
    )
    last_review = dict(
        CampaignLine.objects.filter(campaign__pack=pack.pack)
        .values_list("system_id")
        .annotate(last=Max("campaign__launched_on"))
        .order_by()
    )
    systems = System.objects.filter(pk__in=list(oldest)).select_related("owner_unit")
    for system in systems:
        last = last_review.get(system.pk)
        if oldest[system.pk] >= since or (last is not None and last >= since):
            continue
        reviewer = reviewer_for(rules, system)
        when = f"前回 {wareki(last)}" if last else "実施記録なし"
        yield Observation(
            key=f"system:{system.pk}",
            requirement=reviewer.requirement,
            article=pack.cite(reviewer.article),
            title=f"{system.name}の管理ファイルが{rules.interval_months}か月以内に定期確認されていません（{when}）",
            object_type="access.System",
            object_id=str(system.pk),
            unit=system.owner_unit,
        )
