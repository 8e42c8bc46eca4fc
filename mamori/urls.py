from django.urls import include, path

from mamori.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("mamori.web.urls")),
]
