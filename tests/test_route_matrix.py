"""Who may see and do what (issue 10), proved route by route: every screen URL and every API operation,
requested as nobody, as a person who must first change a temporary password and as each demo log-in,
against the table kept in ``tests/route_matrix.tsv``.

The routes are read from Django's resolver and from the OpenAPI schema, never from a list kept by hand:
a new route without lines in the table fails here, and a route that answers 500 to anyone fails
whatever the table says.  ``MAMORI_MATRIX_WRITE=1`` rewrites the table from what the code does now,
so that a change of policy shows as a diff of that file in review.

Each cell is an outcome class: ``allow`` (2xx; ``allow:N`` for a JSON list of N rows, the scope),
``redirect-login``, ``redirect-password``, ``redirect`` (elsewhere), ``unauthenticated`` (401),
``refuse`` (403), ``absent`` (404), ``invalid`` (400/405/422) and ``error`` (5xx).

Changes are not fired at every log-in (they would change the demo under the next cell): a POST is sent
only as nobody and as the temporary-password user, who must both be turned away before anything
happens."""

from __future__ import annotations

import io
import os
import re
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from mamori.access.models import Entitlement, RevocationProposal
from mamori.accounts.models import User
from mamori.credentials.models import Credential, Loan, VerificationId, ViewingId
from mamori.designations.models import Designation
from mamori.equipment.models import Equipment
from mamori.findings.models import Finding
from mamori.media.models import Medium
from mamori.organisation.models import Person, RoleAppointment
from mamori.regulations.active import active_pack
from mamori.reviews.models import Campaign, CampaignLine
from mamori.rooms.models import RoomLogLine
from mamori.systems.models import System
from mamori.terminals.models import Terminal
from mamori.workflows.models import Notification, Request
from tests.conftest import NOW
from tests.demo_world import ANONYMOUS, ROLES, TEMPORARY, demo_world, logged_in  # noqa: F401

TABLE = Path(__file__).with_name("route_matrix.tsv")
WRITE = os.environ.get("MAMORI_MATRIX_WRITE") == "1"
API_PREFIX = "api/"
API_METHODS = ("get", "post", "put", "patch", "delete")
# Who a change is tried as: both must be turned away before the change happens.
POST_ROLES = (ANONYMOUS, TEMPORARY)
# The pages that exist for exactly these two: logging in, out, and changing the temporary password.
AUTH_PAGES = {"/login/", "/logout/", "/password/"}
# Open to anyone: nothing.  The API's schema and its browsable docs name every operation and field, so
# they are for signed-in staff too (docs_decorator=login_required).
PUBLIC_TODAY: set[str] = set()


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST …
    template: str  # as written: /requests/<int:pk>/ for a screen, /api/requests/{request_id} for the API
    api: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def slots(self) -> str:
        """The template with every parameter as ``{name}``: /requests/{pk}/."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.template)


# ---------------------------------------------------------------------------------------------------
# The routes, from the code


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def screen_routes() -> list[Route]:
    """Every URL pattern, named or not, but the static files and the API's operations (which the
    OpenAPI schema lists with their methods); the API's own pages (/api/docs …) are screens here."""
    static = settings.STATIC_URL.lstrip("/")
    routes = []
    for template, pattern in _walk(get_resolver().url_patterns):
        if static and template.startswith(static):
            continue
        if template.startswith(API_PREFIX) and pattern.callback.__module__.startswith("ninja.operation"):
            continue
        routes.append(Route("GET", "/" + template, api=False))
    return routes


def api_routes() -> list[Route]:
    from mamori.api import api

    schema = api.get_openapi_schema()
    return [
        Route(method.upper(), template, api=True)
        for template, operations in schema["paths"].items()
        for method in operations
        if method in API_METHODS
    ]


def all_routes() -> list[Route]:
    """GET routes (screens and API reads) are tried by every role; every screen is also posted to, and
    every API change tried, by nobody and by the temporary-password user."""
    screens = screen_routes()
    return [*screens, *(Route("POST", r.template, api=False) for r in screens), *api_routes()]


def roles_for(route: Route) -> tuple[str, ...]:
    return ROLES if route.method == "GET" else POST_ROLES


# ---------------------------------------------------------------------------------------------------
# Path parameters, from the demo


