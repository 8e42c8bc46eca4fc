"""The organisation: units (部・課・係), posts, people and who is assigned where, when.

Roles are not stored here: who holds a role on a date is worked out from these rows and the
regulation pack (see :mod:`mamori.organisation.roles`)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


def active_on(day: dt.date, prefix: str = "") -> Q:
    """Units in existence on ``day``; ``prefix`` filters through a relation (``"unit__"``)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class Unit(models.Model):
    code = models.CharField("所属コード", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    # 部, 課, 係, 室, 支所…: a pack's role scope names one of these levels.
    level = models.CharField("区分", max_length=16)
    parent = models.ForeignKey(
        "self",
        verbose_name="上位組織",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField("設置日", default=dt.date(2000, 4, 1))
    valid_to = models.DateField("廃止日", null=True, blank=True)

    class Meta:
        verbose_name = "組織"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ancestors(self) -> list[Unit]:
        """This unit and the units above it, nearest first."""
        chain, unit, seen = [], self, set()
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain

    @property
    def path(self) -> str:
        return "/".join(u.name for u in reversed(self.ancestors()))


class Post(models.Model):
    """A post in a unit: 総務部長 is the post 部長 of the unit 総務部."""

    code = models.CharField("職コード", max_length=32, unique=True)
    unit = models.ForeignKey(Unit, verbose_name="組織", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("職名", max_length=50)

    class Meta:
        verbose_name = "職"
        ordering = ["unit__code", "code"]

    def __str__(self) -> str:
        """総務部 + 部長 → 総務部長; 西支所 + 支所長 → 西支所長 (the unit's suffix is not repeated)."""
        name, title = self.unit.name, self.title
        if title.startswith(name):
            return title
        for overlap in range(min(len(name), len(title)), 0, -1):
            if name.endswith(title[:overlap]):
                return name + title[overlap:]
        return name + title


class Employment(models.TextChoices):
    REGULAR = "regular", "正規職員"
    FIXED_TERM = "fixed_term", "会計年度任用職員"
    REAPPOINTED = "reappointed", "再任用職員"
    CONTRACTOR = "contractor", "委託事業者職員"


class Person(models.Model):
    staff_number = models.CharField("職員番号", max_length=32, unique=True)
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("氏名カナ", max_length=100, blank=True)
    employment = models.CharField("任用区分", max_length=16, choices=Employment.choices)
    # 任用期間: for 会計年度任用職員 and 再任用 the term their rights end with (KIT-7).
    term_start = models.DateField("任用開始日", null=True, blank=True)
    term_end = models.DateField("任用終了日", null=True, blank=True)
    company = models.CharField("所属会社", max_length=100, blank=True)
    email = models.EmailField("メール", blank=True)
    left_on = models.DateField("退職日", null=True, blank=True)

    class Meta:
        verbose_name = "職員等"
        ordering = ["staff_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="person_term_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_in_term_on(self, day: dt.date) -> bool:
        if self.left_on is not None and day > self.left_on:
            return False
        if self.term_start is not None and day < self.term_start:
            return False
        return not (self.term_end is not None and day > self.term_end)


class AssignmentQuerySet(models.QuerySet):
    def on(self, day: dt.date) -> AssignmentQuerySet:
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))


class Assignment(models.Model):
    """A person in a unit, in a post (管理職) or as staff (post empty), from start to end."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "本務"
        CONCURRENT = "concurrent", "兼務"

    person = models.ForeignKey(
        Person, verbose_name="職員", on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(Unit, verbose_name="組織", on_delete=models.PROTECT, related_name="assignments")
    post = models.ForeignKey(
        Post, verbose_name="職", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    title = models.CharField("職名", max_length=50, blank=True)
    kind = models.CharField("区分", max_length=16, choices=Kind.choices, default=Kind.PRIMARY)
    start = models.DateField("開始日")
    end = models.DateField("終了日", null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "配置"
        ordering = ["person__staff_number", "start"]
        indexes = [
            models.Index(fields=["post", "start", "end"]),
            models.Index(fields=["unit", "start", "end"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.post or self.unit} ({self.start}〜{self.end or ''})"


class RoleAppointment(models.Model):
    """A role held by appointment (任命・指定), or a named deputy (代理者) for a role."""

    class Capacity(models.TextChoices):
        HOLDER = "holder", "任命"
        DEPUTY = "deputy", "代理"

    pack = models.CharField("規程パック", max_length=40)
    role = models.CharField("役割", max_length=60)
    person = models.ForeignKey(
        Person, verbose_name="職員", on_delete=models.PROTECT, related_name="appointments"
    )
    unit = models.ForeignKey(Unit, verbose_name="対象組織", null=True, blank=True, on_delete=models.PROTECT)
    capacity = models.CharField("区分", max_length=8, choices=Capacity.choices, default=Capacity.HOLDER)
    start = models.DateField("開始日")
    end = models.DateField("終了日", null=True, blank=True)
    article = models.CharField("根拠条文", max_length=40, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "役割の任命"
        indexes = [models.Index(fields=["pack", "role", "start"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.person_id} ({self.start}〜{self.end or ''})"


class Absence(models.Model):
    """事故があるとき: a holder away on these days is replaced by the deputy."""

    person = models.ForeignKey(Person, verbose_name="職員", on_delete=models.PROTECT, related_name="absences")
    start = models.DateField("開始日")
    end = models.DateField("終了日")
    reason = models.CharField("理由", max_length=200)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "不在"
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_dates_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.start}〜{self.end} {self.reason}"
