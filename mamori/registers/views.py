"""The screens of a register, from its spec (issue 9 item 1): a list (django-tables2: sortable,
paged, django-filter filters, the count), a detail, add and edit forms, an end that asks first, and
xlsx / PDF exports of what the list shows.  Every change goes through the generic services; the
policy decides who may (mamori/<register>/policies.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from mamori.core import time
from mamori.core.policy import Refused, may, require
from mamori.exports.tables import export_response

from .api import filtered
from .models import NotFound, RegisterEntry
from .services import citation, register_add, register_change, register_end
from .spec import RegisterSpec


class EndForm(forms.Form):
    on = forms.DateField(label="終了日", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="終了の理由", max_length=200)


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


def _refusal_to_form(form: forms.Form, refusal: Refused) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


def _context(request: HttpRequest, spec: RegisterSpec, **more: Any) -> dict[str, Any]:
    perms = {name: may(request.user, getattr(spec.perms, name)) for name in ("add", "change", "end")}
    return {"spec": spec, "nav": spec.name, "may": perms, **more}


def list_screen(
    request: HttpRequest, spec: RegisterSpec, *, template: str = "registers/list.html", **more: Any
) -> HttpResponse:
    """The list: the filters, the count and the sortable, paged table.  A register whose list shows
    more (its own forms, the pack's reports) renders it with its template extending registers/list.html."""
    filters = spec.filterset(request.GET, queryset=spec.rows(request.user))
    table = spec.table(filtered(spec, request))
    RequestConfig(request, paginate={"per_page": spec.page_size}).configure(table)
    return render(request, template, _context(request, spec, table=table, filter=filters, **more))


def register_urls(spec: RegisterSpec) -> list[URLPattern]:
    """The screens' URL patterns; include them with ``app_name = spec.name``.  A register with its own
    list screen (built on :func:`list_screen`, named ``spec.list_url``) leaves out the one named "list"."""

    def context(request: HttpRequest, **more: Any) -> dict[str, Any]:
        return _context(request, spec, cited=citation(spec), **more)

    def one(request: HttpRequest, pk: int) -> RegisterEntry:
        require(request.user, spec.perms.view, message=f"「{spec.title}」を見る権限がありません。")
        found = spec.rows(request.user).filter(pk=pk).first()
        if found is None:
            raise NotFound(f"「{spec.title}」に番号 {pk} の行はありません。")
        return found

    @_screen
    def generic_list(request: HttpRequest) -> HttpResponse:
        return list_screen(request, spec, cited=citation(spec))

    @_screen
    def detail(request: HttpRequest, pk: int) -> HttpResponse:
        row = one(request, pk)
        fields = [(spec.label(c.field), spec.cell(row, c.field)) for c in spec.shown("detail")]
        return render(request, "registers/detail.html", context(request, row=row, fields=fields))

    @_screen
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
        row = one(request, pk) if pk is not None else None
        form = spec.form(request.POST or None, instance=row)
        if request.method == "POST":
            data = {c.field: request.POST.get(c.field, "") for c in spec.shown("edit")}
            try:
                if row is None:
                    row = register_add(spec=spec, actor=request.user, data=data)
                else:
                    row = register_change(spec=spec, actor=request.user, pk=row.pk, data=data)
            except Refused as refusal:
                if refusal.status == 403:
                    raise
                _refusal_to_form(form, refusal)
            else:
                return redirect(f"{spec.name}:detail", pk=row.pk)
        status = 400 if form.errors else 200
        return render(request, "registers/form.html", context(request, row=row, form=form), status=status)

    @_screen
    @require_http_methods(["GET", "POST"])
    def end(request: HttpRequest, pk: int) -> HttpResponse:
        row = one(request, pk)
        require(
            request.user, spec.perms.end, row, message=f"「{spec.title}」の行を終了する権限がありません。"
        )
        form = EndForm(request.POST or None, initial={"on": time.today()})
        if request.method == "POST" and form.is_valid():
            try:
                register_end(spec=spec, actor=request.user, pk=pk, **form.cleaned_data)
            except Refused as refusal:
                if refusal.status == 403:
                    raise
                _refusal_to_form(form, refusal)
            else:
                return redirect(f"{spec.name}:detail", pk=pk)
        status = 400 if form.errors else 200
        return render(request, "registers/end.html", context(request, row=row, form=form), status=status)

    @_screen
    def export(request: HttpRequest, fmt: str) -> HttpResponse:
        rows = filtered(spec, request)
        cited = citation(spec)
        table = spec.export(
            rows, title=cited.title or spec.title, article=cited.article_label or cited.article
        )
        return export_response(table, fmt, f"{cited.title or spec.title}_{time.today():%Y%m%d}")  # type: ignore[arg-type]

    return [
        path("", generic_list, name="list"),
        path("new/", edit, name="add"),
        path("<int:pk>/", detail, name="detail"),
        path("<int:pk>/edit/", edit, name="edit"),
        path("<int:pk>/end/", end, name="end"),
        path("export.<str:fmt>", export, name="export"),
    ]