# Where the demo's pack has no such row (the 北見市 pack names no 指定簿, so there is no designation),
# the cell is asked about a row that does not exist and the table says ``absent`` for everyone.
NOTHING = "0"


def _first(model, field: str = "pk", order: tuple[str, ...] = ("pk",), **filters) -> Callable[[], object]:
    def pick():
        found = model.objects.filter(**filters).order_by(*order).values_list(field, flat=True).first()
        return NOTHING if found is None else found

    return pick


# The template up to a parameter → the value to put there: a real row of the model the view looks up.
# Keyed by the template so that one name (pk, code, kind) may mean a different model on each route.
PARAMETERS: dict[str, Callable[[], object]] = {
    "/notifications/{pk}": _first(Notification),
    "/regulations/{number}": lambda: active_pack().articles[0].number,
    "/requests/new/{kind}": _first(Request, "kind"),
    "/requests/{pk}": _first(Request),
    # By rule and subject, not by pk: the order the rules run in (and so the pks) follows import order.
    "/findings/{pk}": _first(Finding, order=("rule", "key")),
    "/accounts/{pk}": _first(User),
    "/organisation/appointments/{pk}": _first(RoleAppointment),
    "/access/lines/{pk}": _first(Entitlement),
    "/access/systems/{code}": _first(System, "code"),
    "/access/inbox/proposals/{pk}": _first(RevocationProposal),
    "/access/inbox/lines/{pk}": _first(Entitlement, state="pending"),
    "/access/inbox/people/{pk}": _first(Person),
    "/credentials/{pk}": _first(Credential),
    "/credentials/requests/{pk}": _first(Request, kind="access.password"),
    "/credentials/loans/ids/{pk}": _first(ViewingId),
    "/credentials/loans/{pk}": _first(Loan),
    "/designations/{kind}": lambda: next((d.kind for d in active_pack().parameters.designations), NOTHING),
    "/designations/{pk}": _first(Designation),
    "/reviews/{pk}": _first(Campaign),
    "/equipment/{pk}": _first(Equipment),
    "/media/{pk}": _first(Medium),
    "/rooms/{pk}": _first(RoomLogLine),
    "/rooms/door/{room}": _first(RoomLogLine, "room"),
    "/reviews/lines/{pk}": _first(CampaignLine),
    "/terminals/units/{unit_code}": _first(Terminal, "unit__code"),
    "/terminals/operators/{pk}": _first(Designation, terminal__isnull=False),
    "/terminals/{host}": _first(Terminal, "host_name"),
    "/exports/requests/{pk}": _first(Request),
    "/api/requests/{request_id}": _first(Request),
    "/api/access/systems/{code}": _first(System, "code"),
    "/api/access/entitlements/{entitlement_id}": _first(Entitlement),
    "/api/access/proposals/{proposal_id}": _first(RevocationProposal),
    "/api/credentials/passwords/{credential_id}": _first(Credential),
    "/api/credentials/password-requests/{request_id}": _first(Request, kind="access.password"),
    "/api/credentials/verification-ids/{code}": _first(VerificationId, "code"),
    "/api/credentials/loans/{loan_id}": _first(Loan),
    "/api/designations/{pk}": _first(Designation),
    "/api/reviews/campaigns/{campaign_id}": _first(Campaign),
    "/api/equipment/{pk}": _first(Equipment),
    "/api/media/{pk}": _first(Medium),
    "/api/rooms/{pk}": _first(RoomLogLine),
    "/api/reviews/lines/{line_id}": _first(CampaignLine),
    "/api/terminals/terminals/{host_name}": _first(Terminal, "host_name"),
    "/api/terminals/operators/{designation_id}": _first(Designation, terminal__isnull=False),
    "/api/terminals/units/{unit_code}": _first(Terminal, "unit__code"),
    "/api/exports/requests/{request_id}": _first(Request),
}
# A parameter that means the same on every route.
BY_NAME: dict[str, Callable[[], object]] = {
    "fmt": lambda: "xlsx",
}
# A query string for a route where the default is slow and who may have it does not depend on it
# (the request form as PDF takes about two seconds a time).
QUERIES: dict[str, str] = {
    "GET /api/exports/requests/{request_id}": "fmt=xlsx",
}
_SLOT = re.compile(r"\{(\w+)\}")


