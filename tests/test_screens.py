"""The screens, driven through Django's test client on the real database, with 北見市's pack.

Every change a screen makes goes through a service; these tests check that what a person sees
and can do on the screen is what the services and the pack say."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from mamori.access.models import Entitlement
from mamori.accounts.models import User
from mamori.core import time
from mamori.demo.city import DEMO_PASSWORD
from mamori.designations.services import designation_add
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.organisation.models import Assignment, Person
from mamori.organisation.services import absence_register, role_appoint
from mamori.regulations.active import active_pack
from mamori.regulations.models import Installation
from mamori.regulations.registry import everything_implementing
from mamori.systems.models import System
from mamori.terminals.services import terminal_register
from mamori.workflows.models import Request, RequestState, StepState
from mamori.workflows.services import current_step, request_file
from tests.conftest import TODAY, make_city

PRIVILEGE = "access.privilege"
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def privilege_payload(person, *, system: str = "SYS01") -> dict:
    return {
        "action": "grant",
        "person": person.staff_number,
        "system": system,
        "privileges": ["view", "update"],
        "user_id": f"u{person.staff_number}",
        "valid_from": time.today().isoformat(),
        "reason": "住民記録の照会業務のため",
    }


def citizen() -> Person:
    """A member of 市民課: within the 市民部長's organisation (KIT-5-2「所管する組織内」)."""
    return Assignment.objects.on(TODAY).filter(unit__code="310", post__isnull=True).first().person


def file_privilege(people) -> Request:
    return request_file(kind=PRIVILEGE, actor=people.requester, payload=privilege_payload(citizen()))


# --- log-in ------------------------------------------------------------------------------------


def test_logging_in_with_the_demo_password_opens_the_home_page(city, people):
    client = Client()
    response = client.post("/login/", {"username": "bucho.shimin", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    page = text(home)
    assert people.requester.person.name in page
    assert "自分の申請" in page and "自分の承認待ち" in page
    assert "北見市行政情報システムの管理運用に関する取扱要領" in page  # the pack in the header
    assert time.wareki(time.today()) in page  # today in 和暦


def test_a_wrong_password_is_refused_with_the_message_and_counted(city, people):
    client = Client()
    response = client.post("/login/", {"username": "bucho.shimin", "password": "not-the-password"})
    assert response.status_code == 400
    assert "利用者IDまたはパスワードが違います。" in text(response)
    people.requester.refresh_from_db()
    assert people.requester.failed_logins == 1
    assert client.get("/")["Location"].startswith("/login/")


def test_a_locked_account_is_refused_until_the_administrator_unlocks_it(city, people):
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "shokuin", "password": "wrong"})
    # One message for every refusal: the screen does not say that this ID exists and is now locked.
    assert "利用者IDまたはパスワードが違います。" in text(response)
    refused = client.post("/login/", {"username": "shokuin", "password": DEMO_PASSWORD})
    assert "利用者IDまたはパスワードが違います。" in text(refused)
    assert User.objects.get(username="shokuin").is_locked

    assert session(people.requester).get("/accounts/").status_code == 403  # administrators only
    admin = session(people.admin)
    listing = text(admin.get("/accounts/"))
    assert "shokuin" in listing and "ロック中" in listing
    unlocked = admin.post(f"/accounts/{people.outsider.pk}/unlock/", HTTP_HX_REQUEST="true")
    assert "ロックを解除しました" in text(unlocked)
    people.outsider.refresh_from_db()
    assert not people.outsider.is_locked
    assert client.post("/login/", {"username": "shokuin", "password": DEMO_PASSWORD}).status_code == 302


