"""The screens of the 入退室管理簿: the register's list, detail and exports, and the door screen."""

from django.urls import path

from mamori.registers.views import register_urls

from . import views
from .register import spec

app_name = spec.name
urlpatterns = [
    path("door/", views.door, name="door"),
    path("door/<str:room>/", views.door, name="door_room"),
    *register_urls(spec),
]
