"""The screens.  Each view calls a service and renders; see the modules for each area."""

from .accounts import account_list, account_unlock_view
from .auth import login_view, logout_view, password_change_view
from .findings import finding_close_view, finding_list
from .home import approvals, home, notification_read
from .organisation import organisation, roles
from .regulations import article, regulations
from .requests import (
    privilege_options,
    request_decide_view,
    request_detail,
    request_form_view,
    request_list,
    request_new,
    request_resubmit_view,
    request_withdraw_view,
)

__all__ = [
    "account_list",
    "account_unlock_view",
    "approvals",
    "article",
    "finding_close_view",
    "finding_list",
    "home",
    "login_view",
    "logout_view",
    "notification_read",
    "organisation",
    "password_change_view",
    "privilege_options",
    "regulations",
    "request_decide_view",
    "request_detail",
    "request_form_view",
    "request_list",
    "request_new",
    "request_resubmit_view",
    "request_withdraw_view",
    "roles",
]
