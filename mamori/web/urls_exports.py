"""Screens of the exports domain (views in mamori/web/views/exports.py)."""

from django.urls import path

from .views import exports

urlpatterns = [
    path("", exports.export_index, name="exports"),
    # fmt is "xlsx" or "pdf"; the views answer 404 to anything else.
    path("requests/<int:pk>.<str:fmt>", exports.request_form_export, name="export_request_form"),
    path("management-file.<str:fmt>", exports.management_file_export_view, name="export_management_file"),
]
