"""The units and staff CSV import (mamori import units|staff FILE [--apply])."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mamori.organisation.imports import (
    ChangeKind,
    ImportRejected,
    staff_apply,
    staff_preview,
    units_apply,
    units_preview,
)
from mamori.organisation.models import Assignment, Employment, Person, Post, Unit
from mamori.records.models import Record

HEADER = "職員番号,氏名,氏名カナ,任用区分,所属コード,職名,任用開始日,任用終了日,所属会社,メール"
JANUARY = dt.date(2026, 1, 5)
APRIL_1 = dt.date(2026, 4, 1)


@pytest.fixture
def small_org(db) -> dict[str, Unit]:
    """総務部 with two 課, each with a 課長 post."""
    bu = Unit.objects.create(code="100", name="総務部", level="部")
    soumu = Unit.objects.create(code="110", name="総務課", level="課", parent=bu)
    jouhou = Unit.objects.create(code="130", name="情報政策課", level="課", parent=bu)
    Post.objects.create(code="110-01", unit=soumu, title="課長")
    Post.objects.create(code="130-01", unit=jouhou, title="課長")
    return {"100": bu, "110": soumu, "130": jouhou}


def write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


STAFF = [
    HEADER,
    "00101,高橋 一郎,タカハシ イチロウ,正規職員,110,課長,1998-04-01,,,takahashi@city.example.jp",
    "00102,渡辺 花子,ワタナベ ハナコ,正規職員,110,主事,2015/4/1,,,watanabe@city.example.jp",
    "00103,佐藤 健太,サトウ ケンタ,会計年度任用職員,130,事務補助,2025-04-01,2026-03-31,,",
]


def import_staff(path: Path, effective: dt.date = JANUARY) -> None:
    staff_apply(plan=staff_preview(path=path, effective=effective))


@pytest.mark.django_db
def test_it_imports_a_cp932_file(small_org, tmp_path):
    # ㈱ is one of the NEC extensions of CP932: a shift_jis reading would fail on it.
    lines = [
        *STAFF,
        "90001,渡辺 誠,ワタナベ マコト,委託事業者職員,130,保守要員,2025-04-01,2026-03-31,"
        "㈱みどり情報サービス,",
    ]
    path = write(tmp_path, "staff.csv", lines, "cp932")

    plan = staff_preview(path=path, effective=JANUARY)
    assert plan.encoding == "cp932"
    staff_apply(plan=plan)

    assert Person.objects.get(staff_number="00101").name == "高橋 一郎"
    vendor = Person.objects.get(staff_number="90001")
    assert vendor.company == "㈱みどり情報サービス"
    assert vendor.employment == Employment.CONTRACTOR
    assert Person.objects.get(staff_number="00102").term_start == dt.date(2015, 4, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_it_imports_utf8_with_and_without_bom(small_org, tmp_path, encoding):
    path = write(tmp_path, "staff.csv", STAFF, encoding)

    plan = staff_preview(path=path, effective=JANUARY)
    assert plan.encoding == encoding
    staff_apply(plan=plan)

    # With a BOM the first column is still 職員番号, not "\ufeff職員番号".
    assert sorted(Person.objects.values_list("staff_number", flat=True)) == ["00101", "00102", "00103"]
    head = Assignment.objects.get(person__staff_number="00101")
    assert head.post == Post.objects.get(code="110-01")
    clerk = Assignment.objects.get(person__staff_number="00102")
    assert (clerk.unit.code, clerk.post, clerk.title, clerk.start) == ("110", None, "主事", JANUARY)


@pytest.mark.django_db
def test_it_rejects_the_whole_file_for_one_bad_row(small_org, tmp_path):
    lines = [*STAFF]
    lines[2] = "00102,渡辺 花子,ワタナベ ハナコ,臨時,110,主事,2015-04-01,,,"
    path = write(tmp_path, "staff.csv", lines)
    records_before = Record.objects.count()

    with pytest.raises(ImportRejected) as rejected:
        staff_preview(path=path, effective=JANUARY)

    assert [str(e) for e in rejected.value.errors] == [
        "staff.csv:3: 任用区分: 「臨時」は正規職員・会計年度任用職員・再任用職員・委託事業者職員のいずれかです"
    ]
    assert not Person.objects.exists()
    assert not Assignment.objects.exists()
    assert Record.objects.count() == records_before


@pytest.mark.django_db
def test_it_reports_every_bad_row_at_once(small_org, tmp_path):
    path = write(
        tmp_path,
        "staff.csv",
        [
            HEADER,
            "00101,高橋 一郎,,正規職員,110,課長,1998-04-01,,,",
            "00102,,,正規職員,999,主事,2015-04-01,,,",  # no name, unknown unit
            "00103,佐藤 健太,,会計年度任用職員,130,事務補助,2025-04-01,,,",  # fixed term without an end
            "00104,田中 陽子,,再任用職員,130,主任,2026-04-01,2025-03-31,,",  # ends before it starts
            "00105,伊藤 翔,,正規職員,130,主事,2026/13/01,,,not-an-address",  # bad date, bad address
            "00101,高橋 二郎,,正規職員,110,主事,2020-04-01,,,",  # number used on line 2
        ],
    )

    with pytest.raises(ImportRejected) as rejected:
        staff_preview(path=path, effective=JANUARY)

    found = {(e.file, e.line, e.field) for e in rejected.value.errors}
    assert found == {
        ("staff.csv", 3, "氏名"),
        ("staff.csv", 3, "所属コード"),
        ("staff.csv", 4, "任用終了日"),
        ("staff.csv", 5, "任用終了日"),
        ("staff.csv", 6, "任用開始日"),
        ("staff.csv", 6, "メール"),
        ("staff.csv", 7, "職員番号"),
    }
    assert "2 行目と重複" in next(e.message for e in rejected.value.errors if e.line == 7)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_file_without_a_required_column_is_rejected_on_line_1(small_org, tmp_path):
    path = write(tmp_path, "staff.csv", [HEADER.replace(",任用区分", ""), "00101,高橋 一郎,,110,課長,,,,"])

    with pytest.raises(ImportRejected) as rejected:
        staff_preview(path=path, effective=JANUARY)

    assert [str(e) for e in rejected.value.errors] == ["staff.csv:1: 任用区分: 列がありません"]


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(small_org, tmp_path):
    path = write(tmp_path, "staff.csv", STAFF)
    import_staff(path)
    records, assignments = Record.objects.count(), list(Assignment.objects.values())

    for effective in (JANUARY, JANUARY + dt.timedelta(days=30)):
        plan = staff_preview(path=path, effective=effective)
        assert plan.is_empty
        assert plan.changes == []
        assert plan.lines() == ["変更はありません"]
        staff_apply(plan=plan)

    assert Record.objects.count() == records
    assert list(Assignment.objects.values()) == assignments


@pytest.mark.django_db
def test_a_transfer_preview_lists_every_move_before_apply(small_org, tmp_path):
    import_staff(write(tmp_path, "staff.csv", STAFF))
    transfers = write(
        tmp_path,
        "transfers.csv",
        [
            HEADER,
            # 渡辺 is promoted to 課長 of 情報政策課 (a post); 高橋 leaves that post to be 参与 of the 部.
            "00102,渡辺 花子,ワタナベ ハナコ,正規職員,130,課長,2015-04-01,,,watanabe@city.example.jp",
            "00101,高橋 一郎,タカハシ イチロウ,正規職員,100,参与,1998-04-01,,,takahashi@city.example.jp",
        ],
    )
    records = Record.objects.count()

    plan = staff_preview(path=transfers, effective=APRIL_1)

    moves = {c.staff_number: c for c in plan.moves()}
    assert set(moves) == {"00101", "00102"}
    assert (moves["00102"].old.unit_code, moves["00102"].new.unit_code) == ("110", "130")
    assert moves["00102"].new.post_code == "130-01"
    assert moves["00101"].new.title == "参与"
    assert all(c.kind == ChangeKind.MOVED and c.effective == APRIL_1 for c in plan.changes)
    assert (
        "異動 職員 00102 渡辺 花子: 総務課 主事 → 情報政策課 課長 (2026-04-01付、旧配置は2026-03-31まで)"
        in plan.lines()
    )
    assert any("ファイルにない職員 1 名" in note for note in plan.notes)
    # The preview wrote nothing.
    assert Record.objects.count() == records
    assert not Assignment.objects.filter(end__isnull=False).exists()

    staff_apply(plan=plan)

    old = Assignment.objects.get(person__staff_number="00102", unit__code="110")
    new = Assignment.objects.get(person__staff_number="00102", unit__code="130")
    assert old.end == dt.date(2026, 3, 31)
    assert (new.start, new.end, new.post.code) == (APRIL_1, None, "130-01")
    on_march_31 = Assignment.objects.on(dt.date(2026, 3, 31)).get(person__staff_number="00101")
    on_april_1 = Assignment.objects.on(APRIL_1).get(person__staff_number="00101")
    assert (on_march_31.unit.code, on_april_1.unit.code, on_april_1.title) == ("110", "100", "参与")
    # 佐藤 was not in the file: untouched.
    assert Assignment.objects.get(person__staff_number="00103").end is None
    assert staff_preview(path=transfers, effective=APRIL_1).is_empty


@pytest.mark.django_db
def test_a_corrected_transfer_list_sent_again_fixes_the_move_in_place(small_org, tmp_path):
    import_staff(write(tmp_path, "staff.csv", STAFF))
    moved = "00102,渡辺 花子,ワタナベ ハナコ,正規職員,{unit},主事,2015-04-01,,,watanabe@city.example.jp"
    import_staff(write(tmp_path, "first.csv", [HEADER, moved.format(unit="130")]), APRIL_1)

    import_staff(write(tmp_path, "second.csv", [HEADER, moved.format(unit="100")]), APRIL_1)

    rows = list(
        Assignment.objects.filter(person__staff_number="00102")
        .order_by("start")
        .values_list("unit__code", "start", "end")
    )
    assert rows == [("110", JANUARY, dt.date(2026, 3, 31)), ("100", APRIL_1, None)]


@pytest.mark.django_db
def test_it_writes_a_record_for_each_imported_row(small_org, tmp_path):
    path = write(tmp_path, "staff.csv", STAFF)
    import_staff(path)

    people = {p.pk: p for p in Person.objects.all()}
    imported = Record.objects.filter(action="organisation.person.imported")
    assert sorted(int(r.object_id) for r in imported) == sorted(people)
    assert {r.after["staff_number"] for r in imported} == {"00101", "00102", "00103"}
    assert all(
        r.object_type == "organisation.Person"
        and r.retention_class == "organisation"
        and r.actor_id is None
        and r.before is None
        for r in imported
    )
    placed = Record.objects.filter(action="organisation.assignment.imported")
    assert sorted(int(r.object_id) for r in placed) == sorted(Assignment.objects.values_list("pk", flat=True))

    changed = [*STAFF]
    changed[2] = changed[2].replace("watanabe@city.example.jp", "h-watanabe@city.example.jp")
    import_staff(write(tmp_path, "staff2.csv", changed))

    updated = Record.objects.get(action="organisation.person.updated")
    assert updated.object_id == str(Person.objects.get(staff_number="00102").pk)
    assert (updated.before["email"], updated.after["email"]) == (
        "watanabe@city.example.jp",
        "h-watanabe@city.example.jp",
    )
    assert Record.objects.filter(action__startswith="organisation.").count() == 3 + 3 + 1


@pytest.mark.django_db
def test_it_imports_units_with_parents_later_in_the_file(small_org, tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        [
            "所属コード,名称,区分,上位所属コード,廃止日",
            "231,情報システム課,課,230,",
            "230,DX推進室,室,200,",
            "200,企画財政部,部,,",
            "130,情報政策課,課,100,2026-03-31",  # existing: now abolished
        ],
    )

    plan = units_preview(path=path)
    assert [c.kind for c in plan.changes] == [ChangeKind.UNIT_CREATED] * 3 + [ChangeKind.UNIT_CHANGED]
    assert "変更 所属 130 情報政策課: 廃止日: (空欄) → 2026-03-31" in plan.lines()
    units_apply(plan=plan)

    assert Unit.objects.get(code="231").parent.code == "230"
    assert Unit.objects.get(code="230").parent.code == "200"
    assert Unit.objects.get(code="200").parent is None
    assert Unit.objects.get(code="130").valid_to == dt.date(2026, 3, 31)
    assert Record.objects.filter(action="organisation.unit.imported").count() == 3
    assert Record.objects.get(action="organisation.unit.updated").after["valid_to"] == "2026-03-31"
    assert units_preview(path=path).is_empty


@pytest.mark.django_db
def test_a_units_file_with_a_cycle_or_an_unknown_parent_is_rejected(small_org, tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        [
            "所属コード,名称,区分,上位所属コード",
            "300,市民部,部,310",
            "310,市民課,課,300",
            "320,保険年金課,課,399",
            "310,市民課,課,300",
        ],
    )

    with pytest.raises(ImportRejected) as rejected:
        units_preview(path=path)

    assert {(e.line, e.field) for e in rejected.value.errors} == {
        (2, "上位所属コード"),
        (4, "上位所属コード"),
        (5, "所属コード"),
    }
    assert "循環" in next(e.message for e in rejected.value.errors if e.line == 2)
    assert Unit.objects.count() == 3


@pytest.mark.django_db
def test_the_command_refuses_without_apply_and_applies_with_it(small_org, tmp_path):
    path = write(tmp_path, "staff.csv", STAFF, "cp932")
    out = StringIO()

    call_command("import_data", "staff", str(path), "--effective", "2026/01/05", stdout=out)

    text = out.getvalue()
    assert "文字コード cp932" in text
    assert "新規 職員 00101 高橋 一郎 (正規職員)" in text
    assert "(--apply で反映します)" in text
    assert not Person.objects.exists()

    out = StringIO()
    call_command("import_data", "staff", str(path), "--effective", "2026-01-05", "--apply", stdout=out)

    assert Person.objects.count() == 3
    assert Assignment.objects.filter(start=JANUARY).count() == 3
    assert "反映しました" in out.getvalue()

    bad = write(
        tmp_path, "bad.csv", [HEADER, "00109,山田 太郎,,臨時,110,主事,,,,", "00110,,,正規職員,110,,,,,"]
    )
    err = StringIO()
    with pytest.raises(CommandError, match="2 件のエラー"):
        call_command("import_data", "staff", str(bad), "--apply", stdout=StringIO(), stderr=err)
    assert "bad.csv:2: 任用区分: " in err.getvalue()
    assert "bad.csv:3: 氏名: 値がありません" in err.getvalue()
    assert Person.objects.count() == 3
