"""Every API list is paged by ninja (issue 9 item 1): ``{"items": [...], "count": N}`` with ``?page=``
and ``?page_size=``, never a silent cut-off.  On the demo municipality, a list split over two pages
reports its full count on each page, and the second page holds exactly the rows the first did not.
(The operator IDs, which only 舞鶴市 gives, are paged in tests/test_credentials_api.py.)"""

from __future__ import annotations

import math

import pytest

from mamori.core.schemas import API_PAGE_SIZE
from tests.demo_world import demo_world, logged_in  # noqa: F401 (the module's demo)

pytestmark = pytest.mark.django_db

# (who asks, the list, the key that tells its rows apart)
LISTS = [
    ("admin", "/api/credentials/passwords", "id"),
    ("admin", "/api/credentials/viewing-ids", "id"),
    ("admin", "/api/credentials/loans", "id"),
    ("admin", "/api/reviews/campaigns", "id"),
    ("admin", "/api/access/proposals", "id"),
    ("bucho.shimin", "/api/requests", "id"),
    ("admin", "/api/findings", "id"),
]


def _page(client, url: str, **query) -> dict:
    joiner = "&" if "?" in url else "?"
    answer = client.get(url + joiner + "&".join(f"{k}={v}" for k, v in query.items()))
    assert answer.status_code == 200, answer.content.decode()
    return answer.json()


@pytest.mark.parametrize(("username", "url", "key"), LISTS, ids=[url for _, url, _ in LISTS])
def test_it_reports_the_whole_count_and_the_second_page_holds_the_rest(demo_world, username, url, key):  # noqa: F811
    client = logged_in(username)
    whole = _page(client, url)
    assert set(whole) == {"items", "count"}
    total = whole["count"]
    assert total >= 2, f"the demo needs two rows in {url} for this test"
    assert len(whole["items"]) == min(total, API_PAGE_SIZE)

    size = math.ceil(total / 2)
    first, second = _page(client, url, page_size=size), _page(client, url, page=2, page_size=size)
    assert first["count"] == second["count"] == total
    assert len(first["items"]) == size and len(second["items"]) == total - size
    seen = [row[key] for row in first["items"] + second["items"]]
    assert len(set(seen)) == total  # no row twice, none lost between the pages
    assert _page(client, url, page=3, page_size=size)["items"] == []
