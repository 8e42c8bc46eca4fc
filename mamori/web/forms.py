"""Forms of the screens.  They only shape input into what a service takes: whether it is allowed,
on time or complete is the service's to decide (and its refusal is shown on the form)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from mamori.core import time
from mamori.organisation.models import Person, Unit, active_on
from mamori.regulations.schema import Chain, Pack
from mamori.systems.models import Privilege, System
from mamori.workflows.payloads import NOT_ON_FORM, FieldSpec, PayloadRefused, PayloadSchema, payload_schema

DATE_WIDGET = {"type": "date"}
TITLE_FIELD = "request_title"
# Kinds with a form of their own, because their choices come from the database.
PRIVILEGE_KIND = "access.privilege"


# --- log-in and password ------------------------------------------------------------------------


class LoginForm(forms.Form):
    username = forms.CharField(
        label="利用者ID",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="現在のパスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="新しいパスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="新しいパスワード（確認）",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", "確認のため入力したパスワードが一致しません。")
        return data


# --- choices from the database -------------------------------------------------------------------


def person_choices(people=None) -> list[tuple[str, str]]:
    """Staff to pick from, each with their unit where known (``people``: a policy's selection)."""
    if people is None:
        today = time.today()
        people = Person.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=today)).order_by(
            "staff_number"
        )

    def label(p) -> str:
        unit = getattr(p, "unit_name", None)
        return f"{p.staff_number} {p.name}" + (f"（{unit}）" if unit else "")

    return [("", "選択してください"), *((p.staff_number, label(p)) for p in people)]


def unit_choices() -> list[tuple[str, str]]:
    today = time.today()
    units = Unit.objects.filter(active_on(today))
    return [("", "選択してください"), *((u.code, f"{u.name}（{u.code}）") for u in units.order_by("code"))]


def system_choices() -> list[tuple[str, str]]:
    return [
        ("", "選択してください"),
        *((s.code, f"{s.name}（{s.code}）") for s in System.objects.order_by("code")),
    ]


def privilege_choices(system_code: str | None) -> list[tuple[str, str]]:
    """The privileges of one system; without a system, every privilege code there is (so that the
    form works without JavaScript too: the request's check then names the unknown ones)."""
    rows = Privilege.objects.order_by("system__code", "pk")
    if system_code:
        rows = rows.filter(system__code=system_code)
    seen: dict[str, str] = {}
    for privilege in rows:
        seen.setdefault(privilege.code, f"{privilege.name}（{privilege.code}）")
    return list(seen.items())


CHOICE_HELP = re.compile(r"([A-Za-z0-9_.-]+)\s*[:：]\s*([^、,，]+)")


def choice_labels(field: FieldSpec) -> dict[str, str]:
    """A pack writes coded choices with their meaning in the help ("grant: 登録、revoke: 解除")."""
    found = {code: label.strip() for code, label in CHOICE_HELP.findall(field.help or "")}
    return {choice: found.get(choice, choice) for choice in field.choices}


# --- request forms -----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


# Keys a request form's page posts besides the payload's fields (the resubmission's comment).
NOT_PAYLOAD = {"csrfmiddlewaretoken", TITLE_FIELD, "comment", "fragment", "next"}


class RequestForm(forms.Form):
    """A request's payload.  ``payload()`` is what request_file / request_resubmit receive; ``clean``
    checks it with the same schema as they do (mamori/workflows/payloads.py) and puts each refusal
    at its field."""

    title_field = TITLE_FIELD
    schema: PayloadSchema | None = None

    def clean(self):
        data = super().clean()
        if self.schema is None:
            return data
        for name in sorted(set(self.data) - set(self.fields) - NOT_PAYLOAD):
            self.add_error(None, f"「{name}」: {NOT_ON_FORM}（{self.schema.title}）")
        try:
            self.schema.validate(self.payload(), on=time.today())
        except PayloadRefused as refused:
            for name, message in refused.errors:
                if name in self.fields:
                    if name not in self.errors:  # a field Django already refused is not refused twice
                        self.add_error(name, message)
                elif name != TITLE_FIELD:
                    self.add_error(None, message)
        return data

    def payload(self) -> dict[str, Any]:
        return {
            name: _json_value(value)
            for name, value in self.cleaned_data.items()
            if name != TITLE_FIELD and value not in (None, "", [])
        }

    def title(self) -> str:
        return (self.cleaned_data.get(TITLE_FIELD) or "").strip()

    def place_error(self, field: str | None, message: str) -> None:
        """Show a service's refusal beside the field it names (the page shows it above the form too)."""
        if field in self.fields:
            self.add_error(field, message)


