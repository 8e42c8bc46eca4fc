"""A filed request printed as its pack form (別記様式1, 別記様式2 …), and table reports whose
columns are a pack form's fields (様式第1号 端末機操作員報告書).

The form is the one the pack's chain names for the request's kind (``chains[].form``); the
values come from the request's payload, and the approval trail from its decisions (who, when, in
which capacity, under which article), so the paper and the record say the same thing.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from mamori.core import time
from mamori.regulations.loader import get_pack
from mamori.regulations.models import Installation
from mamori.regulations.schema import ARTICLE_REF, Form, FormField, Pack
from mamori.workflows.models import Decision, Request, RequestStep, StepState

from .tables import Column, TableExport, cell_text, page_css, render_pdf

# A choice's help text reads "grant: 登録(指定)、revoke: 解除": the codes and their Japanese labels.
CHOICE_LABEL = re.compile(r"([A-Za-z0-9_]+)\s*:\s*([^、,，]+)")


class NoForm(LookupError):
    """The request's kind has no form in its pack; the message names the kind and the pack."""


@dataclass(frozen=True)
class TrailLine:
    at: dt.datetime | None
    action: str
    name: str
    capacity: str
    article: str
    comment: str


@dataclass(frozen=True)
class FilledForm:
    pack: Pack
    form: Form
    request: Request
    lines: list[tuple[str, str]]
    trail: list[TrailLine]

    @property
    def number(self) -> str:
        return f"第{self.request.pk}号"

    @property
    def filed_on(self) -> str:
        return time.wareki(self.request.filed_at)

    def header(self) -> list[tuple[str, str]]:
        request = self.request
        unit = request.requester_unit.name if request.requester_unit_id else ""
        lines = [
            ("申請番号", self.number),
            ("申請日", self.filed_on),
            ("件名", request.title),
            ("申請者", f"{unit} {request.requester.name}".strip()),
            ("申請者の資格", request.requester_capacity),
            ("状態", request.get_state_display()),
        ]
        if request.closed_at:
            lines.append(("完結日", time.wareki(request.closed_at)))
        return lines


def _cite(pack: Pack, reference: str) -> str:
    return pack.cite(reference) if reference and ARTICLE_REF.match(reference) else reference


