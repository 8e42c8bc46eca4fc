"""Table exports: xlsx read back with openpyxl, PDF with the IPAex font embedded (the exports of
issue 3: the management file, 別記様式1/2 and 様式第1号 are printed through these)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import openpyxl
import pytest

from mamori.core.time import TOKYO
from mamori.exports import tables
from mamori.exports.tables import (
    Column,
    ExportTooLarge,
    FontMissing,
    TableExport,
    export_response,
    table_pdf,
    table_xlsx,
    write_xlsx,
)

GENERATED = dt.datetime(2026, 11, 16, 10, 5, tzinfo=TOKYO)
COLUMNS = [
    Column("職員番号", width=10),
    Column("氏名", width=14),
    Column("ユーザID", width=10),
    Column("有効開始日", width=12),
    Column("登録日時", width=16),
    Column("件数", width=6, align="right"),
]


def rows(count: int):
    for i in range(count):
        yield (
            f"{i:05d}",
            f"北見 花子{i}",
            '=HYPERLINK("http://example.invalid")' if i == 0 else f"U{i:05d}",
            dt.date(2026, 4, 1),
            dt.datetime(2026, 11, 16, 9, 30, tzinfo=TOKYO),
            i,
        )


def export(count: int = 3, **kwargs) -> TableExport:
    return TableExport(
        title="管理ファイル",
        subtitle="北見市 行政情報システム",
        article="第5条第4項",
        columns=COLUMNS,
        rows=rows(count),
        meta=[("出力者", "情報システム課長")],
        generated_at=GENERATED,
        **kwargs,
    )


def pdf_text(content: bytes, *, first: int | None = None, last: int | None = None) -> str | None:
    """The PDF's text via pdftotext, or None where poppler-utils is not installed."""
    if not shutil.which("pdftotext"):
        return None
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    result = subprocess.run(["pdftotext", *pages, "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_the_xlsx_reads_back_with_title_meta_header_and_typed_values():
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(export())))
    sheet = book.active
    assert sheet["A1"].value == "管理ファイル"
    assert sheet["A2"].value == "北見市 行政情報システム"
    meta = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(3, 6)}
    assert meta["出力者"] == "情報システム課長"
    assert meta["出力日時"] == "令和8年11月16日 10:05"  # 和暦 in the meta
    assert meta["根拠"] == "第5条第4項"
    header = [c.value for c in sheet[7]]
    assert header == ["職員番号", "氏名", "ユーザID", "有効開始日", "登録日時", "件数"]
    first = [c.value for c in sheet[8]]
    assert first[0] == "00000" and first[1] == "北見 花子0"
    # Dates are real dates, in Tokyo time, not text.
    assert first[3] == dt.datetime(2026, 4, 1, tzinfo=TOKYO).replace(tzinfo=None)
    assert first[4] == dt.datetime(2026, 11, 16, 9, 30, tzinfo=TOKYO).replace(tzinfo=None)
    assert first[5] == 0 and [c.value for c in sheet[10]][5] == 2
    # Text that looks like a formula stays text, neutralised with an apostrophe.
    assert sheet["C8"].data_type == "s" and sheet["C8"].value.startswith("'=HYPERLINK")
    assert sheet.freeze_panes == "A8"
    assert sheet.auto_filter.ref == "A7:F10"
    assert sheet.column_dimensions["B"].width == pytest.approx(14, abs=1)


def test_the_xlsx_streams_its_rows_in_constant_memory(tmp_path: Path):
    """100,000 rows must not blow memory: the rows go to disk as they come (constant_memory)."""
    tracemalloc.start()
    try:
        written = write_xlsx(export(30_000), tmp_path / "big.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == 30_000
    # 30,000 rows × 6 cells held in memory would take tens of MB; streamed it stays small.
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    last = next(book.active.iter_rows(min_row=30_007, max_row=30_007, values_only=True))
    assert last[0] == "29999"


def test_the_pdf_embeds_the_ipaex_font_and_only_it():
    content = table_pdf(export())
    assert content.startswith(b"%PDF-")
    # The font dictionaries name the embedded subset, e.g. /BaseFont /WNCCQH+IPAexGothic.
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9-]+)", content))
    assert fonts == {b"IPAexGothic"}
    assert b"/FontFile2" in content  # embedded, not merely referenced


def test_the_pdf_text_has_title_rows_page_numbers_and_the_footer():
    content = table_pdf(export(120, landscape=True))
    text = pdf_text(content)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "管理ファイル" in text
    assert "北見 花子119" in text
    assert "令和8年4月1日" in text  # dates in 和暦 on paper
    assert "出力日時 令和8年11月16日 10:05" in text
    assert "第5条第4項" in text
    pages = int(re.search(r"^1\s*/\s*(\d+)$", text, re.MULTILINE).group(1))
    assert pages >= 2
    # The header row is repeated on every page.
    last_page = pdf_text(content, first=pages, last=pages)
    assert "職員番号" in last_page and "ユーザID" in last_page
    assert re.search(rf"^{pages}\s*/\s*{pages}$", last_page, re.MULTILINE)


def test_a_pdf_too_long_is_refused_with_a_reason_and_the_xlsx_is_offered(settings):
    settings.MAMORI_PDF_MAX_ROWS = 10
    with pytest.raises(ExportTooLarge) as refused:
        table_pdf(export(11))
    assert "xlsx" in str(refused.value)
    response = export_response(export(11), fmt="pdf", filename="kanri")
    assert response.status_code == 413
    assert "10 行まで" in response.content.decode()


def test_a_missing_font_is_a_clear_error_naming_the_setting(settings):
    settings.MAMORI_PDF_FONT = "/nonexistent/ipaexg.ttf"
    with pytest.raises(FontMissing) as missing:
        table_pdf(export())
    assert "MAMORI_PDF_FONT" in str(missing.value)
    tables._font_lookup.cache_clear()


def test_the_response_is_an_attachment_with_a_utf8_filename():
    response = export_response(export(), fmt="xlsx", filename="管理ファイル_20261116")
    assert response.status_code == 200
    assert response["Content-Type"] == tables.XLSX_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%E7%AE%A1%E7%90%86" in disposition
    assert 'filename="_______20261116.xlsx"' in disposition
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active["A1"].value == "管理ファイル"
