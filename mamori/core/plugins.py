"""Domains as plug-ins (issue 9): each domain app declares what it adds to mamori in its AppConfig, as
``domain = Domain(...)``, and the API, the URL conf, the menu, the demo, the home page, the retention
classes and the pack schema collect them from :func:`domains`, so adding a domain edits no shared list.

References are dotted strings (``"mamori.equipment.api:router"``), resolved only by the collectors in the
top layer (``mamori.api``, ``mamori.web``, ``mamori.demo``): declaring a domain imports nothing of it, which
keeps the app graph acyclic (import-linter, ``.importlinter``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the menu, shown only to those who may use it."""

    label: str  # Japanese, as a clerk reads it
    url_name: str  # reversed by the menu
    perm: str | None = None  # a django-rules permission; None: every signed-in user
    # Shown only when the active pack has one of these request kinds or pack sections (empty: always).
    needs: tuple[str, ...] = ()
    order: int = 100
    # The screens' ``nav`` value that marks this entry as the current page (default: the domain's label).
    nav: str = ""


@dataclass(frozen=True)
class RetentionClassSpec:
    """A retention class the engine writes records under; the active pack gives its period
    (``parameters.retention``), and pack validation fails if the pack lacks one the engine uses."""

    code: str
    label: str  # Japanese
    description: str = ""


@dataclass(frozen=True)
class Domain:
    """What one domain app adds to mamori."""

    title: str  # Japanese name of the domain, e.g. 「安全管理設備」
    api_router: str | None = None  # "module:attribute" of a ninja Router
    api_prefix: str = ""  # e.g. "/equipment"
    urls: str | None = None  # a module with ``urlpatterns`` for the screens
    url_prefix: str = ""  # e.g. "equipment/"
    menu: tuple[MenuEntry, ...] = ()
    demo: str | None = None  # "module:function", function(city, *, on) -> str (a summary line)
    demo_order: int = 100
    home: str | None = None  # "module:function", function(user, *, on) -> list of home-page items
    retention_classes: tuple[RetentionClassSpec, ...] = ()
    pack_section: str | None = None  # "module:Model", the pydantic model of the domain's pack section
    label: str = field(default="", compare=False)  # filled by domains(): the app label


def domains() -> list[Domain]:
    """Every installed domain, in INSTALLED_APPS order, each with its app label filled in."""
    found = []
    for config in apps.get_app_configs():
        declared = getattr(config, "domain", None)
        if isinstance(declared, Domain):
            found.append(_labelled(declared, config.label))
    return found


def _labelled(domain: Domain, label: str) -> Domain:
    return Domain(**{**domain.__dict__, "label": label})


def resolve(reference: str) -> Any:
    """``"module:attribute"`` → the object (used only by the collectors in the top layer)."""
    module, _, attribute = reference.partition(":")
    target = import_module(module)
    return getattr(target, attribute) if attribute else target


def retention_classes() -> dict[str, RetentionClassSpec]:
    """Every retention class the engine writes, by code."""
    return {spec.code: spec for domain in domains() for spec in domain.retention_classes}


def section_models() -> dict[str, Any]:
    """The pydantic model of each domain's pack section, by the domain's label (the key under the
    pack's ``sections:``).  Before the app registry is ready (a bare schema import) there are none."""
    if not apps.ready:
        return {}
    return {domain.label: resolve(domain.pack_section) for domain in domains() if domain.pack_section}


DemoStep = Callable[..., str]
