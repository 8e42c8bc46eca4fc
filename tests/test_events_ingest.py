"""Ingesting operation events: real Windows Security logs, a CP932 CSV through a mapping, JSON lines;
idempotent re-ingest; a bad line refuses the whole file; quarantine.  (FUK-18-1, YAN-13-1: the
terminal's operating status is recorded; KIT-10: training use is kept as such.)"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import evtx
import pytest

from mamori.events.models import Event, EventKind, IngestBatch
from mamori.events.services import IngestRejected, event_source_save, events_ingest
from mamori.events.verify import events_verify
from mamori.records.models import Record

FIXTURES = Path(__file__).parent / "fixtures"
SECURITY = FIXTURES / "evtx" / "security.evtx"
SIZE_T = FIXTURES / "evtx" / "Security_with_size_t.evtx"
CSV = FIXTURES / "events" / "jukiki_2026-11.csv"
MAPPING = {
    "at": "操作日時",
    "account": "操作者ID",
    "host": "端末名",
    "system": "業務システム",
    "subject": "宛名番号",
    "kind": "処理区分",
    "action": "操作内容",
    "result_count": "件数",
    "training": "研修",
    "date_format": "%Y/%m/%d %H:%M:%S",
    "kinds": {"照会": "search", "更新": "operation", "抽出": "extract", "印刷": "print"},
}


def what_the_file_has(path: Path) -> Counter:
    """Counted independently of mamori's parser: person logons, logoffs, everything else."""
    counts: Counter = Counter()
    for record in evtx.PyEvtxParser(str(path)).records_json():
        event = json.loads(record["data"])["Event"]
        event_id = event["System"]["EventID"]
        logon_type = (event.get("EventData") or {}).get("LogonType")
        if event_id == 4624 and logon_type in (2, 7, 10, 11):
            counts["logon"] += 1
        elif event_id == 4647 or (event_id == 4634 and logon_type in (2, 7, 10, 11)):
            counts["logoff"] += 1
        elif event_id in (4800, 4801):
            counts["lock"] += 1
        else:
            counts["other"] += 1
    return counts


@pytest.fixture
def windows(db):
    return event_source_save(code="win-security", name="Windows セキュリティログ", format="evtx")


@pytest.fixture
def jukiki(db):
    return event_source_save(code="jukiki", name="住民記録システム操作履歴", format="csv", mapping=MAPPING)


@pytest.fixture
def api_source(db):
    return event_source_save(code="api", name="API", format="jsonl", system="jukiki")


@pytest.mark.parametrize("path", [SECURITY, SIZE_T], ids=["security", "size_t"])
def test_fuk_18_1_logons_and_logoffs_of_a_real_security_log_match_the_file(windows, path):
    """FUK-18-1 (端末機の稼働状況を記録) and the data YAN-13-1's operating-hours rule reads: every person's
    logon and logoff of a real log is stored, every other record counted as skipped with a reason."""
    expected = what_the_file_has(path)
    report = events_ingest(source=windows, path=path)
    kinds = Counter(Event.objects.values_list("kind", flat=True))
    assert kinds[EventKind.LOGON] == expected["logon"] > 0
    assert kinds[EventKind.LOGOFF] == expected["logoff"] > 0
    assert report.stored == expected["logon"] + expected["logoff"] + expected["lock"]
    # Nothing dropped silently: every record is stored or skipped with a reason.
    assert report.read == sum(expected.values()) == report.stored + report.skipped
    assert sum(report.skipped_reasons.values()) == report.skipped
    assert any("LogonType 5" in reason for reason in report.skipped_reasons)


def test_a_windows_logon_keeps_the_account_host_session_and_logon_type(windows):
    events_ingest(source=windows, path=SECURITY)
    logon = Event.objects.filter(kind=EventKind.LOGON).order_by("at", "id").first()
    assert logon.account and logon.host and logon.session.startswith("0x")
    assert logon.logon_type in (2, 7, 10, 11)
    assert logon.action == "4624"
    assert logon.at.utcoffset() is not None


def test_reingesting_the_same_file_adds_nothing(windows):
    first = events_ingest(source=windows, path=SECURITY)
    again = events_ingest(source=windows, path=SECURITY)
    assert again.stored == 0
    assert again.duplicate == first.stored
    assert again.earlier_batches == [first.batch_id]
    assert Event.objects.count() == first.stored
    assert events_verify().ok