def test_a_temporary_password_must_be_changed_before_anything_else(city):
    client = Client()
    response = client.post("/login/", {"username": "shinjin", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/password/"
    assert "仮パスワードのまま" in text(response)
    assert client.get("/requests/")["Location"] == "/password/"

    mismatch = client.post(
        "/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password": "Kitami-Sakura-77",
            "new_password2": "Kitami-Sakura-78",
        },
    )
    assert "一致しません" in text(mismatch)
    weak = client.post(
        "/password/", {"old_password": DEMO_PASSWORD, "new_password": "short", "new_password2": "short"}
    )
    assert "10文字以上" in text(weak)  # the pack's min_length, through password_change

    changed = client.post(
        "/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password": "Kitami-Sakura-77",
            "new_password2": "Kitami-Sakura-77",
        },
    )
    assert changed["Location"] == "/"
    assert client.get("/requests/").status_code == 200  # the session survives the change
    assert not User.objects.get(username="shinjin").must_change_password


def test_logging_out_takes_a_post(city, people):
    client = session(people.requester)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


# --- home --------------------------------------------------------------------------------------


def test_the_home_page_lists_my_requests_and_my_approvals(city, people):
    filed = file_privilege(people)

    mine = text(session(people.requester).get("/"))
    assert f"#{filed.pk} {filed.title}" in mine
    assert "審査中" in mine

    inbox = text(session(people.approver).get("/"))
    assert f"#{filed.pk} {filed.title}" in inbox
    assert "第5条第4項" in inbox  # the step's article
    assert f"をお願いします（#{filed.pk}）" in inbox  # the unread notification

    assert f"#{filed.pk}" not in text(session(people.outsider).get("/"))


def test_open_findings_are_shown_to_the_people_they_concern(city, people):
    today = time.today()
    absence_register(
        person=city.heads["410"],
        start=today,
        end=today + dt.timedelta(days=7),
        reason="病気休暇",
        actor=people.admin,
    )
    findings_run(on=today)
    finding = Finding.objects.get(
        state=FindingState.OPEN,
        unit__code="410",
        rule="organisation.role_without_holder",
        key__startswith="individual_system_manager",
    )

    assert finding.title in text(session(people.outsider).get("/"))  # 福祉課 staff
    assert finding.title not in text(session(people.requester).get("/findings/"))  # 市民部長
    assert finding.title in text(session(people.admin).get("/findings/"))  # the administrator sees all

    outsider = session(people.outsider)
    not_theirs = outsider.post(
        f"/findings/{finding.pk}/close/", {"state": "accepted", "reason": "理由"}, HTTP_HX_REQUEST="true"
    )
    assert "管理者（情報政策課）だけ" in text(not_theirs)
    admin = session(people.admin)
    refused = admin.post(
        f"/findings/{finding.pk}/close/", {"state": "accepted", "reason": " "}, HTTP_HX_REQUEST="true"
    )
    assert "受容する理由を入力してください" in text(refused)
    accepted = admin.post(
        f"/findings/{finding.pk}/close/",
        {"state": "accepted", "reason": "課長の復帰まで部長が決裁する"},
        HTTP_HX_REQUEST="true",
    )
    assert "理由を付けて受容しました" in text(accepted)
    finding.refresh_from_db()
    assert finding.state == FindingState.ACCEPTED and finding.closed_by == people.admin
    assert finding.title in text(outsider.get("/findings/?state=accepted"))
    assert finding.title not in text(outsider.get("/findings/?state=open"))


# --- organisation ------------------------------------------------------------------------------


def test_the_organisation_page_shows_units_posts_and_holders_today(city, people):
    page = text(session(people.outsider).get("/organisation/"))
    for unit in ("企画財政部", "DX推進室", "情報システム課", "福祉課"):
        assert unit in page
    assert people.approver.person.name in page and people.requester.person.name in page


