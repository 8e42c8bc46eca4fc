"""What every domain's demo step shares: an account for a member of staff, and a request taken through
its chain by the people the pack names.

The domains' demo steps (``Domain.demo``) live in the domain apps, below mamori.demo in the app graph
(.importlinter), so the helpers they share live here, with the engine they drive.  ``city`` is the
demo's ``mamori.demo.city.City``: its ``pack``, and ``accounts`` (username → user, password, note) to
which the accounts made here are added so that the demo prints them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.accounts.models import User
from mamori.accounts.services import account_create
from mamori.organisation.models import Person
from mamori.organisation.roles import holders_of
from mamori.regulations.schema import Pack

from .models import Decision, Request
from .services import current_step, request_decide

# Every demo account's password (printed by ``mamori demo``; never a production password).
DEMO_PASSWORD = "Mamori-demo-2026"


def account_for(city: Any, person: Person) -> User:
    """The person's account, made for the demo when they have none yet."""
    user = User.objects.filter(person=person).first()
    if user is None:
        user, _ = account_create(
            username=f"u{person.staff_number}", person=person, actor=None, password=DEMO_PASSWORD
        )
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        city.accounts[user.username] = (user, DEMO_PASSWORD, f"{person.name}（申請・承認の例）")
    return user


def decide_all(
    request: Request,
    *,
    on: dt.date,
    pack: Pack,
    city: Any,
    stop_before_last: bool = False,
    final: str = Decision.Action.APPROVE,
) -> None:
    """Decide the request's steps in turn, each by a holder of its role other than the requester:
    approve, and take ``final`` at the last step (or stop before it)."""
    while (step := current_step(request)) is not None:
        remaining = request.steps.filter(round=request.round, order__gt=step.order).count()
        if stop_before_last and remaining == 0:
            return
        holders = [
            h
            for h in holders_of(step.role, on=on, pack=pack, unit=step.scope_unit)
            if h.person.pk != request.requester_id
        ]
        if not holders:
            return
        action = final if remaining == 0 else Decision.Action.APPROVE
        request = request_decide(
            step=step,
            actor=account_for(city, holders[0].person),
            action=action,
            comment="内容を確認しました。" if action == Decision.Action.APPROVE else "記載に不備があります。",
            on=on,
        )
