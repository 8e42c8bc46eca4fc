"""Windows event logs as they really come (issue 14): the file as a whole is checked before its
records are believed — header, chunk checksums, EventRecordID continuity — and every problem is a
named finding in Japanese.  A damaged file is refused (nothing written) or, with --quarantine,
stored in part with the loss stated and exit status 3; a file of another channel is refused.

MAI-25 (operation records kept whole and verifiable), FUK-18-1 / YAN-13-1 (the terminal's logons are
recorded): what is stored from a log is exactly what the log holds, or the gap is said.

Expected numbers come from an independent reader (python-evtx), computed once into
tests/data/evtx/expected.json by tests/data/evtx/independent.py, never from mamori itself."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mamori.events import evtxfile
from mamori.events.models import BatchState, Event, IngestBatch
from mamori.events.services import IngestRejected, event_source_save, events_ingest
from mamori.events.verify import events_verify
from mamori.records.models import Record

DATA = Path(__file__).parent / "data" / "evtx"
SECURITY = Path(__file__).parent / "fixtures" / "evtx" / "security.evtx"
SYSMON = DATA / "sysmon.evtx"
APPLICATION = DATA / "Application_no_crc32.evtx"
NEW_USER = DATA / "new-user-security.evtx"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
SEC = EXPECTED["security.evtx"]
PERSON_IDS = SEC["person_events"]
CHUNKS = {chunk["slot"]: chunk for chunk in SEC["chunks"]}
BODY = SECURITY.read_bytes()


@pytest.fixture
def windows(db):
    return event_source_save(code="win-security", name="Windows セキュリティログ", format="evtx")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def record_offset(data: bytes, record_id: int) -> int:
    """Where a record starts, found by walking the chunk by record sizes (the format, not mamori)."""
    for slot, chunk in CHUNKS.items():
        if chunk["first"] <= record_id <= chunk["last"]:
            base = 4096 + slot * 65536
            offset = 512
            while True:
                _magic, size, number = struct.unpack_from("<IIQ", data, base + offset)
                if number == record_id:
                    return base + offset
                offset += size
    raise LookupError(record_id)


def persons_in(first: int, last: int) -> int:
    return sum(1 for number in PERSON_IDS if first <= number <= last)


# --- a whole file ---------------------------------------------------------------------------------


def test_mai_25_a_real_security_log_matches_the_independent_reader(windows):
    report = events_ingest(source=windows, path=SECURITY)
    assert report.read == SEC["records"] == 2261
    assert report.stored == len(PERSON_IDS)  # the independent reader's person logons and logoffs
    assert sorted(Event.objects.values_list("line", flat=True)) == PERSON_IDS  # named by EventRecordID
    assert report.skipped_events[4624, 5] == SEC["events"]["4624/5"] == 416
    assert report.skipped_events[4672, None] == SEC["events"]["4672/-"]
    assert not report.lossy and not report.quarantined and not report.missing
    # A copy of a live log (dirty) with unused slots after its last chunk: reported, not refused.
    assert {f.code for f in report.findings} == {"dirty", "unused_slots"}
    assert IngestBatch.objects.get().state == BatchState.COMPLETE
    assert events_verify().ok


def test_the_command_prints_one_table_of_skipped_eventids_and_logon_types(windows, capsys):
    call_command("records", "ingest", str(SECURITY), "--source", "win-security")
    out = capsys.readouterr().out
    assert out.count("EventID  LogonType") == 1
    assert [line.split() for line in out.splitlines() if line.split()[:2] == ["4624", "5"]] == [
        ["4624", "5", "416", "人以外のログオン"]
    ]
    assert "未使用のチャンク領域 7 個（チャンク 27–33、ゼロ埋め）" in out


# --- truncated ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [866_713, 4096 + 5 * 65536, 4096 + 20 * 65536 + 100])
def test_mai_25_a_truncated_log_is_refused_naming_the_chunk(windows, tmp_path, cut):
    path = write(tmp_path, "t.evtx", BODY[:cut])
    whole = (cut - 4096) // 65536
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=windows, path=path)
    message = str(refused.value)
    assert f"ファイルがチャンク {whole + 1} / 26 で切れています" in message
    last_kept = CHUNKS[whole - 1]["last"]
    assert f"EventRecordID {last_kept + 1} 以降のレコードが失われています" in message
    assert "--quarantine" in message
    assert not Event.objects.exists() and not IngestBatch.objects.exists()


@pytest.mark.parametrize("cut", [866_713, 4096 + 20 * 65536 + 100])
def test_mai_25_with_quarantine_a_truncated_log_stores_what_it_has_and_states_the_loss(
    windows, tmp_path, cut
):
    path = write(tmp_path, "t.evtx", BODY[:cut])
    whole = (cut - 4096) // 65536
    last_kept = CHUNKS[whole - 1]["last"]
    report = events_ingest(source=windows, path=path, quarantine=tmp_path / "bad.tsv")
    assert report.read == sum(CHUNKS[slot]["records"] for slot in range(whole)) == last_kept
    assert report.stored == persons_in(1, last_kept)
    assert report.missing == 2225 - last_kept and report.missing_at_least  # the header's next number, a floor
    assert report.lossy
    batch = IngestBatch.objects.get()
    assert batch.state == BatchState.PARTIAL and batch.missing == report.missing
    assert any(finding["code"] == "truncated" for finding in batch.findings)
    assert "truncated" in (tmp_path / "bad.tsv").read_text(encoding="utf-8") or "切れています" in (
        tmp_path / "bad.tsv"
    ).read_text(encoding="utf-8")
    assert events_verify().ok


def test_a_cut_in_the_unused_space_after_the_last_chunk_loses_nothing(windows, tmp_path):
    path = write(tmp_path, "t.evtx", BODY[: 4096 + 30 * 65536 + 1000])
    report = events_ingest(source=windows, path=path)
    assert report.stored == len(PERSON_IDS) and not report.lossy
    assert "unused_cut" in {f.code for f in report.findings}


def test_a_header_only_file_is_refused_and_with_quarantine_exits_3(windows, tmp_path, capsys):
    path = write(tmp_path, "h.evtx", BODY[:4096])
    with pytest.raises(IngestRejected, match="チャンク 1 / 26 で切れています"):
        events_ingest(source=windows, path=path)
    with pytest.raises(SystemExit) as exited:
        call_command(
            "records",
            "ingest",
            str(path),
            "--source",
            "win-security",
            "--quarantine",
            str(tmp_path / "q.tsv"),
        )
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert "一部だけを保存しました" in err and "2225 件以上" in err
    assert IngestBatch.objects.get().state == BatchState.PARTIAL


# --- damaged inside -------------------------------------------------------------------------------


def test_mai_25_overwritten_bytes_refuse_the_file_naming_chunk_and_records(windows, tmp_path):
    """200 bytes overwritten at record 1452: its chunk fails its checksum and, from 1452 on, no
    reader can follow the records (the issue's 50 records 1452–1501)."""
    data = bytearray(BODY)
    at = record_offset(BODY, 1452)
    data[at : at + 200] = b"\xaa" * 200
    path = write(tmp_path, "o.evtx", bytes(data))
    chunk = next(c for c in SEC["chunks"] if c["first"] <= 1452 <= c["last"])
    number = chunk["slot"] + 1
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=windows, path=path)
    message = str(refused.value)
    assert (
        f"チャンク {number}（EventRecordID {chunk['first']}–{chunk['last']}、{chunk['records']} レコード）"
        in message
    )
    assert "レコード部のチェックサムが一致しません" in message
    assert (
        f"チャンク {number}: EventRecordID 1452–{chunk['last']} の {chunk['last'] - 1451} レコードを読めません"
        in message
    )
    assert not Event.objects.exists()

    report = events_ingest(source=windows, path=path, quarantine=tmp_path / "bad.tsv")
    assert report.quarantined == chunk["records"]  # the whole chunk: a CRC cannot say which record changed
    assert report.stored == len(PERSON_IDS) - persons_in(chunk["first"], chunk["last"])
    assert report.read == SEC["records"]
    lines = (tmp_path / "bad.tsv").read_text(encoding="utf-8").splitlines()
    assert any(
        line.split("\t")[1:3] == [f"{chunk['first']}-{chunk['last']}", f"chunk {number}"] for line in lines
    )
    assert events_verify().ok


