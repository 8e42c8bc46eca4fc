"""Screens of the designations domain (views in mamori/web/views/designations.py)."""

from django.urls import path

from .views import designations

urlpatterns = [
    path("", designations.designations, name="designations"),
    path("<str:kind>/add/", designations.designation_add_view, name="designations_add"),
    path("<int:pk>/end/", designations.designation_end_view, name="designations_end"),
    path("<str:kind>/export.<str:fmt>", designations.designation_export, name="designations_export"),
]
