"""Tamper-evident operation records (記録).

Every change made through a service appends one :class:`Record` in the same transaction.  Rows
are append-only (database triggers refuse UPDATE and DELETE) and chained: each row's ``hash`` is
an HMAC over its content and the previous row's hash, keyed with a key kept outside the database,
so an edited, deleted or inserted row breaks the chain at its position (``mamori records verify``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .actions import RecordAction


class Record(models.Model):
    seq = models.BigIntegerField("番号", primary_key=True)
    at = models.DateTimeField("日時", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField("実行者名", max_length=120)
    capacity = models.CharField("資格", max_length=200, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("対象種別", max_length=80)
    object_id = models.CharField("対象ID", max_length=80)
    before = models.JSONField("変更前", null=True, blank=True)
    after = models.JSONField("変更後", null=True, blank=True)
    article = models.CharField("根拠条文", max_length=80, blank=True)
    requirement = models.CharField("要件ID", max_length=40, blank=True)
    retention_class = models.CharField("保存区分", max_length=40, blank=True)
    purge_on = models.DateField("廃棄可能日", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "記録"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    @property
    def action_label(self) -> str:
        """What a clerk reads for the action (「権限を登録」), or the stored code if it is no longer listed."""
        return RecordAction.label_of(self.action)


class RecordHead(models.Model):
    """The end of the chain: the last sequence number and hash.  Appending locks this row, which
    serialises writers on PostgreSQL; on SQLite the IMMEDIATE transaction already does."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "記録の末尾"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
