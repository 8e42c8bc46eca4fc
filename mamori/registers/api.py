"""The API of a register, from its spec (issue 9 item 1): list with ninja's own pagination (a count
and pages, never a silent cut-off), detail, add, change, state change and end.  Every refusal a
service or the policy raises is a :class:`~mamori.core.policy.Refused` (or a subclass carrying its
status), which the API's one handler turns into the Problem schema (mamori/api.py)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.pagination import PageNumberPagination, paginate

from mamori.core.policy import Refused, require
from mamori.core.schemas import Code, ProblemOut, Text

from .models import Invalid, NotFound
from .services import register_add, register_change, register_end
from .spec import RegisterSpec

PROBLEMS = {400: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut}


class StateIn(Schema):
    state: Code


class EndIn(Schema):
    on: dt.date
    reason: Text


def filtered(spec: RegisterSpec, request: HttpRequest) -> Any:
    """The rows the user may see, filtered and sorted as asked; a bad filter is refused naming it."""
    require(request.user, spec.perms.view, message=f"「{spec.title}」を見る権限がありません。")
    query = request.GET.copy()
    for name in ("page", "page_size"):
        query.pop(name, None)
    filters = spec.filterset(query, queryset=spec.rows(request.user))
    if not filters.is_valid():
        name, messages = next(iter(filters.errors.items()))
        raise Invalid(f"{filters.form.fields[name].label}: {' '.join(messages)}", field=name)
    return filters.qs


def register_router(spec: RegisterSpec) -> Router:
    router = Router(tags=[spec.title])
    Out, In, Patch = spec.schema_out, spec.schema_in, spec.schema_patch

    @router.get("", response=list[Out], summary=f"{spec.title}の一覧（絞込み・並べ替え・ページ）")
    @paginate(PageNumberPagination, page_size=spec.page_size)
    def rows(request: HttpRequest):
        return filtered(spec, request)

    @router.get("/{int:pk}", response={200: Out, **PROBLEMS}, summary=f"{spec.title}の1行")
    def row(request: HttpRequest, pk: int):
        require(request.user, spec.perms.view, message=f"「{spec.title}」を見る権限がありません。")
        found = spec.rows(request.user).filter(pk=pk).first()
        if found is None:
            raise NotFound(f"「{spec.title}」に番号 {pk} の行はありません。", field="id")
        return found

    @router.post("", response={201: Out, **PROBLEMS}, summary=f"{spec.title}に登録")
    def add(request: HttpRequest, payload: In):  # type: ignore[valid-type]
        data = spec.by_name(payload.model_dump())
        return Status(201, register_add(spec=spec, actor=request.user, data=data))

    @router.patch("/{int:pk}", response={200: Out, **PROBLEMS}, summary=f"{spec.title}の行を変更")
    def change(request: HttpRequest, pk: int, payload: Patch):  # type: ignore[valid-type]
        data = spec.by_name(payload.model_dump(exclude_unset=True))
        return register_change(spec=spec, actor=request.user, pk=pk, data=data)

    @router.post("/{int:pk}/state", response={200: Out, **PROBLEMS}, summary=f"{spec.title}の行の状態を変更")
    def state(request: HttpRequest, pk: int, payload: StateIn):
        return register_change(spec=spec, actor=request.user, pk=pk, data={}, state=payload.state)

    @router.post("/{int:pk}/end", response={200: Out, **PROBLEMS}, summary=f"{spec.title}の行を終了")
    def end(request: HttpRequest, pk: int, payload: EndIn):
        return register_end(spec=spec, actor=request.user, pk=pk, on=payload.on, reason=payload.reason)

    return router


def problem_handlers(api: NinjaAPI) -> None:
    """The one exception path, for an API that mounts register routers: every refusal and every
    input ninja cannot read becomes the Problem schema naming the field (mamori/api.py maps
    Refused the same way)."""

    @api.exception_handler(Refused)
    def refused(request: HttpRequest, error: Refused):
        body = {"message": error.message, "article": error.article, "field": error.field}
        return api.create_response(request, body, status=error.status)

    @api.exception_handler(HttpError)
    def answered(request: HttpRequest, error: HttpError):
        # A router's own "not found" or "not this format" in the same shape as every other refusal.
        body = {"message": str(error), "article": "", "field": None}
        return api.create_response(request, body, status=error.status_code)

    @api.exception_handler(ValidationError)
    def unreadable(request: HttpRequest, error: ValidationError):
        first = error.errors[0] if error.errors else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "payload", "query")]
        field = ".".join(location) or None
        # A validator's own message (ours are Japanese and name the field) without pydantic's prefix.
        reason = str(first.get("msg", "読めません")).removeprefix("Value error, ")
        body = {
            "message": f"{field}: {reason}" if field else reason,
            "article": "",
            "field": field,
        }
        return api.create_response(request, body, status=422)
