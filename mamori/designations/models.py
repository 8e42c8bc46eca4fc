"""Designations (指定): who the regulation lets handle something, by whom designated, to whom reported.

One model for every kind the pack names in ``parameters.designations``: 本人確認情報を取り扱う者
(YAN-8), 情報システム担当者 (YAN-14), 電算要員 (FUK-10/FUK-17 電算要員登録台帳), 個人情報を取り扱う
電子情報処理に従事する者 (MEG-13-1), and the operators of a terminal (端末機操作員 YAN-12-3, 端末機を
操作する職員 FUK-18-2).  A designation names a person alone, a person for one system, or a person
for one terminal, as its kind says (``target``, copied from the pack when it is made, so that a
database CHECK can hold the row to it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from mamori.registers.models import RegisterEntry, StateField


class DesignationState(models.TextChoices):
    # Designated; where the kind is reported on a form (YAN-12-3 様式第1号), not yet reported.
    DESIGNATED = "designated", "指定中"
    REPORTED = "reported", "指定中（報告済）"
    ENDED = "ended", "指定解除"


class DesignationTarget(models.TextChoices):
    PERSON = "person", "職員"
    SYSTEM = "system", "システム"
    TERMINAL = "terminal", "端末機"


class Designation(RegisterEntry):
    """A register row (mamori/registers): its validity range, state, article and requirement, who
    recorded it and why it ended come from :class:`RegisterEntry`; an ended designation keeps the last
    day it ran as ``valid_to`` for the operation-log rules that look back (YAN-12-3), but ``.on(day)``
    counts it on no day."""

    State = DesignationState
    transitions = {
        DesignationState.DESIGNATED: {DesignationState.REPORTED, DesignationState.ENDED},
        DesignationState.REPORTED: {DesignationState.ENDED},
        DesignationState.ENDED: set(),
    }
    end_state = DesignationState.ENDED
    void_states = (DesignationState.ENDED,)

    kind = models.CharField("指定の種類", max_length=60)
    label = models.CharField("指定の名称", max_length=120)
    target = models.CharField(
        "指定の対象", max_length=16, choices=DesignationTarget.choices, default=DesignationTarget.PERSON
    )
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name="指定された者",
        on_delete=models.PROTECT,
        related_name="designations",
    )
    system = models.ForeignKey(
        "systems.System",
        verbose_name="システム",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
    )
    terminal = models.ForeignKey(
        "terminals.Terminal",
        verbose_name="端末機",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
    )
    state = StateField(DesignationState)
    # Who designated, in which capacity: the holder of the pack's role (an administrator may enter a
    # designation made on paper, naming its designator: then recorded_by differs).
    designated_by = models.ForeignKey(
        "organisation.Person", verbose_name="指定者", on_delete=models.PROTECT, related_name="+"
    )
    designated_as = models.CharField("指定者の資格", max_length=200, blank=True)
    reported_to = models.ForeignKey(
        "organisation.Person",
        verbose_name="報告先",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField("報告日時", null=True, blank=True)
    duties = models.CharField("担当業務", max_length=200, blank=True)
    ended_at = models.DateTimeField("解除日時", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(RegisterEntry.Meta):
        verbose_name = "指定"
        ordering = ["kind", "person__staff_number", "id"]
        indexes = [
            models.Index(fields=["pack", "kind", "state"]),
            models.Index(fields=["person", "kind", "state"]),
            models.Index(fields=["terminal", "state"]),
        ]
        constraints = [
            *RegisterEntry.Meta.constraints,  # the validity range; the state's CHECK is on its column
            # What the kind designates for is set, and nothing else (issue 9: one concept).
            models.CheckConstraint(
                condition=(
                    Q(target=DesignationTarget.PERSON, system__isnull=True, terminal__isnull=True)
                    | Q(target=DesignationTarget.SYSTEM, system__isnull=False, terminal__isnull=True)
                    | Q(target=DesignationTarget.TERMINAL, terminal__isnull=False, system__isnull=True)
                ),
                name="designation_target_set",
            ),
            models.CheckConstraint(
                condition=~Q(state=DesignationState.REPORTED) | Q(reported_at__isnull=False),
                name="designation_reported_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=DesignationState.ENDED) | Q(ended_at__isnull=False),
                name="designation_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.person.name}"

    @property
    def target_name(self) -> str:
        """What the designation is for, as the ledger shows it (a system or a terminal, else "")."""
        if self.terminal_id:
            return self.terminal.host_name
        return self.system.name if self.system_id else ""
