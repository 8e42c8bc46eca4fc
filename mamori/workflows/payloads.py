"""What a request's payload may hold: the pack form its chain names, as one pydantic model per form.

A chain's ``form`` names one of the pack's ``forms``; each ``FormField`` becomes a field of the model
with its type (text up to ``TEXT_MAX`` characters, textarea, date, datetime, number, a choice of the
pack's, a person in office by staff number, a unit, a system), required or not as the pack says, and
nothing else is accepted.  A chain without a form takes the form its kind's handler reads, or else the
screen's one box 「申請の内容」.  The engine's own fields (the lead time's date, the unit or system a step
is resolved in) are added as the screen adds them.

A kind's handler may read a pack form a little differently from the pack's wording: it declares
those fields (``KindHandler.fields``, e.g. 操作権限 as a list, a person it fills in with the requester);
and it reads only a pack form carrying the fields it needs (``KindHandler.reads``): the same kind under
another city's form (柳川市 様式第1号 under ``access.terminal_privilege``) is checked against that form
and recorded as filed.

Refusals name the field's label, what is wrong, and the form's article.  The cleaned payload keeps
natural keys (staff number, unit code, system code) for the record; the rows they name are handed to
the handler as ``resolved``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.db.models import Q
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, create_model
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError

from mamori.core import time
from mamori.organisation.models import Person, Unit, active_on
from mamori.regulations.schema import Chain, FormField, Pack

from .handlers import KindHandler, handler_for

TEXT_MAX = 200
TEXTAREA_MAX = 2000
CODE_MAX = 100
DETAILS = "details"

REQUIRED = "必須です"
NOT_ON_FORM = "この項目はこの様式にありません"
DATE_SHAPE = "日付は YYYY-MM-DD または 令和8年12月10日 の形で入力してください"
DATETIME_SHAPE = "日時は YYYY-MM-DD HH:MM の形で入力してください"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a request's payload, as a pack's ``FormField`` or a handler declares it."""

    name: str
    label: str
    type: str = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""
    # A list of values, given as a list or comma-separated (操作権限: the privilege codes).
    many: bool = False
    max_length: int | None = None

    @classmethod
    def of(cls, spec: FormField) -> FieldSpec:
        return cls(
            name=spec.name,
            label=spec.label,
            type=spec.type,
            required=spec.required,
            choices=tuple(spec.choices),
            help=spec.help or "",
        )

    @property
    def limit(self) -> int:
        if self.max_length is not None:
            return self.max_length
        if self.many or self.type in ("person", "unit", "system", "choice"):
            return CODE_MAX
        return TEXTAREA_MAX if self.type == "textarea" else TEXT_MAX


# --- rows the natural keys name -------------------------------------------------------------------

Resolver = Callable[[str, dt.date], Any]


def _person_in_office(staff_number: str, on: dt.date) -> Person | None:
    return (
        Person.objects.filter(staff_number=staff_number)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=on))
        .first()
    )


def _unit(code: str, on: dt.date) -> Unit | None:
    return Unit.objects.filter(active_on(on), code=code).first()


# Field type → (find the row, what to say when there is none).  ``system`` is the access domain's
# (mamori/access/kinds.py registers it), so that this engine does not import the domains.
RESOLVERS: dict[str, tuple[Resolver, str]] = {
    "person": (_person_in_office, "職員番号 {value} の在職中の職員はいません"),
    "unit": (_unit, "所属コード {value} の所属はありません"),
}


def register_resolver(type_name: str, resolver: Resolver, missing: str) -> None:
    RESOLVERS[type_name] = (resolver, missing)


# --- values ---------------------------------------------------------------------------------------

