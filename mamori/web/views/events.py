"""操作記録の検索 (audit search): everything a person did between two dates, everything done to a
subject (a resident's disclosure request), all use outside the operating hours in a period.  Keyset
pages over millions of events; xlsx/csv exports; every search is itself recorded (administrators)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.shortcuts import render

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


def _values(request) -> dict:
    values = {name: request.GET.get(name, "").strip() for name in FIELDS}
    values["kinds"] = [k for k in request.GET.getlist("kinds") if k]
    values["outside_hours"] = request.GET.get("outside_hours") == "1"
    return values


@screen(admin=True)
def audit_search(request):
    values = _values(request)
    preset = request.GET.get("preset", "")
    if preset == "last_month_outside":
        since, until = last_month(time.today())
        values.update(since=since.isoformat(), until=until.isoformat(), outside_hours=True)
        values["kinds"] = values["kinds"] or [EventKind.LOGON, EventKind.LOGOFF]
    if not values["since"] and not values["until"]:
        today = time.today()
        values.update(since=today.replace(day=1).isoformat(), until=today.isoformat())
    context = {"nav": "audit", "values": values, "kinds": EventKind.choices, "error": None, "page": None}
    searched = (
        any(values[name] for name in ("person", "subject", "account", "host")) or values["outside_hours"]
    )
    if searched:
        pack = current_pack()
        try:
            query = audit_query(**values)
            after = request.GET.get("after", "")
            if not after:
                audit_searched(query=query, actor=request.user, purpose="screen")
            page = audit_page(query, after=after, limit=100, pack=pack)
        except SearchError as error:
            context["error"] = error
        else:
            params = {k: v for k, v in values.items() if k not in ("kinds", "outside_hours") and v}
            params["outside_hours"] = "1" if values["outside_hours"] else ""
            base = urlencode([*params.items(), *[("kinds", k) for k in values["kinds"]]])
            context.update(
                page=page,
                rows=[event_row(e) for e in page.rows],
                description=query.describe(),
                query_string=base,
                first_page=not after,
            )
    return render(request, "web/events/search.html", context)


@screen(admin=True)
def audit_search_export(request, fmt: str):
    values = _values(request)
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