def url_of(route: Route, cache: dict[str, str]) -> str:
    """The route with each parameter filled from the demo; a parameter nobody has mapped fails with
    what to add."""
    slots = route.slots
    url = slots
    for match in _SLOT.finditer(slots):
        name = match.group(1)
        key = slots[: match.end()]
        source = PARAMETERS.get(key) or BY_NAME.get(name)
        assert source is not None, (
            f"{route.key}: no demo value for the parameter {{{name}}}. Add "
            f'"{key}": _first(TheModel[, "field"]) to PARAMETERS in tests/test_route_matrix.py'
        )
        if key not in cache:
            cache[key] = str(source())
        url = url.replace(match.group(0), cache[key], 1)
    query = QUERIES.get(route.key)
    return f"{url}?{query}" if query else url


# ---------------------------------------------------------------------------------------------------
# Outcomes


def outcome(response) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return "allow" + _scope(response)
    if 300 <= code < 400:
        where = urlsplit(response.get("Location", "")).path
        if where == "/login/":
            return "redirect-login"
        if where == "/password/":
            return "redirect-password"
        return "redirect"
    return {
        401: "unauthenticated",
        403: "refuse",
        404: "absent",
        400: "invalid",
        405: "invalid",
        422: "invalid",
    }.get(code, "error" if code >= 500 else f"status-{code}")


_BODY = re.compile(r"<tbody\b.*?</tbody>", re.S)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(response) -> str:
    """How many rows the answer holds (``:N``), where that is cheap to tell: a JSON list (or a page of
    ``items``), the rows of a screen's tables, the rows of a spreadsheet.  Who sees how much."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/json"):
        body = response.json()
        if isinstance(body, list):
            return f":{len(body)}"
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            return f":{body.get('count', len(body['items']))}"
    elif kind.startswith("text/html"):
        tables = _BODY.findall(response.content.decode())
        if tables:
            return f":{sum(table.count('<tr') for table in tables)}"
    elif kind.startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return f":{book.worksheets[0].max_row}"
    return ""


def send(client, route: Route, url: str):
    if route.method == "GET":
        return client.get(url)
    if route.api:
        return client.generic(route.method, url, "{}", content_type="application/json")
    return client.post(url, {})


def measure() -> dict[tuple[str, str], str]:
    """Every cell of the matrix: (route key, role) → outcome."""
    routes = all_routes()
    cache: dict[str, str] = {}
    urls = {route: url_of(route, cache) for route in routes}
    cells = {}
    for role in ROLES:
        client = logged_in(role, raise_request_exception=False)
        for route in routes:
            if role not in roles_for(route):
                continue
            cells[route.key, role] = outcome(send(client, route, urls[route]))
            if role != ANONYMOUS and "_auth_user_id" not in client.session:
                client = logged_in(role, raise_request_exception=False)  # that route logged out
    return cells


# ---------------------------------------------------------------------------------------------------
# The table


def read_table(path: Path = TABLE) -> dict[tuple[str, str], str]:
    cells = {}
    if not path.exists():
        return cells
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        route, role, expected = line.split("\t")
        cells[route, role] = expected
    return cells


def write_table(cells: dict[tuple[str, str], str], routes: list[Route], path: Path = TABLE) -> None:
    lines = [
        "# The URL × role matrix (issue 10): tests/test_route_matrix.py compares every cell with the code.",
        "# Regenerate: MAMORI_MATRIX_WRITE=1 .venv/bin/pytest tests/test_route_matrix.py, then read the diff.",
        "# route\trole\toutcome",
    ]
    for route in sorted(routes, key=lambda r: (r.api, r.template, r.method != "GET", r.method)):
        lines += [f"{route.key}\t{role}\t{cells[route.key, role]}" for role in roles_for(route)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def missing_lines(routes: list[Route], table: dict[tuple[str, str], str]) -> list[str]:
    """Routes the table has no line for (per role), each with what to do."""
    missing = []
    for route in routes:
        roles = [role for role in roles_for(route) if (route.key, role) not in table]
        if roles:
            missing.append(
                f"{route.key}: no line in tests/route_matrix.tsv for {', '.join(roles)}. Say who may use "
                "this route: add its lines, or regenerate the table with MAMORI_MATRIX_WRITE=1 and review the diff."
            )
    return missing


def differences(cells: dict[tuple[str, str], str], table: dict[tuple[str, str], str]) -> list[str]:
    rows = [
        (route, role, table[route, role], got)
        for (route, role), got in cells.items()
        if (route, role) in table and table[route, role] != got
    ]
    if not rows:
        return []
    width = max(len(r[0]) for r in rows)
    return [
        f"{route:<{width}}  {role:<13} expected {expected:<18} got {got}"
        for route, role, expected, got in rows
    ]


# ---------------------------------------------------------------------------------------------------
# The tests


@pytest.fixture(scope="module")
def matrix(demo_world, django_db_blocker):  # noqa: F811
    """The whole matrix, measured once for the module, then undone."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        cells = measure()
        transaction.set_rollback(True)
    if WRITE:
        write_table(cells, all_routes())
    return cells


