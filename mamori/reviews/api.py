"""JSON API of the reviews domain; mounted by mamori/api.py under /api/reviews/."""

from ninja import Router

router = Router(tags=["reviews"])
