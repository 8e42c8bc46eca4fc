"""Screens of the reviews domain (views in mamori/web/views/reviews.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
