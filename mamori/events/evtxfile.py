"""The integrity of a Windows event log file (.evtx) as a whole, before any record is believed.

The ``evtx`` reader (Rust) reads records; it checks no checksum, reads on past the chunk count a
header declares, and skips what it cannot read with one English message.  So a truncated file, a
chunk altered behind its checksum or a gap in the record numbers would look like a shorter, genuine
log.  This module reads the file's own structure — the published format, see libevtx's
"Windows XML Event Log (EVTX) format" — and names every problem as a :class:`Finding`:

* the file header (4096 bytes): signature ``ElfFile``, CRC32 of its first 120 bytes, the declared
  chunk count against the file size, the flags (0x1 dirty: a copy of a log still being written, whose
  header lags behind its chunks — not damage; 0x4: written without checksums);
* each 64 KiB chunk: signature ``ElfChnk``, the CRC32 of its header (bytes 0–120 and 128–512) and of
  its event records (512 up to the free-space offset), the first and last EventRecordID it declares;
* the EventRecordIDs of the whole file, chunks sorted by their first ID (a log wraps around, so
  file order is not ID order): any gap is a range of records missing.

Slots after the last used chunk — zero-filled, or junk left by a copy — lose nothing and are only
reported.  A chunk whose records fail their checksum is *untrusted*: its records are not stored as
genuine (a CRC32 cannot say which record changed), and :func:`trusted_copy` builds the file the
reader then parses, without them.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from dataclasses import dataclass, field
from enum import StrEnum

FILE_MAGIC = b"ElfFile\x00"
CHUNK_MAGIC = b"ElfChnk\x00"
RECORD_MAGIC = 0x00002A2A
HEADER_BLOCK = 4096
CHUNK_SIZE = 65536
RECORDS_START = 512
RECORD_HEADER = 24  # magic, size, record id, written time; the size is repeated in the last 4 bytes
FLAG_DIRTY, FLAG_FULL, FLAG_NO_CRC32 = 0x1, 0x2, 0x4


class Severity(StrEnum):
    LOSS = "loss"  # records missing or not trustworthy: refused unless --quarantine
    DAMAGE = "damage"  # the structure is damaged though no record is lost: refused unless --quarantine
    INFO = "info"  # reported, never refused (unused slots, a dirty header)


@dataclass
class Finding:
    """One named problem of a file, in Japanese with the technical detail after it."""

    code: str
    severity: Severity
    message: str
    chunk: int | None = None  # 1-based position of the chunk slot in the file
    first_id: int | None = None
    last_id: int | None = None
    count: int = 0  # records concerned (0 when unknown or none)

    @property
    def refuses(self) -> bool:
        return self.severity is not Severity.INFO

    def where(self) -> str:
        if self.first_id is None:
            return f"チャンク {self.chunk}" if self.chunk else "ファイル"
        ids = id_range(self.first_id, self.last_id)
        return f"チャンク {self.chunk} {ids}" if self.chunk else ids


def id_range(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    if last is None:
        return f"EventRecordID {first} 以降"
    return f"EventRecordID {first}" if first == last else f"EventRecordID {first}–{last}"


@dataclass
class Chunk:
    slot: int  # 0-based slot in the file
    first_id: int
    last_id: int
    free: int
    header_ok: bool
    records_ok: bool
    walked: tuple[int, int] | None = None  # (first, last) record IDs the structure walk reached
    stop: str = ""  # why the walk ended before the free-space offset

    @property
    def number(self) -> int:
        return self.slot + 1

    @property
    def trusted(self) -> bool:
        """Its records are stored: the records' checksum holds (the header's alone may fail: the
        string and template caches it covers are not record content)."""
        return self.records_ok and not self.stop

    @property
    def count(self) -> int:
        return self.last_id - self.first_id + 1 if self.last_id >= self.first_id else 0


@dataclass
class FileCheck:
    name: str
    size: int
    readable: bool = True  # False: not an evtx file at all (nothing can be stored from it)
    declared_chunks: int = 0
    next_record: int = 0
    flags: int = 0
    chunks: list[Chunk] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    missing: int = 0  # records known absent (gaps, cut-off chunks)
    missing_at_least: bool = False  # the count is a lower bound (a cut-off file's tail)

    @property
    def refused(self) -> bool:
        return any(finding.refuses for finding in self.findings)

    @property
    def all_trusted(self) -> bool:
        return all(chunk.trusted for chunk in self.chunks)

    def trusted_ranges(self) -> list[tuple[int, int]]:
        return [(c.first_id, c.last_id) for c in self.chunks if c.trusted and c.count]

    def untrusted_records(self) -> int:
        return sum(chunk.count for chunk in self.chunks if not chunk.trusted)

    def add(self, code: str, severity: Severity, message: str, **where) -> None:
        self.findings.append(Finding(code, severity, message, **where))


def _crc(data: bytes | memoryview) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def chunk_header_crc(chunk: bytes | memoryview) -> int:
    return zlib.crc32(chunk[128:RECORDS_START], zlib.crc32(chunk[:120])) & 0xFFFFFFFF


def _walk(chunk: memoryview, end: int) -> tuple[list[int], str]:
    """The record IDs found by following record sizes from byte 512 up to ``end``, and why it
    stopped early ('' if it reached ``end``)."""
    ids: list[int] = []
    offset = RECORDS_START
    unpack = struct.unpack_from
    while offset < end:
        if offset + RECORD_HEADER > CHUNK_SIZE:
            return ids, f"レコードの見出しがチャンクの終わりを越えています (offset {offset})"
        magic, size, record_id = unpack("<IIQ", chunk, offset)
        if magic != RECORD_MAGIC:
            return ids, f"レコードの署名が正しくありません (offset {offset}: {magic:#010x})"
        if size < RECORD_HEADER + 4 or offset + size > CHUNK_SIZE:
            return ids, f"レコードの長さが不正です (offset {offset}: {size} バイト)"
        if unpack("<I", chunk, offset + size - 4)[0] != size:
            return ids, f"レコードの末尾の長さが一致しません (offset {offset})"
        ids.append(record_id)
        offset += size
    return ids, ""


def _slots(first: int, last: int) -> str:
    return f"チャンク {first}" if first == last else f"チャンク {first}–{last}"


def _group(numbers: list[int]) -> list[tuple[int, int]]:
    groups: list[tuple[int, int]] = []
    for number in numbers:
        if groups and groups[-1][1] == number - 1:
            groups[-1] = (groups[-1][0], number)
        else:
            groups.append((number, number))
    return groups


def inspect(data: bytes, *, name: str) -> FileCheck:
    """Check a whole evtx file held in memory; never raises for a damaged file."""
    check = FileCheck(name=name, size=len(data))
    view = memoryview(data)
    if not data:
        check.readable = False
        check.add("not_evtx", Severity.LOSS, "evtx ファイルとして読めません（空のファイルです）")
        return check
    if data[:8] != FILE_MAGIC:
        check.readable = False
        shown = data[:8].decode("ascii", "replace")
        check.add(
            "not_evtx",
            Severity.LOSS,
            f"evtx ファイルとして読めません（先頭が署名 ElfFile ではありません: {shown!r}）",
        )
        return check
    if len(data) < 128:
        check.readable = False
        check.add(
            "not_evtx",
            Severity.LOSS,
            f"evtx ファイルとして読めません（ファイルヘッダーの途中で切れています: {len(data)} バイト）",
        )
        return check
    _first_chunk, _last_chunk, next_record = struct.unpack_from("<QQQ", view, 8)
    _header_size, minor, major, block, declared = struct.unpack_from("<IHHHH", view, 32)
    flags, header_crc = struct.unpack_from("<II", view, 120)
    check.declared_chunks, check.next_record, check.flags = declared, next_record, flags
    no_crc = bool(flags & FLAG_NO_CRC32)
    dirty = bool(flags & FLAG_DIRTY)
    if major != 3 or block != HEADER_BLOCK:
        check.readable = False
        check.add(
            "not_evtx",
            Severity.LOSS,
            f"対応していない evtx の版です（版 {major}.{minor}、ヘッダーブロック {block} バイト）",
        )
        return check
    if no_crc:
        check.add(
            "no_checksums",
            Severity.INFO,
            "チェックサムなしで書かれたファイルです（ヘッダーのフラグ 0x4）: 破損はレコードの構造と"
            "番号の連続性でのみ確かめます",
        )
    elif _crc(view[:120]) != header_crc:
        check.add(
            "header_checksum",
            Severity.DAMAGE,
            f"ファイルヘッダーのチェックサムが一致しません（CRC32 記録値 {header_crc:#010x}、"
            f"計算値 {_crc(view[:120]):#010x}）",
        )
    if dirty:
        check.add(
            "dirty",
            Severity.INFO,
            "書込み中のログを複写したファイルです（ヘッダーの dirty フラグ）: ヘッダーのチャンク数・"
            "次のレコード番号は実際より古いことがあり、損傷ではありません",
        )

    body = len(data) - HEADER_BLOCK
    whole = max(body, 0) // CHUNK_SIZE
    partial = max(body, 0) % CHUNK_SIZE
    empty_slots: list[int] = []  # 0-based slots without a chunk signature
    junk: dict[int, bool] = {}  # slot → all zeros?
    for slot in range(whole):
        start = HEADER_BLOCK + slot * CHUNK_SIZE
        chunk = view[start : start + CHUNK_SIZE]
        if chunk[:8] != CHUNK_MAGIC:
            empty_slots.append(slot)
            junk[slot] = not any(chunk)
            continue
        first_id, last_id = struct.unpack_from("<QQ", chunk, 24)
        free, records_crc = struct.unpack_from("<II", chunk, 48)
        stored_header_crc = struct.unpack_from("<I", chunk, 124)[0]
        if no_crc:
            header_ok = records_ok = True
        else:
            header_ok = chunk_header_crc(chunk) == stored_header_crc
            records_ok = (
                RECORDS_START <= free <= CHUNK_SIZE and _crc(chunk[RECORDS_START:free]) == records_crc
            )
        item = Chunk(slot, first_id, last_id, free, header_ok, records_ok)
        if not (header_ok and records_ok) or no_crc:
            end = free if RECORDS_START <= free <= CHUNK_SIZE else CHUNK_SIZE
            ids, item.stop = _walk(chunk, end)
            item.walked = (ids[0], ids[-1]) if ids else None
            if ids and any(b != a + 1 for a, b in itertools.pairwise(ids)):
                item.stop = item.stop or "レコード番号がチャンク内で連続していません"
            if not header_ok and ids:  # the header's own fields are not to be believed
                item.first_id, item.last_id = ids[0], ids[-1] if not item.stop else max(ids[-1], last_id)
        check.chunks.append(item)

    used = [chunk.slot for chunk in check.chunks]
    last_used = max(used) if used else -1
    # Slots up to the last used one, or up to the declared count, should hold chunks; the rest is
    # unused space a log file keeps ahead of itself.
    expected_end = max(last_used + 1, declared)
    lost_slots = [slot for slot in empty_slots if slot < expected_end]
    spare = [slot for slot in empty_slots if slot >= expected_end]
    for first, last in _group(lost_slots):
        zeros = all(junk[slot] for slot in range(first, last + 1))
        check.add(
            "chunk_unreadable",
            Severity.LOSS,
            f"{_slots(first + 1, last + 1)}: チャンクの署名がなく、中のレコードを読めません"
            f"（{'ゼロで埋まっています' if zeros else '署名 ElfChnk がありません'}）",
            chunk=first + 1,
        )
    if whole < declared:
        check.add(
            "truncated",
            Severity.LOSS,
            f"ファイルがチャンク {whole + 1} / {declared} で切れています（{len(data):,} バイト。"
            f"ヘッダーは {declared} チャンク = {HEADER_BLOCK + declared * CHUNK_SIZE:,} バイトを宣言）",
            chunk=whole + 1,
        )
    if partial and whole >= declared:
        start = HEADER_BLOCK + whole * CHUNK_SIZE
        if partial >= 8 and data[start : start + 8] == CHUNK_MAGIC:  # a chunk beyond a lagging header
            check.add(
                "truncated",
                Severity.LOSS,
                f"ファイルがチャンク {whole + 1} の途中で切れています（{partial:,} / {CHUNK_SIZE:,} バイト）",
                chunk=whole + 1,
            )
        else:
            check.add(
                "unused_cut",
                Severity.INFO,
                f"末尾の未使用領域（チャンク {whole + 1}）が途中で切れています: 失われたレコードはありません",
                chunk=whole + 1,
            )
    if spare:
        zeros = [slot for slot in spare if junk[slot]]
        garbage = [slot for slot in spare if not junk[slot]]
        if zeros:
            check.add(
                "unused_slots",
                Severity.INFO,
                f"未使用のチャンク領域 {len(zeros)} 個（{_slots(zeros[0] + 1, zeros[-1] + 1)}、ゼロ埋め）:"
                " 失われたレコードはありません",
                chunk=zeros[0] + 1,
            )
        if garbage:
            check.add(
                "junk_slots",
                Severity.INFO,
                f"最後の使用チャンクの後に、署名のない領域 {len(garbage)} 個"
                f"（{_slots(garbage[0] + 1, garbage[-1] + 1)}、以前の内容の残り）: 失われたレコードはありません",
                chunk=garbage[0] + 1,
            )

    for chunk in check.chunks:
        where = {"chunk": chunk.number, "first_id": chunk.first_id, "last_id": chunk.last_id}
        if not chunk.header_ok:
            check.add(
                "chunk_header_checksum",
                Severity.DAMAGE,
                f"チャンク {chunk.number}（{id_range(chunk.first_id, chunk.last_id)}）: チャンクヘッダーの"
                "チェックサムが一致しません（文字列・テンプレートの索引が壊れています）"
                + ("。レコード部のチェックサムは一致しています" if chunk.records_ok else ""),
                **where,
            )
        if not chunk.records_ok:
            readable = (
                f"構造を読めるのは {id_range(*chunk.walked)}"
                if chunk.walked
                else "構造を読めるレコードはありません"
            )
            check.add(
                "chunk_checksum",
                Severity.LOSS,
                f"チャンク {chunk.number}（{id_range(chunk.first_id, chunk.last_id)}、{chunk.count} レコード）:"
                f" レコード部のチェックサムが一致しません。改変・破損の可能性があるため、このチャンクの"
                f"レコードは保存しません（{readable}）",
                count=chunk.count,
                **where,
            )
        if chunk.stop and chunk.records_ok:
            check.add(
                "chunk_records_unreadable",
                Severity.LOSS,
                f"チャンク {chunk.number}: レコードを最後まで読めません（{chunk.stop}）",
                count=chunk.count,
                **where,
            )
        if chunk.stop and chunk.walked and chunk.walked[1] < chunk.last_id:
            first, last = chunk.walked[1] + 1, chunk.last_id
            check.add(
                "records_unreadable",
                Severity.LOSS,
                f"チャンク {chunk.number}: {id_range(first, last)} の {last - first + 1} レコードを読めません"
                f"（{chunk.stop}）",
                chunk=chunk.number,
                first_id=first,
                last_id=last,
                count=last - first + 1,
            )

    _continuity(check, dirty=dirty, whole=whole)
    return check


def _continuity(check: FileCheck, *, dirty: bool, whole: int) -> None:
    """Gaps and overlaps between the chunks' EventRecordID ranges, sorted by their first ID."""
    ranges = sorted((c.first_id, c.last_id, c.number) for c in check.chunks if c.count)
    for (_, last, number), (first, _, following) in itertools.pairwise(ranges):
        if first > last + 1:
            count = first - last - 1
            check.missing += count
            check.add(
                "records_missing",
                Severity.LOSS,
                f"{id_range(last + 1, first - 1)} の {count} レコードがありません"
                f"（チャンク {number} と チャンク {following} の間）",
                first_id=last + 1,
                last_id=first - 1,
                count=count,
            )
        elif first <= last:
            check.add(
                "records_duplicated",
                Severity.DAMAGE,
                f"{id_range(first, last)} が チャンク {number} と チャンク {following} の両方にあります",
                first_id=first,
                last_id=last,
            )
    highest = ranges[-1][1] if ranges else 0
    cut = any(finding.code == "truncated" for finding in check.findings)
    if cut:
        # A cut-off file: what comes after the last whole chunk is lost; the header's next record
        # number gives a lower bound (a dirty header lags behind).
        expected = check.next_record - 1
        count = max(expected - highest, 0)
        check.missing += count
        check.missing_at_least = True
        detail = f"ヘッダーでは {expected} まで、{count} 件以上" if count else "件数はわかりません"
        check.add(
            "records_cut",
            Severity.LOSS,
            f"{id_range(highest + 1, None)}のレコードが失われています（{detail}）",
            first_id=highest + 1,
            count=count,
        )
    elif not dirty and ranges and check.next_record - 1 > highest:
        count = check.next_record - 1 - highest
        check.missing += count
        check.add(
            "records_missing",
            Severity.LOSS,
            f"{id_range(highest + 1, check.next_record - 1)} の {count} レコードがありません"
            f"（ヘッダーの次のレコード番号は {check.next_record}）",
            first_id=highest + 1,
            last_id=check.next_record - 1,
            count=count,
        )


