"""Real-browser journeys (issue 11): what a person does and sees, through chromium and the live server.

The fixtures (chromium, the live server, screenshots on failure) are in tests/browser.py."""

from __future__ import annotations

import datetime as dt
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from mamori.core import time
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.organisation.models import Assignment
from mamori.organisation.services import absence_register
from mamori.terminals.eventgen import Row, at, session, store_events
from tests.conftest import TODAY, make_city

pytest_plugins = ["tests.browser"]
PRIVILEGE_FORM = "/requests/new/access.privilege/"
NEW_PASSWORD = re.compile(r"^新しいパスワード(必須)?$")  # not its confirmation


def citizen():
    """A member of 市民課, within the 市民部長's organisation (KIT-5-2)."""
    return Assignment.objects.on(TODAY).filter(unit__code="310", post__isnull=True).first().person


def file_privilege_request(site, reason: str) -> str:
    """The 市民部長 fills 別記様式1 for a member of 市民課; returns the request page's address."""
    page = site.log_in("bucho.shimin")
    site.go(PRIVILEGE_FORM)
    page.get_by_label("登録", exact=True).check()
    page.get_by_label("システム使用者").select_option(citizen().staff_number)
    with page.expect_response(re.compile(r"/requests/privileges/")):  # htmx offers the system's privileges
        page.get_by_label("行政情報システム").select_option("SYS01")
    page.get_by_label("照会（view）").check()
    page.get_by_label("理由").fill(reason)
    page.get_by_role("button", name="申請する").click()
    expect(page).to_have_url(re.compile(r"/requests/\d+/$"))
    expect(page.locator(".state--large")).to_have_text("審査中")
    expect(page.get_by_text(citizen().name).first).to_be_visible()
    return page.url


def test_a_privilege_request_is_filed_and_approved_in_the_browser(site, city):
    address = file_privilege_request(site, "住民記録の照会業務のため")
    number = re.search(r"/requests/(\d+)/", address).group(1)
    site.log_out()

    page = site.log_in("kacho.joho")
    site.go("/approvals/")
    expect(page.get_by_role("link", name=re.compile(f"#{number} "))).to_be_visible()
    page.get_by_role("link", name=re.compile(f"#{number} ")).click()
    page.get_by_label("意見").fill("管理ファイルに登録しました")
    page.get_by_role("button", name=re.compile("承認")).click()  # 登録（承認）: the step's act
    expect(page.get_by_role("status")).to_contain_text("承認しました")
    expect(page.locator(".state--large")).to_have_text("完了")
    site.log_out()

    page = site.log_in("bucho.shimin")
    site.go(address.removeprefix(site.url))
    expect(page.locator(".state--large")).to_have_text("完了")
    expect(page.get_by_role("cell", name="管理ファイルに登録しました")).to_be_visible()


def test_a_temporary_password_is_changed_before_anything_else(site, city):
    page = site.log_in("shinjin")
    expect(page).to_have_url(re.compile(r"/password/$"))
    expect(page.get_by_role("alert")).to_contain_text("仮パスワードのまま")
    expect(page.locator("ul.rules")).to_contain_text("10文字以上")  # the rules the page shows

    page.get_by_label("現在のパスワード").fill(city.accounts["shinjin"][1])
    page.get_by_label(NEW_PASSWORD).fill("short")
    page.get_by_label("新しいパスワード（確認）").fill("short")
    page.get_by_role("button", name="変更する").click()
    expect(page.locator(".field__error").first).to_contain_text("10文字以上")

    page.get_by_label("現在のパスワード").fill(city.accounts["shinjin"][1])
    page.get_by_label(NEW_PASSWORD).fill("Kitami-Sakura-77")
    page.get_by_label("新しいパスワード（確認）").fill("Kitami-Sakura-77")
    page.get_by_role("button", name="変更する").click()
    expect(page).to_have_url(site.url + "/")
    site.go("/requests/")
    expect(page).to_have_url(re.compile(r"/requests/$"))  # no longer sent back to /password/


def test_a_rejection_needs_a_reason_and_the_requester_sees_it(site, city):
    address = file_privilege_request(site, "窓口業務の応援のため")
    site.log_out()

    page = site.log_in("kacho.joho")
    site.go(address.removeprefix(site.url))
    page.get_by_role("button", name="却下").click()  # the confirmation dialog is accepted
    expect(page.get_by_role("alert")).to_contain_text("理由を記入してください")
    expect(page.locator(".state--large")).to_have_text("審査中")

    page.get_by_label("意見").fill("応援は課内の職員で足りるため")
    page.get_by_role("button", name="却下").click()
    expect(page.locator(".state--large")).to_have_text("却下")
    site.log_out()

    page = site.log_in("bucho.shimin")
    site.go(address.removeprefix(site.url))
    expect(page.locator(".state--large")).to_have_text("却下")
    expect(page.get_by_role("cell", name="応援は課内の職員で足りるため")).to_be_visible()


def test_the_administrator_accepts_a_finding_with_a_reason(site, city, people):
    today = time.today()
    absence_register(
        person=city.heads["410"],
        start=today,
        end=today + dt.timedelta(days=7),
        reason="病気休暇",
        actor=people.admin,
    )
    findings_run(on=today)
    finding = Finding.objects.filter(
        state=FindingState.OPEN, unit__code="410", rule="organisation.role_without_holder"
    ).first()

    page = site.log_in("admin")
    site.go("/findings/")
    row = page.locator(f"#finding-{finding.pk}")
    expect(row).to_contain_text(finding.title)
    row.get_by_role("button", name="理由付き受容").click()
    expect(row.get_by_role("alert")).to_contain_text("受容する理由を入力してください")

    row.get_by_label("理由").fill("課長の復帰まで部長が決裁する")
    row.get_by_role("button", name="理由付き受容").click()
    expect(row.get_by_role("status")).to_contain_text("理由を付けて受容しました")
    expect(row).to_contain_text("理由: 課長の復帰まで部長が決裁する")
    site.go("/findings/?state=accepted")
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("受容")


def test_an_audit_search_is_run_and_exported_as_xlsx(site, transactional_db, tmp_path):
    city = make_city("yanagawa")
    first = city.staff["310"][0]
    monday = dt.date(2026, 10, 5)
    rows = [*session(first.staff_number, "PC1", monday, "08:40", "17:00", "0x1")]
    rows += [
        Row(at(monday, f"09:0{i}"), "search", first.staff_number, host="PC1", system="SYS01", subject=f"A{i}")
        for i in range(3)
    ]
    store_events(rows)

    page = site.log_in("admin")
    site.go("/events/search/")
    page.get_by_label("開始日").fill("2026-10-01")
    page.get_by_label("終了日").fill("2026-10-31")
    page.get_by_label("職員番号").fill(first.staff_number)
    page.get_by_role("button", name="検索", exact=True).click()
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(5)  # logon, three searches, logoff
    expect(table).to_contain_text("A2")

    with page.expect_download() as waiting:
        page.get_by_role("button", name="xlsx で出力").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    values = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert first.staff_number in values and "A2" in values
