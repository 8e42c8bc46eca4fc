"""MAI-25: retention counted from the day (1) or from the next 年度 (2)(3)."""

import datetime as dt
from io import StringIO

import pytest

from mamori.core import time
from mamori.records.retention import purge_on, retained_until
from mamori.regulations.schema import RetentionClass

FROM_DAY = RetentionClass(label="操作履歴", years=5, base="day", requirements=[])
FROM_NEXT_YEAR = RetentionClass(label="入退室管理簿", years=5, base="next_fiscal_year", requirements=[])


@pytest.mark.parametrize(
    ("day", "until"),
    [
        (dt.date(2026, 3, 31), dt.date(2031, 3, 30)),
        (dt.date(2026, 4, 1), dt.date(2031, 3, 31)),
        (dt.date(2024, 2, 29), dt.date(2029, 2, 28)),
    ],
)
def test_mai_25_1_operation_history_is_kept_five_years_counted_from_the_day(day, until):
    assert retained_until(day, FROM_DAY) == until
    assert purge_on(day, FROM_DAY) == until + dt.timedelta(days=1)


def test_mai_25_3_room_log_counts_from_the_next_fiscal_year_across_the_march_april_boundary():
    # 3月31日 belongs to 年度 2025: counted from 2026-04-01, kept to 2031-03-31.
    assert retained_until(dt.date(2026, 3, 31), FROM_NEXT_YEAR) == dt.date(2031, 3, 31)
    # 4月1日 belongs to 年度 2026: counted from 2027-04-01, kept to 2032-03-31.
    assert retained_until(dt.date(2026, 4, 1), FROM_NEXT_YEAR) == dt.date(2032, 3, 31)
    assert purge_on(dt.date(2026, 4, 1), FROM_NEXT_YEAR) == dt.date(2032, 4, 1)


def test_a_class_without_years_is_kept_for_good():
    assert purge_on(dt.date(2026, 4, 1), RetentionClass(label="永年", years=None)) is None


def test_the_maizuru_pack_sets_the_three_retention_classes_of_mai_25():
    from mamori.regulations.loader import get_pack

    retention = get_pack("maizuru").parameters.retention
    rules = {(r.years, r.base) for r in retention.values() if "MAI-25" in r.requirements}
    assert (5, "day") in rules
    assert (5, "next_fiscal_year") in rules


def test_mai_25_each_record_carries_the_purge_date_of_its_class_from_the_active_pack(db):
    from django.db import transaction

    from mamori.core.time import TOKYO
    from mamori.records.actions import RecordAction
    from mamori.records.services import Entry, record_append_many
    from mamori.regulations.models import Installation

    Installation.objects.create(pk=1, municipality="みどり市", pack="maizuru", activated_at=time.now())
    late_evening = dt.datetime(2026, 3, 31, 23, 30, tzinfo=TOKYO)  # still 3月31日 in Tokyo
    with transaction.atomic():
        operation, room, unknown = record_append_many(
            entries=[
                Entry(
                    action=RecordAction.AUDIT_SEARCHED,
                    object_type="t",
                    object_id="1",
                    retention_class="operation_history",
                    at=late_evening,
                ),
                Entry(
                    action=RecordAction.SYSTEM_CHANGED,
                    object_type="t",
                    object_id="2",
                    retention_class="room_log",
                    at=late_evening,
                ),
                Entry(
                    action=RecordAction.SYSTEM_CHANGED,
                    object_type="t",
                    object_id="3",
                    retention_class="not_in_the_pack",
                    at=late_evening,
                ),
            ]
        )
    assert operation.purge_on == dt.date(2031, 3, 31)  # 5 years from the day, first day counted
    assert room.purge_on == dt.date(2031, 4, 1)  # 5 years from 2026-04-01, the next 年度
    assert unknown.purge_on is None  # a class the pack gives no period for is never purged


# --- issue 9 item 6: every class the engine writes is declared by a domain and given a period by every pack


def _classes_written_by_the_engine() -> dict[str, str]:
    """Every retention class the engine's code writes: ``retention_class="…"`` arguments and the
    ``RETENTION = "…"`` constants passed as such, with the file that writes it."""
    import ast
    from pathlib import Path

    import mamori

    found: dict[str, str] = {}
    for file in Path(mamori.__file__).parent.rglob("*.py"):
        if "migrations" in file.parts:
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            keyword = isinstance(node, ast.keyword) and node.arg == "retention_class"
            constant = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("RETENTION", "ENGINE_RETENTION_CLASS")
                for t in node.targets
            )
            if not (keyword or constant):
                continue
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                found[value.value] = str(file)
    return found


def test_every_retention_class_the_engine_writes_is_declared_by_a_domain():
    from mamori.core.plugins import retention_classes

    declared = retention_classes()
    written = _classes_written_by_the_engine()
    assert {"access", "requests", "organisation", "findings", "terminals", "operation_events"} <= set(written)
    undeclared = {code: file for code, file in written.items() if code not in declared}
    assert not undeclared, f"written but declared by no domain's AppConfig: {undeclared}"
    # None of them is one city's class name.
    assert "operation_history" not in written


@pytest.mark.parametrize("name", ["fukuyama", "kitami", "maizuru", "meguro", "yanagawa"])
def test_mai_25_every_pack_gives_a_period_for_every_class_the_engine_uses(name):
    from mamori.core.plugins import retention_classes
    from mamori.regulations.loader import get_pack

    pack = get_pack(name)
    assert pack.missing_retention_classes() == []
    for code in retention_classes():
        rule = pack.parameters.retention[pack.retention_class_for(code)]
        assert rule.years is not None, f"{name}: {code} would never get a purge date"


def test_mai_25_1_maizuru_gives_operation_events_the_period_of_its_operation_history():
    from mamori.regulations.loader import get_pack

    maizuru = get_pack("maizuru")
    assert maizuru.retention_class_for("operation_events") == "operation_history"
    assert get_pack("kitami").retention_class_for("operation_events") == "operation_events"


def test_validate_fails_for_a_pack_that_lacks_a_class_the_engine_uses(tmp_path):
    import yaml
    from django.core.management import CommandError, call_command

    from mamori.regulations.loader import BUILTIN_DIR

    data = yaml.safe_load((BUILTIN_DIR / "kitami.yaml").read_text(encoding="utf-8"))
    del data["parameters"]["retention"]["findings"]
    file = tmp_path / "kitami.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("regulations", "validate", str(file), stderr=err, stdout=StringIO())
    assert "parameters.retention: no period for the engine's retention class(es) findings" in err.getvalue()
    call_command("regulations", "validate", str(BUILTIN_DIR / "kitami.yaml"), stdout=StringIO())


@pytest.mark.parametrize(
    ("pack", "expected"), [("maizuru", "operation_history"), ("kitami", "operation_events")]
)
def test_mai_25_an_event_source_takes_the_active_packs_class_for_operation_events(db, pack, expected):
    from mamori.events.services import event_source_save
    from mamori.regulations.models import Installation

    Installation.objects.create(pk=1, municipality="みどり市", pack=pack, activated_at=time.now())
    source = event_source_save(code="jukinet", name="住基ネット", format="jsonl")
    assert source.retention_class == expected
    chosen = event_source_save(code="other", name="別", format="jsonl", retention_class="output_forms")
    assert chosen.retention_class == "output_forms"
