"""What an ingest says: the refusal (:class:`IngestRejected`) and the report (:class:`IngestReport`).

Re-exported by :mod:`mamori.events.services`.  Records of a Windows log are 「レコード」 named by
their EventRecordID; lines of a CSV or JSON-lines file are 「行」 named by their line number.  A
refusal always says what was found, that nothing was stored, and — where it would help — that
``--quarantine`` stores what can be read and states the loss (exit status 3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import parsers
from .evtxfile import Finding, Severity, id_range

SHOWN = 20
OTHER_ROWS = 10  # EventIDs shown one per row; the rest share one row
QUARANTINE_HINT = (
    "読める{noun}だけを保存し、{loss}を記録するには --quarantine 隔離ファイル.tsv を付けて実行して"
    "ください（終了コード 3 で終わります）"
)


def _record_lines(file_name: str, errors: list[parsers.Bad]) -> list[str]:
    """Bad records grouped into ranges of consecutive EventRecordIDs with the same reason."""
    lines = []
    runs: list[list[parsers.Bad]] = []
    for error in errors:
        last = runs[-1][-1] if runs else None
        if last is not None and error.line == last.line + 1 and error.reason == last.reason:
            runs[-1].append(error)
        else:
            runs.append([error])
    for run in runs:
        if len(run) == 1:
            lines.append(run[0].describe(file_name))
        else:
            first, last = run[0].line, run[-1].line
            lines.append(f"{file_name}: {id_range(first, last)}（{len(run)} レコード）: {run[0].reason}")
    return lines


def describe_errors(file_name: str, errors: list[parsers.Bad], limit: int = SHOWN) -> list[str]:
    if errors and errors[0].unit == "record":
        lines = _record_lines(file_name, errors)
    else:
        lines = [error.describe(file_name) for error in errors]
    if len(lines) > limit:
        lines = [*lines[:limit], f"…ほか {len(lines) - limit} 件"]
    return lines


class IngestRejected(Exception):
    """Nothing was stored: the file has bad lines or records, is damaged, unreadable, or of
    another channel than the source expects.  ``errors`` are the bad lines (the API returns them),
    ``findings`` the problems of the file as a whole."""

    def __init__(
        self,
        file_name: str,
        errors: list[parsers.Bad] | None = None,
        total: int | None = None,
        *,
        findings: list[Finding] | None = None,
        headline: str | None = None,
        hint: str = "",
    ) -> None:
        self.file_name = file_name
        self.errors = list(errors or [])
        self.total = len(self.errors) if total is None else total
        self.findings = list(findings or [])
        records = bool(self.errors) and self.errors[0].unit == "record"
        if headline is None:
            if self.findings and any(finding.refuses for finding in self.findings):
                headline = (
                    f"{file_name}: ファイルが壊れているため取り込みませんでした（何も保存していません）"
                )
            elif records:
                headline = (
                    f"{file_name}: {self.total} レコードを読めないため、ファイル全体を取り込みませんでした"
                )
            else:
                headline = f"{file_name}: {self.total} 行に誤りがあるため、ファイル全体を取り込みませんでした"
        lines = [headline + ":" if (self.findings or self.errors) else headline]
        ordered = sorted(self.findings, key=lambda finding: not finding.refuses)
        lines += [f"  {'×' if finding.refuses else '・'} {finding.message}" for finding in ordered]
        lines += describe_errors(file_name, self.errors)
        if hint:
            lines.append(hint)
        self.hint = hint
        super().__init__("\n".join(lines))


@dataclass
class IngestReport:
    file_name: str
    batch_id: int | None = None
    read: int = 0
    stored: int = 0
    duplicate: int = 0
    skipped: int = 0
    quarantined: int = 0
    missing: int = 0  # evtx: EventRecordIDs absent from the file
    missing_at_least: bool = False
    unit: str = "line"  # "line" (CSV, JSON lines) or "record" (evtx)
    skipped_reasons: Counter = field(default_factory=Counter)
    skipped_events: Counter = field(default_factory=Counter)  # (EventID, LogonType) → count
    findings: list[Finding] = field(default_factory=list)
    errors: list[parsers.Bad] = field(default_factory=list)
    earlier_batches: list[int] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)  # earlier batches found killed, now marked
    hook_errors: list[str] = field(default_factory=list)

    @property
    def lossy(self) -> bool:
        """Stored with --quarantine while something was lost, quarantined or damaged: exit 3."""
        return bool(self.quarantined or self.missing or any(f.refuses for f in self.findings))

    def summary(self) -> str:
        text = (
            f"{self.file_name}: 読込 {self.read} 件、保存 {self.stored} 件、重複 {self.duplicate} 件、"
            f"対象外 {self.skipped} 件、隔離 {self.quarantined} 件"
        )
        if self.missing or self.missing_at_least:
            text += f"、欠落 {self.missing} 件{'以上' if self.missing_at_least else ''}"
        if self.earlier_batches:
            text += f" (同じファイルの取込: バッチ #{', #'.join(map(str, self.earlier_batches))})"
        return text

    def loss_lines(self) -> list[str]:
        """The loss in full: each finding, then the unreadable records by range."""
        lines = [f"{'×' if f.refuses else '・'} {f.message}" for f in self.findings if f.refuses]
        lines += describe_errors(self.file_name, self.errors, limit=100)
        return lines

    def notes(self) -> list[str]:
        return [f"・ {finding.message}" for finding in self.findings if not finding.refuses]

    def skipped_table(self) -> list[str]:
        """One table of what was not an operation event, with counts."""
        if not self.skipped:
            return []
        lines = [f"対象外 {self.skipped} 件の内訳:"]
        if self.skipped_events:
            lines.append(f"  {'EventID':>7}  {'LogonType':>9}  {'件数':>6}  理由")
            logons = sorted((key, n) for key, n in self.skipped_events.items() if key[1] is not None)
            others = sorted(
                ((key, n) for key, n in self.skipped_events.items() if key[1] is None),
                key=lambda item: -item[1],
            )
            for (event_id, logon_type), count in logons:
                lines.append(f"  {event_id:>7}  {logon_type:>9}  {count:>6}  人以外のログオン")
            for (event_id, _), count in others[:OTHER_ROWS]:
                lines.append(f"  {event_id:>7}  {'-':>9}  {count:>6}  ログオン・ログオフ・ロック以外")
            rest = others[OTHER_ROWS:]
            if rest:
                ids = ", ".join(str(event_id) for (event_id, _), _count in rest)
                lines.append(
                    f"  {'ほか':>7}  {'-':>9}  {sum(n for _, n in rest):>6}  {len(rest)} 種類 ({ids})"
                )
            unnamed = self.skipped - sum(self.skipped_events.values())
            if unnamed:
                lines.append(f"  {'その他':>7}  {'':>9}  {unnamed:>6}")
            return lines
        width = max(len(reason) for reason in self.skipped_reasons)
        for reason, count in self.skipped_reasons.most_common():
            lines.append(f"  {reason:<{width}}  {count:>6}")
        return lines


def findings_as_data(findings: list[Finding]) -> list[dict]:
    return [
        {
            "code": f.code,
            "severity": str(f.severity),
            "message": f.message,
            "chunk": f.chunk,
            "first_id": f.first_id,
            "last_id": f.last_id,
            "count": f.count,
        }
        for f in findings
    ]


def quarantine_hint(unit: str) -> str:
    if unit == "record":
        return QUARANTINE_HINT.format(noun="レコード", loss="失われた範囲（件数と EventRecordID）")
    return QUARANTINE_HINT.format(noun="行", loss="誤りのある行とその理由")


__all__ = [
    "IngestRejected",
    "IngestReport",
    "Severity",
    "describe_errors",
    "findings_as_data",
    "quarantine_hint",
]
