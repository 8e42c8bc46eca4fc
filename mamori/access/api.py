"""JSON API of the access domain; mounted by mamori/api.py under /api/access/."""

from ninja import Router

router = Router(tags=["access"])
