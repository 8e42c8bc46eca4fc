"""What the periodic review puts on a person's home page (issue 9 item 4: the domain declares it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from mamori.regulations.active import active_pack

from .models import LineState
from .selectors import lines_for_reviewer


def waiting(user: Any, *, on: dt.date) -> list[dict[str, Any]]:
    """Review lines this person has still to decide (KIT-5-10): a count, linking to their reviews."""
    person = getattr(user, "person", None)
    lines = lines_for_reviewer(person, on=on, pack=active_pack()).filter(state=LineState.PENDING).count()
    return [{"label": "定期確認の未確認の行", "count": lines, "url": reverse("review_mine")}] if lines else []
