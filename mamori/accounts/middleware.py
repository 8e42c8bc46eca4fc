from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .services import must_change_password

ALLOWED_PREFIXES = ("/static/", "/api/")


class ActiveAccountMiddleware:
    """KIT-8-5: a session of an account that has since been locked or disabled is refused at once,
    whatever service locked it and on whichever worker the session lives (the services also delete
    the sessions they know of)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (not user.is_active or user.is_locked):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"message": "このアカウントは現在使用できません。", "article": "", "field": None},
                    status=401,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect("login")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """KIT-8-2 / KIT-8-5: a temporary or expired password allows nothing but changing it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and must_change_password(user):
            if request.path.startswith("/api/"):
                # The API is no side door: a temporary or expired password reads and files nothing there.
                return JsonResponse(
                    {
                        "message": "仮パスワードまたは有効期限の過ぎたパスワードでは利用できません。"
                        "画面の「パスワード変更」で変更してから利用してください。",
                        "article": "",
                        "field": None,
                    },
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(ALLOWED_PREFIXES):
                return redirect("password_change")
        return self.get_response(request)


class NoStoreMiddleware:
    """Every page and API answer of mamori may carry personal data or a secret shown once (a
    temporary password, a PIN: KIT-8-2, KIT-8-8): none is kept by the browser or a proxy.  Static
    files and responses that set their own Cache-Control (downloads: ``private, no-store``) are
    left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/") and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
