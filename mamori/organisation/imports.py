"""Importing units (所属) and staff (職員) from CSV files: ``mamori import units|staff FILE [--apply]``.

An import has two steps.  ``*_preview`` reads the file, checks every row and works out what would
change (an :class:`ImportPlan`); it writes nothing.  ``*_apply`` writes that plan in one transaction
with bulk statements and one record per changed row.

A file with any bad row is refused whole: personnel files are corrected and sent again as a whole,
and a half-applied 4月1日 transfer list would leave some people holding rights in two units.

Rows not in the file are never touched: a staff file may cover one 部 only, or only the people who
move, so a missing person means "not in this file", not "gone".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot

from .csvfiles import CsvRow, CsvTable, read_table
from .models import Assignment, Employment, Person, Post, Unit
from .plans import (
    Change,
    ChangeKind,
    ImportPlan,
    ImportRejected,
    PlanOutdated,
    Position,
    RowError,
)

RETENTION = "organisation"

UNIT_COLUMNS = ("所属コード", "名称", "区分", "上位所属コード")
UNIT_OPTIONAL = ("廃止日",)
STAFF_COLUMNS = (
    "職員番号",
    "氏名",
    "氏名カナ",
    "任用区分",
    "所属コード",
    "職名",
    "任用開始日",
    "任用終了日",
    "所属会社",
    "メール",
)
STAFF_OPTIONAL = ("退職日",)

EMPLOYMENT_BY_LABEL = {label: value for value, label in Employment.choices}

# Person fields an import may change, with the column each comes from (in the order of the preview).
PERSON_FIELDS = (
    ("name", "氏名"),
    ("name_kana", "氏名カナ"),
    ("employment", "任用区分"),
    ("term_start", "任用開始日"),
    ("term_end", "任用終了日"),
    ("company", "所属会社"),
    ("email", "メール"),
    ("left_on", "退職日"),
)
UNIT_FIELDS = (("name", "名称"), ("level", "区分"), ("parent", "上位所属コード"), ("valid_to", "廃止日"))

_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")

# --- reading rows ---------------------------------------------------------------------------


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD or YYYY/MM/DD (months and days may have one digit, as Excel writes them)."""
    match = _DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        raise ValueError(f"「{text}」は日付ではありません (YYYY-MM-DD または YYYY/MM/DD)") from None


def _check_header(
    table: CsvTable,
    required: Iterable[str],
    optional: Iterable[str],
    errors: list[RowError],
    notes: list[str],
) -> None:
    seen: set[str] = set()
    for column in table.header:
        if column and column in seen:
            errors.append(RowError(table.name, 1, column, "同じ名前の列が2つあります"))
        seen.add(column)
    for column in required:
        if column not in seen:
            errors.append(RowError(table.name, 1, column, "列がありません"))
    unused = [c for c in table.header if c and c not in (*required, *optional)]
    if unused:
        notes.append(f"使わない列: {'、'.join(unused)}")


class _Row:
    """Reads one row's cells, adding an error for each bad one.  A column missing from the header is
    reported once on line 1, so its cells are not reported again on every row."""

    def __init__(self, table: CsvTable, row: CsvRow, errors: list[RowError]):
        self.table, self.row, self.errors = table, row, errors
        self.ok = True
        if row.extra:
            self.error("列数", f"見出しのない列に値があります: {'、'.join(row.extra)}")

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.table.name, self.row.line, column, message))

    def has(self, column: str) -> bool:
        return column in self.table.header

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = self.row.values.get(column, "")
        if required and not value and self.has(column):
            self.error(column, "値がありません")
        elif len(value) > max_length:
            self.error(column, f"{max_length}文字以内で入力してください ({len(value)}文字あります)")
        return value

    def date(self, column: str) -> dt.date | None:
        value = self.row.values.get(column, "")
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            self.error(column, str(error))
            return None


