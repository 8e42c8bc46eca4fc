"""A register is declared, not hand-built (issue 9 item 1; STYLE.md): a model on
:class:`~mamori.registers.models.RegisterEntry`, a column spec and the register's permissions.  The
table (django-tables2), the filters and sort order (django-filter), the edit form (ModelForm), the API
schemas (ninja ModelSchema) and the xlsx/PDF columns are all derived here from the one spec."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.db import models
from django.db.models import QuerySet
from ninja import ModelSchema
from pydantic import ConfigDict

from mamori.core import time
from mamori.exports.tables import Column as ExportColumn
from mamori.exports.tables import TableExport
from mamori.regulations.schema import Pack

from .models import RegisterEntry

# A client may send only the fields a register lets it edit: anything else is refused naming it.
FORBID = ConfigDict(extra="forbid", from_attributes=True)

# django-filter's filter for each lookup a column may offer.
LOOKUPS = {"exact": "exact", "contains": "icontains", "range": "range"}


@dataclass(frozen=True)
class Column:
    """One column of a register.  ``label`` defaults to the field's verbose_name (Japanese).
    ``lookup``: how the list filters it ("exact", "contains", "range" for dates; None: no filter)."""

    field: str
    label: str = ""
    sortable: bool = True
    lookup: str | None = None
    list: bool = True
    detail: bool = True
    edit: bool = True
    export: bool = True
    width: float = 14
    # The filter's choices where they come from the active pack (read when the form is made).
    choices: Callable[[], Sequence[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class Perms:
    """The register's django-rules permissions (its policies.py registers them)."""

    view: str
    add: str
    change: str
    end: str


@dataclass(frozen=True)
class Citation:
    """What the active pack says about the register: the article and requirement its rows serve."""

    article: str
    requirement: str
    title: str = ""  # the register's name in this pack, e.g. 「保安装置台帳」
    article_label: str = ""  # as the pack cites it, e.g. 「第18条」


