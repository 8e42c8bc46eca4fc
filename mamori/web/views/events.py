"""操作記録の検索 (audit search): everything a person did between two dates, everything done to a
subject (a resident's disclosure request), all use outside the operating hours in a period.  Keyset
pages over millions of events; xlsx/csv exports; every search is itself recorded (administrators).

A search, each further page and each export write their record (MAI-3, MAI-21-4), so they are POSTs
with the CSRF token: a GET (a link, a prefetch, a bookmark) only shows the form and never records."""

from __future__ import annotations

from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.events.models import EventKind
from mamori.events.search import (
    SearchError,
    audit_csv_chunks,
    audit_export,
    audit_page,
    audit_query,
    event_row,
    last_month,
)
from mamori.exports.tables import attachment_header, export_response
from mamori.terminals.audit import audit_searched

from .common import current_pack, screen

FIELDS = ("since", "until", "person", "subject", "account", "host")


def _values(data: QueryDict) -> dict:
    values = {name: data.get(name, "").strip() for name in FIELDS}
    values["kinds"] = [k for k in data.getlist("kinds") if k]
    values["outside_hours"] = data.get("outside_hours") == "1"
    return values


@screen(perm="terminals.audit_search")
def audit_search(request):
    # GET fills the form (from a bookmark's parameters too) and searches nothing.
    posted = request.method == "POST"
    values = _values(request.POST if posted else request.GET)
    preset = request.POST.get("preset", "") if posted else ""
    if preset == "last_month_outside":
        since, until = last_month(time.today())
        values.update(since=since.isoformat(), until=until.isoformat(), outside_hours=True)
        values["kinds"] = values["kinds"] or [EventKind.LOGON, EventKind.LOGOFF]
    if not values["since"] and not values["until"]:
        today = time.today()
        values.update(since=today.replace(day=1).isoformat(), until=today.isoformat())
    context = {"nav": "audit", "values": values, "kinds": EventKind.choices, "error": None, "page": None}
    if posted:
        pack = current_pack()
        after = request.POST.get("after", "")
        try:
            query = audit_query(**values)
            # Every page is a search of its own and is recorded, the first and every next one.
            audit_searched(query=query, actor=request.user, purpose="screen.next" if after else "screen")
            page = audit_page(query, after=after, limit=100, pack=pack)
        except SearchError as error:
            context["error"] = error
        else:
            context.update(
                page=page,
                rows=[event_row(e) for e in page.rows],
                description=query.describe(),
                first_page=not after,
            )
    return render(request, "web/events/search.html", context, status=400 if context["error"] else 200)


@screen(perm="terminals.audit_search")
@require_POST
def audit_search_export(request, fmt: str):
    values = _values(request.POST)
    pack = current_pack()
    try:
        query = audit_query(**values)
    except SearchError as error:
        return render(request, "web/refused.html", {"message": f"{error.field}: {error.message}"}, status=400)
    if fmt not in ("xlsx", "csv"):
        return render(request, "web/refused.html", {"message": "形式は xlsx か csv です"}, status=400)
    audit_searched(query=query, actor=request.user, purpose=f"export.{fmt}")
    if fmt == "csv":
        response = StreamingHttpResponse(
            audit_csv_chunks(query, pack=pack), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = attachment_header("操作記録.csv")
        return response
    label = getattr(request.user, "display_name", "") or request.user.get_username()
    return export_response(audit_export(query, pack=pack, actor_label=label), fmt="xlsx", filename="操作記録")
