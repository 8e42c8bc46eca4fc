"""Reading the CSV files that personnel systems and spreadsheets export.

Such files come as UTF-8 (with the BOM Excel writes, or without) or as CP932, the Japanese encoding of
Windows.  CP932 and never ``shift_jis``: Shift_JIS proper lacks the NEC and IBM extensions (①, ㈱, 髙,
﨑…) that Windows writes into names and company names, so decoding as ``shift_jis`` fails or, worse,
silently drops them.  Anything else is left to charset-normalizer's best guess.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

# Tried in this order, strictly: a CP932 file is almost never valid UTF-8, while plain ASCII is both,
# so UTF-8 first gives ASCII files the right name.
STRICT_ENCODINGS = ("utf-8-sig", "cp932")


class CsvUnreadable(ValueError):
    """The file's bytes decode in none of the encodings we accept."""


@dataclass(frozen=True)
class CsvRow:
    """One data row.  ``line`` counts rows as a spreadsheet does: the header is line 1."""

    line: int
    values: dict[str, str]
    # Non-empty cells to the right of the last header: a shifted row, usually a stray comma.
    extra: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CsvTable:
    name: str
    encoding: str
    header: list[str]
    rows: list[CsvRow]


def decode(data: bytes, *, name: str) -> tuple[str, str]:
    """The text of a file's bytes and the name of the encoding it was read with."""
    for encoding in STRICT_ENCODINGS:
        try:
            text = data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8"  # report what the file really is: the user may be asked to save it again
        return text, encoding
    best = from_bytes(data).best()
    if best is None:
        raise CsvUnreadable(f"{name}: 文字コードを判別できません (UTF-8 または CP932 で保存してください)")
    return str(best), best.encoding


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a CSV file's text: (text, encoding name)."""
    path = Path(path)
    return decode(path.read_bytes(), name=path.name)


def parse(text: str, *, name: str, encoding: str) -> CsvTable:
    """Split text into a header (required: the first row) and data rows keyed by column name."""
    # newline="" leaves line ends to the csv module, so a quoted cell may hold a line break.
    records = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[CsvRow] = []
    for number, cells in enumerate(records, start=1):
        cells = [cell.strip() for cell in cells]
        if number == 1:
            header = [cell.lstrip("\ufeff").strip() for cell in cells]
            continue
        if not any(cells):
            continue  # a blank row still counts in the numbering, as in the spreadsheet
        values = {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(header) if column}
        extra = [cell for cell in cells[len(header) :] if cell]
        rows.append(CsvRow(line=number, values=values, extra=extra))
    return CsvTable(name=name, encoding=encoding, header=header, rows=rows)


def read_table(path: str | Path) -> CsvTable:
    path = Path(path)
    text, encoding = read_text(path)
    return parse(text, name=path.name, encoding=encoding)
