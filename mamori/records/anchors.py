"""Anchors of the chains' heads, outside the database (MAI-25, YAN-20: records that cannot be
altered unnoticed).

The HMAC chain shows an edited, inserted or deleted row *inside* the chain, but whoever can write
to the database can cut its tail off and rewind ``records_recordhead``: what is left is a perfect,
shorter chain.  So every new head — of the record chain and of the event store's chunk chain — is
also appended, after its transaction commits, to a log file under ``MAMORI_HOME/anchors/``
(``record-head.log``, ``event-head.log``): one line per head, ``position<TAB>hash<TAB>time``,
written with O_APPEND, mode 0600.  ``verify`` compares the database with the newest anchor: a
database behind its anchor has lost its tail.  (For more, make the folder append-only
(``chattr +a``) or ship the lines to the syslog server.)

A line ``0<TAB>GENESIS`` starts the chain afresh: written by ``migrate`` only when the table is
empty (a new installation, or a test database flushed between tests), never otherwise.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from mamori.core import time

from .actions import RecordAction

RECORDS = "record-head"
EVENTS = "event-head"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    position: int
    hash: str
    at: str
    file: Path

    def describe(self) -> str:
        return f"{self.file} ({self.at}): #{self.position} {self.hash}"


def folder(using: str = DEFAULT_DB_ALIAS) -> Path:
    """Where the anchors of this database live.  A test database gets its own folder, so that suites
    run side by side (and their flushes) never read each other's anchors."""
    base = Path(getattr(settings, "MAMORI_ANCHOR_DIR", None) or Path(settings.HOME) / "anchors")
    conn = connections[using].settings_dict
    test_name = (conn.get("TEST") or {}).get("NAME")
    if test_name and str(conn.get("NAME")) == str(test_name):
        base = base / "test" / re.sub(r"[^A-Za-z0-9_.-]", "_", Path(str(test_name)).name)
    return base


def path_of(chain: str, using: str = DEFAULT_DB_ALIAS) -> Path:
    return folder(using) / f"{chain}.log"


def write(chain: str, position: int, value: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Append one head.  Called after commit: a failure is logged, never raised (the change is
    already committed), and ``verify`` then finds the database ahead of its anchor, which is fine."""
    path = path_of(chain, using)
    line = f"{position}\t{value}\t{time.now().isoformat(timespec='seconds')}\n".encode()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(handle, line)  # one write of one short line: appended whole
        finally:
            os.close(handle)
    except OSError:
        log.exception("could not anchor the head #%s of %s in %s", position, chain, path)


def on_commit(chain: str, position: int, value: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Anchor the head once the transaction that made it commits (never a head that rolled back)."""
    transaction.on_commit(lambda: write(chain, position, value, using=using), using=using)


def latest(chain: str, using: str = DEFAULT_DB_ALIAS) -> Anchor | None:
    """The furthest head anchored since the chain last started afresh (None: nothing anchored).
    Two processes may append their lines out of order, so the highest position counts, not the
    last line."""
    path = path_of(chain, using)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    best: Anchor | None = None
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        position = int(parts[0])
        if position == 0:
            best = None  # started afresh
            continue
        if best is None or position >= best.position:
            best = Anchor(position, parts[1], parts[2], path)
    return best


def restart(chain: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    write(chain, 0, "0" * 64, using=using)


# Other chains anchor their heads through the record that attests them (the event store's chunk
# record): action -> function giving (chain, position, value) of the entry's head.
Watcher = Callable[[object], tuple[str, int, str] | None]
WATCHERS: dict[RecordAction, Watcher] = {}


def watch(action: RecordAction, watcher: Watcher) -> None:
    WATCHERS[action] = watcher
