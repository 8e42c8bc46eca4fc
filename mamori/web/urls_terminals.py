"""Screens of the terminals domain (views in mamori/web/views/terminals.py)."""

from django.urls import path

from .views import terminals

urlpatterns = [
    path("", terminals.terminal_list, name="terminals"),
    path("new/", terminals.terminal_new, name="terminal_new"),
    path("hours/", terminals.terminal_hours, name="terminal_hours"),
    path("report/<str:fmt>/", terminals.terminal_report, name="terminal_report"),
    path("units/<str:unit_code>/report/", terminals.terminal_report_submit, name="terminal_report_submit"),
    path("operators/<int:pk>/end/", terminals.terminal_designation_end, name="terminal_designation_end"),
    path("<str:host>/", terminals.terminal_detail, name="terminal_detail"),
    path("<str:host>/designate/", terminals.terminal_designate, name="terminal_designate"),
]