def trusted_copy(data: bytes, check: FileCheck) -> bytes:
    """The file with only its trusted chunks (in their order) behind a header declaring them: what
    the record reader parses when some chunk is not to be believed."""
    slots = [chunk.slot for chunk in check.chunks if chunk.trusted]
    header = bytearray(data[:HEADER_BLOCK])
    struct.pack_into("<QQ", header, 8, 0, max(len(slots) - 1, 0))
    struct.pack_into("<H", header, 42, len(slots))
    struct.pack_into("<I", header, 120, check.flags & ~FLAG_DIRTY)
    struct.pack_into("<I", header, 124, _crc(header[:120]))
    parts = [bytes(header)]
    for slot in slots:
        start = HEADER_BLOCK + slot * CHUNK_SIZE
        parts.append(data[start : start + CHUNK_SIZE])
    return b"".join(parts)


def renumbered(data: bytes, *, first_id: int, copies: int = 1) -> bytes:
    """A new file from the used chunks of ``data`` (in ID order), repeated ``copies`` times and
    renumbered from ``first_id``, with every checksum recomputed: a large or high-numbered log made
    from a real one, for tests and benchmarks."""
    check = inspect(data, name="source")
    source = sorted((c for c in check.chunks if c.trusted), key=lambda c: c.first_id)
    chunks: list[bytes] = []
    number = first_id
    for _ in range(copies):
        for item in source:
            start = HEADER_BLOCK + item.slot * CHUNK_SIZE
            chunk = bytearray(data[start : start + CHUNK_SIZE])
            first = number
            offset = RECORDS_START
            while offset < item.free:
                size = struct.unpack_from("<I", chunk, offset + 4)[0]
                struct.pack_into("<Q", chunk, offset + 8, number)
                number += 1
                offset += size
            struct.pack_into("<QQQQ", chunk, 8, first, number - 1, first, number - 1)
            struct.pack_into("<I", chunk, 52, _crc(chunk[RECORDS_START : item.free]))
            struct.pack_into("<I", chunk, 124, chunk_header_crc(chunk))
            chunks.append(bytes(chunk))
    header = bytearray(data[:HEADER_BLOCK])
    struct.pack_into("<QQQ", header, 8, 0, len(chunks) - 1, number)
    struct.pack_into("<H", header, 42, len(chunks))
    struct.pack_into("<I", header, 120, 0)
    struct.pack_into("<I", header, 124, _crc(header[:120]))
    return bytes(header) + b"".join(chunks)
