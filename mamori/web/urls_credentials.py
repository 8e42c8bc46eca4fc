"""Screens of the credentials domain (views in mamori/web/views/credentials.py)."""

from django.urls import path

from .views import credentials

urlpatterns = [
    path("", credentials.credentials, name="credentials"),
    path("issue/", credentials.credential_issue, name="credentials_issue"),
    path("<int:pk>/changed/", credentials.credential_changed, name="credentials_changed"),
    path("requests/<int:pk>/register/", credentials.credential_request_register, name="credentials_register"),
    path("ids/", credentials.operator_ids, name="credentials_ids"),
    path("ids/issue/", credentials.operator_id_issue_view, name="credentials_ids_issue"),
    path("loans/", credentials.loans, name="credentials_loans"),
    path("loans/ids/", credentials.viewing_id_register_view, name="credentials_viewing_register"),
    path("loans/ids/<int:pk>/lend/", credentials.loan_lend_view, name="credentials_lend"),
    path("loans/<int:pk>/return/", credentials.loan_return_view, name="credentials_return"),
]
