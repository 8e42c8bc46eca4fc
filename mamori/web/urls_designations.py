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
    # The ledger is the list and the per-kind form (who may designate whom, on which terminal) the way in:
    # the layer's own list and blank add screen are left out.
    path("", include(([u for u in register_urls(spec) if u.name not in ("list", "add")], spec.name))),
]