WAREKI = re.compile(r"^(令和|平成|昭和|大正|明治)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(raw: Any) -> dt.date | None:
    """2026-12-10, 令和8年12月10日 (元年 too) or a date; None for anything else."""
    if isinstance(raw, dt.datetime):
        return None
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    try:
        if ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
        match = WAREKI.match(text)
        if match:
            era, year, month, day = match.groups()
            first = next(first for first, name in time.ERAS if name == era)
            return dt.date(first.year + (1 if year == "元" else int(year)) - 1, int(month), int(day))
    except ValueError:
        return None
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _refuse(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _scalar(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _refuse("shape", "文字で入力してください")
    text = str(value).strip()
    if len(text) > spec.limit:
        raise _refuse("too_long", f"{spec.limit:,}文字以内で入力してください（{len(text):,}文字）")
    return text


def _converter(spec: FieldSpec) -> Callable[[Any, ValidationInfo], Any]:
    """The check of one field: the value as the record keeps it; the row it names into ``resolved``."""

    def one(value: Any, info: ValidationInfo) -> Any:
        context = info.context or {}
        match spec.type:
            case "date":
                day = parse_date(value)
                if day is None:
                    raise _refuse("date", DATE_SHAPE)
                return day.isoformat()
            case "datetime":
                if isinstance(value, dt.datetime):
                    return value.isoformat(timespec="minutes")
                try:
                    moment = dt.datetime.fromisoformat(_scalar(spec, value))
                except ValueError:
                    raise _refuse("datetime", DATETIME_SHAPE) from None
                return moment.isoformat(timespec="minutes")
            case "number":
                if isinstance(value, bool):
                    raise _refuse("number", "数値で入力してください")
                try:
                    number = Decimal(_scalar(spec, value).replace(",", ""))
                except InvalidOperation:
                    raise _refuse("number", "数値で入力してください") from None
                if not number.is_finite():
                    raise _refuse("number", "数値で入力してください")
                return int(number) if number == number.to_integral_value() else str(number)
            case "choice":
                text = _scalar(spec, value)
                if text not in spec.choices:
                    listed = "・".join(f"「{c}」" for c in spec.choices)
                    raise _refuse("choice", f"{listed}のいずれかを選んでください")
                return text
            case kind if kind in RESOLVERS:
                text = _scalar(spec, value)
                resolve, missing = RESOLVERS[kind]
                row = resolve(text, context.get("on") or time.today())
                if row is None:
                    raise _refuse("unknown_row", missing.format(value=text))
                context.setdefault("resolved", {})[spec.name] = row
                return text
            case _:
                return _scalar(spec, value)

    def check(value: Any, info: ValidationInfo) -> Any:
        if _blank(value):
            if spec.required:
                raise _refuse("required", REQUIRED)
            return None
        if not spec.many:
            return one(value, info)
        items = value if isinstance(value, list) else re.split(r"[\n,、，;]+", str(value))
        cleaned = [one(item, info) for item in items if not _blank(item)]
        if not cleaned and spec.required:
            raise _refuse("required", REQUIRED)
        return cleaned or None

    return check


# --- schemas --------------------------------------------------------------------------------------


class PayloadRefused(Exception):
    """Fields of a payload its form does not accept: (field, message) in the form's order."""

    def __init__(self, errors: list[tuple[str | None, str]], *, article: str = ""):
        self.errors = errors
        self.article = article
        field_name, message = errors[0]
        self.field = field_name
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Cleaned:
    data: dict[str, Any]
    resolved: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PayloadSchema:
    """The form a chain's payload is checked against."""

    kind: str
    form_id: str  # the pack form's id, "" when the chain names none
    title: str
    article: str  # as cited: 第5条第2項
    fields: tuple[FieldSpec, ...]
    handler: KindHandler  # the kind's handler, or a bare one when it does not read this form
    model: type[BaseModel]

    def spec(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def label(self, name: str) -> str:
        spec = self.spec(name)
        return spec.label if spec else name

    def validate(self, payload: Any, *, on: dt.date | None = None) -> Cleaned:
        if not isinstance(payload, Mapping):
            raise PayloadRefused([(None, "申請の内容は項目名と値の組で送ってください")], article=self.article)
        context: dict[str, Any] = {"on": on or time.today(), "resolved": {}}
        try:
            model = self.model.model_validate(dict(payload), context=context)
        except ValidationError as error:
            raise PayloadRefused(self._errors(error), article=self.article) from None
        data = model.model_dump(by_alias=True, exclude_none=True)
        return Cleaned(data=data, resolved=dict(context["resolved"]))

    def _errors(self, error: ValidationError) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        for item in error.errors(include_url=False):
            name = str(item["loc"][0]) if item["loc"] else None
            if item["type"] == "extra_forbidden":
                message = f"「{name}」: {NOT_ON_FORM}（{self.title}）"
            elif item["type"] == "missing":
                message = f"{self.label(name or '')}: {REQUIRED}"
            else:
                message = f"{self.label(name or '')}: {item['msg']}"
            if all(seen != name for seen, _ in found):
                found.append((name, message))
        order = {spec.name: index for index, spec in enumerate(self.fields)}
        return sorted(found, key=lambda pair: order.get(pair[0] or "", len(order)))


def _reads(handler: KindHandler, fields: tuple[FieldSpec, ...] | None) -> bool:
    """Whether the handler reads this form: any form carrying the fields it needs (or no pack form)."""
    if fields is None:
        return True
    names = {spec.name for spec in fields}
    return all(name in names for name in handler.reads)


def _merged(form: tuple[FieldSpec, ...], declared: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """The pack form, each field the handler declares read as it declares it (the pack's label kept),
    and the handler's further fields after the form's."""
    by_name = {spec.name: spec for spec in declared}
    merged = [
        replace(by_name[spec.name], label=spec.label, help=spec.help or by_name[spec.name].help)
        if spec.name in by_name
        else spec
        for spec in form
    ]
    names = {spec.name for spec in form}
    return (*merged, *(spec for spec in declared if spec.name not in names))


def _engine_fields(chain: Chain, fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """Fields the engine reads whatever the form, as the screen adds them."""
    names = {spec.name for spec in fields}
    extra: list[FieldSpec] = []
    if chain.lead_time and chain.lead_time.date_field not in names:
        extra.append(FieldSpec(name=chain.lead_time.date_field, label="対象日", type="date"))
    resolve = {step.resolve_in for step in chain.steps}
    if "subject_unit" in resolve and "unit" not in names:
        extra.append(FieldSpec(name="unit", label="対象の所属", type="unit", required=False))
    if "system_owner" in resolve and "system" not in names:
        extra.append(FieldSpec(name="system", label="対象のシステム", type="system"))
    return (*fields, *extra)


GENERIC = (FieldSpec(name=DETAILS, label="申請の内容", type="textarea"),)


def _build(pack: Pack, chain: Chain) -> PayloadSchema:
    form = next((f for f in pack.forms if f.id == chain.form), None) if chain.form else None
    pack_fields = tuple(FieldSpec.of(f) for f in form.fields) if form else None
    handler = handler_for(chain.kind)
    if not _reads(handler, pack_fields):
        handler = KindHandler(kind=chain.kind)
    # The pack form as the handler reads it; without one, the handler's form or 申請の内容.
    fields = _merged(pack_fields, handler.fields) if pack_fields is not None else handler.fields or GENERIC
    fields = _engine_fields(chain, fields)
    model = create_model(  # type: ignore[call-overload]
        f"Payload_{pack.pack}_{chain.kind.replace('.', '_')}",
        __config__=ConfigDict(extra="forbid", populate_by_name=False),
        **{
            f"f{index}": (
                Annotated[Any, BeforeValidator(_converter(spec))],
                PydanticField(... if spec.required else None, alias=spec.name),
            )
            for index, spec in enumerate(fields)
        },
    )
    return PayloadSchema(
        kind=chain.kind,
        form_id=form.id if form else "",
        title=form.title if form else chain.title,
        article=pack.cite(form.article if form else chain.articles[0]),
        fields=fields,
        handler=handler,
        model=model,
    )


_CACHE: dict[tuple[int, str], tuple[Pack, PayloadSchema]] = {}


def payload_schema(pack: Pack, chain: Chain) -> PayloadSchema:
    """The schema of ``chain``'s payload under ``pack`` (built once per loaded pack)."""
    key = (id(pack), chain.kind)
    cached = _CACHE.get(key)
    if cached is None or cached[0] is not pack:
        cached = (pack, _build(pack, chain))
        _CACHE[key] = cached
    return cached[1]


def handler_reading(pack: Pack, kind: str, form_id: str | None) -> KindHandler:
    """The kind's handler if it reads the request's form, else a bare one (the approval is the record)."""
    handler = handler_for(kind)
    form = next((f for f in pack.forms if f.id == form_id), None) if form_id else None
    fields = tuple(FieldSpec.of(f) for f in form.fields) if form else None
    return handler if _reads(handler, fields) else KindHandler(kind=kind)