def field_value(field: FormField, payload: dict[str, Any]) -> str:
    """How a payload value reads on paper: a person or system with its name, a choice by its
    Japanese label (from the field's help), dates in 和暦, lists joined with 「、」."""
    value = payload.get(field.name)
    if value is None or value == "" or value == []:
        return ""
    if field.type == "choice" and field.help:
        labels = dict(CHOICE_LABEL.findall(field.help))
        if str(value) in labels:
            return labels[str(value)].strip()
    if field.type == "date":
        try:
            return time.wareki(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    text = cell_text(value)
    name = payload.get(f"{field.name}_name")
    if name and field.type in ("person", "system", "unit"):
        return f"{name}（{text}）"
    return text


def form_of(request: Request, pack: Pack | None = None) -> tuple[Pack, Form]:
    """The pack and the form a request is printed on: the request's own ``form`` (kept when it was
    filed) or else the form the pack's chain for its kind names."""
    pack = pack or get_pack(request.pack)
    form_id = request.form
    if not form_id:
        try:
            form_id = pack.chain(request.kind).form or ""
        except KeyError:
            form_id = ""
    for form in pack.forms:
        if form.id == form_id:
            return pack, form
    raise NoForm(
        f"{pack.municipality}の規程パックには「{request.chain_title}」({request.kind}) の様式がありません"
    )


def approval_trail(request: Request, pack: Pack) -> list[TrailLine]:
    """Every decision in order, then the steps still waiting in the current round."""
    decisions = (
        Decision.objects.filter(request=request).select_related("person", "actor").order_by("at", "id")
    )
    lines = [
        TrailLine(
            at=decision.at,
            action=decision.get_action_display(),
            name=decision.person.name if decision.person_id else decision.actor.get_username(),
            capacity=decision.capacity,
            article=_cite(pack, decision.article),
            comment=decision.comment,
        )
        for decision in decisions
    ]
    open_steps = RequestStep.objects.filter(
        request=request, round=request.round, state__in=[StepState.WAITING, StepState.PENDING]
    ).order_by("order")
    lines.extend(
        TrailLine(
            at=None,
            action=f"{step.label}（{step.get_state_display()}）",
            name="",
            capacity=step.role_name,
            article=_cite(pack, step.article),
            comment="",
        )
        for step in open_steps
    )
    return lines


def fill(request: Request, pack: Pack | None = None) -> FilledForm:
    pack, form = form_of(request, pack)
    payload = request.payload or {}
    lines = [(field.label, field_value(field, payload)) for field in form.fields]
    return FilledForm(pack=pack, form=form, request=request, lines=lines, trail=approval_trail(request, pack))


TRAIL_COLUMNS = ("日時", "行為", "氏名", "資格", "根拠条文", "意見")


def _trail_row(line: TrailLine) -> tuple[str, ...]:
    return (cell_text(line.at), line.action, line.name, line.capacity, line.article, line.comment)


def municipality_name(pack: Pack) -> str:
    """The municipality as installed (a demo city runs under another city's pack), else the pack's."""
    installation = Installation.objects.filter(pk=1).only("municipality").first()
    return installation.municipality if installation and installation.municipality else pack.municipality


def _form_reference(filled: FilledForm) -> str:
    return f"{filled.pack.title} {filled.pack.cite(filled.form.article)}"


def request_form_pdf(request: Request, pack: Pack | None = None) -> bytes:
    filled = fill(request, pack)
    e = html.escape
    generated = time.now()
    generated_label = f"{time.wareki(generated)} {generated:%H:%M}"
    header = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in filled.header())
    fields = "".join(
        f'<tr><th>{e(label)}</th><td class="value">{e(value)}</td></tr>' for label, value in filled.lines
    )
    trail_head = "".join(f"<th>{e(c)}</th>" for c in TRAIL_COLUMNS)
    trail = "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in _trail_row(line)) + "</tr>" for line in filled.trail
    )
    note = f'<p class="note">{e(filled.form.note)}</p>' if filled.form.note else ""
    body = f"""
<p class="municipality">{e(municipality_name(filled.pack))}</p>
<h1>{e(filled.form.title)}</h1>
<p class="subtitle">{e(_form_reference(filled))}</p>
<table class="meta">{header}</table>
<h2>記載事項</h2>
<table class="data form"><colgroup><col style="width:28%"><col style="width:72%"></colgroup>
<tbody>{fields}</tbody></table>
<h2>審査・決定の経過</h2>
<table class="data"><colgroup><col style="width:17%"><col style="width:12%"><col style="width:14%">
<col style="width:25%"><col style="width:12%"><col style="width:20%"></colgroup>
<thead><tr>{trail_head}</tr></thead><tbody>{trail}</tbody></table>
{note}"""
    css = page_css(
        landscape=False,
        footer_left=f"出力日時 {generated_label}",
        footer_right=f"{filled.form.title} {filled.number}  {filled.pack.cite(filled.form.article)}",
    ) + (
        "p.municipality { margin: 0; } h2 { font-size: 10.5pt; margin: 5mm 0 1.5mm 0; }"
        " table.form th { width: 28%; background: #eef2f6; } table.form td.value { white-space: pre-wrap; }"
        " table.form td, table.form th { padding: 2mm; }"
    )
    return render_pdf(body, title=f"{filled.form.title} {filled.number}", css=css)


