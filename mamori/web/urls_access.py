"""Screens of the access domain (views in mamori/web/views/access.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