def test_mai_25_a_record_altered_behind_its_chunk_checksum_is_not_stored_as_genuine(windows, tmp_path):
    """One bit of a logon's account name changed, the CRC32 left alone: python-evtx's own checksum
    says the chunk is altered; mamori refuses it, and with --quarantine does not store its records."""
    from Evtx.Evtx import ChunkHeader

    target = PERSON_IDS[0]
    chunk = next(c for c in SEC["chunks"] if c["first"] <= target <= c["last"])
    data = bytearray(BODY)
    data[record_offset(BODY, target) + 300] ^= 0x01
    independent = ChunkHeader(bytes(data), 4096 + chunk["slot"] * 65536)
    assert independent.calculate_data_checksum() != independent.data_checksum()
    path = write(tmp_path, "c.evtx", bytes(data))
    with pytest.raises(IngestRejected, match=f"チャンク {chunk['slot'] + 1}（EventRecordID"):
        events_ingest(source=windows, path=path)
    events_ingest(source=windows, path=path, quarantine=tmp_path / "bad.tsv")
    assert target not in set(Event.objects.values_list("line", flat=True))
    assert Event.objects.count() == len(PERSON_IDS) - persons_in(chunk["first"], chunk["last"])


def test_a_damaged_string_cache_is_damage_but_its_records_hold(windows, tmp_path):
    """Chunk 1's header checksum broken in its string cache, its records intact: the two bytes
    the public sample security_bad_string_cache.evtx zeroes (a string-table entry, chunk bytes
    148–149).  The reader survives it; a bogus pointer there instead would make the chunk's
    records unreadable, and they would be quarantined by EventRecordID."""
    data = bytearray(BODY)
    data[4096 + 148 : 4096 + 150] = b"\0\0"
    path = write(tmp_path, "s.evtx", bytes(data))
    with pytest.raises(
        IngestRejected, match="チャンク 1（EventRecordID 1–91）: チャンクヘッダーのチェックサム"
    ):
        events_ingest(source=windows, path=path)
    report = events_ingest(source=windows, path=path, quarantine=tmp_path / "bad.tsv")
    assert report.stored == len(PERSON_IDS) and report.quarantined == 0
    assert report.lossy  # stored, but the file was damaged: exit 3 tells the scheduler


