"""Screens of the events domain (views in mamori/web/views/events.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
