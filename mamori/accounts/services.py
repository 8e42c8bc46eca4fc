"""Log-in and passwords of mamori's own accounts.  Every log-in, failure, lock, unlock and
password change appends a record."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any, Literal

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor, may, require
from mamori.findings.services import findings_recheck
from mamori.records.actions import RecordAction
from mamori.records.services import record_append
from mamori.regulations.registry import implements

from .models import PasswordHistory, User
from .validators import password_rules, repeated_character_problem

# KIT-8-5: the same answer for every refused log-in — unknown ID, wrong password, locked or disabled
# account — so that the screen does not tell an attacker which IDs exist or which one locked.  The
# record of each attempt still says the true cause.
LOGIN_REFUSED = (
    "利用者IDまたはパスワードが違います。続けて間違えるとアカウントはロックされます"
    "（ロック中・使用停止中のアカウントも同じ表示です。解除は情報政策課の管理者に依頼してください）。"
)
# A hash computed on every refusal, so that the time taken does not tell the causes apart either.
_DUMMY_HASH: list[str] = []


def _spend_a_hash(password: str) -> None:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password("dummy-password"))
    check_password(password, _DUMMY_HASH[0])


class AccountError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(message)


def _requirement(aspect: Literal["temporary", "login"]) -> str:
    """The requirement ID a record of mamori's own accounts serves, taken from the active pack's password
    rules (issue 9 item 6: a regulation is data), or empty where the pack cites none.  The pack lists
    first the ID its temporary-password rule cites (the finding in rules.py cites the same one), then the
    one its log-in rules cite (strength, history, lock-out); a pack with one ID cites it for both."""
    ids = password_rules().requirements
    if not ids:
        return ""
    return ids[1] if aspect == "login" and len(ids) > 1 else ids[0]


def _record(
    user: User,
    action: RecordAction,
    *,
    actor: Actor,
    after: dict | None = None,
    requirement: str | None = None,
) -> None:
    record_append(
        action=action,
        object_type="accounts.User",
        object_id=str(user.pk),
        actor=actor,
        capacity="",
        after=after or {"username": user.username},
        requirement=_requirement("login") if requirement is None else requirement,
        retention_class="access",
    )


@implements("KIT-8-5")
def login_attempt(*, username: str, password: str, remote_addr: str = "") -> User:
    """Check a log-in.  After the pack's ``lockout_threshold`` failures in a row the account locks
    and only an administrator can unlock it.  Raises AccountError with a message for the screen.

    The failure, its count and the lock are committed before the error is raised: a refused log-in
    must leave its trace."""
    user, refusal = _login_attempt(username=username, password=password, remote_addr=remote_addr)
    if refusal or user is None:
        raise AccountError(refusal or "ログインできません。")
    return user


@transaction.atomic
def _login_attempt(*, username: str, password: str, remote_addr: str) -> tuple[User | None, str]:
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        _spend_a_hash(password)
        record_append(
            action=RecordAction.LOGIN_REFUSED_UNKNOWN,
            object_type="accounts.User",
            object_id="",
            actor=None,
            after={"username": username, "from": remote_addr, "cause": "unknown_user"},
            requirement=_requirement("login"),
            retention_class="access",
        )
        return None, LOGIN_REFUSED
    if not user.is_active:
        _spend_a_hash(password)
        _record(
            user,
            RecordAction.LOGIN_REFUSED_DISABLED,
            actor=None,
            after={"username": username, "from": remote_addr, "cause": "disabled"},
        )
        return None, LOGIN_REFUSED
    if user.is_locked:
        _spend_a_hash(password)
        _record(
            user,
            RecordAction.LOGIN_REFUSED_LOCKED,
            actor=None,
            after={"username": username, "from": remote_addr, "cause": "locked"},
        )
        return None, LOGIN_REFUSED
    if not user.check_password(password):
        user.failed_logins += 1
        threshold = password_rules().lockout_threshold
        fields = ["failed_logins"]
        if user.failed_logins >= threshold:
            user.locked_at = time.now()
            fields.append("locked_at")
        user.save(update_fields=fields)
        _record(
            user,
            RecordAction.LOGIN_FAILED,
            actor=None,
            after={
                "username": username,
                "from": remote_addr,
                "failed_logins": user.failed_logins,
                "cause": "wrong_password",
            },
        )
        if user.locked_at:
            _record(
                user,
                RecordAction.ACCOUNT_LOCKED,
                actor=None,
                after={"username": username, "after_failures": threshold},
            )
            sessions_end(user=user)
        return None, LOGIN_REFUSED
    user.failed_logins = 0
    user.last_login = time.now()
    user.save(update_fields=["failed_logins", "last_login"])
    _record(user, RecordAction.LOGIN_SUCCEEDED, actor=user, after={"username": username, "from": remote_addr})
    return user, ""


def sessions_end(*, user: User) -> int:
    """End every open session of the account at once (a locked or disabled account must not stay
    logged in elsewhere).  Called inside the lock's or disable's transaction; returns how many."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=time.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@implements("KIT-8-5")
@transaction.atomic
def account_disable(*, user: User, actor: Actor, reason: str) -> None:
    """Stop an account (retirement, misuse): it can no longer log in and its open sessions end."""
    if not may(actor, "accounts.manage"):
        raise AccountError("使用停止は管理者だけができます。")
    if not reason.strip():
        raise AccountError("使用停止の理由を入力してください。", field="reason")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    _record(
        user,
        RecordAction.ACCOUNT_DISABLED,
        actor=actor,
        after={"username": user.username, "reason": reason.strip(), "sessions_ended": ended},
    )