def test_a_broken_file_header_checksum_is_damage(windows, tmp_path):
    data = bytearray(BODY)
    data[60] ^= 0x01  # inside the CRC-covered, otherwise unused part of the header
    path = write(tmp_path, "f.evtx", bytes(data))
    with pytest.raises(IngestRejected, match="ファイルヘッダーのチェックサムが一致しません"):
        events_ingest(source=windows, path=path)


def without_chunk(data: bytes, slot: int) -> bytes:
    """The file with one chunk cut out and its header made consistent again (count and CRC)."""
    header = bytearray(data[:4096])
    count = struct.unpack_from("<H", header, 42)[0] - 1
    struct.pack_into("<Q", header, 16, count - 1)  # the last chunk's number
    struct.pack_into("<H", header, 42, count)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    start = 4096 + slot * 65536
    return bytes(header) + data[4096:start] + data[start + 65536 :]


def test_mai_25_a_chunk_cut_out_is_a_named_gap_of_record_ids(windows, tmp_path):
    gone = CHUNKS[10]
    path = write(tmp_path, "g.evtx", without_chunk(BODY, 10))
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=windows, path=path)
    assert f"EventRecordID {gone['first']}–{gone['last']} の {gone['records']} レコードがありません" in str(
        refused.value
    )
    report = events_ingest(source=windows, path=path, quarantine=tmp_path / "bad.tsv")
    assert report.missing == gone["records"]
    assert report.stored == len(PERSON_IDS) - persons_in(gone["first"], gone["last"])


# --- not a log, or not this log -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "空のファイルです"), (b"Date,User\n2026-11-16,a\n" * 50, "先頭が署名 ElfFile ではありません")],
    ids=["empty", "text"],
)
def test_an_unreadable_file_is_refused_even_with_quarantine(windows, tmp_path, content, reason):
    path = write(tmp_path, "x.evtx", content)
    with pytest.raises(IngestRejected, match=reason):
        events_ingest(source=windows, path=path, quarantine=tmp_path / "bad.tsv")
    assert not IngestBatch.objects.exists()


def test_a_directory_or_a_missing_file_is_one_line_and_a_non_zero_exit(windows, tmp_path):
    with pytest.raises(CommandError, match="ディレクトリです") as refused:
        call_command("records", "ingest", str(tmp_path), "--source", "win-security")
    assert "\n" not in str(refused.value)
    with pytest.raises(CommandError, match="ファイルがありません"):
        call_command("records", "ingest", str(tmp_path / "none.evtx"), "--source", "win-security")
    with pytest.raises(IngestRejected, match="ディレクトリです"):  # the service says the same
        events_ingest(source=windows, path=tmp_path)


