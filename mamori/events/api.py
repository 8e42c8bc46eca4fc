"""JSON API of the events domain; mounted by mamori/api.py under /api/events/."""

from ninja import Router

router = Router(tags=["events"])
