"""アカウント (administrators only): who can log in, who is locked, and unlocking through account_unlock."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mamori.accounts.models import User
from mamori.accounts.services import AccountError, account_unlock

from .common import is_htmx, screen


def _accounts():
    return User.objects.select_related("person").order_by("username")


@screen(perm="accounts.manage")
def account_list(request):
    return render(request, "web/accounts.html", {"nav": "accounts", "accounts": _accounts()})


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
    if is_htmx(request):
        account = _accounts().get(pk=pk)
        return render(request, "web/_account_row.html", {"account": account, "error": error, "done": done})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("accounts")
