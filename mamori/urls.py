from django.urls import include, path

urlpatterns = [
    path("", include("mamori.web.urls")),
]
