"""What the ID and password register puts on a person's home page (issue 9 item 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from .models import Loan


def waiting(user: Any, *, on: dt.date) -> list[dict[str, Any]]:
    """Viewing IDs not returned (KIT-11), for the administrators who take them back."""
    if not user.is_superuser:
        return []
    out = Loan.objects.filter(returned_at__isnull=True).count()
    return (
        [{"label": "返却されていない閲覧用ID", "count": out, "url": reverse("credentials_loans")}]
        if out
        else []
    )
