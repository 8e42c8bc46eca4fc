"""The expected numbers of the evtx tests, computed once by an independent reader and written to
``expected.json`` beside this file: python-evtx (pure Python, its own chunk and record parser),
never mamori's code nor the Rust ``evtx`` package mamori reads with.

    .venv/bin/pip install python-evtx   # in the dev extras
    .venv/bin/python tests/data/evtx/independent.py   # ~2 minutes: python-evtx renders XML slowly

python-evtx stops at the chunk count a header declares, and a log copied while Windows was writing
it (dirty flag) declares too few; so every 64 KiB slot with the ``ElfChnk`` signature is read here,
and python-evtx's own CRC32 functions say whether each chunk's header and records are intact."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from Evtx.Evtx import ChunkHeader

HERE = Path(__file__).parent
FILES = {
    "security.evtx": HERE.parent.parent / "fixtures" / "evtx" / "security.evtx",
    "sysmon.evtx": HERE / "sysmon.evtx",
    "Application_no_crc32.evtx": HERE / "Application_no_crc32.evtx",
    "new-user-security.evtx": HERE / "new-user-security.evtx",
}
PERSON = {"2", "7", "10", "11"}


def read(path: Path) -> dict:
    buf = path.read_bytes()
    chunks, events, channels = [], Counter(), Counter()
    person = []
    for slot, offset in enumerate(range(4096, len(buf) - 65535, 65536)):
        if buf[offset : offset + 8] != b"ElfChnk\x00":
            continue
        chunk = ChunkHeader(buf, offset)
        ids = []
        for record in chunk.records():
            xml = record.xml()
            number = record.record_num()
            ids.append(number)
            event_id = re.search(r"<EventID[^>]*>(\d+)<", xml).group(1)
            channel = re.search(r"<Channel>([^<]*)<", xml).group(1)
            logon = re.search(r'<Data Name="LogonType">(\d+)<', xml)
            logon_type = logon.group(1) if logon else "-"
            channels[channel] += 1
            events[f"{event_id}/{logon_type}"] += 1
            if channel == "Security" and (
                (event_id in ("4624", "4634") and logon_type in PERSON)
                or event_id in ("4647", "4800", "4801")
            ):
                person.append(number)
        chunks.append(
            {
                "slot": slot,
                "first": chunk.log_first_record_number(),
                "last": chunk.log_last_record_number(),
                "records": len(ids),
                "ids": [min(ids), max(ids)] if ids else None,
                "header_crc_ok": chunk.calculate_header_checksum() == chunk.header_checksum(),
                "records_crc_ok": chunk.calculate_data_checksum() == chunk.data_checksum(),
            }
        )
    return {
        "records": sum(c["records"] for c in chunks),
        "chunks": chunks,
        "channels": dict(channels),
        "events": dict(sorted(events.items())),
        "person_events": sorted(person),
    }


if __name__ == "__main__":
    result = {name: read(path) for name, path in FILES.items()}
    (HERE / "expected.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, values in result.items():
        print(name, values["records"], values["channels"], len(values["person_events"]))