def _unique(rows: Sequence[Any], key: str, column: str, table: CsvTable, errors: list[RowError]) -> list[Any]:
    """Rows whose key has not come before; the repeats are errors naming the first line."""
    first: dict[str, int] = {}
    kept = []
    for row in rows:
        value = getattr(row, key)
        if value in first:
            errors.append(
                RowError(table.name, row.line, column, f"「{value}」は {first[value]} 行目と重複しています")
            )
        else:
            first[value] = row.line
            kept.append(row)
    return kept


# --- units ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    valid_to: dt.date | None


@dataclass
class _UnitOps:
    new: list[Unit] = field(default_factory=list)
    changed: list[tuple[Unit, dict]] = field(default_factory=list)  # (unit with new values, before)
    parents: dict[str, str] = field(default_factory=dict)  # unit code → code of a parent created here


def _unit_rows(table: CsvTable, errors: list[RowError]) -> list[UnitRow]:
    rows = []
    for raw in table.rows:
        cells = _Row(table, raw, errors)
        rows.append(
            UnitRow(
                line=raw.line,
                code=cells.text("所属コード", max_length=32, required=True),
                name=cells.text("名称", max_length=100, required=True),
                level=cells.text("区分", max_length=16, required=True),
                parent_code=cells.text("上位所属コード", max_length=32),
                valid_to=cells.date("廃止日"),
            )
        )
    return _unique([r for r in rows if r.code], "code", "所属コード", table, errors)


def _check_unit_tree(
    table: CsvTable, rows: Sequence[UnitRow], db_units: dict[str, Unit], errors: list[RowError]
) -> None:
    """Every parent exists (in the database or in the file) and the tree has no cycle."""
    parent_of = {code: unit.parent.code if unit.parent else "" for code, unit in db_units.items()}
    parent_of.update({row.code: row.parent_code for row in rows})  # the file's word wins
    line_of = {row.code: row.line for row in rows}
    for row in rows:
        if row.parent_code and row.parent_code not in parent_of:
            errors.append(
                RowError(
                    table.name,
                    row.line,
                    "上位所属コード",
                    f"「{row.parent_code}」はファイルにも登録済みの所属にもありません",
                )
            )
    reported: set[str] = set()
    for row in rows:
        path, code = [], row.code
        while code and code in parent_of and code not in path:
            path.append(code)
            code = parent_of[code]
        if code in path:  # walked back onto the path: a cycle
            cycle = path[path.index(code) :]
            if reported.isdisjoint(cycle):
                reported.update(cycle)
                first = min((c for c in cycle if c in line_of), key=line_of.__getitem__)
                shown = " → ".join([*cycle, code])
                errors.append(
                    RowError(
                        table.name,
                        line_of[first],
                        "上位所属コード",
                        f"所属の上下関係が循環しています ({shown})",
                    )
                )


