"""Table exports (帳票): one description of a table, written as xlsx or as PDF.

Other apps describe what to export as a :class:`TableExport` (title, columns, rows, meta) and call
:func:`export_response`; this module knows how to lay it out.

- xlsx: XlsxWriter in ``constant_memory`` mode, so rows are streamed to disk one by one and
  100,000 rows do not grow memory; a title block with the meta (和暦), a frozen header row, an
  autofilter, column widths, and dates written as real Excel dates.  Text is always written as
  text, never as a formula, and text that a spreadsheet would read as one (starting with = + - @,
  tab or CR) is neutralised with a leading apostrophe (:func:`neutralise`), as in every CSV mamori
  writes: an ingested log line or an imported name must not run when a clerk edits the cell.
- PDF: WeasyPrint with the IPAex font embedded (LGWAN: the reader may have no Japanese font), A4,
  the table header repeated on every page, "1 / N" page numbers and a footer naming the 出力日時
  and the article the table is kept under.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from fontTools.ttLib import TTFont

from mamori.core import time

# Where Debian's fonts-ipaexfont puts the gothic face; used when fc-match is not available.
DEFAULT_FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
# WeasyPrint lays out every row; beyond this a PDF takes minutes and thousands of pages, and the
# list belongs in the xlsx (override with the setting or environment MAMORI_PDF_MAX_ROWS).
DEFAULT_PDF_MAX_ROWS = 5000

# WeasyPrint turns fontTools' logger up to DEBUG while it subsets a font and collects the warnings
# itself; without this every subsetting step would also reach the server log through the root.
logging.getLogger("fontTools").propagate = False

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

Format = Literal["xlsx", "pdf"]


class ExportError(Exception):
    """An export that cannot be made; the message says why and what to do, in Japanese."""


class FontMissing(ExportError):
    pass


class ExportTooLarge(ExportError):
    pass


@dataclass(frozen=True)
class Column:
    """One column: its heading and its width in characters (Excel's unit; the PDF uses the
    widths as proportions).  ``align`` "right" suits numbers; dates are centred."""

    label: str
    width: float = 12
    align: Literal["left", "right", "center"] | None = None


@dataclass
class TableExport:
    title: str
    columns: Sequence[Column]
    # Tuples in column order; streamed once (a generator over .values_list().iterator() is fine).
    rows: Iterable[Sequence[Any]]
    subtitle: str = ""
    # The article the table is kept under, as the footer cites it (「第5条第4項」).
    article: str = ""
    meta: Sequence[tuple[str, str]] = ()
    landscape: bool = False
    sheet_name: str | None = None
    generated_at: dt.datetime | None = None
    # A line printed under the table (e.g. 「以上」 or a note of the form).
    note: str = ""

    def moment(self) -> dt.datetime:
        if self.generated_at is None:
            self.generated_at = time.now()
        return time.local(self.generated_at)

    def generated_label(self) -> str:
        moment = self.moment()
        return f"{time.wareki(moment)} {moment:%H:%M}"

    def meta_lines(self) -> list[tuple[str, str]]:
        """The meta as given, plus 出力日時 (和暦) and 根拠 where the caller did not name them."""
        lines = list(self.meta)
        labels = {label for label, _ in lines}
        if "出力日時" not in labels:
            lines.append(("出力日時", self.generated_label()))
        if self.article and "根拠" not in labels:
            lines.append(("根拠", self.article))
        return lines


# --- cells ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """How a value reads in the PDF: dates in 和暦, datetimes with the time, booleans as ○."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "○" if value else ""
    if isinstance(value, dt.datetime):
        moment = time.local(value) if value.tzinfo else value
        return f"{time.wareki(moment)} {moment:%H:%M}"
    if isinstance(value, dt.date):
        return time.wareki(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(cell_text(v) for v in value)
    return str(value)


# What spreadsheets (Excel, LibreOffice) read as the start of a formula or DDE call (OWASP "CSV
# injection"): ingested operation logs and the HR import reach the exported columns verbatim.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would take for a formula, prefixed with an apostrophe so that it stays
    text (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``).  Only for text: numbers and dates are written
    as numbers and dates by the callers, so a negative number stays a number."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> Any:
    """A value for ``csv.writer``: text neutralised, numbers as they are (a CSV has no types, so a
    negative number is written as its digits and read back as a number)."""
    if isinstance(value, str):
        return neutralise(value)
    return value


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "Sheet1"
    return cleaned[:31]


# --- xlsx -------------------------------------------------------------------------------------


def write_xlsx(export: TableExport, output: Any) -> int:
    """Write the table to ``output`` (a path or a binary file object); returns the number of rows."""
    workbook = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "remove_timezone": True, "default_date_format": "yyyy/mm/dd"},
    )
    try:
        sheet = workbook.add_worksheet(_sheet_name(export.sheet_name or export.title))
        title = workbook.add_format({"bold": True, "font_size": 14})
        subtitle = workbook.add_format({"font_size": 11})
        meta_label = workbook.add_format({"bold": True, "font_color": "#555555"})
        header = workbook.add_format(
            {"bold": True, "bg_color": "#DDE5EE", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        # Plain cells carry no format: XlsxWriter writes ~20% faster without one, at 100,000 rows
        # that is seconds.
        text = None
        date = workbook.add_format({"num_format": "yyyy/mm/dd", "align": "center", "valign": "top"})
        moment = workbook.add_format({"num_format": "yyyy/mm/dd hh:mm", "align": "center", "valign": "top"})
        aligned = {
            align: workbook.add_format({"valign": "top", "align": align})
            for align in ("left", "right", "center")
        }

        if export.landscape:
            sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        for index, column in enumerate(export.columns):
            sheet.set_column(index, index, column.width)

        # Rows must go in order in constant_memory mode: the title block first.
        row = 0
        sheet.write_string(row, 0, neutralise(export.title), title)
        row += 1
        if export.subtitle:
            sheet.write_string(row, 0, neutralise(export.subtitle), subtitle)
            row += 1
        for label, value in export.meta_lines():
            sheet.write_string(row, 0, label, meta_label)
            sheet.write_string(row, 1, neutralise(value))
            row += 1
        row += 1
        header_row = row
        for index, column in enumerate(export.columns):
            sheet.write_string(header_row, index, column.label, header)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.repeat_rows(header_row)

        width = len(export.columns)
        count = 0
        for values in export.rows:
            row += 1
            count += 1
            for index, value in enumerate(values[:width]):
                if value is None or value == "":
                    continue
                column = export.columns[index]
                cell_format = aligned[column.align] if column.align else text
                if isinstance(value, bool):
                    sheet.write_string(row, index, "○" if value else "", cell_format)
                elif isinstance(value, dt.datetime):
                    local = time.local(value) if value.tzinfo else value
                    sheet.write_datetime(row, index, local.replace(tzinfo=None), moment)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(row, index, value, date)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(row, index, value, cell_format)
                else:
                    # write_string, never write(), and neutralised: text that looks like a formula
                    # stays text even when a clerk edits the cell.
                    sheet.write_string(row, index, neutralise(cell_text(value)), cell_format)
        sheet.autofilter(header_row, 0, max(row, header_row), max(width - 1, 0))
        # The count goes under the table: in constant_memory mode the rows above are already on disk.
        sheet.write_string(row + 2, 0, f"計 {count:,} 件")
        if export.note:
            sheet.write_string(row + 3, 0, neutralise(export.note))
    finally:
        workbook.close()
    return count


def table_xlsx(export: TableExport) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(export, buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def _setting(name: str) -> str | None:
    return getattr(settings, name, None) or os.environ.get(name) or None


@lru_cache(maxsize=4)
def _font_lookup(configured: str | None) -> Path:
    if configured:
        path = Path(configured)
        if path.is_file():
            return path
        raise FontMissing(f"MAMORI_PDF_FONT に指定されたフォント {configured} がありません。")
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{family}\t%{file}", "IPAexGothic"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            found = ""
        family, _, file = found.partition("\t")
        # fc-match always answers; only an IPAex face is the font we promise to embed.
        if "IPAex" in family and file and Path(file).is_file():
            return Path(file).resolve()
    if DEFAULT_FONT.is_file():
        return DEFAULT_FONT
    raise FontMissing(
        "PDF に埋め込む日本語フォント (IPAexゴシック) が見つかりません。"
        "fonts-ipaexfont を導入するか、設定 MAMORI_PDF_FONT に ipaexg.ttf のパスを指定してください。"
    )


def pdf_font() -> Path:
    """The IPAex gothic font file to embed: the setting MAMORI_PDF_FONT, else fc-match, else
    Debian's path.  Raises FontMissing with what to install when there is none."""
    return _font_lookup(_setting("MAMORI_PDF_FONT"))


@lru_cache(maxsize=4)
def font_family(path: Path) -> str:
    """The family name inside the font file.  The @font-face must use it: under another name
    Pango covers Latin letters from a system font instead, and that font would be embedded too."""
    with TTFont(str(path), lazy=True) as font:
        return str(font["name"].getBestFamilyName() or "IPAexGothic")


def pdf_max_rows() -> int:
    return int(_setting("MAMORI_PDF_MAX_ROWS") or DEFAULT_PDF_MAX_ROWS)


def _css_string(text: str) -> str:
    """A CSS string literal (for @page margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def page_css(*, landscape: bool, footer_left: str, footer_right: str) -> str:
    font = pdf_font()
    family = font_family(font).replace('"', "")
    return f"""
@font-face {{ font-family: "{family}"; src: url("{font.as_uri()}"); }}
@page {{
  size: A4 {"landscape" if landscape else "portrait"};
  margin: 14mm 10mm 16mm 10mm;
  @bottom-left {{ content: {_css_string(footer_left)}; font-size: 7.5pt; color: #444; }}
  @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 8pt; }}
  @bottom-right {{ content: {_css_string(footer_right)}; font-size: 7.5pt; color: #444; }}
}}
/* IPAex has no bold face: a bold would make Pango fall back to another (unembedded-by-design)
   font for Latin letters, so headings are set large instead of bold. */
html {{ font-family: "{family}"; font-size: 8.5pt; color: #000; }}
h1, h2, th, strong, b {{ font-weight: normal; }}
h1 {{ font-size: 14pt; margin: 0 0 2mm 0; }}
p.subtitle {{ font-size: 10pt; margin: 0 0 2mm 0; }}
table {{ border-collapse: collapse; width: 100%; }}
table.meta {{ width: auto; margin-bottom: 3mm; }}
table.meta th {{ text-align: left; font-weight: normal; color: #555; padding: 0 4mm 0 0; }}
table.meta td {{ padding: 0; }}
table.data {{ table-layout: fixed; }}
table.data thead {{ display: table-header-group; }}
table.data th {{ background: #dde5ee; border: 0.5pt solid #666; padding: 1mm; text-align: left; }}
table.data td {{ border: 0.5pt solid #999; padding: 0.8mm 1mm; vertical-align: top;
  overflow-wrap: anywhere; }}
table.data tr {{ page-break-inside: avoid; }}
td.right {{ text-align: right; }} td.center {{ text-align: center; }}
p.note {{ margin-top: 3mm; }}
"""


def render_pdf(body: str, *, title: str, css: str) -> bytes:
    from weasyprint import CSS, HTML

    document = (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"</head><body>{body}</body></html>"
    )
    # PDF 1.4: streams compressed, but no object streams, so the font dictionaries stay readable
    # (an auditor can see with any tool that the IPAex font is embedded) and old readers cope.
    return HTML(string=document, base_url=str(Path.cwd())).write_pdf(
        stylesheets=[CSS(string=css)], pdf_version="1.4"
    )


def _meta_html(lines: Sequence[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in lines)
    return f'<table class="meta">{cells}</table>'


def table_pdf(export: TableExport) -> bytes:
    limit = pdf_max_rows()
    total = sum(c.width for c in export.columns) or 1
    colgroup = "".join(f'<col style="width:{c.width / total * 100:.2f}%">' for c in export.columns)
    head = "".join(f"<th>{html.escape(c.label)}</th>" for c in export.columns)
    parts: list[str] = []
    for count, values in enumerate(export.rows, start=1):
        if count > limit:
            raise ExportTooLarge(
                f"PDF に出力できるのは {limit:,} 行までです。条件で絞り込むか、xlsx で出力してください。"
            )
        cells = []
        for column, value in zip(export.columns, values, strict=False):
            align = column.align or ("center" if isinstance(value, dt.date) else None)
            css_class = f' class="{align}"' if align in ("right", "center") else ""
            cells.append(f"<td{css_class}>{html.escape(cell_text(value))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    body = [f"<h1>{html.escape(export.title)}</h1>"]
    if export.subtitle:
        body.append(f'<p class="subtitle">{html.escape(export.subtitle)}</p>')
    body.append(_meta_html(export.meta_lines()))
    body.append(f'<table class="data"><colgroup>{colgroup}</colgroup><thead><tr>{head}</tr></thead><tbody>')
    body.append("".join(parts) or f'<tr><td colspan="{len(export.columns)}">該当なし</td></tr>')
    body.append("</tbody></table>")
    body.append(f'<p class="count">計 {len(parts):,} 件</p>')
    if export.note:
        body.append(f'<p class="note">{html.escape(export.note)}</p>')
    css = page_css(
        landscape=export.landscape,
        footer_left=f"出力日時 {export.generated_label()}",
        footer_right=f"{export.title}  {export.article}".strip(),
    )
    return render_pdf("".join(body), title=export.title, css=css)


# --- HTTP -------------------------------------------------------------------------------------


def attachment_header(filename: str) -> str:
    """``attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded`` (RFC 6266/5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%;' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content: bytes, *, fmt: Format, filename: str) -> HttpResponse:
    """An attachment with an RFC 5987 ``filename*=UTF-8''…`` (Japanese names survive) and an
    ASCII fallback for old clients."""
    response = HttpResponse(content, content_type=XLSX_TYPE if fmt == "xlsx" else PDF_TYPE)
    response["Content-Disposition"] = attachment_header(f"{filename}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response


def export_response(export: TableExport, fmt: Format, filename: str) -> HttpResponse:
    """The export as a download.  An export that cannot be made (a PDF too long, no font) answers
    with its reason, in Japanese, instead of a half-written file."""
    if fmt not in ("xlsx", "pdf"):
        # A format named in the URL (/exports/management-file.html): not found, in the API's one
        # Problem shape (mamori/core/schemas.py ProblemOut), never a 500.
        return JsonResponse(
            {
                "message": f"{fmt} 形式の出力はありません。xlsx か pdf を指定してください。",
                "article": "",
                "field": "fmt",
            },
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    try:
        content = table_xlsx(export) if fmt == "xlsx" else table_pdf(export)
    except ExportTooLarge as error:
        return HttpResponse(str(error), status=413, content_type="text/plain; charset=utf-8")
    except FontMissing as error:
        return HttpResponse(str(error), status=500, content_type="text/plain; charset=utf-8")
    return file_response(content, fmt=fmt, filename=filename)
