"""Findings of the credentials domain: temporary passwords not changed in time (KIT-8-2) and viewing
IDs not returned by the end of the day they were lent (KIT-11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.core import time
from mamori.findings.engine import Observation, rule
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import Credential, CredentialState, Loan


@rule("credentials.temporary_password_not_changed")
@implements("KIT-8-2")
def temporary_passwords_overdue(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """KIT-8-4: the user changes a temporary password promptly; past its change deadline it is a finding."""
    overdue = Credential.objects.filter(state=CredentialState.ISSUED, change_due__lt=on).select_related(
        "person", "system"
    )
    for credential in overdue:
        yield Observation(
            key=str(credential.pk),
            requirement=credential.requirement,
            article=pack.cite(credential.article) if credential.article else "",
            title=f"{credential.person.name}さんの{credential.target}の{credential.get_purpose_display()}が"
            f"期限（{time.wareki(credential.change_due)}）を過ぎても変更されていません",
            detail=f"交付 {time.wareki(time.local(credential.issued_at))}（{credential.issued_as}）",
            object_type="credentials.Credential",
            object_id=str(credential.pk),
            person=credential.person,
        )


@rule("credentials.viewing_id_not_returned")
@implements("KIT-11")
def viewing_ids_not_returned(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """KIT-11: a viewing ID is lent for the viewer's business of that day.  The findings run is daily
    and dated, so "the end of the day" is 23:59 JST of the day of lending: a loan still open on a
    later day is a finding (one lent this morning is not, even after 閉庁)."""
    rules = pack.parameters.viewing_ids
    if rules is None:
        return
    start_of_day = dt.datetime.combine(on, dt.time.min, tzinfo=time.TOKYO)
    open_loans = Loan.objects.filter(returned_at__isnull=True, lent_at__lt=start_of_day).select_related(
        "viewing_id__unit", "viewer"
    )
    for loan in open_loans:
        lent = time.local(loan.lent_at)
        yield Observation(
            key=str(loan.pk),
            requirement=(rules.requirements or [""])[0],
            article=pack.cite(rules.article),
            title=f"閲覧用ユーザID {loan.viewing_id.code} が{time.wareki(lent.date())} {lent:%H:%M}に"
            f"{loan.viewer_name}さんへ貸与されたまま返却されていません",
            detail=f"貸与: {loan.lent_as}／目的: {loan.purpose or '（記載なし）'}",
            object_type="credentials.Loan",
            object_id=str(loan.pk),
            person=loan.viewer,
            unit=loan.viewing_id.unit,
        )
