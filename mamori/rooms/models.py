"""入退室管理簿: one line per entry into a controlled room of the pack (YAN-15-2, MAI-20-3, FUK-25): who
entered (a member of staff, or a visitor by company and name), why, when, with which escort and goods,
the exit time and who consented to the exit (MAI-20-4), and the permission it entered under.

The rooms themselves are the pack's (``sections.rooms``): a line is keyed by the room's code."""

from django.db import models
from django.db.models import F, Q

from mamori.registers.models import RegisterEntry, StateField


class LineState(models.TextChoices):
    IN_ROOM = "in_room", "在室"
    EXITED = "exited", "退室済"


class RoomLogLine(RegisterEntry):
    State = LineState
    transitions = {LineState.IN_ROOM: {LineState.EXITED}, LineState.EXITED: set()}
    end_state = LineState.EXITED

    room = models.CharField("室", max_length=40, db_index=True)
    room_name = models.CharField("室名", max_length=100)
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name="入室者（職員）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_company = models.CharField("所属（職員でない者）", max_length=100, blank=True)
    visitor_name = models.CharField("氏名（職員でない者）", max_length=100, blank=True)
    purpose = models.CharField("入室目的", max_length=200)
    entered_at = models.DateTimeField("入室時刻")
    escort = models.ForeignKey(
        "organisation.Person",
        verbose_name="立会者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    goods = models.CharField("搬入物品", max_length=200, blank=True)
    goods_escort = models.ForeignKey(
        "organisation.Person",
        verbose_name="搬入の立会者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exited_at = models.DateTimeField("退室時刻", null=True, blank=True)
    exit_consent_by = models.ForeignKey(
        "organisation.Person",
        verbose_name="退室の承諾をした者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    permission = models.ForeignKey(
        "workflows.Request",
        verbose_name="入室の許可",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = StateField(LineState)

    class Meta(RegisterEntry.Meta):
        verbose_name = "入退室管理簿"
        ordering = ["-entered_at", "-id"]
        constraints = [
            *RegisterEntry.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(visitor_name=""))
                | (Q(person__isnull=True) & ~Q(visitor_name="")),
                name="rooms_line_person_or_visitor",
                violation_error_message="入室者は職員か、職員でない者の氏名のどちらか一方です。",
            ),
            models.CheckConstraint(
                condition=Q(exited_at__isnull=True) | Q(exited_at__gte=F("entered_at")),
                name="rooms_line_exit_after_entry",
                violation_error_message="退室時刻は入室時刻より後です。",
            ),
            models.CheckConstraint(
                condition=Q(exited_at__isnull=True, state=LineState.IN_ROOM)
                | Q(exited_at__isnull=False, state=LineState.EXITED),
                name="rooms_line_exit_state",
                violation_error_message="退室時刻は退室済の行にだけ記録します。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_name} {self.entrant}"

    @property
    def entrant(self) -> str:
        if self.person_id is not None:
            return self.person.name
        return f"{self.visitor_company} {self.visitor_name}".strip()