def test_the_roles_page_shows_who_holds_each_role_today_and_the_deputy(city, people):
    pack = active_pack()
    client = session(people.outsider)
    page = text(client.get("/organisation/roles/"))
    for role in pack.roles:
        assert role.name in page
    assert "第3条第1項" in page  # COKAS-R/ADⅡ管理者's article
    assert people.approver.person.name in page and people.requester.person.name in page

    today = time.today()
    deputy = city.staff["231"][0]
    role_appoint(pack=pack, role="cokas_manager", person=deputy, start=today, deputy=True, actor=people.admin)
    absence_register(person=people.approver.person, start=today, end=today, reason="出張", actor=people.admin)
    row = text(client.get("/organisation/roles/")).split('id="role-cokas_manager"')[1].split("</tr>")[0]
    assert deputy.name in row and "代理" in row and "COKAS-R/ADⅡ管理者の職務代理" in row
    assert people.approver.person.name not in row

    before_the_year = text(client.get("/organisation/roles/?on=2025-03-31"))  # staff in post from 2025-04-01
    assert people.approver.person.name not in before_the_year  # nobody was assigned yet
    assert "担う人がいません" in before_the_year
    assert "YYYY-MM-DD" in text(client.get("/organisation/roles/?on=yesterday"))


# --- regulations -------------------------------------------------------------------------------


def test_the_regulation_browser_shows_an_article_and_what_implements_its_requirements(city, people):
    client = session(people.outsider)
    index = text(client.get("/regulations/"))
    assert "第5条（システム使用者の指定と解除）" in index

    page = text(client.get("/regulations/5/"))
    assert "第5条 情報セキュリティ責任者は、所管する組織内のシステム使用者" in page
    assert "4 COKAS-R/ADⅡ管理者、中間サーバー管理者及び個別システム管理者は、第2項の規定による申請" in page
    # KIT-5-2 and KIT-5-4: the chain in the pack, the services that file and register, and this test.
    for requirement in ("KIT-5-2", "KIT-5-4"):
        assert requirement in page
    assert "規程パック" in page and "実装" in page and "試験" in page
    assert "chains.access.privilege" in page
    assert "mamori.workflows.services.request_file" in page
    assert "mamori.access.services.entitlements_apply_request" in page
    assert "tests/test_screens.py::test_the_regulation_browser_shows_an_article" in page
    assert client.get("/regulations/99/").status_code == 404


def test_a_requirement_nothing_implements_is_shown_as_unimplemented(city, people):
    pack = active_pack()
    missing = [r for r in pack.requirements if not everything_implementing(pack, r.id)]
    if not missing:
        pytest.skip("every requirement of the pack is implemented")
    requirement = missing[0]
    article = requirement.articles[0].split("-")[0]
    if article.startswith(("別表", "附則")):
        pytest.skip("the unimplemented requirement cites a table")
    page = text(session(people.outsider).get(f"/regulations/{article}/"))
    section = page.split(f'id="{requirement.id}"')[1].split("</article>")[0]
    assert "未実装" in section


# --- requests ----------------------------------------------------------------------------------


def test_a_privilege_request_is_filed_on_the_screen_and_approved_by_the_system_administrator(city, people):
    """KIT-5-2 filed by the 情報セキュリティ責任者, KIT-5-4 registered by the system's administrator."""
    requester = session(people.requester)
    assert "システム使用者の操作権限登録(解除)申請" in text(requester.get("/requests/new/"))
    form = text(requester.get(f"/requests/new/{PRIVILEGE}/"))
    system = System.objects.get(code="SYS01")
    assert f'<option value="SYS01">{system.name}（SYS01）</option>' in form
    assert f'value="{citizen().staff_number}"' in form
    options = text(requester.get("/requests/privileges/?system=SYS01", HTTP_HX_REQUEST="true"))
    assert 'value="view"' in options and "照会" in options

    filed = requester.post(f"/requests/new/{PRIVILEGE}/", privilege_payload(citizen()))
    assert filed.status_code == 302
    request = Request.objects.get()
    assert filed["Location"] == f"/requests/{request.pk}/"
    assert request.requester == people.requester.person and request.state == RequestState.SUBMITTED
    assert request.payload["privileges"] == ["view", "update"]
    detail = text(requester.get(filed["Location"]))
    assert "審査中" in detail and "第5条第4項" in detail and citizen().name in detail
    assert 'name="action" value="approve"' not in detail  # the requester does not decide

    approver = session(people.approver)
    assert f"#{request.pk} {request.title}" in text(approver.get("/approvals/"))
    detail = text(approver.get(f"/requests/{request.pk}/"))
    assert 'name="action" value="approve"' in detail
    step = current_step(request)
    decided = approver.post(
        f"/requests/{request.pk}/decide/",
        {"step": step.pk, "action": "approve", "comment": "管理ファイルに登録しました"},
        HTTP_HX_REQUEST="true",
    )
    assert decided.status_code == 200
    assert "承認しました" in text(decided) and "完了" in text(decided)

    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert Entitlement.objects.filter(request=request, person=citizen()).count() == 2
    final = text(requester.get(f"/requests/{request.pk}/"))
    assert "管理ファイルに登録しました" in final
    assert "COKAS-R/ADⅡ管理者、中間サーバー管理者又は個別システム管理者" in final  # the capacity decided in
    assert people.approver.person.name in final
    assert "完了" in text(requester.get("/requests/?state=approved", HTTP_HX_REQUEST="true"))
    assert f"#{request.pk}" not in text(requester.get("/requests/?state=submitted"))


