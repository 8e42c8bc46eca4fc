"""A fictional municipality (みどり市, or みどり区 for a 区's pack) for the demo and the tests.

Its organisation has the usual 部・課 and, besides, every unit and post the chosen pack's roles
name (情報システム課長, 西支所長, 総務部参与…), so every role of every built-in pack has a holder.
Names and numbers are invented; any likeness to real staff is chance."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction

from mamori.accounts.models import User
from mamori.accounts.services import account_create
from mamori.core import time
from mamori.organisation.installation import installation_activate
from mamori.organisation.models import Assignment, Employment, Person, Post, Unit
from mamori.organisation.services import organisation_load
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.loader import get_pack
from mamori.regulations.schema import Pack
from mamori.systems.models import Privilege, System
from mamori.workflows.demo import DEMO_PASSWORD

# (code, name, level, parent code)
BASE_UNITS = [
    ("100", "総務部", "部", None),
    ("110", "総務課", "課", "100"),
    ("120", "人事課", "課", "100"),
    ("130", "情報政策課", "課", "100"),
    ("200", "企画財政部", "部", None),
    ("210", "企画課", "課", "200"),
    ("220", "財政課", "課", "200"),
    ("230", "DX推進室", "室", "200"),
    ("231", "情報システム課", "課", "230"),
    ("300", "市民部", "部", None),
    ("310", "市民課", "課", "300"),
    ("320", "保険年金課", "課", "300"),
    ("330", "西支所", "支所", "300"),
    ("400", "福祉部", "部", None),
    ("410", "福祉課", "課", "400"),
    ("420", "介護保険課", "課", "400"),
    ("500", "税務部", "部", None),
    ("510", "税務課", "課", "500"),
]
HEAD_TITLE = {"部": "部長", "課": "課長", "室": "室長", "支所": "支所長"}
FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
]
GIVEN = [
    "一郎",
    "花子",
    "健太",
    "美咲",
    "大輔",
    "由美",
    "翔",
    "陽子",
    "誠",
    "恵",
    "直樹",
    "舞",
    "拓也",
    "彩",
    "浩二",
    "智子",
    "亮",
    "真由美",
    "隆",
    "愛",
]


@dataclass
class City:
    pack: Pack
    name: str
    units: dict[str, Unit] = field(default_factory=dict)
    heads: dict[str, Person] = field(default_factory=dict)  # unit code → its head
    staff: dict[str, list[Person]] = field(default_factory=dict)  # unit code → staff
    accounts: dict[str, tuple[User, str, str]] = field(
        default_factory=dict
    )  # username → (user, password, note)

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units.values() if u.name == name)

    def head_of(self, name: str) -> Person:
        return self.heads[self.unit(name).code]


def _level_of(name: str) -> str:
    for suffix in ("支所", "部", "課", "室"):
        if name.endswith(suffix):
            return suffix
    return "課"


class _Names:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            name = f"{self.random.choice(FAMILY)} {self.random.choice(GIVEN)}"
            if name not in self.used:
                self.used.add(name)
                return name


@transaction.atomic
def build_city(
    *, pack_name: str, today: dt.date | None = None, staff_per_unit: int = 3, with_accounts: bool = True
) -> City:
    """Create the organisation, the installation row, systems and log-in accounts."""
    pack = get_pack(pack_name)
    today = today or time.today()
    ward = pack.municipality.endswith("区")
    city = City(pack=pack, name="みどり区" if ward else "みどり市")
    top_title = "区長" if ward else "市長"
    installation_activate(municipality=city.name, pack=pack.pack, actor=None)
    names = _Names(seed=20261122)
    # Staff have been in post since the previous 年度's 4月1日, so a demo built on a 4月1日 still has a history
    # (a request of last month, a line granted in the winter) whose people held their posts at the time.
    since = time.fiscal_year_start(time.fiscal_year(today) - 1)

    # Units: the base tree, then whatever the pack names that the tree lacks.
    root = Unit(code="000", name=city.name, level="市" if not ward else "区", valid_from=dt.date(2000, 4, 1))
    units = {"000": root}
    for code, name, level, parent in BASE_UNITS:
        units[code] = Unit(code=code, name=name, level=level, parent=units[parent or "000"])
    extra_code = 600
    for role in pack.roles:
        for ref in role.held_by:
            if ref.unit and not any(u.name == ref.unit for u in units.values()):
                level = ref.unit_level or _level_of(ref.unit)
                parent = units["000"] if level == "部" else units["100"]
                units[str(extra_code)] = Unit(code=str(extra_code), name=ref.unit, level=level, parent=parent)
                extra_code += 10

    # Posts: the head of every unit, the top posts, and any other title the pack names.
    posts: dict[tuple[str, str], Post] = {}

    def post(unit: Unit, title: str) -> Post:
        key = (unit.code, title)
        if key not in posts:
            posts[key] = Post(code=f"{unit.code}-{len(posts) + 1:03d}", unit=unit, title=title)
        return posts[key]

    post(root, top_title)
    post(root, f"副{top_title}")
    for unit in units.values():
        if unit.level in HEAD_TITLE:
            post(unit, HEAD_TITLE[unit.level])
    for role in pack.roles:
        for ref in role.held_by:
            if ref.unit:
                post(next(u for u in units.values() if u.name == ref.unit), ref.post)
            elif ref.post not in (HEAD_TITLE.values()):
                post(root, ref.post)

    people: list[Person] = []
    assignments: list[Assignment] = []
    number = 1000

    def person(employment: str = Employment.REGULAR, **extra) -> Person:
        nonlocal number
        number += 1
        prefix = "C" if employment == Employment.CONTRACTOR else ""
        p = Person(
            staff_number=f"{prefix}{number}",
            name=names.next(),
            employment=employment,
            email=f"staff{number}@midori.example.jp",
            **extra,
        )
        people.append(p)
        return p

    for (unit_code, _title), the_post in posts.items():
        holder = person()
        assignments.append(
            Assignment(person=holder, unit=the_post.unit, post=the_post, title=the_post.title, start=since)
        )
        if the_post.title == HEAD_TITLE.get(the_post.unit.level) or unit_code == "000":
            city.heads.setdefault(unit_code, holder)
    for code, unit in units.items():
        if unit.level not in ("課", "支所", "室"):
            continue
        members = []
        for index in range(staff_per_unit):
            if index == staff_per_unit - 1:
                # 会計年度任用職員: appointed for the 年度; rights end with the term (KIT-7)
                fy = time.fiscal_year(today)
                member = person(
                    Employment.FIXED_TERM,
                    term_start=time.fiscal_year_start(fy),
                    term_end=time.fiscal_year_end(fy),
                )
            else:
                member = person()
            members.append(member)
            assignments.append(
                Assignment(person=member, unit=unit, title="主事" if index else "主査", start=since)
            )
        city.staff[code] = members
    vendor = person(
        Employment.CONTRACTOR,
        company="みどり情報サービス株式会社",
        term_start=since,
        term_end=time.fiscal_year_end(time.fiscal_year(today)),
    )
    assignments.append(Assignment(person=vendor, unit=units["231"], title="保守要員", start=since))

    organisation_load(
        units=list(units.values()), posts=list(posts.values()), people=people, assignments=assignments
    )
    city.units = units

    _systems(city, pack)
    if with_accounts:
        _accounts(city)
    return city


def _systems(city: City, pack: Pack) -> None:
    """Business systems: 別表第1 of the pack if it has one, otherwise a usual set."""
    owner = city.units["231"]
    names = ["住民記録", "税務（個人住民税）", "国民健康保険", "介護保険", "財務会計", "住基ネット"]
    table = next(
        (t for t in pack.tables if t.id in ("beppyo1", "table1") or t.title.startswith("別表第1")), None
    )
    if table is not None:
        column = next((i for i, c in enumerate(table.columns) if "システム" in c or "業務" in c), 0)
        names = [row[column] for row in table.rows] or names
    systems = [
        System(
            code=f"SYS{i:02d}",
            name=name,
            owner_unit=owner,
            category="基幹",
            handles_personal_information=True,
            handles_identity_information="住基" in name,
        )
        for i, name in enumerate(names, start=1)
    ]
    systems.append(System(code="SYS90", name="文書管理", owner_unit=city.units["110"], category="個別"))
    created = System.objects.bulk_create(systems)
    privileges = [
        Privilege(system=s, code=code, name=label)
        for s in created
        for code, label in (("view", "照会"), ("update", "更新"), ("admin", "管理"))
    ]
    created_privileges = Privilege.objects.bulk_create(privileges)
    record_append_many(
        entries=[
            *[
                Entry(
                    action=RecordAction.SYSTEM_REGISTERED,
                    object_type="access.System",
                    object_id=str(s.pk),
                    after=snapshot(s),
                    retention_class="access",
                )
                for s in created
            ],
            *[
                Entry(
                    action=RecordAction.PRIVILEGE_DEFINED,
                    object_type="access.Privilege",
                    object_id=str(p.pk),
                    after=snapshot(p),
                    retention_class="access",
                )
                for p in created_privileges
            ],
        ]
    )


def _accounts(city: City) -> None:
    """Log-in accounts for the people a demo walks through, all with the same demo password."""
    admin_person = city.staff["130"][0]
    wanted = [
        ("admin", admin_person, True, "情報政策課 管理者（ロック解除・全画面）"),
        ("kacho.joho", city.heads["231"], False, "情報システム課長（システム管理者・承認者）"),
        ("bucho.shimin", city.heads["300"], False, "市民部長（情報セキュリティ責任者・申請者）"),
        ("kacho.shimin", city.heads["310"], False, "市民課長"),
        ("bucho.somu", city.heads["100"], False, "総務部長"),
        ("fuku", _post_holder(city, "副"), False, "副市長・副区長"),
        ("shokuin", city.staff["410"][1], False, "福祉課 職員（一般職員）"),
        ("shinjin", city.staff["410"][0], False, "福祉課 職員（初回ログインでパスワード変更）"),
    ]
    for username, person, is_admin, note in wanted:
        user, _ = account_create(
            username=username, person=person, actor=None, is_admin=is_admin, password=DEMO_PASSWORD
        )
        if username != "shinjin":
            User.objects.filter(pk=user.pk).update(must_change_password=False)
            user.must_change_password = False
        city.accounts[username] = (user, DEMO_PASSWORD, note)


def _post_holder(city: City, prefix: str) -> Person:
    assignment = (
        Assignment.objects.filter(post__unit__code="000", post__title__startswith=prefix)
        .select_related("person")
        .first()
    )
    return assignment.person
