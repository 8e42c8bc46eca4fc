"""Read-only queries of review campaigns for the screens and the API (changes go through services).

Who reviews a line is its (role, unit); whether a person holds it is asked once per distinct pair,
never per line, so the queries do not grow with the number of lines."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from mamori.accounts.models import User
from mamori.organisation.models import Person, Unit
from mamori.organisation.roles import holding_of
from mamori.regulations.active import active_pack
from mamori.regulations.schema import Pack

from .models import Campaign, CampaignLine, CampaignState


def reviewer_condition(
    person: Person | None, lines: QuerySet[CampaignLine], *, on: dt.date, pack: Pack
) -> Q | None:
    """A filter for the lines of ``lines`` whose (role, unit) the person holds on the day, as holder
    or deputy; None when they hold none."""
    if person is None:
        return None
    pairs = list(lines.values_list("reviewer_role", "reviewer_unit_id").distinct().order_by())
    units = Unit.objects.in_bulk({unit_id for _, unit_id in pairs if unit_id})
    condition = None
    for role, unit_id in pairs:
        try:
            held = holding_of(person, role, on=on, pack=pack, unit=units.get(unit_id)) is not None
        except KeyError:  # a role of another pack (the pack was changed since launch)
            held = False
        if held:
            pair = Q(reviewer_role=role, reviewer_unit_id=unit_id)
            condition = pair if condition is None else condition | pair
    return condition


def lines_for_reviewer(person: Person | None, *, on: dt.date, pack: Pack) -> QuerySet[CampaignLine]:
    """Lines of open campaigns the person reviews on the day (as holder or deputy)."""
    lines = CampaignLine.objects.filter(campaign__state=CampaignState.OPEN, campaign__pack=pack.pack)
    condition = reviewer_condition(person, lines, on=on, pack=pack)
    return lines.filter(condition) if condition is not None else lines.none()


def campaigns_for(user: User, *, on: dt.date, pack: Pack | None = None) -> QuerySet[Campaign]:
    """An administrator sees every campaign; anyone else those they launched or have lines to review
    in (today, or named as reviewer on the campaign date)."""
    campaigns = Campaign.objects.select_related("system", "unit").order_by("-launched_on", "-pk")
    if user.is_superuser:
        return campaigns
    person = getattr(user, "person", None)
    if person is None:
        return campaigns.none()
    pack = pack or active_pack()
    lines = CampaignLine.objects.filter(campaign__pack=pack.pack)
    condition = Q(reviewer_id=person.pk)
    held = reviewer_condition(person, lines, on=on, pack=pack)
    if held is not None:
        condition |= held
    return campaigns.filter(Q(launched_by=user) | Q(pk__in=lines.filter(condition).values("campaign_id")))


def line_rows(lines: QuerySet[CampaignLine]) -> QuerySet[CampaignLine]:
    """Lines with everything a row shows, in one query."""
    return lines.select_related(
        "campaign", "person", "unit", "system", "privilege", "reviewer", "reviewer_unit", "decided_by__person"
    ).order_by("campaign_id", "pk")


def visible_lines(user: User, campaign: Campaign, *, on: dt.date, pack: Pack) -> QuerySet[CampaignLine]:
    """KIT-4 / KIT-5-10: the lines of a campaign a user may read.  An administrator of mamori reads
    every line; anyone else only the lines they review (named on the campaign date, or holding the
    line's reviewer role today), never other organisations' user IDs and privileges."""
    lines = CampaignLine.objects.filter(campaign=campaign)
    if user.is_superuser:
        return lines
    person = getattr(user, "person", None)
    if person is None:
        return lines.none()
    condition = Q(reviewer_id=person.pk)
    held = reviewer_condition(person, lines, on=on, pack=pack)
    return lines.filter(condition | held if held is not None else condition)
