from django.shortcuts import redirect
from django.urls import reverse

from .services import must_change_password

ALLOWED_PREFIXES = ("/static/", "/api/")


class PasswordChangeRequiredMiddleware:
    """KIT-8-2 / KIT-8-5: a temporary or expired password allows nothing but changing it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and must_change_password(user):
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(ALLOWED_PREFIXES):
                return redirect("password_change")
        return self.get_response(request)
