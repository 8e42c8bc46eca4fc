"""Screens of the credentials domain (views in mamori/web/views/credentials.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