def request_form_xlsx(request: Request, pack: Pack | None = None) -> bytes:
    filled = fill(request, pack)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"remove_timezone": True})
    try:
        sheet = workbook.add_worksheet(filled.form.id[:31])
        title = workbook.add_format({"bold": True, "font_size": 14})
        label = workbook.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1, "valign": "top"})
        value = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        heading = workbook.add_format({"bold": True, "font_size": 11})
        header = workbook.add_format({"bold": True, "bg_color": "#DDE5EE", "border": 1})
        sheet.set_paper(9)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 5, 18)
        row = 0
        sheet.write_string(row, 0, municipality_name(filled.pack))
        sheet.write_string(row + 1, 0, filled.form.title, title)
        sheet.write_string(row + 2, 0, _form_reference(filled))
        row = 4
        for key, text in filled.header():
            sheet.write_string(row, 0, key, label)
            sheet.write_string(row, 1, text, value)
            row += 1
        row += 1
        sheet.write_string(row, 0, "記載事項", heading)
        row += 1
        for key, text in filled.lines:
            sheet.write_string(row, 0, key, label)
            sheet.write_string(row, 1, text, value)
            row += 1
        row += 1
        sheet.write_string(row, 0, "審査・決定の経過", heading)
        row += 1
        for column, text in enumerate(TRAIL_COLUMNS):
            sheet.write_string(row, column, text, header)
        for line in filled.trail:
            row += 1
            for column, text in enumerate(_trail_row(line)):
                sheet.write_string(row, column, text, value)
        if filled.form.note:
            sheet.write_string(row + 2, 0, filled.form.note)
        generated = time.now()
        sheet.write_string(row + 3, 0, f"出力日時 {time.wareki(generated)} {generated:%H:%M}")
    finally:
        workbook.close()
    return buffer.getvalue()


def form_of_pack(pack: Pack, form_id: str) -> Form:
    for form in pack.forms:
        if form.id == form_id:
            return form
    raise NoForm(f"{pack.municipality}の規程パックに様式 '{form_id}' はありません")


def form_table_export(
    *,
    pack: Pack,
    form_id: str,
    rows: Iterable[Sequence[Any]],
    subtitle: str = "",
    meta: Sequence[tuple[str, str]] = (),
    widths: dict[str, float] | None = None,
    landscape: bool = True,
) -> TableExport:
    """A table whose columns are the fields of a pack form, one row per filled form: the rows are
    tuples in the order of the form's fields (values as in a payload: dates, names, lists)."""
    form = form_of_pack(pack, form_id)
    widths = widths or {}
    default = {"textarea": 36, "date": 14, "person": 16, "unit": 18}
    columns = [Column(f.label, width=widths.get(f.name, default.get(f.type, 18))) for f in form.fields]
    return TableExport(
        title=form.title,
        subtitle=subtitle or municipality_name(pack),
        article=pack.cite(form.article),
        columns=columns,
        rows=rows,
        meta=[*meta, ("根拠", f"{pack.title} {pack.cite(form.article)}")],
        landscape=landscape,
        sheet_name=form.id,
        note=form.note or "",
    )


def designation_report_export(
    *,
    pack: Pack,
    form_id: str,
    rows: Iterable[Sequence[Any]],
    unit_name: str = "",
    reported_by: str = "",
    reported_to: str = "",
    on: dt.date | None = None,
) -> TableExport:
    """The designation report (柳川市 第12条第3項 様式第1号 端末機操作員報告書, YAN-12-3): the
    terminal manager's list of designated operators, reported to the 情報セキュリティ責任者.
    The terminals app owns the data and passes the rows in the order of the form's fields
    (所管課, 端末責任者, 端末機, 端末機操作員, 指定年月日 for yanagawa's ``yoshiki1``)."""
    meta = [("報告日", time.wareki(on or time.today()))]
    if unit_name:
        meta.append(("所管課", unit_name))
    if reported_by:
        meta.append(("報告者", reported_by))
    if reported_to:
        meta.append(("報告先", reported_to))
    return form_table_export(pack=pack, form_id=form_id, rows=rows, meta=meta)
