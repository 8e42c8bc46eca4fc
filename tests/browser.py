"""Real-browser tests (issue 11): Playwright drives Debian's chromium against pytest-django's live server.

Loaded by the browser test modules through ``pytest_plugins``.  No browser is ever downloaded: the
Makefile installs Debian's ``chromium`` and the tests require it.  The flags keep Chromium quiet on
the closed network (no background requests, no component updates, no sync)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mamori.demo.city import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core, vendored (MPL-2.0, LICENSE beside it)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, quiet on the closed network.  Playwright's sync API keeps its event loop
    marked running in the test thread from the first browser test to the end of the session, so Django's
    guard against ORM calls from async code is lifted for that time: every test, the browser tests'
    own (building the city, reading back what the browser did), is plain synchronous code."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make install` installs Debian's chromium (apt-get install chromium)"
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield {
            **browser_type_launch_args,
            "executable_path": CHROMIUM,
            "args": CHROMIUM_ARGS,
            "headless": True,
            # Under `faketime … make test-sqlite` the browser keeps the real clock: the server's clock is
            # frozen by time-machine anyway, and a frozen clock inside Chromium stalls its timers.
            "env": {
                k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")
            },
        }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP rightly refuses.
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo", "bypass_csp": True}


class Site:
    """The live server as one browser tab sees it."""

    def __init__(self, url: str, page):
        self.url, self.page = url, page

    def go(self, path: str):
        self.page.goto(self.url + path)
        return self.page

    def log_in(self, username: str, password: str = DEMO_PASSWORD):
        """Through the real log-in form, as a person would."""
        page = self.go("/login/")
        page.get_by_label("利用者ID").fill(username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_load_state()
        return page

    def log_out(self) -> None:
        self.page.get_by_role("button", name="ログアウト").click()
        self.page.wait_for_url("**/login/")

    def axe_violations(self, impacts=("serious", "critical")) -> list[str]:
        """axe-core's violations on the page at the given impacts, one readable line each."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        if os.environ.get("MAMORI_AXE_ALL"):  # every impact, for a look at the minor and moderate ones
            print(result["url"], [(v["impact"], v["id"], len(v["nodes"])) for v in result["violations"]])
        assert result["testEngine"]["name"] == "axe-core" and result["url"].startswith(self.url)
        lines = []
        for violation in result["violations"]:
            if violation["impact"] in impacts:
                targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}")
        return lines


@pytest.fixture
def site(transactional_db, live_server, settings, page, request) -> Site:
    """The live server for a browser: the session cookie lives as long as the browser (the server's
    clock is frozen at the suite's date, the browser's is not, so a dated cookie could arrive expired),
    dialogs (htmx's hx-confirm) are accepted, and a failing test leaves a screenshot."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    failed_before = request.session.testsfailed
    yield Site(live_server.url, page)
    if request.session.testsfailed > failed_before:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", request.node.name) + ".png")
        page.screenshot(path=str(path), full_page=True)
        print(f"\nscreenshot of the failing page: {path}")
