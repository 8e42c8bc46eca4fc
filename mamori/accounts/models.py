"""mamori's own log-in accounts (KIT-8-5: strength, history and maximum age are enforced)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    person = models.OneToOneField(
        "organisation.Person",
        verbose_name="職員",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    # KIT-8-2: a temporary password must be changed at the first log-in.
    must_change_password = models.BooleanField("パスワード変更が必要", default=True)
    password_changed_at = models.DateTimeField("パスワード変更日時", null=True, blank=True)
    failed_logins = models.PositiveIntegerField("連続失敗回数", default=0)
    locked_at = models.DateTimeField("ロック日時", null=True, blank=True)

    class Meta:
        verbose_name = "利用者アカウント"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def display_name(self) -> str:
        return self.person.name if self.person_id else self.username


class PasswordHistory(models.Model):
    """Hashes of earlier passwords, so that the pack's ``history`` can refuse a reused one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.set_at:%Y-%m-%d}"
