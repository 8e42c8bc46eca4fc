"""CSV and JSON-lines files are read as UTF-8 (with or without BOM) or CP932 and nothing else; a
guessed decoding is never kept (issue 14, and the ingest part of the access-control issue).  The
same rule for the staff and units import (organisation/csvfiles.py).  MAI-25: operation records are
stored as written, never as mojibake."""

from __future__ import annotations

import codecs

import pytest

from mamori.events.models import Event
from mamori.events.services import IngestRejected, event_source_save, events_ingest
from mamori.organisation.csvfiles import CsvUnreadable, decode, read_table

MAPPING = {"at": "日時", "account": "利用者", "subject": "対象"}
ROWS = "日時,利用者,対象\n2026-11-16 09:00,{name},100\n"


@pytest.fixture
def source(db):
    return event_source_save(code="ops", name="操作履歴", format="csv", mapping=MAPPING)


def test_mai_25_a_latin1_file_is_refused_naming_the_file_and_what_is_wrong(source):
    # Latin-1 "andrés" is valid CP932 by accident: 「andr駸」 must not be stored.
    data = ROWS.replace("日時,利用者,対象", "at,user,subject").format(name="andrés").encode("latin-1")
    other = event_source_save(
        code="latin", name="x", format="csv", mapping={"at": "at", "account": "user", "subject": "subject"}
    )
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=other, data=data, file_name="ops.csv")
    message = str(refused.value)
    assert "ops.csv" in message and "「" in message and "andr駸" in message
    assert "Latin-1" in message and "UTF-8 または CP932" in message
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (ROWS.format(name="佐藤").encode("utf-16"), "UTF-16 LE で保存されたファイルです"),
        ("at,user\n2026-11-16 09:00,José\n".encode("latin-1"), "UTF-8 でも CP932 でもありません"),
        (codecs.BOM_UTF8 + b"\xff\xfe", "UTF-8 の BOM がありますが"),
    ],
    ids=["utf16", "latin1", "bad-utf8-with-bom"],
)
def test_other_encodings_are_refused(data, reason):
    with pytest.raises(CsvUnreadable) as refused:
        decode(data, name="f.csv")
    assert str(refused.value).startswith("f.csv: ")
    if reason:
        assert reason in str(refused.value)


def test_utf8_with_and_without_bom_and_cp932_are_read(source):
    for data in (
        ROWS.format(name="髙橋①").encode("cp932"),
        ROWS.format(name="髙橋①").encode("utf-8"),
        codecs.BOM_UTF8 + ROWS.format(name="髙橋①").encode("utf-8"),
    ):
        text, _encoding = decode(data, name="f.csv")
        assert "髙橋①" in text
    report = events_ingest(source=source, data=ROWS.format(name="髙橋①").encode("cp932"), file_name="ops.csv")
    assert report.stored == 1 and Event.objects.get().account == "髙橋①"


def test_japanese_next_to_latin_letters_is_still_cp932():
    data = "名称,備考\nExcel出力,PC室\n住民票照会①,ＩＤ\n".encode("cp932")
    assert decode(data, name="f.csv")[1] == "cp932"


def test_a_jsonl_file_in_latin1_is_refused(db):
    jsonl = event_source_save(code="j", name="j", format="jsonl")
    data = '{"at": "2026-11-16T09:00:00+09:00", "kind": "search", "account": "andrés"}\n'.encode("latin-1")
    with pytest.raises(IngestRejected, match=r"ops\.jsonl"):
        events_ingest(source=jsonl, data=data, file_name="ops.jsonl")


def test_the_staff_import_refuses_a_latin1_file(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes("職員番号,氏名\n00101,".encode("cp932") + "andrés\n".encode("latin-1"))
    with pytest.raises(CsvUnreadable, match=r"staff\.csv: .*Latin-1"):
        read_table(path)
