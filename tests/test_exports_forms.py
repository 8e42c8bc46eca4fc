"""A filed request printed as its pack form (KIT-5-2 別記様式1, KIT-8-1 別記様式2) with the approval
trail (KIT-5-4), and the 様式第1号 端末機操作員報告書 table (YAN-12-3)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from mamori.core import time
from mamori.exports.forms import (
    NoForm,
    designation_report_export,
    form_of,
    request_form_pdf,
    request_form_xlsx,
)
from mamori.exports.tables import table_pdf, table_xlsx
from mamori.regulations.loader import get_pack
from mamori.workflows.models import Request
from mamori.workflows.services import current_step, request_decide, request_file
from tests.conftest import TODAY
from tests.test_exports_tables import pdf_text
from tests.test_kitami_privilege import privilege_request


def sheet_text(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[str(v) for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]


def approved_privilege_request(city, people) -> Request:
    request = privilege_request(city, people)
    return request_decide(
        step=current_step(request), actor=people.approver, action="approve", comment="登録済み", on=TODAY
    )


def test_kit_5_2_the_privilege_request_prints_as_form_1_with_its_payload_in_words(city, people):
    request = approved_privilege_request(city, people)
    _pack, form = form_of(request)
    assert form.id == "beki1" and form.title == "システム使用者の操作権限登録(解除)申請書"
    rows = sheet_text(request_form_xlsx(request))
    lines = {row[0]: row[1] for row in rows if len(row) == 2}
    person = city.staff["310"][0]
    assert lines["登録・解除の別"] == "登録(指定)"  # the choice by its label, not "grant"
    assert lines["システム使用者(職員番号)"] == f"{person.name}（{person.staff_number}）"
    assert lines["操作権限"] == "view、update"
    assert lines["有効開始日"] == time.wareki(TODAY)
    assert lines["申請番号"] == f"第{request.pk}号"
    assert lines["申請日"] == time.wareki(request.filed_at)
    assert lines["申請者の資格"] == "情報セキュリティ責任者"
    assert lines["状態"] == "完了"


def test_kit_5_4_the_form_carries_the_approval_trail_who_when_capacity_article(city, people):
    request = approved_privilege_request(city, people)
    rows = sheet_text(request_form_xlsx(request))
    start = next(i for i, row in enumerate(rows) if row and row[0] == "日時")
    trail = rows[start + 1 :]
    filed, registered = trail[0], trail[1]
    assert filed[1] == "申請" and filed[2] == people.requester.person.name
    assert registered[1] == "承認"
    assert registered[2] == people.approver.person.name
    assert "第5条第4項" in registered  # the article the registration was made under
    assert any("登録済み" in cell for cell in registered)
    assert registered[0].startswith("令和")


def test_kit_5_4_the_form_pdf_embeds_the_font_and_shows_the_trail(city, people):
    request = approved_privilege_request(city, people)
    content = request_form_pdf(request)
    assert b"IPAexGothic" in content
    text = pdf_text(content)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "システム使用者の操作権限登録(解除)申請書" in text
    assert people.approver.person.name in text
    assert "第5条第4項" in text
    assert "審査・決定の経過" in text


def test_an_open_request_shows_the_step_still_waiting(city, people):
    request = privilege_request(city, people)
    rows = sheet_text(request_form_xlsx(request))
    assert any("登録（審査待ち）" in row for row in rows)


def test_kit_8_1_a_password_request_prints_as_form_2(city, people):
    """別記様式2 (第8条第1項): filed by the 情報セキュリティ責任者 for a 会計年度任用職員."""
    person = city.staff["310"][-1]  # the 会計年度任用職員 of 市民課
    request = request_file(
        kind="access.password",
        actor=people.requester,
        on=TODAY,
        payload={
            "action": "register",
            "person": person.staff_number,
            "system": "SYS01",
            "reason": "新規任用",
        },
    )
    _pack, form = form_of(request)
    assert form.id == "beki2" and form.title == "システム使用者のパスワード申請書"
    lines = {row[0]: row[1] for row in sheet_text(request_form_xlsx(request)) if len(row) == 2}
    assert lines["登録・変更の別"] == "登録"
    assert lines["システム使用者(職員番号)"] == f"{person.name}（{person.staff_number}）"
    assert lines["理由"] == "新規任用"
    # The password itself is never on the form (第8条: the form asks for it, mamori never holds it).
    assert not any(
        "パスワード:" in cell or "仮パスワード" in cell
        for row in sheet_text(request_form_xlsx(request))
        for cell in row
    )
    content = request_form_pdf(request)
    assert b"IPAexGothic" in content
    text = pdf_text(content)
    if text is not None:
        assert "システム使用者のパスワード申請書" in text and person.name in text


def test_a_kind_without_a_form_is_refused_by_name(city, people):
    request = Request.objects.create(
        kind="systems.other_use",
        title="その他の使用",
        pack="kitami",
        chain_title="行政情報システムのその他の使用",
        requester=people.requester.person,
        filed_by=people.requester,
        filed_at=time.now(),
    )
    with pytest.raises(NoForm) as missing:
        form_of(request)
    assert "systems.other_use" in str(missing.value)


def test_yan_12_3_the_terminal_operator_report_is_a_table_of_the_form_1_fields(db):
    """柳川市 第12条第3項: 端末機操作員報告書 (様式第1号) to the 情報セキュリティ責任者."""
    pack = get_pack("yanagawa")
    export = designation_report_export(
        pack=pack,
        form_id="yoshiki1",
        rows=[("市民課", "市民 課長", "T-001", ["柳川 一郎", "柳川 二郎"], dt.date(2026, 4, 1))],
        unit_name="市民課",
        reported_by="市民 課長",
        reported_to="情報セキュリティ責任者",
        on=TODAY,
    )
    rows = sheet_text(table_xlsx(export))
    assert rows[0] == ["端末機操作員報告書"]
    header = next(row for row in rows if row and row[0] == "所管課" and len(row) > 2)
    assert header == ["所管課", "端末責任者", "端末機", "端末機操作員(氏名)", "指定年月日"]
    data = rows[rows.index(header) + 1]
    assert data[:4] == ["市民課", "市民 課長", "T-001", "柳川 一郎、柳川 二郎"]
    meta = {row[0]: row[1] for row in rows if len(row) == 2}
    assert meta["報告日"] == "令和8年11月16日"
    assert "第12条第3項" in meta["根拠"]
    export.rows = [("市民課", "市民 課長", "T-001", ["柳川 一郎"], dt.date(2026, 4, 1))]
    content = table_pdf(export)
    assert b"IPAexGothic" in content
    text = pdf_text(content)
    if text is not None:
        assert "端末機操作員報告書" in text and "柳川 一郎" in text and "令和8年4月1日" in text
