"""What every screen shares: log-in and administrator checks, the active pack, htmx detection and
the read-only queries the screens list (changes go through the services, never through here)."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from mamori.core import time
from mamori.core.policy import Refused, may
from mamori.regulations.active import NoActivePack, active_pack
from mamori.regulations.loader import PackError
from mamori.regulations.schema import Pack


def screen(view=None, *, perm: str | None = None):
    """A screen for a logged-in user that needs the active pack; ``perm``: the policy's permission the
    whole screen needs (mamori/<app>/policies.py), refused before the view runs."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(request, *args, **kwargs):
            if perm is not None and not may(request.user, perm):
                return render(
                    request, "web/refused.html", {"message": "この画面を使う権限がありません。"}, status=403
                )
            try:
                return function(request, *args, **kwargs)
            except Refused as refusal:
                return render(
                    request,
                    "web/refused.html",
                    {"message": refusal.message, "article": refusal.article},
                    status=403,
                )
            except (NoActivePack, PackError) as error:
                return render(request, "web/no_pack.html", {"error": str(error)}, status=503)

        return login_required(wrapper)

    return decorate(view) if view is not None else decorate


def current_pack() -> Pack:
    """The active pack; a pack file that has gone missing counts as no active pack."""
    try:
        return active_pack()
    except KeyError as error:
        raise NoActivePack(str(error)) from None


def is_htmx(request) -> bool:
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_list(request, full: str, part: str, context: dict):
    """A list that htmx filters in place: the table alone for htmx, the page otherwise."""
    response = render(request, part if is_htmx(request) else full, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def parse_day(raw: str | None) -> tuple[dt.date, str]:
    """?on=YYYY-MM-DD → the day, or today with a message for the screen."""
    if not raw:
        return time.today(), ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return time.today(), f"日付は YYYY-MM-DD で指定してください（{raw}）。本日で表示しています。"


def person_of(request):
    return getattr(request.user, "person", None)
