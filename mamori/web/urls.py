from django.urls import include, path

from mamori.core.plugins import Domain, domains

from . import views
from .views import accounts as account_views
from .views.organisation import (
    absence_register_view,
    role_appoint_view,
    role_appointment_end_view,
    role_appointments,
)

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("", views.home, name="home"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/roles/", views.roles, name="roles"),
    path("organisation/appointments/", role_appointments, name="role_appointments"),
    path("organisation/appointments/new/", role_appoint_view, name="role_appoint"),
    path(
        "organisation/appointments/<int:pk>/end/",
        role_appointment_end_view,
        name="role_appointment_end",
    ),
    path("organisation/absences/new/", absence_register_view, name="absence_register"),
    path("regulations/", views.regulations, name="regulations"),
    path("regulations/<str:number>/", views.article, name="article"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/new/<str:kind>/", views.request_form_view, name="request_form"),
    path("requests/privileges/", views.privilege_options, name="privilege_options"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide_view, name="request_decide"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw_view, name="request_withdraw"),
    path("requests/<int:pk>/resubmit/", views.request_resubmit_view, name="request_resubmit"),
    path("approvals/", views.approvals, name="approvals"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:pk>/close/", views.finding_close_view, name="finding_close"),
    path("findings/<int:pk>/evidence/", views.findings.finding_evidence, name="finding_evidence"),
    path("findings/export/<str:fmt>/", views.findings.finding_export, name="finding_export"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", account_views.account_issue_view, name="account_issue"),
    path("accounts/<int:pk>/unlock/", account_views.account_unlock_view, name="account_unlock"),
    path("accounts/<int:pk>/lock/", account_views.account_lock_view, name="account_lock"),
    path("accounts/<int:pk>/reset/", account_views.account_reset_view, name="account_reset"),
    path("accounts/<int:pk>/disable/", account_views.account_disable_view, name="account_disable"),
    path("accounts/<int:pk>/enable/", account_views.account_enable_view, name="account_enable"),
]


def domain_urlpatterns(found: list[Domain]) -> list:
    """One URL module per domain (``Domain.urls``), each under its prefix (by default ``<app label>/``):
    a new domain's screens are added by its AppConfig alone (issue 9 item 4)."""
    return [
        path(domain.url_prefix or f"{domain.label}/", include(domain.urls)) for domain in found if domain.urls
    ]


urlpatterns += domain_urlpatterns(domains())
