"""JSON API of the terminals domain; mounted by mamori/api.py under /api/terminals/."""

from ninja import Router

router = Router(tags=["terminals"])
