"""ログイン・ログアウト・パスワード変更: through accounts.services, which count failures, lock and record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, password_validation, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.accounts.models import User
from mamori.accounts.services import AccountError, login_attempt, must_change_password, password_change
from mamori.accounts.validators import password_rules
from mamori.regulations.active import NoActivePack

from ..forms import LoginForm, PasswordChangeForm
from .common import current_pack, safe_next

BACKEND = "django.contrib.auth.backends.ModelBackend"


def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request, reverse("home")))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                remote_addr=request.META.get("REMOTE_ADDR", ""),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend=BACKEND)
            return redirect(safe_next(request, reverse("home")))
    return render(
        request,
        "web/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "ログアウトしました。")
    return redirect("login")


def _articles() -> str:
    try:
        pack = current_pack()
    except NoActivePack:
        return ""
    return "・".join(pack.cite(ref) for ref in pack.parameters.password.articles)


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except AccountError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            update_session_auth_hash(request, User.objects.get(pk=request.user.pk))
            messages.success(request, "パスワードを変更しました。")
            return redirect("home")
    return render(
        request,
        "web/password_change.html",
        {
            "nav": "password",
            "form": form,
            "required": must_change_password(request.user),
            "rules": password_validation.password_validators_help_texts(),
            "max_age_days": password_rules().max_age_days,
            "articles": _articles(),
        },
        status=400 if form.errors else 200,
    )
