"""The screens of the recording-media ledger: the register layer's add, edit and exports, with the
ledger's own list and medium page (history, checkouts, label) and its scan, label and disposal screens."""

from django.urls import path

from mamori.registers.views import register_urls

from . import views
from .register import spec

app_name = spec.name
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("labels/", views.labels, name="labels"),
    path("scan/", views.scan, name="scan"),
    path("<int:pk>/", views.medium, name="detail"),
    path("<int:pk>/checkout/", views.checkout, name="checkout"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/event/", views.event, name="event"),
    path("<int:pk>/copy/", views.copy, name="copy"),
    path("<int:pk>/dispose/", views.dispose, name="dispose"),
    *(p for p in register_urls(spec) if p.name not in ("list", "detail", "end")),
]