@dataclass(frozen=True, eq=False)
class RegisterSpec:
    model: type[RegisterEntry]
    name: str  # the URL namespace and API tag, e.g. "equipment"
    title: str  # Japanese, e.g. 「安全管理設備台帳」
    columns: tuple[Column, ...]
    perms: Perms
    # The active pack's article and requirement for the rows; None when the pack has no such register.
    cite: Callable[[Pack], Citation | None]
    retention_class: str = ""
    # The rows the user may see (a selector in the register's policies.py); default: every row.
    visible: Callable[[Any], QuerySet] | None = None
    related: tuple[str, ...] = ()  # select_related for the list
    page_size: int = 50
    list_url: str = ""  # the URL name of the register's own list screen; default: "<name>:list"
    # The register's own services, where its rules go beyond the generic ones: the generic services
    # call them, after the permission check and the form, to add (the validated, unsaved row) and to
    # end (the locked row), and they check, save and record.
    adds: Callable[..., RegisterEntry] | None = None
    ends: Callable[..., RegisterEntry] | None = None

    @property
    def list_name(self) -> str:
        return self.list_url or f"{self.name}:list"

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)  # type: ignore[return-value]

    def label(self, name: str) -> str:
        column = next((c for c in self.columns if c.field == name), None)
        if column and column.label:
            return column.label
        field = self.model._meta.get_field(name)
        return str(getattr(field, "verbose_name", name))

    def by_name(self, data: dict[str, Any]) -> dict[str, Any]:
        """API data keyed by column (``unit_id`` → ``unit``), as the form reads it."""
        names = {self.field(c.field).attname: c.field for c in self.columns}
        return {names.get(key, key): value for key, value in data.items()}

    def shown(self, where: str) -> list[Column]:
        return [c for c in self.columns if getattr(c, where)]

    def cell(self, row: RegisterEntry, name: str) -> Any:
        """How a value reads on a screen or in an export: a choice by its label, never its code."""
        if self.field(name).choices:
            return getattr(row, f"get_{name}_display")()
        value = getattr(row, name)
        if isinstance(value, dt.datetime):
            return time.local(value)
        return value if value is None or isinstance(value, str | int | float | dt.date) else str(value)

    def export(self, rows: QuerySet, *, title: str, article: str, **more: Any) -> TableExport:
        """The xlsx / PDF table of ``rows`` with the spec's export columns."""
        columns = self.shown("export")
        return TableExport(
            title=title,
            columns=[ExportColumn(self.label(c.field), width=c.width) for c in columns],
            rows=([self.cell(row, c.field) for c in columns] for row in rows.iterator(chunk_size=2000)),
            article=article,
            landscape=len(columns) > 6,
            **more,
        )

    def rows(self, user: Any) -> QuerySet:
        rows = self.visible(user) if self.visible else self.model.objects.all()
        return rows.select_related(*self.related)

    def _class(self, suffix: str, base: type, attrs: dict[str, Any]) -> Any:
        """A class named after the register (``EquipmentTable``), as if declared beside its model."""
        name, module = f"{self.model.__name__}{suffix}", self.model.__module__
        if "Meta" in attrs:  # pydantic takes a nested class for a field unless it is nested by name
            attrs["Meta"].__module__, attrs["Meta"].__qualname__ = module, f"{name}.Meta"
        return type(name, (base,), {"__module__": module, "__qualname__": name, **attrs})

    # --- derived -------------------------------------------------------------------------------

    @cached_property
    def table(self) -> type[tables.Table]:
        """The list (django-tables2): sortable where the spec says, the first column links to the row."""
        attrs: dict[str, Any] = {}
        for n, column in enumerate(self.shown("list")):
            kwargs = {"verbose_name": self.label(column.field), "orderable": column.sortable}
            if n == 0:
                kwargs["linkify"] = (f"{self.name}:detail", [tables.A("pk")])
            attrs[column.field] = tables.Column(**kwargs)
        attrs["Meta"] = type(
            "Meta",
            (),
            {
                "model": self.model,
                "fields": [c.field for c in self.shown("list")],
                "order_by_field": "sort",
                "template_name": "registers/_table.html",
                "empty_text": "該当する行はありません。",
            },
        )
        return self._class("Table", tables.Table, attrs)

    @cached_property
    def filterset(self) -> type[django_filters.FilterSet]:
        """The list's filters and sort order (django-filter); the screen and the API share them."""
        attrs: dict[str, Any] = {}
        for column in self.columns:
            if column.lookup is None:
                continue
            label = self.label(column.field)
            field = self.field(column.field)
            if column.lookup == "range":
                attrs[column.field] = django_filters.DateFromToRangeFilter(label=label)
            elif column.choices:
                attrs[column.field] = django_filters.ChoiceFilter(
                    label=label, choices=column.choices, empty_label="すべて"
                )
            elif field.choices:
                attrs[column.field] = django_filters.ChoiceFilter(
                    label=label, choices=field.choices, empty_label="すべて"
                )
            elif isinstance(field, models.ForeignKey):
                attrs[column.field] = django_filters.ModelChoiceFilter(
                    label=label, queryset=field.related_model._default_manager.all(), empty_label="すべて"
                )
            else:
                attrs[column.field] = django_filters.CharFilter(
                    label=label, lookup_expr=LOOKUPS[column.lookup]
                )
        sortable = [c for c in self.shown("list") if c.sortable]
        attrs["sort"] = django_filters.OrderingFilter(
            label="並び順",
            fields=[(c.field, c.field) for c in sortable],
            field_labels={c.field: self.label(c.field) for c in sortable},
        )
        attrs["Meta"] = type("Meta", (), {"model": self.model, "fields": []})
        return self._class("Filter", django_filters.FilterSet, attrs)

    @cached_property
    def form(self) -> type[forms.ModelForm]:
        """The add/change form: it turns the posted text (or the API's JSON) into field values and
        names the field at fault; the services use it for both, so the screen and the API agree."""
        widgets = {
            c.field: forms.DateInput(attrs={"type": "date"})
            for c in self.shown("edit")
            if isinstance(self.field(c.field), models.DateField)
        }
        meta = type(
            "Meta",
            (),
            {
                "model": self.model,
                "fields": [c.field for c in self.shown("edit")],
                "labels": {c.field: self.label(c.field) for c in self.shown("edit")},
                "widgets": widgets,
            },
        )
        return self._class("Form", forms.ModelForm, {"Meta": meta})

    @cached_property
    def schema_out(self) -> type[ModelSchema]:
        fields = ["id", *dict.fromkeys(c.field for c in self.columns if c.detail or c.list)]
        meta = type("Meta", (), {"model": self.model, "fields": fields})
        return self._class("Out", ModelSchema, {"Meta": meta})

    @cached_property
    def schema_in(self) -> type[ModelSchema]:
        """What a client sends to add a row; every field it may send, none other (extra: forbid)."""
        meta = type(
            "Meta",
            (),
            {"model": self.model, "fields": [c.field for c in self.shown("edit")]},
        )
        return self._class("In", ModelSchema, {"Meta": meta, "model_config": FORBID})

    @cached_property
    def schema_patch(self) -> type[ModelSchema]:
        """What a client sends to change a row: any of the editable fields."""
        fields = [c.field for c in self.shown("edit")]
        meta = type("Meta", (), {"model": self.model, "fields": fields, "fields_optional": "__all__"})
        return self._class("Patch", ModelSchema, {"Meta": meta, "model_config": FORBID})
