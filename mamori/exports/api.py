"""JSON API of the exports domain; mounted by mamori/api.py under /api/exports/."""

from ninja import Router

router = Router(tags=["exports"])
