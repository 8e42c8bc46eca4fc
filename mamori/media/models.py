"""記録媒体・磁気ファイル等の台帳 (FUK-23 記録媒体の管理, YAN-20 磁気ファイル等管理台帳 様式第3号,
YAN-2 情報資産の種類): each medium under a label code that reveals nothing of its content, its asset
type from the active pack, its storage place, its backups, its history (作成・追記・更新・複写・廃棄,
who and when), its checkouts and its witnessed disposal.  The row keeps its metadata after disposal."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, models
from django.db.models import Q

from mamori.registers.models import RegisterEntry, StateField
from mamori.regulations.active import NoActivePack, active_pack

from .pack import section

# Label codes: no 0/O, 1/I/L, so a code read aloud or typed from the label is never ambiguous.
LABEL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LABEL_LENGTH = 8


def _section_choices(attribute: str) -> list[tuple[str, str]]:
    """The active pack's choices for a field (its asset types, its storage places); none before a
    pack is active or the database is migrated (Django's checks read choices at start-up)."""
    try:
        found = section(active_pack())
    except (NoActivePack, DatabaseError):
        return []
    return [(entry.code, entry.label) for entry in getattr(found, attribute, [])] if found else []


def asset_types() -> list[tuple[str, str]]:
    return _section_choices("asset_types")


def storage_places() -> list[tuple[str, str]]:
    return _section_choices("storage_places")


class MediumState(models.TextChoices):
    IN_STORAGE = "in_storage", "保管中"
    OUT = "out", "持出し中"
    DISPOSED = "disposed", "廃棄済"


class DisposalMethod(models.TextChoices):
    SHREDDING = "shredding", "裁断"
    BURNING = "burning", "焼却"
    DISSOLVING = "dissolving", "溶解"
    DEGAUSSING = "degaussing", "消磁"
    DESTRUCTION = "destruction", "物理破壊"
    ERASURE = "erasure", "データ消去"


class Medium(RegisterEntry):
    State = MediumState
    transitions = {
        MediumState.IN_STORAGE: {MediumState.OUT, MediumState.DISPOSED},
        MediumState.OUT: {MediumState.IN_STORAGE},
        MediumState.DISPOSED: set(),
    }
    end_state = MediumState.DISPOSED

    label_code = models.CharField("ラベル記号", max_length=16, unique=True, editable=False)
    asset_type = models.CharField("情報資産の種類", max_length=24, choices=asset_types)
    description = models.CharField("内容", max_length=200)
    place = models.CharField("保管場所", max_length=24, choices=storage_places)
    important = models.BooleanField("重要な記録媒体", default=False)
    backup_of = models.ForeignKey(
        "self",
        verbose_name="原本（予備の場合）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backups",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name="所管課", on_delete=models.PROTECT, related_name="+"
    )
    state = StateField(MediumState)
    disposal_method = models.CharField(
        "廃棄の方法", max_length=16, blank=True, choices=DisposalMethod.choices
    )
    disposed_by = models.ForeignKey(
        "organisation.Person",
        verbose_name="廃棄した者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    witness = models.ForeignKey(
        "organisation.Person",
        verbose_name="立会者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(RegisterEntry.Meta):
        verbose_name = "記録媒体"
        ordering = ["label_code"]
        constraints = [
            *RegisterEntry.Meta.constraints,
            # A disposed row says how, by whom, before whom and on which day (valid_to).
            models.CheckConstraint(
                condition=~Q(state="disposed")
                | (
                    ~Q(disposal_method="")
                    & Q(disposed_by__isnull=False)
                    & Q(witness__isnull=False)
                    & Q(valid_to__isnull=False)
                ),
                name="media_medium_disposal_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(backup_of=models.F("id")), name="media_medium_not_its_own_backup"
            ),
        ]

    def __str__(self) -> str:
        return self.label_code


class EventKind(models.TextChoices):
    CREATED = "created", "作成"
    APPENDED = "appended", "追加"
    UPDATED = "updated", "更新"
    COPIED = "copied", "複写"
    CHECKED_OUT = "checked_out", "持出し"
    RETURNED = "returned", "返却"
    DISPOSED = "disposed", "廃棄"


class MediumEvent(models.Model):
    """One line of the medium's history (YAN-20: 作成・追記・更新・複写・廃棄, who and when), written
    only by the services, each with its hash-chained record."""

    Kind = EventKind

    medium = models.ForeignKey(
        Medium, verbose_name="記録媒体", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("事項", max_length=16, choices=Kind.choices)
    on = models.DateField("年月日")
    person = models.ForeignKey(
        "organisation.Person",
        verbose_name="実施者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("摘要", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時")

    class Meta:
        verbose_name = "記録媒体の履歴"
        ordering = ["medium", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="media_event_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Checkout(models.Model):
    """A medium taken out of its storage place: to whom, why, due back when; open until returned."""

    medium = models.ForeignKey(
        Medium, verbose_name="記録媒体", on_delete=models.PROTECT, related_name="checkouts"
    )
    person = models.ForeignKey(
        "organisation.Person", verbose_name="持出し者", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("目的", max_length=200)
    due = models.DateField("返却期限")
    out_at = models.DateTimeField("持出し日時")
    returned_at = models.DateTimeField("返却日時", null=True, blank=True)
    article = models.CharField("根拠条文", max_length=60)
    requirement = models.CharField("要件ID", max_length=40, blank=True)

    class Meta:
        verbose_name = "記録媒体の持出し"
        ordering = ["-out_at", "id"]
        constraints = [
            # One open checkout per medium at a time.
            models.UniqueConstraint(
                fields=["medium"], condition=Q(returned_at__isnull=True), name="media_one_open_checkout"
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("out_at")),
                name="media_checkout_returned_after_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}（{self.due}まで）"
