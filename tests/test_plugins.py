"""Domains as plug-ins (issue 9 item 4): the API, the URLs, the menu, the demo and the home page
collect what each domain's AppConfig declares (mamori.core.plugins), so a new domain edits no
shared list.  tests/plugin_domain.py is such a domain, declared by a test app config alone."""

from __future__ import annotations

import types

import pytest
from django.conf import settings
from django.test import override_settings
from ninja import NinjaAPI

import mamori.urls
from mamori.api import add_domain_routers, api
from mamori.core.plugins import domains
from mamori.regulations.loader import get_pack
from mamori.web.urls import domain_urlpatterns

from .conftest import make_city

PLUGIN = "tests.plugin_domain.PluginDomainConfig"


@pytest.fixture
def plugin_installed():
    """The test domain installed, and a root URL conf collected afresh from domains(), as
    mamori/urls.py would collect it had the app been in INSTALLED_APPS from the start."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, PLUGIN]):
        root = types.ModuleType("plugin_root_urls")
        root.urlpatterns = [
            *domain_urlpatterns([d for d in domains() if d.label == "plugin"]),
            *mamori.urls.urlpatterns,
        ]
        with override_settings(ROOT_URLCONF=root):
            yield


def _menu_labels(response) -> list[str]:
    return [item["label"] for item in response.context["menu"]]


def test_every_domain_app_declares_itself_and_the_collectors_mount_each():
    found = {domain.label: domain for domain in domains()}
    assert {"access", "credentials", "designations", "reviews", "terminals", "events", "exports"} <= set(
        found
    )
    paths = api.get_openapi_schema(path_prefix="/api/")["paths"]
    for domain in found.values():
        if domain.api_router:
            prefix = "/api" + (domain.api_prefix or f"/{domain.label}/").rstrip("/")
            assert any(p.startswith(prefix + "/") for p in paths), domain.label


def test_a_domain_declared_by_a_test_app_config_appears_in_the_api_the_urls_and_the_menu(
    db, plugin_installed, client
):
    city = make_city("kitami")
    declared = [d for d in domains() if d.label == "plugin"]
    assert declared and declared[0].title == "試験区画"

    fresh = NinjaAPI(urls_namespace="plugin-test")
    add_domain_routers(fresh, domains())
    assert "/api/plugin/ping" in fresh.get_openapi_schema(path_prefix="/api/")["paths"]

    admin = city.accounts["admin"][0]
    client.force_login(admin)
    assert client.get("/plugin/").content.decode() == "試験区画"
    home = client.get("/")
    labels = _menu_labels(home)
    assert "試験区画" in labels and "試験管理" in labels
    # In the order the domains give, between 管理ファイル (40) and 定期確認 (50).
    assert labels.index("管理ファイル") < labels.index("試験区画") < labels.index("定期確認")
    assert '<a href="/plugin/">試験区画</a>' in home.content.decode()
    # The home page's waiting items come from the domain too.
    assert {"label": "試験区画の対応待ち", "count": 3, "url": "/plugin/"} in home.context["waiting"]


def test_the_menu_hides_entries_the_user_may_not_use(db, plugin_installed, client):
    city = make_city("kitami")
    staff = city.accounts["shokuin"][0]
    client.force_login(staff)
    labels = _menu_labels(client.get("/"))
    assert "試験区画" in labels  # no permission asked
    assert "試験管理" not in labels  # accounts.manage: administrators only
    assert "アカウント" not in labels and "操作記録" not in labels


def test_the_menu_hides_areas_the_active_pack_lacks(db, plugin_installed, client):
    # 柳川市's pack has no access.privilege request: the entry that needs it is not offered.
    assert not get_pack("yanagawa").has("access.privilege")
    assert get_pack("kitami").has("access.privilege")
    city = make_city("yanagawa")
    client.force_login(city.accounts["admin"][0])
    labels = _menu_labels(client.get("/"))
    assert "試験区画" not in labels
    assert "試験管理" in labels


def test_the_menu_keeps_the_link_texts_and_order_the_screens_rely_on(db, client):
    city = make_city("kitami")
    client.force_login(city.accounts["admin"][0])
    response = client.get("/")
    expected = [
        *("申請", "承認", "指摘", "管理ファイル", "定期確認", "ID・パスワード", "指定", "帳票出力", "端末"),
        *("操作記録", "組織・役割", "規程", "アカウント"),
    ]
    # Other domains may add entries between these; these keep their texts and their order.
    assert [label for label in _menu_labels(response) if label in expected] == expected
    nav = response.content.decode().split('<nav class="site-nav"')[1]
    assert '<a href="/" aria-current="page">ホーム</a>' in nav
    assert nav.index(">ホーム<") < nav.index(">申請<") < nav.index(">規程<") < nav.index(">パスワード変更<")


def test_the_current_page_is_marked_in_the_menu(db, client):
    city = make_city("kitami")
    client.force_login(city.accounts["admin"][0])
    page = client.get("/findings/").content.decode()
    assert '<a href="/findings/" aria-current="page">指摘</a>' in page