def _plan_units(table: CsvTable) -> tuple[ImportPlan, _UnitOps]:
    errors: list[RowError] = []
    notes: list[str] = []
    _check_header(table, UNIT_COLUMNS, UNIT_OPTIONAL, errors, notes)
    rows = _unit_rows(table, errors)
    db_units = {unit.code: unit for unit in Unit.objects.select_related("parent")}
    _check_unit_tree(table, rows, db_units, errors)
    if errors:
        raise ImportRejected(errors)

    has_valid_to = "廃止日" in table.header
    file_codes = {row.code for row in rows}
    changes: list[Change] = []
    ops = _UnitOps()
    for row in rows:
        parent = db_units.get(row.parent_code) if row.parent_code else None
        if row.parent_code and row.parent_code not in db_units:
            ops.parents[row.code] = row.parent_code  # created by this import: linked after the insert
        unit = db_units.get(row.code)
        if unit is None:
            ops.new.append(
                Unit(code=row.code, name=row.name, level=row.level, parent=parent, valid_to=row.valid_to)
            )
            detail = f"{row.level}、上位: {row.parent_code}" if row.parent_code else row.level
            changes.append(
                Change(
                    kind=ChangeKind.UNIT_CREATED,
                    line=row.line,
                    unit_code=row.code,
                    name=row.name,
                    detail=detail,
                )
            )
            continue
        before = snapshot(unit)
        changed = False
        wanted = {"name": row.name, "level": row.level, "parent": row.parent_code}
        if has_valid_to:
            wanted["valid_to"] = row.valid_to
        current = {
            "name": unit.name,
            "level": unit.level,
            "parent": unit.parent.code if unit.parent else "",
            "valid_to": unit.valid_to,
        }
        for attr, column in UNIT_FIELDS:
            if attr in wanted and wanted[attr] != current[attr]:
                changes.append(
                    Change(
                        kind=ChangeKind.UNIT_CHANGED,
                        line=row.line,
                        unit_code=row.code,
                        name=unit.name,
                        field=column,
                        old=current[attr],
                        new=wanted[attr],
                    )
                )
                changed = True
        if changed:
            unit.name, unit.level, unit.parent = row.name, row.level, parent
            if has_valid_to:
                unit.valid_to = row.valid_to
            ops.changed.append((unit, before))
    untouched = len(set(db_units) - file_codes)
    if untouched:
        notes.append(
            f"ファイルにない所属 {untouched} 件はそのままです (廃止するには 廃止日 を書いてください)"
        )
    plan = ImportPlan(
        target="units", file=table.name, encoding=table.encoding, changes=changes, notes=notes, table=table
    )
    return plan, ops


def units_preview(*, path: str | Path) -> ImportPlan:
    """Check a units file and work out what importing it would change; write nothing."""
    plan, _ = _plan_units(read_table(path))
    return plan


@transaction.atomic
def units_apply(*, plan: ImportPlan, actor: Actor = None) -> ImportPlan:
    """Write a previewed units plan: new units, changed units, one record per changed unit."""
    if plan.target != "units" or plan.table is None:
        raise ValueError("units_apply needs a plan made by units_preview")
    # Worked out again inside the transaction, so what is written is what the database is now.
    fresh, ops = _plan_units(plan.table)
    if fresh.changes != plan.changes:
        raise PlanOutdated("プレビューの後に所属のデータが変わりました。もう一度プレビューしてください")
    created = Unit.objects.bulk_create(ops.new)
    by_code = {unit.code: unit for unit in created} | {unit.code: unit for unit, _ in ops.changed}
    linked = []
    for code, parent_code in ops.parents.items():
        by_code[code].parent = by_code[parent_code]
        linked.append(by_code[code])
    # New units whose parent is also new get it here, after both have keys: one UPDATE for all.
    to_update = {id(u): u for u in [*linked, *(unit for unit, _ in ops.changed)]}
    if to_update:
        Unit.objects.bulk_update(list(to_update.values()), ["name", "level", "parent", "valid_to"])
    record_append_many(
        entries=[
            *(
                Entry(
                    action=RecordAction.UNIT_IMPORTED,
                    object_type="organisation.Unit",
                    object_id=str(u.pk),
                    actor=actor,
                    after=snapshot(u),
                    retention_class=RETENTION,
                )
                for u in created
            ),
            *(
                Entry(
                    action=RecordAction.UNIT_UPDATED,
                    object_type="organisation.Unit",
                    object_id=str(u.pk),
                    actor=actor,
                    before=before,
                    after=snapshot(u),
                    retention_class=RETENTION,
                )
                for u, before in ops.changed
            ),
        ]
    )
    return fresh


# --- staff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    line: int
    staff_number: str
    name: str
    name_kana: str
    employment: str
    unit_code: str
    title: str
    term_start: dt.date | None
    term_end: dt.date | None
    company: str
    email: str
    left_on: dt.date | None


