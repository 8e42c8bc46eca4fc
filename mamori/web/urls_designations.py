"""Screens of the designations domain (views in mamori/web/views/designations.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
