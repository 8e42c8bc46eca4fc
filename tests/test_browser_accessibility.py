"""Accessibility of the main pages in a real browser (issue 11): axe-core, vendored in tests/vendor/,
finds no serious or critical violation.  The fixtures are in tests/browser.py."""

from __future__ import annotations

from mamori.core import time
from mamori.findings.services import findings_run
from mamori.workflows.services import request_file
from tests.test_screens import citizen, privilege_payload

pytest_plugins = ["tests.browser"]

PAGES = {
    "ホーム": "/",
    "申請一覧": "/requests/",
    "申請書": "/requests/new/access.privilege/",
    "承認": "/approvals/",
    "指摘": "/findings/",
    "管理ファイル": "/access/",
    "定期確認": "/reviews/",
    "ID・パスワード": "/credentials/",
    "端末": "/terminals/",
    "組織・役割": "/organisation/",
    "規程": "/regulations/",
}


def test_the_main_pages_have_no_serious_accessibility_violations(site, city, people):
    request = request_file(
        kind="access.privilege", actor=people.requester, payload=privilege_payload(citizen())
    )
    findings_run(on=time.today())
    found = {}
    for username, pages in (
        ("kacho.joho", {"承認": "/approvals/", "申請": f"/requests/{request.pk}/"}),
        ("admin", PAGES),
    ):
        site.log_in(username)
        for name, path in pages.items():
            response = site.page.goto(site.url + path)
            assert response.ok, f"{name} {path}: HTTP {response.status}"
            for line in site.axe_violations():
                found.setdefault(f"{name} {path}", []).append(line)
        site.log_out()
    site.go("/login/")
    if lines := site.axe_violations():
        found["ログイン /login/"] = lines
    site.page.evaluate("document.querySelector('main, body').append(document.createElement('img'))")
    assert any("image-alt" in line for line in site.axe_violations()), (
        "the check must see an image without alt"
    )
    assert not found, "axe-core (serious/critical):\n" + "\n".join(
        f"{page}\n  " + "\n  ".join(lines) for page, lines in found.items()
    )
