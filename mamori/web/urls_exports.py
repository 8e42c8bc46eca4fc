"""Screens of the exports domain (views in mamori/web/views/exports.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
