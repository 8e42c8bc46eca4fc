"""The recording-media ledger on the register layer: its columns, permissions and citation.  The
list, detail, add and change screens, the API and the xlsx/PDF exports of the ledger (YAN-20's
様式第3号 from the column spec) come from them; adding goes through :func:`medium_add` (the label
code and the first history line), disposal through its own screen (method, person, witness)."""

from mamori.registers.api import register_router
from mamori.registers.spec import Column, Perms, RegisterSpec

from .models import Medium, asset_types, storage_places
from .pack import cite
from .services import medium_add

spec = RegisterSpec(
    model=Medium,
    name="media",
    title="記録媒体の台帳",
    columns=(
        Column("label_code", lookup="exact", edit=False, width=12),
        Column("asset_type", lookup="exact", choices=asset_types, width=18),
        Column("description", lookup="contains", width=24),
        Column("place", lookup="exact", choices=storage_places, width=14),
        Column("important", lookup="exact", width=8),
        Column("backup_of", sortable=False, width=12),
        Column("unit", lookup="exact", width=14),
        Column("state", lookup="exact", edit=False, width=10),
        Column("valid_from", label="作成日", lookup="range", width=11),
        Column("valid_to", label="廃棄日", edit=False, width=11),
        Column("disposal_method", list=False, edit=False, width=10),
        Column("disposed_by", list=False, edit=False, width=12),
        Column("witness", list=False, edit=False, width=12),
        Column("article", list=False, edit=False, export=False),
        Column("requirement", list=False, edit=False, export=False),
    ),
    perms=Perms("media.view", "media.add", "media.change", "media.end"),
    cite=cite,
    retention_class="media",
    related=("unit", "backup_of", "disposed_by", "witness"),
    list_url="media:ledger",
    adds=medium_add,
)

router = register_router(spec)
