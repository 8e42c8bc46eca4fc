"""JSON API of the designations domain; mounted by mamori/api.py under /api/designations/."""

from ninja import Router

router = Router(tags=["designations"])
