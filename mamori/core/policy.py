"""Who may see or do what is decided in one place: the policy layer.

Each domain declares its permissions in ``mamori/<domain>/policies.py`` as django-rules predicates
(``rules.add_perm("access.record_user_registration", is_admin | administers_a_system)``) and its
``visible_<things>(user, on=…)`` selectors beside them.  Screens, the API, exports, the CLI and the
services themselves ask ``user.has_perm(...)`` / ``require(...)``; templates ask ``{% has_perm %}``.
A refusal is one exception, which the API turns into the Problem schema (403) and the screens into the
refusal page.

``actor=None`` is mamori itself (the daily jobs, the demo, ``mamori setup``): the policy does not apply
to it, because no person acts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import rules

if TYPE_CHECKING:  # a type only: core sits below accounts in the app graph (.importlinter ignores these)
    from mamori.accounts.models import User

# Who acts in a service: a signed-in member of staff or administrator (settings.AUTH_USER_MODEL; the
# screens and the API let no anonymous user reach a service), or None for mamori itself (the daily
# jobs, the demo, ``mamori setup``).  Services ask ``may``/``require`` or read ``actor.person``.
Actor: TypeAlias = "User | None"


class Refused(Exception):
    """The actor may not do this.  ``message`` is for the person; ``article`` the rule that says so."""

    status = 403

    def __init__(self, message: str, *, article: str = "", field: str | None = None):
        super().__init__(message)
        self.message, self.article, self.field = message, article, field


def may(user: Any, perm: str, obj: Any = None) -> bool:
    """``user`` may ``perm`` (on ``obj``); mamori's own jobs (``None``) may everything."""
    if user is None:
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(perm, obj)


def require(user: Any, perm: str, obj: Any = None, *, message: str, article: str = "") -> None:
    """Refuse with ``message`` unless ``user`` may ``perm``."""
    if not may(user, perm, obj):
        raise Refused(message, article=article)


class SignInRequired(Refused):
    """What a person signs for, mamori itself (``actor=None``) cannot do: the services that keep who
    did it in a required field (申請者, 決定者, 記録者, 発行者 …) refuse it."""


def signed_in(actor: Actor, *, doing: str) -> User:
    """The signed-in user ``actor`` is; mamori itself is refused, naming what needs a person."""
    if actor is None:
        raise SignInRequired(f"{doing}は、ログインした利用者が行います。")
    return actor


@rules.predicate
def is_admin(user: Any) -> bool:
    """An administrator of mamori (情報政策課)."""
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_person(user: Any) -> bool:
    """A log-in that belongs to a member of staff (mamori's own administrators may have none)."""
    return getattr(user, "person_id", None) is not None


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))