@dataclass
class _StaffOps:
    new_people: list[Person] = field(default_factory=list)
    changed_people: list[tuple[Person, dict]] = field(default_factory=list)
    ended: list[tuple[Assignment, dict]] = field(default_factory=list)
    corrected: list[tuple[Assignment, dict]] = field(default_factory=list)
    # (assignment, the action its record says)
    new_assignments: list[tuple[Assignment, RecordAction]] = field(default_factory=list)


def _staff_row(
    table: CsvTable, raw: CsvRow, errors: list[RowError], units: dict[str, Unit], effective: dt.date
) -> StaffRow:
    cells = _Row(table, raw, errors)
    label = cells.text("任用区分", max_length=20, required=True)
    employment = EMPLOYMENT_BY_LABEL.get(label, "")
    if label and not employment:
        cells.error("任用区分", f"「{label}」は{'・'.join(EMPLOYMENT_BY_LABEL)}のいずれかです")
    unit_code = cells.text("所属コード", max_length=32, required=True)
    unit = units.get(unit_code)
    if unit_code and unit is None:
        cells.error("所属コード", f"「{unit_code}」は登録されていない所属です (先に所属を取り込んでください)")
    elif unit is not None and unit.valid_to is not None and unit.valid_to < effective:
        cells.error("所属コード", f"「{unit_code}」({unit.name}) は {unit.valid_to} に廃止されています")
    email = cells.text("メール", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            cells.error("メール", f"「{email}」はメールアドレスの形式ではありません")
    row = StaffRow(
        line=raw.line,
        staff_number=cells.text("職員番号", max_length=32, required=True),
        name=cells.text("氏名", max_length=100, required=True),
        name_kana=cells.text("氏名カナ", max_length=100),
        employment=employment,
        unit_code=unit_code,
        title=cells.text("職名", max_length=50),
        term_start=cells.date("任用開始日"),
        term_end=cells.date("任用終了日"),
        company=cells.text("所属会社", max_length=100),
        email=email,
        left_on=cells.date("退職日"),
    )
    if row.term_start and row.term_end and row.term_end < row.term_start:
        cells.error("任用終了日", f"任用終了日 ({row.term_end}) が任用開始日 ({row.term_start}) より前です")
    if (
        employment == Employment.FIXED_TERM
        and cells.has("任用終了日")
        and row.term_end is None
        and not raw.values.get("任用終了日")
    ):  # a bad date there is reported already
        cells.error("任用終了日", "会計年度任用職員には任用終了日が必要です")
    return row


def _post_for(
    unit: Unit, title: str, posts: dict[tuple[int, str], list[Post]], current: Post | None
) -> Post | None:
    """The unit's post with this title, if it has one (else the person is staff with that title)."""
    candidates = posts.get((unit.pk, title), [])
    if current is not None and current in candidates:
        return current  # two posts may share a title (課長補佐): keep the one the person holds
    return candidates[0] if candidates else None


def _same_position(assignment: Assignment, unit: Unit, post: Post | None, title: str) -> bool:
    if assignment.unit_id != unit.pk or assignment.post_id != (post.pk if post else None):
        return False
    return post is not None or assignment.title == title


def _position(unit: Unit, post: Post | None, title: str) -> Position:
    return Position(
        unit_code=unit.code,
        unit_name=unit.name,
        post_code=post.code if post else "",
        title=post.title if post else title,
    )


def _plan_staff(table: CsvTable, effective: dt.date) -> tuple[ImportPlan, _StaffOps]:
    errors: list[RowError] = []
    notes: list[str] = []
    _check_header(table, STAFF_COLUMNS, STAFF_OPTIONAL, errors, notes)
    codes = {raw.values.get("所属コード", "") for raw in table.rows}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    rows = [_staff_row(table, raw, errors, units, effective) for raw in table.rows]
    rows = _unique([r for r in rows if r.staff_number], "staff_number", "職員番号", table, errors)
    if errors:
        raise ImportRejected(errors)

    posts: dict[tuple[int, str], list[Post]] = {}
    for post in Post.objects.filter(unit__in=units.values()).order_by("code"):
        posts.setdefault((post.unit_id, post.title), []).append(post)
    numbers = [row.staff_number for row in rows]
    people = {p.staff_number: p for p in Person.objects.filter(staff_number__in=numbers)}
    current: dict[int, Assignment] = {}
    # Open on the effective date; if someone has two (bad data), the latest is the one that moves.
    for assignment in (
        Assignment.objects.on(effective)
        .filter(person__in=people.values(), kind=Assignment.Kind.PRIMARY)
        .select_related("unit", "post")
        .order_by("start", "pk")
    ):
        current[assignment.person_id] = assignment

    has_left_on = "退職日" in table.header
    changes: list[Change] = []
    ops = _StaffOps()
    departed = 0
    for row in rows:
        wanted = {
            "name": row.name,
            "name_kana": row.name_kana,
            "employment": row.employment,
            "term_start": row.term_start,
            "term_end": row.term_end,
            "company": row.company,
            "email": row.email,
        }
        if has_left_on:
            wanted["left_on"] = row.left_on
        person = people.get(row.staff_number)
        if person is None:
            person = Person(staff_number=row.staff_number, **wanted)
            ops.new_people.append(person)
            changes.append(
                Change(
                    kind=ChangeKind.PERSON_CREATED,
                    line=row.line,
                    staff_number=row.staff_number,
                    name=row.name,
                    detail=Employment(row.employment).label,
                )
            )
        else:
            before = snapshot(person)
            changed = False
            for attr, column in PERSON_FIELDS:
                if attr in wanted and getattr(person, attr) != wanted[attr]:
                    changes.append(
                        Change(
                            kind=ChangeKind.PERSON_CHANGED,
                            line=row.line,
                            staff_number=row.staff_number,
                            name=person.name,
                            field=column,
                            old=getattr(person, attr),
                            new=wanted[attr],
                        )
                    )
                    setattr(person, attr, wanted[attr])
                    changed = True
            if changed:
                ops.changed_people.append((person, before))

        if row.left_on is not None and row.left_on < effective:
            departed += 1  # nobody is placed in a unit after leaving
            continue
        unit = units[row.unit_code]
        old = current.get(person.pk) if person.pk else None
        post = _post_for(unit, row.title, posts, old.post if old else None)
        title = post.title if post else row.title
        new_position = _position(unit, post, title)
        if old is None:
            ops.new_assignments.append(
                (
                    Assignment(person=person, unit=unit, post=post, title=title, start=effective),
                    RecordAction.ASSIGNMENT_IMPORTED,
                )
            )
            changes.append(
                Change(
                    kind=ChangeKind.ASSIGNED,
                    line=row.line,
                    staff_number=row.staff_number,
                    name=row.name,
                    field="所属",
                    new=new_position,
                    effective=effective,
                )
            )
            continue
        if _same_position(old, unit, post, title):
            continue
        old_position = _position(old.unit, old.post, old.title)
        before = snapshot(old)
        if old.start < effective:
            old.end = effective - dt.timedelta(days=1)
            ops.ended.append((old, before))
            ops.new_assignments.append(
                (
                    Assignment(person=person, unit=unit, post=post, title=title, start=effective),
                    RecordAction.ASSIGNMENT_MOVED,
                )
            )
            detail = f"旧配置は{old.end}まで"
        else:
            # It starts on the effective date itself (a corrected transfer list sent again):
            # ending it the day before would end it before it began, so it is corrected in place.
            old.unit, old.post, old.title = unit, post, title
            ops.corrected.append((old, before))
            detail = "同日付の配置を訂正"
        changes.append(
            Change(
                kind=ChangeKind.MOVED,
                line=row.line,
                staff_number=row.staff_number,
                name=row.name,
                field="所属",
                old=old_position,
                new=new_position,
                effective=effective,
                detail=detail,
            )
        )

    others = Person.objects.count() - len(people)
    if others:
        notes.append(f"ファイルにない職員 {others} 名は変更しません (一部の職員だけのファイルでもよいため)")
    if departed:
        notes.append(f"{effective} より前に退職した職員 {departed} 名は配置を変更しません")
    plan = ImportPlan(
        target="staff",
        file=table.name,
        encoding=table.encoding,
        changes=changes,
        notes=notes,
        effective=effective,
        table=table,
    )
    return plan, ops


# KIT-5-5: other domains say what a staff plan means for them (access: every privilege a transfer or
# retirement must revoke): ``hook(plan=, apply=, actor=) -> list[str]`` lines added to the plan's
# notes in the preview, and on apply their own rows written in the import's transaction.
STAFF_PLAN_HOOKS: list[Any] = []


def _hook_notes(plan: ImportPlan, *, apply: bool, actor: Actor = None) -> list[str]:
    return [line for hook in STAFF_PLAN_HOOKS for line in hook(plan=plan, apply=apply, actor=actor)]


def staff_preview(*, path: str | Path, effective: dt.date | None = None) -> ImportPlan:
    """Check a staff file and work out what importing it would change, as of ``effective`` (default:
    today in Asia/Tokyo; for the 4月1日 transfers, 4月1日); write nothing."""
    plan, _ = _plan_staff(read_table(path), effective or time.today())
    plan.notes.extend(_hook_notes(plan, apply=False))
    return plan


@transaction.atomic
def staff_apply(*, plan: ImportPlan, actor: Actor = None) -> ImportPlan:
    """Write a previewed staff plan: people created and updated, old assignments ended the day before
    the effective date and new ones started on it; one record per changed row."""
    if plan.target != "staff" or plan.table is None or plan.effective is None:
        raise ValueError("staff_apply needs a plan made by staff_preview")
    # Worked out again inside the transaction, so what is written is what the database is now.
    fresh, ops = _plan_staff(plan.table, plan.effective)
    if fresh.changes != plan.changes:
        raise PlanOutdated("プレビューの後に職員のデータが変わりました。もう一度プレビューしてください")
    created = Person.objects.bulk_create(ops.new_people)
    if ops.changed_people:
        Person.objects.bulk_update([p for p, _ in ops.changed_people], [attr for attr, _ in PERSON_FIELDS])
    if ops.ended:
        Assignment.objects.bulk_update([a for a, _ in ops.ended], ["end"])
    if ops.corrected:
        Assignment.objects.bulk_update([a for a, _ in ops.corrected], ["unit", "post", "title"])
    for assignment, _ in ops.new_assignments:
        assignment.person_id = assignment.person.pk  # the person may have got its key just above
    started = Assignment.objects.bulk_create([a for a, _ in ops.new_assignments])

    def entry(action: RecordAction, row: Any, before: dict | None = None) -> Entry:
        return Entry(
            action=action,
            object_type=f"organisation.{type(row).__name__}",
            object_id=str(row.pk),
            actor=actor,
            before=before,
            after=snapshot(row),
            retention_class=RETENTION,
        )

    record_append_many(
        entries=[
            *(entry(RecordAction.PERSON_IMPORTED, p) for p in created),
            *(entry(RecordAction.PERSON_UPDATED, p, before) for p, before in ops.changed_people),
            *(entry(RecordAction.ASSIGNMENT_ENDED, a, before) for a, before in ops.ended),
            *(entry(RecordAction.ASSIGNMENT_MOVED, a, before) for a, before in ops.corrected),
            *(entry(action, a) for a, (_, action) in zip(started, ops.new_assignments, strict=True)),
        ]
    )
    fresh.notes.extend(_hook_notes(fresh, apply=True, actor=actor))
    return fresh
