from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.core import time
from mamori.findings.engine import Observation, rule
from mamori.regulations.schema import Pack

from .models import User


@rule("accounts.temporary_password_not_changed")
def temporary_passwords_not_changed(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """KIT-8-2: a temporary password must be changed promptly; past the pack's deadline it is a finding."""
    rules = pack.parameters.password
    cutoff = dt.datetime.combine(on, dt.time.min, tzinfo=time.TOKYO) - dt.timedelta(
        days=rules.temporary_change_days
    )
    overdue = User.objects.filter(is_active=True, must_change_password=True, password_changed_at__lt=cutoff)
    for user in overdue.select_related("person"):
        yield Observation(
            key=str(user.pk),
            requirement=rules.requirements[0] if rules.requirements else "",
            article=pack.cite(rules.articles[0]) if rules.articles else "",
            title=f"{user.display_name}（{user.username}）の仮パスワードが{rules.temporary_change_days}日を過ぎても"
            "変更されていません",
            object_type="accounts.User",
            object_id=str(user.pk),
            person=user.person,
        )
