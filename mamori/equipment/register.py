"""The safety-equipment register, declared on the register layer: its columns, permissions and
citation; the API router and the screens' URLs come from them (mamori/registers)."""

from mamori.registers.api import register_router
from mamori.registers.spec import Column, Perms, RegisterSpec
from mamori.registers.views import register_urls

from .models import Equipment
from .pack import cite
from .views import inspection_routes, inspection_urls

spec = RegisterSpec(
    model=Equipment,
    name="equipment",
    title="安全管理設備台帳",
    columns=(
        Column("name", lookup="contains", width=20),
        Column("kind", lookup="exact", width=24),
        Column("place", lookup="contains", width=20),
        Column("unit", lookup="exact"),
        Column("inspected_on", lookup="range", width=12),
        Column("inspection_months", list=False, width=10),
        Column("state", lookup="exact", edit=False, width=10),
        Column("valid_from", label="設置日", width=12),
        Column("valid_to", label="撤去日", list=False, edit=False, width=12),
        Column("end_reason", label="撤去の理由", list=False, edit=False),
        Column("article", list=False, edit=False, export=False),
        Column("requirement", list=False, edit=False, export=False),
    ),
    perms=Perms("equipment.view", "equipment.add", "equipment.change", "equipment.end"),
    cite=cite,
    retention_class="equipment",
    related=("unit",),
)

router = register_router(spec)
inspection_routes(router, spec)
app_name = spec.name
urlpatterns = [*inspection_urls(spec), *(u for u in register_urls(spec) if u.name != "detail")]
