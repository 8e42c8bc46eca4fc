"""Access benchmark: the management-file pages and exports with 10,000 staff and 100,000
entitlements, against a 1,000-entitlement baseline built the same way in the same run.

    .venv/bin/python bench/access.py [--database sqlite|postgres] [--staff 10000]
                                     [--entitlements 100000] [--runs 20] [--pg-url URL]

Each data set gets a database of its own (SQLite: files under var/bench/; PostgreSQL: the database
named in --pg-url, default postgres://postgres@127.0.0.1:5432/bench_access, dropped and created
again, and a second one with the suffix _base for the baseline).  The fictional city is the demo
city (北見市 pack) grown with bulk_create: 課 under every 部, staff, systems, privileges,
entitlements and requests.  Pages are found by URL name (reverse) and skipped with a note when an
app has not built them; each is requested with the Django test client logged in as the
administrator and as a 情報セキュリティ責任者 (市民部長), once to warm up and then --runs times.
It prints p50/p95 and the query count of each, and the ratio of the big set's p95 to the
baseline's; the query counts must be equal (a page whose count grows is marked).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time as clock
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/bench_access"
TODAY = dt.date(2026, 11, 16)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--entitlements", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000, help="entitlements of the baseline set")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    return parser.parse_args()


ARGS = parse()
BENCH_HOME = ROOT / "var" / "bench"
BENCH_HOME.mkdir(parents=True, exist_ok=True)
os.environ["MAMORI_HOME"] = str(BENCH_HOME)
if ARGS.database == "postgres":
    os.environ["DATABASE_URL"] = ARGS.pg_url
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_HOME / 'bench_access.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
os.environ.setdefault("MAMORI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]


# --- databases ------------------------------------------------------------------------------------


def use_database(name: str) -> None:
    """Point Django at a fresh, empty database called ``name`` and migrate it."""
    for alias in connections:
        connections[alias].close()
    db = settings.DATABASES["default"]
    if ARGS.database == "postgres":
        import psycopg

        admin_dsn = ARGS.pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        db["NAME"] = name
    else:
        path = BENCH_HOME / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db["NAME"] = str(path)
    connections["default"].settings_dict["NAME"] = db["NAME"]
    call_command("migrate", verbosity=0, interactive=False)


# --- the data set ---------------------------------------------------------------------------------


@dataclass
class DataSet:
    staff: int
    entitlements: int
    requests: int
    admin: object
    officer: object
    approver: object
    system_code: str
    unit_code: str
    staff_number: str
    seconds: float


def build(*, staff: int, entitlements: int) -> DataSet:
    from mamori.access.models import Entitlement
    from mamori.demo.city import build_city
    from mamori.organisation.models import Assignment, Employment, Person, Post, Unit
    from mamori.systems.models import Privilege, System
    from mamori.workflows.models import Request, RequestState, RequestStep, StepAssignee, StepState

    started = clock.perf_counter()
    city = build_city(pack_name="kitami", today=TODAY, staff_per_unit=3)
    accounts = {name: entry[0] for name, entry in city.accounts.items()}
    admin, officer, approver = accounts["admin"], accounts["bucho.shimin"], accounts["kacho.joho"]
    since = dt.date(2026, 4, 1)

    # 課 of 50 people each, spread over the existing 部: the 市民部長 sees their share (KIT-4).
    departments = sorted(Unit.objects.filter(level="部"), key=lambda u: (u.code != "300", u.code))
    per_unit = 50
    sections = [
        Unit(
            code=f"B{i:04d}",
            name=f"第{i}課",
            level="課",
            parent=departments[i % len(departments)],
            valid_from=dt.date(2000, 4, 1),
        )
        for i in range(max(1, staff // per_unit))
    ]
    Unit.objects.bulk_create(sections, batch_size=2000)
    Post.objects.bulk_create(
        [Post(code=f"B{u.code}-H", unit=u, title="課長") for u in sections], batch_size=2000
    )
    people = [
        Person(
            staff_number=f"B{i:06d}",
            name=f"職員{i:06d}",
            name_kana=f"ショクイン{i}",
            employment=Employment.FIXED_TERM if i % 10 == 9 else Employment.REGULAR,
            term_start=since if i % 10 == 9 else None,
            term_end=dt.date(2027, 3, 31) if i % 10 == 9 else None,
        )
        for i in range(staff)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(Person.objects.filter(staff_number__startswith="B").order_by("staff_number"))
    Assignment.objects.bulk_create(
        [
            Assignment(person=p, unit=sections[i % len(sections)], title="主事", start=since)
            for i, p in enumerate(people)
        ],
        batch_size=2000,
    )

    owner = Unit.objects.get(code="231")
    systems = System.objects.bulk_create(
        [
            System(code=f"BS{i:02d}", name=f"業務システム{i:02d}", owner_unit=owner, category="基幹")
            for i in range(20)
        ]
    )
    privileges = Privilege.objects.bulk_create(
        [
            Privilege(system=s, code=code, name=label)
            for s in systems
            for code, label in (("view", "照会"), ("update", "更新"), ("admin", "管理"))
        ]
    )
    by_system = {}
    for privilege in privileges:
        by_system.setdefault(privilege.system_id, []).append(privilege)

    request_count = max(10, entitlements // 100)
    filed = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    requests = Request.objects.bulk_create(
        [
            Request(
                kind="access.privilege",
                title=f"業務システム 操作権限登録（{i}）",
                pack="kitami",
                chain_title="システム使用者の操作権限登録(解除)申請",
                form="beki1",
                requester=officer.person,
                requester_capacity="情報セキュリティ責任者",
                requester_unit=city.units["300"],
                target_date=TODAY,
                filed_by=officer,
                payload={"action": "grant", "person": people[i % len(people)].staff_number, "system": "BS00"},
                state=RequestState.SUBMITTED if i % 2 else RequestState.APPROVED,
                filed_at=filed + dt.timedelta(minutes=i),
            )
            for i in range(request_count)
        ],
        batch_size=2000,
    )
    steps = RequestStep.objects.bulk_create(
        [
            RequestStep(
                request=r,
                order=1,
                role="system_manager",
                role_name="COKAS-R/ADⅡ管理者",
                label="登録",
                article="5-4",
                state=StepState.PENDING if r.state == RequestState.SUBMITTED else StepState.APPROVED,
            )
            for r in requests
        ],
        batch_size=2000,
    )
    StepAssignee.objects.bulk_create(
        [
            StepAssignee(step=s, person=approver.person, capacity="COKAS-R/ADⅡ管理者")
            for s in steps
            if s.state == StepState.PENDING
        ],
        batch_size=2000,
    )

    registered = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)

    def lines():
        for i in range(entitlements):
            person = people[i % len(people)]
            system = systems[(i // len(people)) % len(systems)]
            privilege = by_system[system.pk][(i // (len(people) * len(systems))) % 3]
            yield Entitlement(
                person=person,
                system=system,
                privilege=privilege,
                user_id=f"U{person.staff_number}",
                valid_from=since,
                valid_to=person.term_end,
                request=requests[i % len(requests)] if i % 3 == 0 else None,
                registered_at=registered,
                registered_by=approver,
            )

    batch, size = [], 5000
    for line in lines():
        batch.append(line)
        if len(batch) == size:
            Entitlement.objects.bulk_create(batch)
            batch = []
    if batch:
        Entitlement.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have
    officer_unit = next(u for u in sections if u.parent.code == "300")
    return DataSet(
        staff=staff,
        entitlements=entitlements,
        requests=request_count,
        admin=admin,
        officer=officer,
        approver=approver,
        system_code=systems[0].code,
        unit_code=officer_unit.code,
        staff_number=people[0].staff_number,
        seconds=clock.perf_counter() - started,
    )


# --- the pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    label: str
    name: str
    kwargs: tuple[tuple[str, str], ...] = ()
    query: str = ""
    users: tuple[str, ...] = ("admin", "officer")
    runs: int | None = None  # None: --runs


def pages(data: DataSet) -> list[Page]:
    on = f"on={TODAY.isoformat()}"
    return [
        Page("管理ファイル 一覧（全体）", "access_entitlements"),
        Page("管理ファイル システム別", "access_entitlements", query=f"system={data.system_code}"),
        Page("管理ファイル 組織別", "access_entitlements", query=f"unit={data.unit_code}"),
        Page("管理ファイル 職員別", "access_entitlements", query=f"person={data.staff_number}"),
        Page("システム台帳", "access_systems"),
        Page("システム詳細", "access_system", kwargs=(("code", data.system_code),)),
        Page("管理者の受信箱", "access_inbox", users=("admin",)),
        Page("定期確認 一覧", "reviews"),
        Page("申請一覧（自分の申請）", "requests", users=("officer",)),
        Page("承認待ち", "approvals", users=("approver",)),
        # The officer's whole scope (their 部's share), and the administrator's whole file: at
        # 100,000 lines that one xlsx takes seconds, so it is timed 3 times, not --runs times.
        Page(
            "出力 管理ファイル xlsx（全件）×3",
            "export_management_file",
            (("fmt", "xlsx"),),
            on,
            ("admin",),
            3,
        ),
        Page(
            "出力 管理ファイル xlsx（範囲全体）",
            "export_management_file",
            (("fmt", "xlsx"),),
            on,
            ("officer",),
        ),
        Page(
            "出力 管理ファイル xlsx システム別",
            "export_management_file",
            (("fmt", "xlsx"),),
            f"{on}&system={data.system_code}",
        ),
        Page(
            "出力 管理ファイル PDF 職員別",
            "export_management_file",
            (("fmt", "pdf"),),
            f"{on}&person={data.staff_number}",
        ),
    ]


@dataclass
class Measure:
    p50: float
    p95: float
    queries: int
    status: int
    size: int


def measure(client: Client, url: str, runs: int) -> Measure:
    response = client.get(url)  # warm-up: session, pack cache, query plans
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            response = client.get(url)
            times.append(clock.perf_counter() - started)
        queries = len(captured.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Measure(statistics.median(times), p95, queries, response.status_code, len(response.content))


def run_pages(data: DataSet) -> tuple[dict[tuple[str, str], Measure], list[str]]:
    users = {"admin": data.admin, "officer": data.officer, "approver": data.approver}
    clients = {}
    for key, user in users.items():
        client = Client()
        client.force_login(user)
        clients[key] = client
    results, notes = {}, []
    for page in pages(data):
        try:
            url = reverse(page.name, kwargs=dict(page.kwargs))
        except NoReverseMatch:
            notes.append(f"skipped {page.label}: no URL named '{page.name}' yet")
            continue
        if page.query:
            url += ("&" if "?" in url else "?") + page.query
        for who in page.users:
            try:
                results[(page.label, who)] = measure(clients[who], url, page.runs or ARGS.runs)
            except Exception as error:  # another app's page failing is reported, not fatal
                notes.append(f"{page.label} as {who} failed: {type(error).__name__}: {error}")
    return results, notes


# --- the report -----------------------------------------------------------------------------------


def main() -> None:
    base_name = "bench_access_base"
    big_name = "bench_access" if ARGS.database == "sqlite" else ARGS.pg_url.rsplit("/", 1)[1]
    sets = []
    for name, staff, lines in (
        (base_name, max(100, ARGS.staff * ARGS.baseline // ARGS.entitlements), ARGS.baseline),
        (big_name, ARGS.staff, ARGS.entitlements),
    ):
        use_database(name)
        data = build(staff=staff, entitlements=lines)
        print(
            f"# {ARGS.database} data set '{name}': {data.staff:,} staff, {data.entitlements:,} entitlements, "
            f"{data.requests:,} requests — built in {data.seconds:.1f} s",
            flush=True,
        )
        results, notes = run_pages(data)
        sets.append((data, results, notes))
    (_, base_results, notes), (_, big_results, _) = sets
    print(
        f"\n{ARGS.runs} runs each after one warm-up; times in ms; officer = 市民部長 (情報セキュリティ責任者)"
    )
    header = (
        f"{'page':<34} {'user':<8} {'base p50':>9} {'base p95':>9} {'big p50':>9} {'big p95':>9} "
        f"{'ratio':>6} {'q base':>6} {'q big':>6} {'status':>6}"
    )
    print(header)
    print("-" * len(header))
    grown = []
    for key, small in base_results.items():
        large = big_results.get(key)
        if large is None:
            continue
        ratio = large.p95 / small.p95 if small.p95 else float("nan")
        mark = "" if small.queries == large.queries else "  ← queries grow"
        if mark:
            grown.append(key)
        label, who = key
        print(
            f"{label:<34} {who:<8} {small.p50 * 1000:>9.1f} {small.p95 * 1000:>9.1f} {large.p50 * 1000:>9.1f} "
            f"{large.p95 * 1000:>9.1f} {ratio:>6.2f} {small.queries:>6} {large.queries:>6} "
            f"{large.status:>6}{mark}"
        )
    for note in notes:
        print(f"note: {note}")
    print(
        f"\nquery counts equal on every page: {'yes' if not grown else 'NO — ' + ', '.join(map(str, grown))}"
    )


if __name__ == "__main__":
    main()
