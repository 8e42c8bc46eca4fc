"""Reading the CSV files that personnel systems and spreadsheets export.

Such files come as UTF-8 (with the BOM Excel writes, or without) or as CP932, the Japanese encoding of
Windows.  CP932 and never ``shift_jis``: Shift_JIS proper lacks the NEC and IBM extensions (①, ㈱, 髙,
﨑…) that Windows writes into names and company names, so decoding as ``shift_jis`` fails or, worse,
silently drops them.  Anything else is refused, naming the file and what is wrong: a guessed
decoding is never kept.  A Latin-1 file can be valid CP932 by accident ("andrés" reads as
「andr駸」), so a CP932 reading is refused too where Latin letters run into the characters that
Latin-1's accented letters become (half-width katakana, the kanji of lead bytes 0xE0 and above).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

# Tried in this order, strictly: a CP932 file is almost never valid UTF-8, while plain ASCII is both,
# so UTF-8 first gives ASCII files the right name.
STRICT_ENCODINGS = ("utf-8-sig", "cp932")


class CsvUnreadable(ValueError):
    """The file's bytes are not UTF-8 (with or without BOM) nor CP932; the message names the file."""


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


# A Latin letter next to a non-ASCII character: where a Latin-1 file read as CP932 shows.
_MIXED = re.compile(r"[A-Za-z][^\x00-\x7f]|[\uff61-\uff9f][a-z]")


def _latin_in_cp932(text: str) -> str | None:
    """The first place where a CP932 reading looks like Latin-1 text, or None.

    Latin-1's lower-case accented letters (0xE0–0xFF) are CP932 lead bytes of rare kanji, its
    capitals (0xC0–0xDF) half-width katakana: "andrés" → 「andr駸」, "Émile" → 「ﾉmile」."""
    for found in _MIXED.finditer(text):
        first, second = found.group()
        if first.isascii():  # a Latin letter, then a rare kanji (lead byte 0xE0 or above)
            encoded = second.encode("cp932", "replace")
            suspicious = len(encoded) == 2 and encoded[0] >= 0xE0
        else:  # a half-width katakana, then a lower-case Latin letter
            suspicious = True
        if suspicious:
            line_start = text.rfind("\n", 0, found.start()) + 1
            line_end = text.find("\n", found.end())
            line_end = len(text) if line_end < 0 else line_end
            return text[max(line_start, found.start() - 8) : min(line_end, found.end() + 8)].strip()
    return None


def _byte(data: bytes, position: int) -> str:
    return f"{position + 1} バイト目 0x{data[position]:02X}"


def decode(data: bytes, *, name: str) -> tuple[str, str]:
    """The text of a file's bytes and the name of the encoding it was read with: UTF-8 (with or
    without BOM) or CP932, nothing else; any other file raises :class:`CsvUnreadable`."""
    save_again = "UTF-8 または CP932（Excel の「CSV UTF-8」か「CSV (コンマ区切り)」）で保存し直してください"
    for bom, label in ((codecs.BOM_UTF16_LE, "UTF-16 LE"), (codecs.BOM_UTF16_BE, "UTF-16 BE")):
        if data.startswith(bom):
            raise CsvUnreadable(f"{name}: {label} で保存されたファイルです（先頭の BOM）。{save_again}")
    if b"\x00" in data:
        raise CsvUnreadable(
            f"{name}: NUL 文字を含みます（{_byte(data, data.index(0))}。UTF-16 など）。{save_again}"
        )
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise CsvUnreadable(
                f"{name}: UTF-8 の BOM がありますが、UTF-8 として正しくありません（{_byte(data, error.start)}）。"
                f"{save_again}"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        not_utf8 = _byte(data, utf8_error.start)
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as error:
        raise CsvUnreadable(
            f"{name}: UTF-8 でも CP932 でもありません（UTF-8 では {not_utf8}、CP932 では "
            f"{_byte(data, error.start)} が読めません）。{save_again}"
        ) from None
    place = _latin_in_cp932(text)
    if place is not None:
        raise CsvUnreadable(
            f"{name}: UTF-8 ではなく、CP932 として読むと欧文の綴りに漢字・半角カナが混じります"
            f"（「{place}」）。Latin-1 など別の文字コードと思われます。{save_again}"
        )
    return text, "cp932"


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
