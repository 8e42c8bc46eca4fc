"""Error pages speak Japanese in the house style (issue 11): 404, 403 and 500, never Django's English."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import path

from mamori.urls import urlpatterns as real_patterns


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*real_patterns, path("boom/", _boom)]


@override_settings(DEBUG=False)
def test_it_answers_an_unknown_page_in_japanese(city, people):
    client = Client()
    client.force_login(people.outsider)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    text = page.content.decode()
    assert "ページが見つかりません" in text and "Not Found" not in text


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_it_answers_a_server_error_in_japanese_without_the_traceback(city, people):
    client = Client(raise_request_exception=False)
    client.force_login(people.outsider)
    page = client.get("/boom/")
    assert page.status_code == 500
    text = page.content.decode()
    assert "エラーが発生しました" in text and "RuntimeError" not in text and "Server Error" not in text
