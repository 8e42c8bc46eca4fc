"""Deployment hardening: MAMORI_HOME readable by mamori only, the HTTPS block, the CSP with no
inline script, /api/docs offline, no cached page, 413 with the limit, and no 500 from bad URLs."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.test_api import client_for
from tests.test_reviews_campaigns import grant, launch, shimin_staff

ROOT = Path(__file__).resolve().parent.parent
INLINE = [
    # a script with a body (a JSON data block is data, not script: the CSP lets it be)
    re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>(?!\s*</script>)", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),  # onclick=, onchange=, …
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"<style", re.I),
    re.compile(r"javascript:", re.I),
]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_mamori_home_and_its_files_are_the_owners_only(db):
    home = Path(settings.HOME)
    assert _mode(home) == 0o700
    assert _mode(home / "record.key") == 0o600
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                assert _mode(path) == 0o600, path
    # Whatever mamori writes later (mails, exports, anchors) is born private too.
    probe = home / f"probe-{os.getpid()}"
    probe.write_text("x")
    try:
        assert _mode(probe) == 0o600
    finally:
        probe.unlink()


def _settings_with(env: dict, tmp_path: Path) -> dict:
    code = (
        "import json, mamori.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', "
        "'CSRF_TRUSTED_ORIGINS', 'CONTENT_SECURITY_POLICY']}))"
    )
    environment = {**os.environ, "MAMORI_HOME": str(tmp_path / "home"), **env}
    environment.pop("MAMORI_HTTPS", None) if "MAMORI_HTTPS" not in env else None
    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_the_production_block_is_switched_on_by_mamori_https(tmp_path):
    off = _settings_with({}, tmp_path)
    assert not off["SESSION_COOKIE_SECURE"] and not off["SECURE_HSTS_SECONDS"]
    on = _settings_with(
        {"MAMORI_HTTPS": "1", "MAMORI_CSRF_TRUSTED_ORIGINS": "https://mamori.city.lg.jp"}, tmp_path
    )
    assert on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"]
    assert on["SECURE_HSTS_SECONDS"] == 31536000
    assert on["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert on["CSRF_TRUSTED_ORIGINS"] == ["https://mamori.city.lg.jp"]
    assert _mode(tmp_path / "home") == 0o700


def test_every_page_has_a_csp_without_inline_script_and_no_template_needs_one(people):
    client = client_for(people.admin)
    page = client.get("/")
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for path in ("/", "/login/", "/events/search/", "/credentials/", "/password/"):
        html = Client().get(path).content.decode() if path == "/login/" else client.get(path).content.decode()
        for pattern in INLINE:
            assert not pattern.search(html), (path, pattern.pattern)
    templates = ROOT / "mamori" / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in INLINE[1:]:
            assert not pattern.search(text), (template, pattern.pattern)


def test_no_page_or_api_answer_is_cached(people):
    client = client_for(people.admin)
    for path in ("/", "/api/requests", "/api/docs"):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_a_one_time_password_from_the_api_is_never_cached(city, people):
    issued = client_for(people.approver).post(
        "/api/credentials/passwords",
        {"person": city.staff["310"][0].staff_number, "system": "SYS01"},
        content_type="application/json",
    )
    assert issued.status_code == 201 and issued.json()["secret"]
    assert "no-store" in issued["Cache-Control"]


def test_the_api_docs_work_offline_from_vendored_files(people):
    page = client_for(people.admin).get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), "an external URL in /api/docs"
    scripts = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    for src in scripts:
        assert Client().get(src).status_code == 200, src
    static = ROOT / "mamori" / "web" / "static" / "mamori" / "swagger"
    assert (static / "LICENSE.txt").read_text().count("Apache License") >= 1
    for pattern in INLINE:
        assert not pattern.search(html), pattern.pattern


def test_a_body_over_the_limit_gets_413_with_the_limit_in_the_problem(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(people.requester)
    answer = client.post(
        "/api/requests", {"kind": "x", "payload": {"a": "x" * 2000}}, content_type="application/json"
    )
    assert answer.status_code == 413
    problem = answer.json()
    assert set(problem) == {"message", "article", "field"} and "1,000 バイト" in problem["message"]
    form = client.post("/login/", {"username": "x" * 2000, "password": "y"})
    assert form.status_code == 413


def test_bad_urls_get_404_or_400_in_the_problem_shape_never_500(city, people):
    client = client_for(people.admin)
    client.raise_request_exception = False
    for path in ("/exports/management-file.html", "/exports/management-file.csv"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["field"] == "fmt"
    grant(people, shimin_staff(city))
    campaign = launch(people)
    huge = client.get(f"/api/reviews/campaigns/{campaign.pk}/lines?page=99999999999999999999")
    assert huge.status_code == 400 and huge.json()["field"] == "page"
    # The largest number allowed still makes no overflow: just an empty page.
    last = client.get(f"/api/reviews/campaigns/{campaign.pk}/lines?page={2**53}&page_size=500")
    assert last.status_code == 200 and last.json()["items"] == []
    assert client.get("/api/requests/99999999999999999999").status_code == 400


@pytest.mark.parametrize("path", ["/api/reviews/campaigns/1/lines?page=99999999999999999999"])
def test_the_huge_page_of_the_brief_is_not_a_500(people, path):
    client = client_for(people.admin)
    client.raise_request_exception = False
    assert client.get(path).status_code in (400, 404, 422)