def test_a_log_of_another_channel_is_refused_naming_it(windows):
    with pytest.raises(IngestRejected) as refused:
        events_ingest(source=windows, path=APPLICATION, quarantine=None)
    assert str(refused.value).splitlines()[0] == (
        "Application_no_crc32.evtx: このファイルは Application ログです（取込元は Security を想定）"
    )
    with pytest.raises(IngestRejected, match="このファイルは Microsoft-Windows-Sysmon/Operational ログです"):
        events_ingest(source=windows, path=SYSMON, quarantine="/dev/null")
    assert not IngestBatch.objects.exists()


def test_junk_slots_after_the_last_chunk_lose_nothing(db):
    expected = EXPECTED["sysmon.evtx"]
    source = event_source_save(
        code="sysmon", name="Sysmon", format="evtx", channels=["Microsoft-Windows-Sysmon/Operational"]
    )
    report = events_ingest(source=source, path=SYSMON)
    assert report.read == expected["records"] == 358
    assert report.skipped == 358 and not report.lossy  # nothing here is a logon
    codes = {finding.code for finding in report.findings}
    assert codes == {"dirty", "junk_slots"}
    assert "署名のない領域 8 個（チャンク 10–17" in next(
        f.message for f in report.findings if f.code == "junk_slots"
    )


def test_a_source_may_accept_several_channels_and_a_file_without_checksums(db):
    source = event_source_save(
        code="win", name="Windows", format="evtx", channels=["Security", "Application"]
    )
    report = events_ingest(source=source, path=APPLICATION)
    assert report.read == EXPECTED["Application_no_crc32.evtx"]["records"] == 17
    assert {f.code for f in report.findings} == {"no_checksums"} and not report.lossy
    clean = events_ingest(source=source, path=NEW_USER)
    assert clean.read == EXPECTED["new-user-security.evtx"]["records"] and clean.findings == []


def test_an_evtx_source_expects_security_by_default(db):
    assert event_source_save(code="w", name="w", format="evtx").channels == ["Security"]
    assert event_source_save(code="c", name="c", format="jsonl").channels == []
    with pytest.raises(ValueError, match="evtx の取込元だけ"):
        event_source_save(code="j", name="j", format="jsonl", channels=["Security"])


# --- 64-bit record numbers ------------------------------------------------------------------------


def test_mai_25_record_ids_above_2_31_are_stored_on_both_engines(windows, tmp_path):
    """A Security log numbered from 3,000,000,000 (security.evtx renumbered, CRCs recomputed)."""
    base = 3_000_000_000
    data = evtxfile.renumbered(BODY, first_id=base)
    from Evtx.Evtx import ChunkHeader

    first_chunk = ChunkHeader(data, 4096)  # the independent reader agrees with the new numbers
    assert first_chunk.log_first_record_number() == base
    assert first_chunk.calculate_data_checksum() == first_chunk.data_checksum()
    path = write(tmp_path, "big.evtx", data)
    report = events_ingest(source=windows, path=path)
    assert report.stored == len(PERSON_IDS) and not report.lossy
    assert sorted(Event.objects.values_list("line", flat=True)) == [base - 1 + n for n in PERSON_IDS]
    again = events_ingest(source=windows, path=path)
    assert (again.stored, again.duplicate) == (0, len(PERSON_IDS))
    assert events_verify().ok


# --- batches never left running -------------------------------------------------------------------


def test_a_killed_ingest_is_marked_interrupted_by_the_next_run(windows):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    import socket

    from mamori.core import time

    left = IngestBatch.objects.create(
        source=windows, file_name="old.evtx", started_at=time.now(), process=f"{socket.gethostname()}:{pid}"
    )
    report = events_ingest(source=windows, path=NEW_USER)
    left.refresh_from_db()
    assert left.state == BatchState.INTERRUPTED
    assert (
        f"バッチ #{left.pk}（old.evtx" in report.interrupted[0]
        and "中断されていました" in report.interrupted[0]
    )
    assert Record.objects.filter(action="events.batch.interrupted", object_id=str(left.pk)).exists()


def test_a_crashed_ingest_marks_its_batch_interrupted(windows, monkeypatch):
    from mamori.events import services

    def crash(**_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_commit_chunk", crash)
    with pytest.raises(RuntimeError):
        events_ingest(source=windows, path=SECURITY)
    batch = IngestBatch.objects.get()
    assert batch.state == BatchState.INTERRUPTED
    assert "異常終了" in batch.message and "disk full" in batch.message
