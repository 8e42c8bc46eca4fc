"""Benchmark of Windows event log ingestion with the integrity checks on (issue 14).

    .venv/bin/python bench/evtx.py [--copies 20] [--runs 3] [--database sqlite|postgres]

The file: the largest real Security sample (tests/fixtures/evtx/security.evtx, 2,261 records) with
its chunks repeated ``--copies`` times, renumbered and every CRC32 recomputed
(:func:`mamori.events.evtxfile.renumbered`), so it is a clean log of ~45,000 records.

In one run, alternating, ``--runs`` times each (the best of each is compared):

1. baseline: iterate the same file with the ``evtx`` package and ``json.loads`` every record;
2. mamori: ``events_ingest`` of the file into a fresh source — the file header and every chunk's
   CRC32s, EventRecordID continuity, channel check, reading, person logons stored with their
   fingerprints, chunk digests and chain, one Record per chunk and per batch.

It prints records per second of each and mamori's ratio to the baseline (target ≥ 0.8×), and the
time of the integrity check alone.  Runs in its own MAMORI_HOME (a temporary directory) or its own
PostgreSQL database (bench_evtx_<pid>, dropped at the end).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _scratch import scratch_home

ROOT = Path(__file__).resolve().parent.parent
# This file is called evtx.py: its own folder must not shadow the ``evtx`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "tests" / "fixtures" / "evtx" / "security.evtx"


def baseline(path: Path) -> tuple[float, int]:
    import evtx

    start = time.perf_counter()
    count = 0
    for record in evtx.PyEvtxParser(str(path)).records_json():
        json.loads(record["data"])
        count += 1
    return time.perf_counter() - start, count


def run(args, folder: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mamori.events import evtxfile
    from mamori.events.services import event_source_save, events_ingest

    call_command("migrate", verbosity=0)
    data = evtxfile.renumbered(SAMPLE.read_bytes(), first_id=1, copies=args.copies)
    path = folder / "security-large.evtx"
    path.write_bytes(data)
    vendor = connection.vendor
    print(
        f"mamori bench/evtx on {vendor}: {SAMPLE.name} ×{args.copies} renumbered = {len(data) / 2**20:.1f} MiB"
    )
    start = time.perf_counter()
    check = evtxfile.inspect(data, name=path.name)
    check_time = time.perf_counter() - start
    assert not check.refused, [f.message for f in check.findings]

    base_times, mamori_times = [], []
    records = stored = 0
    for n in range(args.runs):
        elapsed, records = baseline(path)
        base_times.append(elapsed)
        source = event_source_save(code=f"bench-{n}", name="bench", format="evtx")
        start = time.perf_counter()
        report = events_ingest(source=source, path=path)
        mamori_times.append(time.perf_counter() - start)
        assert report.read == records and not report.lossy, report.summary()
        stored = report.stored
    best_base, best_mamori = min(base_times), min(mamori_times)
    print(f"records: {records:,} (stored as person logons/logoffs: {stored:,}); best of {args.runs} runs")
    print(f"{'':<44}{'s':>8}{'records/s':>12}")
    print(f"{'baseline: evtx records_json + json.loads':<44}{best_base:>8.2f}{records / best_base:>12,.0f}")
    print(
        f"{'mamori: events_ingest (integrity checks on)':<44}{best_mamori:>8.2f}{records / best_mamori:>12,.0f}"
    )
    print(f"{'  of which the file check (header, CRC32s)':<44}{check_time:>8.3f}")
    ratio = best_base / best_mamori
    print(
        f"ratio mamori / baseline: {ratio:.2f}× (target ≥ 0.80×): {'ok' if ratio >= 0.8 else 'BELOW TARGET'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    with scratch_home(database=args.database, pg_url=args.pg_url, prefix="bench-evtx") as folder:
        run(args, folder)


if __name__ == "__main__":
    main()