def test_kit_10_a_cp932_csv_through_the_source_mapping(jukiki, people):
    report = events_ingest(source=jukiki, path=CSV)
    assert (report.read, report.stored, report.skipped) == (6, 6, 0)
    events = list(Event.objects.order_by("at", "id"))
    first = events[0]
    assert first.kind == EventKind.SEARCH
    assert first.action == "住民票照会①"  # a character CP932 has and shift_jis lacks
    assert first.subject == "100200300"
    assert first.system == "jukiki"
    assert first.person_id == people.approver.person_id  # resolved from the account
    assert events[2].kind == EventKind.EXTRACT and events[2].result_count == 1250
    assert events[2].action == "髙齢者世帯抽出"
    # KIT-10: use marked as 研修 is stored as training; two identical lines are two operations.
    training = [event for event in events if event.training]
    assert len(training) == 2
    assert events[-1].person_id is None  # an account nobody holds stays unresolved
    again = events_ingest(source=jukiki, path=CSV)
    assert (again.stored, again.duplicate) == (0, 6)


def test_a_bad_csv_line_is_refused_naming_the_file_line_and_csv_column(jukiki):
    data = CSV.read_bytes().decode("cp932").replace(",1250,", ",千件,").encode("cp932")
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=jukiki, data=data, file_name="jukiki.csv")
    assert "jukiki.csv:4: 件数: 整数ではありません: '千件'" in str(refused.value)
    assert not Event.objects.exists()


def test_a_csv_missing_a_mapped_column_is_refused_naming_it(db):
    source = event_source_save(
        code="other",
        name="x",
        format="csv",
        mapping={"at": "日時", "account": "利用者", "subject": "宛名番号"},
    )
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=source, data="日時,利用者\n2026-11-16 09:00,a\n".encode())
    assert "宛名番号" in str(refused.value)
    assert not Event.objects.exists()


def jsonl(*lines: dict | str) -> bytes:
    return "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    ).encode()


GOOD = {
    "at": "2026-11-16T09:00:00+09:00",
    "kind": "search",
    "account": "shokuin",
    "subject": "100",
    "result_count": 3,
}


def test_a_bad_line_refuses_the_whole_file_naming_file_line_and_field(api_source):
    data = jsonl(
        GOOD, {**GOOD, "subject": "101"}, {**GOOD, "at": "2026-13-45 25:00"}, {**GOOD, "result_count": "多数"}
    )
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=api_source, data=data, file_name="ops.jsonl")
    message = str(refused.value)
    assert "ops.jsonl:3: at:" in message
    assert "ops.jsonl:4: result_count:" in message
    assert not Event.objects.exists()
    assert not IngestBatch.objects.exists()


def test_quarantine_stores_the_good_lines_and_writes_the_bad_ones_with_reasons(api_source, tmp_path):
    quarantine = tmp_path / "bad.tsv"
    data = jsonl(GOOD, "{not json", "", {**GOOD, "kind": "delete"}, {**GOOD, "subject": "102"})
    report = events_ingest(source=api_source, data=data, file_name="ops.jsonl", quarantine=quarantine)
    assert (report.read, report.stored, report.quarantined, report.skipped) == (5, 2, 2, 1)
    assert report.skipped_reasons == {"空行": 1}
    lines = quarantine.read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split("\t")[1:3] for line in lines] == [["2", "json"], ["4", "kind"]]
    assert "{not json" in lines[0]
    assert Event.objects.count() == 2


def test_text_with_a_separator_control_character_is_refused(api_source):
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=api_source, data=jsonl({**GOOD, "subject": "1\x1f2"}), file_name="x.jsonl")
    assert "x.jsonl:1: subject:" in str(refused.value)


def test_each_chunk_appends_a_record_and_the_batch_one_more(api_source):
    data = jsonl(*({**GOOD, "subject": str(n)} for n in range(25)))
    before = Record.objects.count()
    report = events_ingest(source=api_source, data=data, chunk_size=10)
    assert report.stored == 25
    actions = list(Record.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert actions == ["events.chunk.appended"] * 3 + ["events.batch.ingested"]
    assert events_verify().chunks == 3


def test_after_ingest_hooks_run_with_the_batch(api_source):
    from mamori.events import hooks
    from mamori.events.services import batch_id_range

    seen = []

    def hook(batch):
        seen.append((batch.pk, batch_id_range(batch)))

    hooks.after_ingest(hook)
    try:
        report = events_ingest(source=api_source, data=jsonl(GOOD, {**GOOD, "subject": "2"}))
    finally:
        hooks.AFTER_INGEST.remove(hook)
    first, last = seen[0][1]
    assert seen[0][0] == report.batch_id and last - first == 1
