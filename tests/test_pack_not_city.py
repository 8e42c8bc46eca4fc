"""A regulation is data (issue 9 item 6): the yanagawa and meguro demos show no 北見市 article, form or
system name on any screen, PDF or xlsx a demo user reaches from the menu; the same crawl under the
kitami pack does find them, which proves the check can see what it looks for.

The forbidden strings come from the kitami pack itself: its municipality (so 「北見市 第5条…」), its
form titles and the 別記様式 numbers its forms' notes give them, and the names of the systems its
demo registers (別表第1) and its system flags.  Each pack's demo is built once for the module."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import openpyxl
import pytest
import time_machine
from django.db import transaction
from django.urls import Resolver404, resolve

from mamori.demo.city import build_city
from mamori.demo.domains import populate_domains
from mamori.demo.requests import file_demo_requests, plant_findings
from mamori.findings.services import findings_run
from mamori.organisation.models import Unit
from mamori.regulations.loader import get_pack
from mamori.systems.models import System
from tests.conftest import NOW, TODAY
from tests.demo_world import logged_in

# The demo log-ins walked through: the administrator, a 課長 who administers systems, a 部長, a 課長
# with no system, and a member of staff with no role.
WALKERS = ("admin", "kacho.joho", "bucho.shimin", "kacho.shimin", "shokuin")
# A page is followed at most this deep from the home page: menu → list → detail → export.
MAX_DEPTH = 3
# Of the links that reach the same screen (same URL name and query keys), only a few are followed.
PER_SCREEN = 2
SKIP_PREFIXES = ("/static/", "/api/", "/logout/", "/login/")


def _kitami_strings(world_names: set[str]) -> list[str]:
    """What only the 北見市 pack says: from its own data, never typed here.  A name the built world
    also uses for itself (a system or unit of みどり市) is not a 北見市 fact."""
    kitami = get_pack("kitami")
    strings = {kitami.municipality}
    for form in kitami.forms:
        strings.add(form.title)
        number = re.match(r"(別記様式\d+)", form.note or "")
        if number:
            strings.add(number.group(1))
    for table in kitami.tables:
        column = next((i for i, c in enumerate(table.columns) if "システム" in c), None)
        if column is not None:
            strings.update(row[column] for row in table.rows)
    for flag in kitami.parameters.access.system_flags:
        strings.add(re.split(r"[(（]", flag.label)[0])
    return sorted(s for s in strings if s and not any(s in own for own in world_names))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _text_of(response) -> str:
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheet" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        ]
        return "\n".join(c for c in cells if c != "None")
    if "pdf" in kind:
        done = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True)
        return done.stdout.decode()
    return body.decode(errors="replace")


def _screen_key(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).url_name or parts.path
    except Resolver404:
        name = parts.path
    keys = tuple(sorted({q.split("=")[0] for q in parts.query.split("&") if q}))
    return name, keys


def _crawl(username: str) -> Iterator[tuple[str, int, str, str]]:
    """(url, status, content type, text) of every page ``username`` reaches from the home page."""
    client = logged_in(username)
    queue, seen, per_screen = [("/", 0)], {"/"}, Counter()
    while queue:
        url, depth = queue.pop(0)
        response = client.get(url)
        if response.status_code in (301, 302):
            continue
        kind = response.get("Content-Type", "")
        text = _text_of(response)
        yield url, response.status_code, kind, text
        if "html" not in kind or depth >= MAX_DEPTH:
            continue
        parser = _Links()
        parser.feed(text)
        for href in parser.links:
            href = href.replace("&amp;", "&").split("#")[0]
            if not href.startswith("/") or href.startswith(SKIP_PREFIXES) or href in seen:
                continue
            key = _screen_key(href)
            if per_screen[key] >= PER_SCREEN:
                continue
            per_screen[key] += 1
            seen.add(href)
            queue.append((href, depth + 1))


@pytest.fixture(scope="module", params=["yanagawa", "meguro", "kitami"])
def demo(request, django_db_setup, django_db_blocker) -> Iterator[dict]:
    """One demo per pack, with what every walker saw in it; rolled back when the pack is done."""
    pack = request.param
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        city = build_city(pack_name=pack, today=TODAY)
        file_demo_requests(city, on=TODAY)
        plant_findings(city, on=TODAY)
        populate_domains(city, on=TODAY)
        findings_run(on=TODAY)
        own = set(System.objects.values_list("name", flat=True)) | set(
            Unit.objects.values_list("name", flat=True)
        )
        pages = {username: list(_crawl(username)) for username in WALKERS}
        yield {"pack": pack, "pages": pages, "forbidden": _kitami_strings(own)}
        transaction.set_rollback(True)


def _hits(demo: dict) -> list[str]:
    hits = []
    for username, pages in demo["pages"].items():
        for url, _status, _kind, text in pages:
            for word in demo["forbidden"]:
                if word in text:
                    hits.append(f"{username} {url}: {word}")
    return hits


def test_it_walks_every_screen_and_export_without_a_server_error(db, demo):
    """The crawl reaches lists, details and both export formats, and none answers 5xx (issue 9)."""
    for username, pages in demo["pages"].items():
        errors = [f"{url} → {status}" for url, status, _k, _t in pages if status >= 500]
        assert not errors, f"{demo['pack']} {username}: {errors}"
    admin = demo["pages"]["admin"]
    kinds = {kind.split(";")[0] for _u, _s, kind, _t in admin}
    assert len(admin) > 30, [u for u, *_ in admin]
    assert "text/html" in kinds
    assert any("spreadsheet" in k for k in kinds), kinds
    if shutil.which("pdftotext"):
        assert "application/pdf" in kinds, kinds


def test_it_shows_no_kitami_article_form_or_system_name_under_another_pack(db, demo):
    """Issue 9 item 6 (a regulation is data): under 柳川市 and 目黒区 no 北見市 text reaches a page,
    a PDF or an xlsx; under 北見市 the same check finds them (the control)."""
    assert "北見市" in demo["forbidden"]
    assert len(demo["forbidden"]) > 5, demo["forbidden"]
    hits = _hits(demo)
    if demo["pack"] == "kitami":
        found = {hit.rsplit(": ", 1)[1] for hit in hits}
        assert "北見市" in found
        assert get_pack("kitami").forms[0].title in found  # the form title, on its request's PDF
        assert len(found) >= 3, found
    else:
        assert not hits, "\n".join(sorted(set(hits))[:80])


def test_it_offers_a_privilege_request_only_where_the_pack_declares_it(db, demo):
    """Issue 9 item 6: 柳川市 declares no ``access.privilege`` chain, so no page links to the privilege
    request (which would only answer that the pack has none); 目黒区 and 北見市 declare it and link to it."""
    pack = get_pack(demo["pack"])
    declared = any(chain.kind == "access.privilege" for chain in pack.chains)
    reached = [
        url for pages in demo["pages"].values() for url, *_ in pages if url.startswith("/access/request/")
    ]
    assert bool(reached) == declared, (demo["pack"], reached)
    for pages in demo["pages"].values():
        for url, _status, _kind, text in pages:
            assert "の申請がありません" not in text, url
            if pack.parameters.access.biometric is None:
                assert "生体情報の登録待ち" not in text, url