def test_every_route_has_a_line_in_the_table(db):
    routes = all_routes()
    assert len({r.key for r in routes}) == len(routes)
    missing = missing_lines(routes, read_table())
    assert not missing or WRITE, "\n".join(missing)
    stale = sorted({route for route, _ in read_table()} - {r.key for r in routes})
    assert not stale, "lines in tests/route_matrix.tsv for routes that no longer exist:\n" + "\n".join(stale)


def test_every_cell_answers_as_the_table_says(db, matrix):
    diff = differences(matrix, read_table())
    assert not diff, (
        f"{len(diff)} cells differ from tests/route_matrix.tsv (if the change is meant, regenerate it with "
        "MAMORI_MATRIX_WRITE=1 and let the diff be reviewed):\n" + "\n".join(diff)
    )


def test_no_route_answers_a_server_error_to_anyone(db, matrix):
    errors = sorted(f"{route} as {role}" for (route, role), got in matrix.items() if got == "error")
    assert not errors, "server errors:\n" + "\n".join(errors)


def _got_past(matrix, role: str, turned_away: tuple[str, ...], *, api: bool) -> list[str]:
    return sorted(
        f"{route} → {got}"
        for (route, role_), got in matrix.items()
        if role_ == role
        and got not in turned_away
        and route.split(" ", 1)[1] not in AUTH_PAGES | PUBLIC_TODAY
        and (" /api/" in route) == api
    )


def test_nobody_logged_in_gets_anything_from_a_screen(db, matrix):
    """Anonymous: the log-in page (or a 404/405 that does nothing) from every screen but the log-in
    pages themselves."""
    got_past = _got_past(matrix, ANONYMOUS, ("redirect-login", "absent", "invalid"), api=False)
    assert not got_past, "anonymous got past:\n" + "\n".join(got_past)


def test_nobody_logged_in_gets_anything_from_the_api(db, matrix):
    # The docs page is a browser page: it sends anonymous to the log-in page like every screen.
    got_past = _got_past(matrix, ANONYMOUS, ("unauthenticated", "redirect-login", "absent"), api=True)
    assert not got_past, "anonymous got past:\n" + "\n".join(got_past)


def test_a_temporary_password_opens_no_screen_but_the_password_change(db, matrix):
    got_past = _got_past(matrix, TEMPORARY, ("redirect-password", "refuse", "absent"), api=False)
    assert not got_past, "a temporary password got past:\n" + "\n".join(got_past)


def test_a_temporary_password_gets_nothing_from_the_api(db, matrix):
    got_past = _got_past(matrix, TEMPORARY, ("refuse", "absent"), api=True)
    assert not got_past, "a temporary password got past:\n" + "\n".join(got_past)


def test_a_new_route_without_a_line_fails_the_matrix(db):
    """The proof that the harness is not a hand-kept list: one more route, and it says so."""
    extended = types.ModuleType("extended_urls")
    extended.urlpatterns = [*get_resolver().url_patterns, path("secret/<int:pk>/", lambda request, pk: None)]
    with override_settings(ROOT_URLCONF=extended):
        missing = missing_lines(all_routes(), read_table())
    assert any(m.startswith("GET /secret/<int:pk>/: no line") and "shokuin" in m for m in missing), missing
    assert any(m.startswith("POST /secret/<int:pk>/: no line") and "shinjin" in m for m in missing), missing
    assert not missing_lines(all_routes(), read_table()) or WRITE
