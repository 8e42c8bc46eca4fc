"""JSON API of the credentials domain; mounted by mamori/api.py under /api/credentials/."""

from ninja import Router

router = Router(tags=["credentials"])