def test_the_approver_cannot_approve_from_the_outsiders_session(city, people):
    request = file_privilege(people)
    step = current_step(request)
    outsider = session(people.outsider)
    assert outsider.get(f"/requests/{request.pk}/").status_code == 404  # not theirs to read
    refused = outsider.post(f"/requests/{request.pk}/decide/", {"step": step.pk, "action": "approve"})
    assert refused.status_code == 403
    assert "が決定します" in text(refused) and "第5条第4項" in text(refused)
    step.refresh_from_db()
    request.refresh_from_db()
    assert step.state == StepState.PENDING and request.state == RequestState.SUBMITTED

    own = session(people.requester).post(
        f"/requests/{request.pk}/decide/", {"step": step.pk, "action": "approve"}
    )
    assert own.status_code == 403 and "自分の申請を決定することはできません" in text(own)


def test_a_refused_filing_shows_the_services_message_on_the_form(city, people):
    outsider = session(people.outsider)
    page = text(outsider.get("/requests/new/"))
    assert "情報セキュリティ責任者が申請" in page  # listed among what others file
    refused = outsider.post(f"/requests/new/{PRIVILEGE}/", privilege_payload(citizen()))
    assert refused.status_code == 403
    assert "システム使用者の操作権限登録(解除)申請は情報セキュリティ責任者が申請します" in text(refused)
    assert "根拠: 第5条第1項" in text(refused)
    unknown = session(people.requester).post(
        f"/requests/new/{PRIVILEGE}/", {**privilege_payload(citizen()), "privileges": ["fly"]}
    )
    assert unknown.status_code == 400 and not Request.objects.exists()


def test_a_returned_request_is_resubmitted_or_withdrawn_by_its_requester(city, people):
    request = file_privilege(people)
    approver = session(people.approver)
    approver.post(
        f"/requests/{request.pk}/decide/",
        {"step": current_step(request).pk, "action": "return", "comment": "有効開始日を確認してください"},
    )
    request.refresh_from_db()
    assert request.state == RequestState.RETURNED

    requester = session(people.requester)
    detail = text(requester.get(f"/requests/{request.pk}/"))
    assert "差戻し" in detail and "有効開始日を確認してください" in detail and "再申請" in detail
    form = text(requester.get(f"/requests/{request.pk}/resubmit/"))
    assert re.search(r'value="view"[^>]*checked', form) and re.search(r'value="update"[^>]*checked', form)
    changed = {
        **privilege_payload(citizen()),
        "privileges": ["view"],
        "comment": "照会のみに直しました",
    }
    assert requester.post(f"/requests/{request.pk}/resubmit/", changed).status_code == 302
    request.refresh_from_db()
    assert (
        request.state == RequestState.SUBMITTED
        and request.round == 2
        and request.payload["privileges"] == ["view"]
    )

    withdrawn = requester.post(
        f"/requests/{request.pk}/withdraw/", {"comment": "異動のため"}, HTTP_HX_REQUEST="true"
    )
    assert "申請を取り下げました" in text(withdrawn)
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN


