"""Screens of the events domain (views in mamori/web/views/events.py): the audit search."""

from django.urls import path

from .views import events

urlpatterns = [
    path("search/", events.audit_search, name="audit_search"),
    path("search/export/<str:fmt>/", events.audit_search_export, name="audit_search_export"),
]
