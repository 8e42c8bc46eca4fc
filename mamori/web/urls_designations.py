"""Screens of the designations domain: the register layer's (namespace ``designations``) with the
ledger (mamori/web/views/designations.py) as its list, and the pack's own add form and report."""

from django.urls import include, path

from mamori.designations.register import spec
from mamori.registers.views import register_urls

from .views import designations

urlpatterns = [
    path("", designations.designations, name="designations"),
    path("<str:kind>/add/", designations.designation_add_view, name="designations_add"),
    path("<str:kind>/export.<str:fmt>", designations.designation_export, name="designations_export"),
    path("", include(([u for u in register_urls(spec) if u.name != "list"], spec.name))),
]