def test_a_chain_without_a_form_of_its_own_gets_a_form_from_the_pack(city, people):
    pack = active_pack()
    chain = next(c for c in pack.chains if not c.filed_by and c.form is None)
    page = text(session(people.outsider).get(f"/requests/new/{chain.kind}/"))
    assert chain.title in page and "申請の内容" in page


def test_a_chain_with_a_lead_time_asks_for_its_date_and_shows_a_late_filing_refused(db):
    """柳川市: a request to use terminals on a holiday is due 7 days before (第13条第3項)."""
    yanagawa = make_city("yanagawa")
    client = session(yanagawa.accounts["kacho.shimin"][0])  # 市民課長, a section head who files it
    kind = "terminals.off_hours_use"
    form = text(client.get(f"/requests/new/{kind}/"))
    assert 'name="use_date"' in form and 'type="date"' in form
    assert "対象日の7日前まで" in form and "第13条第3項" in form
    # YAN-12-3: only designated operators may be named, so the section has a terminal and an operator.
    kacho = yanagawa.accounts["kacho.shimin"][0]
    terminal = terminal_register(
        host_name="SHIMIN-PC01", unit=yanagawa.units["310"], actor=kacho, active_from=time.today()
    )
    designation_add(
        kind="terminal_operator",
        terminal=terminal,
        person=yanagawa.staff["310"][0],
        valid_from=time.today(),
        actor=kacho,
    )
    # No terminal named: the section's terminals; the hours asked for are outside 08:30–17:00.
    payload = {
        "unit": "310",
        "start_time": "18:00",
        "end_time": "20:00",
        "terminal": "",
        "operators": yanagawa.staff["310"][0].staff_number,
        "reason": "選挙事務",
    }
    late = (time.today() + dt.timedelta(days=3)).isoformat()
    refused = client.post(f"/requests/new/{kind}/", {**payload, "use_date": late})
    assert refused.status_code == 400
    assert "までに提出が必要です" in text(refused) and "根拠: 第13条第3項" in text(refused)
    assert not Request.objects.exists()
    on_time = (time.today() + dt.timedelta(days=10)).isoformat()
    filed = client.post(
        f"/requests/new/{kind}/", {**payload, "use_date": on_time, "request_title": "休日の端末使用"}
    )
    assert filed.status_code == 302
    request = Request.objects.get()
    assert request.title == "休日の端末使用" and request.target_date.isoformat() == on_time


# --- every page --------------------------------------------------------------------------------


def test_every_page_loads_its_scripts_and_styles_from_this_server_only(city, people):
    request = file_privilege(people)
    pages = {
        people.admin: [
            "/",
            "/requests/",
            "/requests/new/",
            f"/requests/new/{PRIVILEGE}/",
            f"/requests/{request.pk}/",
            "/approvals/",
            "/findings/",
            "/organisation/",
            "/organisation/roles/",
            "/regulations/",
            "/regulations/5/",
            "/accounts/",
            "/password/",
        ],
        people.approver: ["/approvals/", f"/requests/{request.pk}/"],
    }
    for user, urls in pages.items():
        client = session(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = text(response)
            assert not EXTERNAL.search(page), url
            assert "/static/mamori/htmx.min.js" in page and "/static/mamori/mamori.css" in page, url
    login = text(Client().get("/login/"))
    assert not EXTERNAL.search(login)
    assert "@import" not in login and "fonts.googleapis" not in login


def test_the_screens_render_before_any_pack_is_active(db):
    assert not Installation.objects.exists()
    page = text(Client().get("/login/"))
    assert "ログイン" in page and "自治体未設定" in page


def test_a_notification_is_marked_read_by_its_addressee_only(city, people):
    from mamori.workflows.models import Notification

    filed = file_privilege(people)
    note = Notification.objects.filter(person=people.approver.person, request=filed).get()
    assert session(people.outsider).post(f"/notifications/{note.pk}/read/").status_code == 404
    session(people.approver).post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is not None
    assert note.subject not in text(session(people.approver).get("/"))
