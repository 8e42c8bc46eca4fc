"""Screens of the access domain (views in mamori/web/views/access.py)."""

from django.urls import path

from .views import access

urlpatterns = [
    path("", access.entitlements, name="access_entitlements"),
    path("lines/<int:pk>/", access.entitlement_detail, name="access_entitlement"),
    path("systems/", access.systems, name="access_systems"),
    path("systems/<str:code>/", access.system_detail, name="access_system"),
    path("request/", access.request_quick, name="access_request"),
    path("request/privileges/", access.privilege_boxes, name="access_privilege_boxes"),
    path("request/people/", access.people_search, name="access_people"),
    path("inbox/", access.inbox, name="access_inbox"),
    path("inbox/proposals/<int:pk>/apply/", access.proposal_apply, name="access_proposal_apply"),
    path("inbox/lines/<int:pk>/biometric/", access.biometric_record, name="access_biometric"),
]
urlpatterns += [
    path("lines/<int:pk>/delete/", access.entitlement_delete_view, name="access_entitlement_delete"),
    path(
        "inbox/people/<int:pk>/registration/", access.user_registration_view, name="access_user_registration"
    ),
]