@implements("KIT-8-5")
def password_is_expired(user: User, *, at: dt.datetime | None = None) -> bool:
    max_age = password_rules().max_age_days
    if max_age is None or user.password_changed_at is None:
        return False
    return (at or time.now()) - user.password_changed_at > dt.timedelta(days=max_age)


@implements("KIT-8-2")
def must_change_password(user: User) -> bool:
    """KIT-8-2: a temporary password is changed at the first log-in; KIT-8-5: and when too old."""
    return user.must_change_password or password_is_expired(user)


def _set_password(user: User, new_password: str, *, temporary: bool) -> None:
    if user.password:
        PasswordHistory.objects.create(
            user=user, password=user.password, set_at=user.password_changed_at or time.now()
        )
    user.set_password(new_password)
    user.password_changed_at = time.now()
    user.must_change_password = temporary
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])


@implements("KIT-8-5")
@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise AccountError("現在のパスワードが違います。", field="old_password")
    try:
        password_validation.validate_password(new_password, user)
    except Exception as error:  # ValidationError carries the list of messages
        messages = getattr(error, "messages", [str(error)])
        raise AccountError(" ".join(messages), field="new_password") from None
    _set_password(user, new_password, temporary=False)
    _record(user, RecordAction.PASSWORD_CHANGED, actor=user)
    findings_recheck(
        rule="accounts.temporary_password_not_changed",
        object_type="accounts.User",
        object_id=user.pk,
        actor=user,
    )


def generate_temporary_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = (
            "".join(secrets.choice(alphabet) for _ in range(length - 2))
            + secrets.choice("!#%+-=?@")
            + secrets.choice(string.digits)
        )
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and repeated_character_problem(candidate) is None
        ):
            return candidate


@implements("KIT-8-2")
@transaction.atomic
def password_issue_temporary(*, user: User, actor: Actor, password: str | None = None) -> str:
    """Set a temporary password, to be changed at the next log-in.  It is returned once and only
    its hash is kept."""
    user = User.objects.select_for_update().get(pk=user.pk)
    temporary = password or generate_temporary_password(max(14, password_rules().min_length))
    _set_password(user, temporary, temporary=True)
    _record(
        user,
        RecordAction.TEMPORARY_PASSWORD_ISSUED,
        actor=actor,
        requirement=_requirement("temporary"),
        after={"username": user.username, "must_change_password": True},
    )
    return temporary


@transaction.atomic
def account_unlock(*, user: User, actor: Actor) -> None:
    if not may(actor, "accounts.manage"):
        raise AccountError("ロック解除は管理者だけができます。")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.locked_at, user.failed_logins = None, 0
    user.save(update_fields=["locked_at", "failed_logins"])
    _record(user, RecordAction.ACCOUNT_UNLOCKED, actor=actor)


@transaction.atomic
def account_create(
    *, username: str, person: Any, actor: Actor, is_admin: bool = False, password: str | None = None
) -> tuple[User, str]:
    """Create an account with a temporary password (changed at first log-in)."""
    require(actor, "accounts.manage", message="アカウントの発行は管理者だけができます。")
    username = username.strip()
    if not username:
        raise AccountError("利用者IDを入力してください。", field="username")
    if person is not None and User.objects.filter(person=person).exists():
        raise AccountError(f"{person.name} さんのアカウントは既にあります。", field="person")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"利用者ID {username} は既に使われています。", field="username")
    user = User.objects.create(
        username=username, person=person, is_superuser=is_admin, is_staff=is_admin, must_change_password=True
    )
    temporary = password or generate_temporary_password(max(14, password_rules().min_length))
    user.set_password(temporary)
    user.password_changed_at = time.now()
    user.save(update_fields=["password", "password_changed_at"])
    _record(
        user,
        RecordAction.ACCOUNT_CREATED,
        actor=actor,
        requirement=_requirement("temporary"),
        after={"username": username, "person_id": getattr(person, "pk", None), "is_admin": is_admin},
    )
    return user, temporary


@implements("KIT-8-2")
@transaction.atomic
def account_password_reset(*, user: User, actor: Actor) -> str:
    """A new temporary password (the old one forgotten or exposed), to be changed at the next log-in.
    Returned once; only its hash is kept."""
    require(actor, "accounts.manage", message="パスワードの再発行は管理者だけができます。")
    return password_issue_temporary(user=user, actor=actor)


@implements("KIT-8-5")
@transaction.atomic
def account_lock(*, user: User, actor: Actor) -> int:
    """Lock an account by hand (a suspected leak): it cannot log in until unlocked and its open
    sessions end now.  Returns how many sessions ended."""
    require(actor, "accounts.manage", message="ロックは管理者だけができます。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.locked_at is None:
        user.locked_at = time.now()
        user.save(update_fields=["locked_at"])
    ended = sessions_end(user=user)
    _record(
        user,
        RecordAction.ACCOUNT_LOCKED,
        actor=actor,
        after={"username": user.username, "sessions_ended": ended},
    )
    return ended


@implements("KIT-8-5")
@transaction.atomic
def account_enable(*, user: User, actor: Actor) -> None:
    """Put a stopped account back into use (stopped by mistake, staff back from leave)."""
    require(actor, "accounts.manage", message="使用再開は管理者だけができます。")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(user, RecordAction.ACCOUNT_ENABLED, actor=actor)
