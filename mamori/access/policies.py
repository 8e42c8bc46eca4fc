"""Who may see and do what in the management file (KIT-3, KIT-4, KIT-5): the predicates the screens,
the API, the exports and the services all ask (see mamori/core/policy.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.db.models import OuterRef, Q, QuerySet, Subquery

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.organisation.models import Assignment, Person
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.systems.models import System
from mamori.systems.selectors import administered_systems, administering

from .models import RevocationProposal
from .selectors import officer_units


def _person(user: Any) -> Any:
    return getattr(user, "person", None)


@rules.predicate
def administers_a_system(user: Any) -> bool:
    """The user holds, today, the administrator role of at least one system (KIT-3)."""
    return bool(administered_systems(_person(user), pack=active_pack(), on=time.today()))


@rules.predicate
def administers_the_system(user: Any, system: System | None) -> bool:
    if system is None:
        return administers_a_system(user)
    return administering(_person(user), system, pack=active_pack(), on=time.today()) is not None


@rules.predicate
def manages_an_organisation(user: Any) -> bool:
    """KIT-4: the user holds, today, a role the pack says manages its organisation's system users."""
    return bool(officer_units(_person(user), pack=active_pack(), on=time.today()))


# KIT-5-3: the user-information registration is recorded by the systems' administrators.
rules.add_perm("access.record_user_registration", is_admin | administers_a_system)
# KIT-5-9: maintenance contracts are the basis of maintenance IDs; the administrators register them.
rules.add_perm("access.register_contract", is_admin | administers_a_system)
rules.add_perm("access.register_maintenance", is_admin | administers_the_system)
# KIT-5-5: revocation proposals from the staff import are the systems' administrators' work.
rules.add_perm("access.view_proposals", is_admin | administers_a_system)
rules.add_perm("access.manage_systems", is_admin)
rules.add_perm("access.run_expiry", is_admin)
# The administrator's inbox (pending biometric registrations, proposals, registrations).
rules.add_perm("access.view_inbox", is_admin | administers_a_system)


def visible_proposals(user: Any, *, on: dt.date | None = None) -> QuerySet[RevocationProposal]:
    """KIT-5-5: an administrator of mamori sees every proposal; a system's administrator those on
    the systems they administer today; nobody else any (a transfer is not yet public)."""
    rows = RevocationProposal.objects.select_related(
        "person", "entitlement__system", "entitlement__privilege"
    )
    if is_admin(user):
        return rows
    mine = administered_systems(_person(user), pack=active_pack(), on=on or time.today())
    return rows.filter(Q(entitlement__system__in=mine)) if mine else rows.none()


@implements("KIT-5-2")
def may_file_for_person(requester: Any, person: Any, *, pack: Pack, on: dt.date) -> bool:
    """KIT-5-2 (第5条第1項「所管する組織内」): a privilege request is filed by a holder of the pack's
    organisation-scope role for the system users of their own organisation.  Where the pack declares
    no such scope, the approval chain alone decides who may file."""
    if pack.parameters.access.organisation_scope is None:
        return True
    if requester is None:
        return False
    units = officer_units(requester, pack=pack, on=on)
    return bool(units) and Assignment.objects.on(on).filter(person=person, unit_id__in=units).exists()


def requestable_people(user: Any, *, on: dt.date | None = None) -> QuerySet[Person]:
    """KIT-5-2: the people a privilege request form offers the user: to a holder of the pack's
    organisation-scope role, the staff of the organisation they manage; to anyone else every member of
    staff in office (the administrators; and those who may not file, whom the chain then refuses naming
    who files).  Each comes with ``unit_name``, their unit today, for the picker."""
    today = on or time.today()
    people = Person.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
    units = set() if is_admin(user) else officer_units(_person(user), pack=active_pack(), on=today)
    if units:
        people = people.filter(
            pk__in=Assignment.objects.on(today).filter(unit_id__in=units).values("person_id")
        )
    unit_name = (
        Assignment.objects.on(today).filter(person=OuterRef("pk")).order_by("-kind", "-start")
    )  # 本務 first
    return people.annotate(unit_name=Subquery(unit_name.values("unit__name")[:1])).order_by("staff_number")
