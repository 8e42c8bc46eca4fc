"""Screens of the terminals domain (views in mamori/web/views/terminals.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
