"""アカウント (administrators only): issuing an account with a temporary password shown once, a new
temporary password, locking and unlocking, stopping and putting back into use.  Every change goes
through mamori.accounts.services, which checks the policy and writes the record."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mamori.accounts.models import User
from mamori.accounts.services import (
    AccountError,
    account_create,
    account_disable,
    account_enable,
    account_lock,
    account_password_reset,
    account_unlock,
)
from mamori.organisation.models import Person

from .common import is_htmx, screen


class AccountIssueForm(forms.Form):
    staff_number = forms.CharField(label="職員番号", max_length=32)
    username = forms.CharField(
        label="利用者ID",
        max_length=150,
        help_text="半角英数字と . _ - 。ログインに使います。",
    )
    is_admin = forms.BooleanField(label="mamori の管理者にする（情報政策課）", required=False)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not username or not all(c.isascii() and (c.isalnum() or c in "._-") for c in username):
            raise forms.ValidationError("利用者IDは半角英数字と . _ - で入力してください。")
        return username

    def clean_staff_number(self) -> Person:
        number = self.cleaned_data["staff_number"].strip()
        person = Person.objects.filter(staff_number=number).first()
        if person is None:
            raise forms.ValidationError(f"職員番号 {number} の職員はいません。")
        return person


class DisableForm(forms.Form):
    reason = forms.CharField(label="使用停止の理由", max_length=200)


def _accounts():
    return User.objects.select_related("person").order_by("username")


def _issued(request, account: User, password: str, *, what: str):
    """The temporary password, on this page only: the answer is never cached (NoStoreMiddleware) and
    only the hash is kept."""
    return render(
        request,
        "web/account_issued.html",
        {"nav": "accounts", "account": account, "password": password, "what": what},
    )


@screen(perm="accounts.manage")
def account_list(request):
    return render(
        request,
        "web/accounts.html",
        {"nav": "accounts", "accounts": _accounts(), "issue_form": AccountIssueForm()},
    )


@screen(perm="accounts.manage")
def account_issue_view(request):
    form = AccountIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = account_create(
                username=form.cleaned_data["username"],
                person=form.cleaned_data["staff_number"],
                is_admin=form.cleaned_data["is_admin"],
                actor=request.user,
            )
        except AccountError as refused:
            form.add_error("staff_number" if refused.field == "person" else refused.field, refused.message)
        else:
            return _issued(request, account, password, what="アカウントを発行しました")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/account_new.html", {"nav": "accounts", "form": form}, status=status)


def _done(request, pk: int, error: str, done: str):
    if is_htmx(request):
        account = _accounts().get(pk=pk)
        return render(request, "web/_account_row.html", {"account": account, "error": error, "done": done})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("accounts")


@screen(perm="accounts.manage")
@require_POST
def account_unlock_view(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    error, done = "", ""
    try:
        account_unlock(user=account, actor=request.user)
    except AccountError as refused:
        error = refused.message
    else:
        done = f"{account.username} のロックを解除しました。"
    return _done(request, pk, error, done)


@screen(perm="accounts.manage")
@require_POST
def account_lock_view(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    ended = account_lock(user=account, actor=request.user)
    return _done(request, pk, "", f"{account.username} をロックしました（終了したセッション {ended}件）。")


@screen(perm="accounts.manage")
@require_POST
def account_reset_view(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    password = account_password_reset(user=account, actor=request.user)
    return _issued(request, account, password, what="仮パスワードを再発行しました")


@screen(perm="accounts.manage")
@require_POST
def account_disable_view(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    form = DisableForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, "使用停止の理由を入力してください。", "")
    try:
        account_disable(user=account, actor=request.user, reason=form.cleaned_data["reason"])
    except AccountError as refused:
        return _done(request, pk, refused.message, "")
    return _done(request, pk, "", f"{account.username} の使用を停止しました。")


@screen(perm="accounts.manage")
@require_POST
def account_enable_view(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    account_enable(user=account, actor=request.user)
    return _done(request, pk, "", f"{account.username} の使用を再開しました。")