def field_for(spec: FieldSpec) -> forms.Field:
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help or ""}
    if spec.many and spec.type in ("text", "textarea"):
        # A list typed in one box: the schema splits it (comma, or one per line in a textarea).
        widget = forms.Textarea(attrs={"rows": 3}) if spec.type == "textarea" else forms.TextInput
        return forms.CharField(widget=widget, **common)
    match spec.type:
        case "textarea":
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=spec.limit, **common)
        case "date":
            return forms.DateField(widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"), **common)
        case "datetime":
            return forms.DateTimeField(
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                **common,
            )
        case "number":
            return forms.DecimalField(**common)
        case "choice":
            labels = choice_labels(spec)
            choices = [
                ("", "選択してください"),
                *((c, labels[c] if labels[c] == c else f"{labels[c]}（{c}）") for c in spec.choices),
            ]
            return forms.ChoiceField(choices=choices, **common)
        case "person":
            return forms.ChoiceField(choices=person_choices, **common)
        case "unit":
            return forms.ChoiceField(choices=unit_choices, **common)
        case "system":
            return forms.ChoiceField(choices=system_choices, **common)
        case _:
            return forms.CharField(max_length=spec.limit, **common)


def pack_form_spec(pack: Pack, chain: Chain):
    if chain.form is None:
        return None
    return next((f for f in pack.forms if f.id == chain.form), None)


def _add_engine_fields(fields: dict[str, forms.Field], chain: Chain) -> None:
    """Fields the engine reads whatever the form: the target date of a lead time, the unit or
    system a step is resolved in."""
    if chain.lead_time and chain.lead_time.date_field not in fields:
        fields[chain.lead_time.date_field] = forms.DateField(
            label="対象日",
            widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            help_text=f"{chain.lead_time.days}{'開庁日' if chain.lead_time.counting == 'working' else '日'}前までに申請してください",
        )
    resolve = {step.resolve_in for step in chain.steps}
    if "subject_unit" in resolve and "unit" not in fields:
        fields["unit"] = forms.ChoiceField(
            label="対象の所属", choices=unit_choices, required=False, help_text="空欄のときは申請者の所属"
        )
    if "system_owner" in resolve and "system" not in fields:
        fields["system"] = forms.ChoiceField(label="対象のシステム", choices=system_choices)


def generic_form_class(pack: Pack, chain: Chain, *, with_title: bool = True) -> type[RequestForm]:
    """The fields of the chain's payload schema: the pack form (as its kind's handler reads it), or
    the handler's own, or 「申請の内容」; with the engine's fields (the schema adds them too)."""
    fields: dict[str, Any] = {}
    if with_title:
        fields[TITLE_FIELD] = forms.CharField(
            label="件名", max_length=200, required=False, help_text=f"空欄のときは「{chain.title}」"
        )
    schema = payload_schema(pack, chain)
    for spec in schema.fields:
        fields[spec.name] = field_for(spec)
    fields["schema"] = schema
    return type("PackRequestForm", (RequestForm,), fields)


class PrivilegeRequestForm(RequestForm):
    """A pack's privilege request form: who gets (or loses) which privileges on which system; the
    labels are the pack form's own where it names the field."""

    action = forms.ChoiceField(
        label="登録・解除の別",
        choices=[("grant", "登録"), ("revoke", "解除")],
        initial="grant",
        widget=forms.RadioSelect,
    )
    person = forms.ChoiceField(label="職員")
    system = forms.ChoiceField(label="システム")
    privileges = forms.MultipleChoiceField(label="操作権限", widget=forms.CheckboxSelectMultiple)
    user_id = forms.CharField(
        label="ユーザID", max_length=60, required=False, help_text="空欄のときは職員番号"
    )
    valid_from = forms.DateField(
        label="有効開始日",
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="空欄のときは申請日",
    )
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, pack: Pack, chain: Chain, options_url: str = "", people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = payload_schema(pack, chain)
        spec = pack_form_spec(pack, chain)
        for field in spec.fields if spec else []:
            if field.name in self.fields:
                self.fields[field.name].label = field.label.replace("(職員番号)", "").replace(
                    "（職員番号）", ""
                )
        self.fields["person"].choices = person_choices(people)
        self.fields["system"].choices = system_choices()
        if options_url:
            self.fields["system"].widget.attrs.update(
                {
                    "hx-get": options_url,
                    "hx-target": "#privilege-options",
                    "hx-trigger": "change",
                }
            )
        system = self.data.get("system") if self.is_bound else self.initial.get("system")
        self.fields["privileges"].choices = privilege_choices(system or None)
        extra: dict[str, forms.Field] = {}
        _add_engine_fields(extra, chain)
        self.fields.update({name: field for name, field in extra.items() if name not in self.fields})


def request_form_class(pack: Pack, chain: Chain, *, with_title: bool = True):
    if chain.kind == PRIVILEGE_KIND:
        return PrivilegeRequestForm
    return generic_form_class(pack, chain, with_title=with_title)


def request_form(
    pack: Pack,
    chain: Chain,
    *,
    data=None,
    initial=None,
    with_title: bool = True,
    options_url: str = "",
    people=None,
) -> RequestForm:
    """The pack form of ``chain``; ``people``: whom its person picker offers (the policy's choice)."""
    form_class = request_form_class(pack, chain, with_title=with_title)
    if form_class is PrivilegeRequestForm:
        return PrivilegeRequestForm(
            data, initial=initial, pack=pack, chain=chain, options_url=options_url, people=people
        )
    return form_class(data, initial=initial)


def payload_labels(pack: Pack, chain: Chain | None, form_id: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Field name → (label, choice labels) for showing a payload."""
    labels: dict[str, tuple[str, dict[str, str]]] = {
        "action": ("登録・解除の別", {"grant": "登録", "revoke": "解除"}),
        "person": ("職員（職員番号）", {}),
        "person_name": ("氏名", {}),
        "system": ("システムコード", {}),
        "system_name": ("システム", {}),
        "privileges": ("操作権限", {}),
        "user_id": ("ユーザID", {}),
        "valid_from": ("有効開始日", {}),
        "reason": ("理由", {}),
        "details": ("申請の内容", {}),
        "unit": ("対象の所属", {}),
    }
    spec = next((f for f in pack.forms if f.id == form_id), None)
    fields = [FieldSpec.of(f) for f in spec.fields] if spec else []
    if chain is not None and not spec:
        fields = list(payload_schema(pack, chain).fields)  # the handler's form, or 申請の内容
    for field in fields:
        previous = labels.get(field.name, ("", {}))[1]
        labels[field.name] = (
            field.label,
            {**previous, **choice_labels(field)} if field.choices else previous,
        )
    if chain is not None and chain.lead_time and chain.lead_time.date_field not in labels:
        labels[chain.lead_time.date_field] = ("対象日", {})
    return labels


# --- decisions, findings -----------------------------------------------------------------------


class DecisionForm(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("approve", "承認"), ("reject", "却下"), ("return", "差戻し")])
    comment = forms.CharField(label="意見", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    comment = forms.CharField(label="コメント", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FindingCloseForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("resolved", "是正済"), ("accepted", "理由付き受容"), ("open", "再開")]
    )
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OnDateForm(forms.Form):
    on = forms.DateField(
        label="基準日", required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
