"""Password rules from the pack (KIT-8-5: not easy to guess; not reused; changed periodically)."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from mamori.regulations.active import NoActivePack, active_pack
from mamori.regulations.schema import PasswordRules


def password_rules() -> PasswordRules:
    try:
        return active_pack().parameters.password
    except NoActivePack:
        return PasswordRules()


class PackMinimumLengthValidator:
    def validate(self, password, user=None):
        minimum = password_rules().min_length
        if len(password) < minimum:
            raise ValidationError(f"パスワードは{minimum}文字以上にしてください。", code="password_too_short")

    def get_help_text(self):
        return f"{password_rules().min_length}文字以上。"


class CharacterClassValidator:
    """Three of: upper case, lower case, digits, symbols."""

    def validate(self, password, user=None):
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                "英大文字・英小文字・数字・記号のうち3種類以上を含めてください。", code="password_too_simple"
            )

    def get_help_text(self):
        return "英大文字・英小文字・数字・記号のうち3種類以上。"


# KIT-8-5 (容易に推測されない): a run of this many identical characters ("aaaa", "1111") is refused,
# and so is a password in which one character makes up half or more of it ("aaaaaaaaaA1" passes
# the length and character-class rules, yet is one key held down).
MAX_RUN = 3
REPEATED_MESSAGE = (
    f"同じ文字を{MAX_RUN + 1}文字以上続けたパスワードや、"
    "一つの文字が全体の半分以上を占めるパスワードは使えません。"
)


def repeated_character_problem(password: str) -> str | None:
    """The reason a password is made of repeated characters, or None."""
    run, previous = 0, None
    for char in password:
        run = run + 1 if char == previous else 1
        previous = char
        if run > MAX_RUN:
            return f"「{char}」が{MAX_RUN + 1}文字以上続いています"
    if password:
        commonest = max(set(password), key=password.count)
        if password.count(commonest) * 2 >= len(password):
            return f"「{commonest}」が全体の半分以上を占めています"
    return None


class RepeatedCharacterValidator:
    def validate(self, password, user=None):
        problem = repeated_character_problem(password)
        if problem:
            raise ValidationError(f"{REPEATED_MESSAGE}（{problem}）", code="password_repeated")

    def get_help_text(self):
        return f"同じ文字を{MAX_RUN + 1}文字以上続けない。一つの文字が半分以上を占めない。"


class PasswordHistoryValidator:
    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        depth = password_rules().history
        if depth == 0:
            return
        if user.password and check_password(password, user.password):
            raise ValidationError("現在のパスワードは使えません。", code="password_reused")
        for old in user.password_history.all()[:depth]:
            if check_password(password, old.password):
                raise ValidationError(
                    f"過去{depth}回以内に使ったパスワードは使えません。", code="password_reused"
                )

    def get_help_text(self):
        return f"過去{password_rules().history}回以内のパスワードは使えません。"
