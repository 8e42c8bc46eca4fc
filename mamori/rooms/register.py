"""The 入退室管理簿, declared on the register layer: its columns, permissions and citation; the API
router and the screens' URLs come from them (mamori/registers), with the door screen (views.py).
An added line goes through the book's own entry check (services.line_enter); an exit is recorded at
the door with its consent, never by the generic end."""

from typing import Any

from mamori.registers.api import register_router
from mamori.registers.models import Invalid
from mamori.registers.spec import Column, Perms, RegisterSpec
from mamori.regulations.active import active_pack

from .models import RoomLogLine
from .pack import cite, room_choices
from .services import line_enter


def _ends(row: RoomLogLine, **_: Any) -> RoomLogLine:
    raise Invalid("退室は入退室の画面で、退室時刻と承諾者とともに記録してください。", field="state")


spec = RegisterSpec(
    model=RoomLogLine,
    name="room_log",
    title="入退室管理簿",
    columns=(
        Column("room", label="室", lookup="exact", width=16, choices=lambda: room_choices(active_pack())),
        Column("room_name", edit=False, list=False, width=16),
        Column("entered_at", width=16),
        Column("person", width=14),
        Column("visitor_company", lookup="contains", width=16),
        Column("visitor_name", lookup="contains", width=14),
        Column("purpose", lookup="contains", width=24),
        Column("escort", width=14),
        Column("goods", list=False, width=20),
        Column("goods_escort", list=False, width=14),
        Column("exited_at", edit=False, width=16),
        Column("exit_consent_by", edit=False, width=14),
        Column("permission", width=10),
        Column("state", lookup="exact", edit=False, width=8),
        Column("valid_from", label="入室日", lookup="range", edit=False, width=12),
        Column("article", list=False, edit=False, export=False),
        Column("requirement", list=False, edit=False, export=False),
    ),
    perms=Perms("rooms.view", "rooms.add", "rooms.change", "rooms.end"),
    cite=cite,
    retention_class="room_log",
    related=("person", "escort", "exit_consent_by"),
    adds=lambda row, actor: line_enter(row, actor=actor),
    ends=_ends,
)

router = register_router(spec)
