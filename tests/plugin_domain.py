"""A domain declared by a test app config alone (issue 9 item 4): tests/test_plugins.py installs it and
checks that the API, the URLs, the menu and the home page pick it up without any shared file edited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import AppConfig
from django.http import HttpResponse
from django.urls import path
from ninja import Router

from mamori.core.plugins import Domain, MenuEntry, RetentionClassSpec

router = Router()


@router.get("/ping")
def ping(request) -> dict[str, str]:
    return {"pong": "plugin"}


def page(request) -> HttpResponse:
    return HttpResponse("試験区画")


urlpatterns = [path("", page, name="plugin_page")]


def waiting(user: Any, *, on: dt.date) -> list[dict[str, Any]]:
    return [{"label": "試験区画の対応待ち", "count": 3, "url": "/plugin/"}]


class PluginDomainConfig(AppConfig):
    name = "tests.plugin_domain"
    label = "plugin"
    domain = Domain(
        title="試験区画",
        api_router="tests.plugin_domain:router",
        urls="tests.plugin_domain",
        menu=(
            # Shown to everyone, but only under a pack that has the request kind access.privilege.
            MenuEntry("試験区画", "plugin_page", needs=("access.privilege",), order=45),
            # Shown only to those the policy layer lets manage accounts.
            MenuEntry("試験管理", "plugin_page", perm="accounts.manage", order=46, nav="plugin_admin"),
        ),
        home="tests.plugin_domain:waiting",
        retention_classes=(RetentionClassSpec("plugin_records", "試験区画の記録"),),
    )
