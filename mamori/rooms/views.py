"""The door screen, built for a tablet: pick the room, then 入室 (person or visitor, purpose, escort)
or 退室 on an open line (with the consent the room needs).  It calls the same services as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mamori.core.policy import Refused, require
from mamori.organisation.models import Person
from mamori.registers.views import _screen
from mamori.regulations.active import active_pack

from .models import LineState, RoomLogLine
from .pack import room_choices, room_rule
from .services import room_entry_record, room_exit_record


class EntryForm(forms.Form):
    person = forms.ModelChoiceField(
        Person.objects.order_by("name_kana"), label="入室者（職員）", required=False
    )
    visitor_company = forms.CharField(label="所属（職員でない者）", max_length=100, required=False)
    visitor_name = forms.CharField(label="氏名（職員でない者）", max_length=100, required=False)
    purpose = forms.CharField(label="入室目的", max_length=200)
    escort = forms.ModelChoiceField(Person.objects.order_by("name_kana"), label="立会者", required=False)
    goods = forms.CharField(label="搬入物品", max_length=200, required=False)


class ExitForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    consent_by = forms.ModelChoiceField(
        Person.objects.order_by("name_kana"), label="退室の承諾をした者", required=False
    )


@_screen
def door(request: HttpRequest, room: str = "") -> HttpResponse:
    require(request.user, "rooms.door", message="入退室管理簿に記録する権限がありません。")
    pack = active_pack()
    rule = room_rule(pack, room) if room else None
    context: dict[str, Any] = {"nav": "room_log", "rooms": room_choices(pack), "rule": rule}
    if rule is None:
        return render(request, "rooms/door.html", context)
    entry, leave = EntryForm(prefix="in"), ExitForm(prefix="out")
    if request.method == "POST":
        try:
            if "enter" in request.POST:
                entry = EntryForm(request.POST, prefix="in")
                if entry.is_valid():
                    room_entry_record(actor=request.user, room=rule.code, **entry.cleaned_data)
                    return redirect("room_log:door_room", room=rule.code)
            else:
                leave = ExitForm(request.POST, prefix="out")
                if leave.is_valid():
                    room_exit_record(
                        actor=request.user,
                        line_id=leave.cleaned_data["line"],
                        consent_by=leave.cleaned_data["consent_by"],
                    )
                    return redirect("room_log:door_room", room=rule.code)
        except Refused as refusal:
            form = entry if "enter" in request.POST else leave
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
    open_lines = RoomLogLine.objects.filter(pack=pack.pack, room=rule.code, state=LineState.IN_ROOM)
    context.update(entry=entry, leave=leave, open_lines=open_lines.select_related("person", "escort"))
    return render(request, "rooms/door.html", context)
