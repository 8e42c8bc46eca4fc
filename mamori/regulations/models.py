from __future__ import annotations

from django.db import models


class Installation(models.Model):
    """This installation: the municipality and the regulation pack it runs (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    municipality = models.CharField("自治体名", max_length=100)
    pack = models.CharField("規程パック", max_length=40)
    activated_at = models.DateTimeField("適用日時")

    class Meta:
        verbose_name = "導入設定"

    def __str__(self) -> str:
        return f"{self.municipality} ({self.pack})"
