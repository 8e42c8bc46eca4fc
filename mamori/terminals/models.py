"""The terminal register (端末機台帳).  Its operators are designations whose target is the terminal
(``mamori.designations``, YAN-12-3 / FUK-18-2), reached as ``terminal.designations``.

A terminal is named by its host name, the name the Windows logs and the business systems' operation
histories give it: operation events find their terminal by ``host_name`` (not by a foreign key, so an
event from an unregistered terminal is kept, and shows up as such)."""

from __future__ import annotations

import datetime as dt

from django.db import models


class Terminal(models.Model):
    host_name = models.CharField("ホスト名", max_length=120, unique=True)
    location = models.CharField("設置場所", max_length=200, blank=True)
    # YAN-12-1: the section that holds the terminal (所管課); its 課長 is the 端末機管理責任者.
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name="所管課", on_delete=models.PROTECT, related_name="terminals"
    )
    # FUK-18-1: the systems the terminal reaches — its input and output are limited to these.
    systems = models.ManyToManyField(
        "systems.System", verbose_name="利用システム", blank=True, related_name="+"
    )
    active_from = models.DateField("使用開始日")
    active_to = models.DateField("使用終了日", null=True, blank=True)
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "端末機"
        ordering = ["host_name"]

    def __str__(self) -> str:
        return self.host_name

    def is_active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)
