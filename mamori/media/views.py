"""The screens of the recording-media ledger beyond the register layer's: the ledger list, a medium
with its history and checkouts, the label sheet (each label code with its QR code, inline SVG), the
screen that finds a medium by its scanned or typed code for checkout and return, and the forms of
the history, the copy and the witnessed disposal.  Every change goes through mamori/media/services.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from mamori.core import time
from mamori.core.policy import Refused, may, require
from mamori.organisation.models import Person
from mamori.registers.api import filtered
from mamori.registers.models import NotFound
from mamori.registers.services import citation
from mamori.registers.views import list_screen

from .models import DisposalMethod, Medium, MediumEvent, storage_places
from .register import spec
from .services import (
    medium_checkout,
    medium_copy,
    medium_dispose,
    medium_record_event,
    medium_return,
    normalised_code,
)

DATE = forms.DateInput(attrs={"type": "date"})


class CheckoutForm(forms.Form):
    person = forms.ModelChoiceField(label="持出し者", queryset=Person.objects.order_by("name_kana", "id"))
    purpose = forms.CharField(label="目的", max_length=200)
    due = forms.DateField(label="返却期限", widget=DATE)


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="事項",
        choices=[(k.value, k.label) for k in (MediumEvent.Kind.APPENDED, MediumEvent.Kind.UPDATED)],
    )
    person = forms.ModelChoiceField(label="実施者", queryset=Person.objects.order_by("name_kana", "id"))
    on = forms.DateField(label="年月日", widget=DATE)
    note = forms.CharField(label="摘要", max_length=200, required=False)


class CopyForm(forms.Form):
    person = forms.ModelChoiceField(label="複写した者", queryset=Person.objects.order_by("name_kana", "id"))
    on = forms.DateField(label="複写日", widget=DATE)
    place = forms.ChoiceField(label="予備の保管場所", choices=storage_places)


class DisposeForm(forms.Form):
    method = forms.ChoiceField(label="廃棄の方法", choices=DisposalMethod.choices)
    person = forms.ModelChoiceField(label="廃棄した者", queryset=Person.objects.order_by("name_kana", "id"))
    witness = forms.ModelChoiceField(label="立会者", queryset=Person.objects.order_by("name_kana", "id"))
    on = forms.DateField(label="廃棄日", widget=DATE)
    note = forms.CharField(label="摘要", max_length=100, required=False)


def _screen(function: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refusal is the refusal page with its status and article (web/refused.html)."""

    @functools.wraps(function)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return function(request, *args, **kwargs)
        except Refused as refusal:
            context = {"message": refusal.message, "article": refusal.article}
            return render(request, "web/refused.html", context, status=refusal.status)

    return login_required(wrapper)


def _medium(request: HttpRequest, pk: int) -> Medium:
    require(request.user, "media.view", message="記録媒体の台帳を見る権限がありません。")
    found = spec.rows(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"番号 {pk} の記録媒体はありません。")
    return found


def qr_svg(code: str) -> str:
    """The label's QR code as inline SVG (segno; nothing fetched from the network)."""
    return mark_safe(segno.make(code, error="m").svg_inline(scale=3))


def _context(request: HttpRequest, **more: Any) -> dict[str, Any]:
    perms = {name: may(request.user, f"media.{name}") for name in ("add", "change", "checkout", "dispose")}
    return {"spec": spec, "nav": spec.name, "may": perms, "cited": citation(spec), **more}


@_screen
def ledger(request: HttpRequest) -> HttpResponse:
    return list_screen(request, spec, template="media/ledger.html", cited=citation(spec))


@_screen
def medium(request: HttpRequest, pk: int) -> HttpResponse:
    row = _medium(request, pk)
    fields = [(spec.label(c.field), spec.cell(row, c.field)) for c in spec.shown("detail")]
    today = time.today()
    forms_ = {
        "checkout": CheckoutForm(initial={"due": today}),
        "event": EventForm(initial={"on": today}),
        "copy": CopyForm(initial={"on": today, "place": row.place}),
        "dispose": DisposeForm(initial={"on": today}),
    }
    context = _context(
        request,
        row=row,
        fields=fields,
        events=row.events.select_related("person"),
        checkouts=row.checkouts.select_related("person"),
        open_checkout=row.checkouts.filter(returned_at__isnull=True).first(),
        qr=qr_svg(row.label_code),
        forms=forms_,
    )
    return render(request, "media/medium.html", context)


@_screen
def labels(request: HttpRequest) -> HttpResponse:
    """A printable sheet of labels: the code and its QR code, nothing of the content (FUK-23-3)."""
    rows = filtered(spec, request).exclude(state="disposed")[:200]
    sheet = [(row.label_code, qr_svg(row.label_code)) for row in rows]
    return render(request, "media/labels.html", _context(request, sheet=sheet))


@_screen
def scan(request: HttpRequest) -> HttpResponse:
    """Find a medium by the code a scanner typed (or a clerk), for checkout and return."""
    require(request.user, "media.view", message="記録媒体の台帳を見る権限がありません。")
    code = normalised_code(request.GET.get("code", ""))
    found = spec.rows(request.user).filter(label_code=code).first() if code else None
    if found is not None:
        return redirect("media:detail", pk=found.pk)
    status = 404 if code else 200
    return render(request, "media/scan.html", _context(request, code=code), status=status)


def _posted(
    request: HttpRequest, pk: int, form_class: type[forms.Form], action: Callable[..., Any]
) -> HttpResponse:
    row = _medium(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(actor=request.user, pk=row.pk, **form.cleaned_data)
        except Refused as refusal:
            if refusal.status == 403:
                raise
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            return redirect("media:detail", pk=row.pk)
    context = _context(request, row=row, form=form, title=str(row))
    return render(request, "media/form.html", context, status=400)


@_screen
@require_POST
def checkout(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(request, pk, CheckoutForm, medium_checkout)


@_screen
@require_POST
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    row = _medium(request, pk)
    medium_return(actor=request.user, pk=row.pk)
    return redirect("media:detail", pk=row.pk)


@_screen
@require_POST
def event(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(request, pk, EventForm, medium_record_event)


@_screen
@require_POST
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(request, pk, CopyForm, medium_copy)


@_screen
@require_http_methods(["GET", "POST"])
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    """Disposal asks first: the confirmation page says it cannot be undone."""
    if request.method == "POST":
        return _posted(request, pk, DisposeForm, medium_dispose)
    row = _medium(request, pk)
    form = DisposeForm(initial={"on": time.today()})
    return render(request, "media/dispose.html", _context(request, row=row, form=form))
