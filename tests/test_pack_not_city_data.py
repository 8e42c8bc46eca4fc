"""What the engine cites and whom it shows comes from the active pack, never from one city (issue 9 item 6).

Records of mamori's own accounts cite the pack's password requirement (or none), the training-use
finding cites the pack's article, and scope resolves through what the pack declares, never a role code:
舞鶴市's pack also has a role coded ``security_officer`` (held by the 市民課長), but it declares no
``parameters.access.organisation_scope``: its holder sees only the lines of the systems they administer
and their own, alike on the management-file screen, through the API and in the xlsx export.  The
control: 北見市's pack declares the scope, and its 市民部長 sees the 市民課 line from the same data."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from mamori.access.models import Entitlement, EntitlementBasis, EntitlementState
from mamori.accounts.services import AccountError, login_attempt, password_issue_temporary
from mamori.core import time
from mamori.demo.city import City
from mamori.events import rules
from mamori.records.models import Record
from mamori.systems.models import System
from mamori.systems.selectors import administered_systems
from mamori.terminals.eventgen import Row, at, store_events
from tests.conftest import TODAY, make_city


def _line(city: City, person, system_code: str) -> Entitlement:
    system = System.objects.get(code=system_code)
    return Entitlement.objects.create(
        person=person,
        system=system,
        privilege=system.privileges.get(code="view"),
        user_id=person.staff_number,
        valid_from=TODAY,
        state=EntitlementState.ACTIVE,
        basis=EntitlementBasis.REQUEST,
        registered_at=time.now(),
        registered_by=city.accounts["admin"][0],
    )


def _world(pack: str) -> tuple[City, dict[str, Entitlement]]:
    """The 市民課長's own line, a line of a member of 市民課 staff and one of 福祉課 staff."""
    city = make_city(pack)
    kacho = city.accounts["kacho.shimin"][0].person
    lines = {
        "own": _line(city, kacho, "SYS01"),
        "shimin_staff": _line(city, city.staff["310"][0], "SYS01"),
        "fukushi_staff": _line(city, city.staff["410"][2], "SYS01"),
    }
    return city, lines


def _seen(username: str, city: City) -> dict[str, set[str]]:
    """The staff numbers of the lines ``username`` gets from the screen, the API and the xlsx export."""
    client = Client()
    client.force_login(city.accounts[username][0])
    screen = client.get("/access/?state=")
    assert screen.status_code == 200
    api = client.get("/api/access/entitlements?state=&page_size=500")
    assert api.status_code == 200, api.content
    xlsx = client.get("/exports/management-file.xlsx?state=")
    assert xlsx.status_code == 200
    api_xlsx = client.get("/api/exports/management-file?fmt=xlsx&state=")
    assert api_xlsx.status_code == 200, api_xlsx.content
    numbers = {line.person.staff_number for line in Entitlement.objects.select_related("person")}
    page = screen.content.decode()
    return {
        "screen": {n for n in numbers if n in page},
        "api": {item["staff_number"] for item in api.json()["items"]},
        "xlsx": _staff_numbers(xlsx.content),
        "api_xlsx": _staff_numbers(api_xlsx.content),
    }


def _staff_numbers(body: bytes) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "職員番号" in row)
    column = rows[header].index("職員番号")
    return {str(row[column]) for row in rows[header + 1 :] if row[column]}


def test_it_shows_the_maizuru_security_officer_only_their_own_lines(db):
    """KIT-4 is 北見市's: under 舞鶴市 (no organisation scope declared) the 市民課長, who holds the pack's
    ``security_officer`` role, sees no line of 市民課 staff on the screen, in the API or in either xlsx."""
    city, lines = _world("maizuru")
    kacho = city.accounts["kacho.shimin"][0].person
    assert city.pack.parameters.access.organisation_scope is None
    assert any(h for h in city.pack.roles if h.code == "security_officer")
    assert not administered_systems(kacho, pack=city.pack, on=TODAY)
    own = {lines["own"].person.staff_number}
    for where, numbers in _seen("kacho.shimin", city).items():
        assert numbers == own, f"{where}: {numbers}"


def test_it_shows_the_kitami_security_officer_their_organisation(db):
    """The control (KIT-4): 北見市 declares the scope, so its 情報セキュリティ責任者 (市民部長) sees the line
    of 市民課 staff, and still not the one of 福祉課 staff, through the same three doors."""
    city, lines = _world("kitami")
    assert city.pack.parameters.access.organisation_scope is not None
    shimin = lines["shimin_staff"].person.staff_number
    fukushi = lines["fukushi_staff"].person.staff_number
    for where, numbers in _seen("bucho.shimin", city).items():
        assert shimin in numbers, f"{where}: {numbers}"
        assert fukushi not in numbers, f"{where}: {numbers}"


def test_it_shows_the_administrator_every_line(db):
    """The administrators of mamori see the whole management file under any pack (KIT-4 aside)."""
    city, lines = _world("maizuru")
    everyone = {line.person.staff_number for line in lines.values()}
    for where, numbers in _seen("admin", city).items():
        assert numbers == everyone, f"{where}: {numbers}"


@pytest.mark.parametrize(
    ("pack", "temporary", "login"),
    [("kitami", "KIT-8-2", "KIT-8-5"), ("yanagawa", "YAN-12-4", "YAN-12-5"), ("meguro", "", "")],
)
def test_it_cites_the_packs_password_requirement_on_account_records(db, pack, temporary, login):
    """KIT-8-2/KIT-8-5 are 北見市's: a temporary password and a refused log-in cite the active pack's password
    requirements (the temporary one first, as the finding does), and nothing under 目黒区, which has none."""
    city = make_city(pack)
    assert city.pack.parameters.password.requirements[:2] == [r for r in (temporary, login) if r]
    user = city.accounts["shokuin"][0]
    password_issue_temporary(user=user, actor=city.accounts["admin"][0])
    with pytest.raises(AccountError):
        login_attempt(username=user.username, password="wrong-password-1A!")
    issued = Record.objects.get(action="accounts.password.temporary_issued", object_id=str(user.pk))
    refused = Record.objects.get(action="accounts.login.failed", object_id=str(user.pk))
    assert (issued.requirement, refused.requirement) == (temporary, login)
    cited = set(Record.objects.filter(object_type="accounts.User").values_list("requirement", flat=True))
    prefix = city.pack.prefix
    assert all(not r or r.startswith(prefix + "-") for r in cited), cited


def test_it_cites_the_packs_article_for_training_use(db):
    """KIT-10: the training-use report cites the article the pack's check names, in its title's detail too
    (北見市 names 第10条; a pack that names another article gets that one, never 「第10条第2号」)."""
    city = make_city("kitami")
    person = city.staff["310"][0]
    monday = TODAY - dt.timedelta(days=7)
    store_events(
        [Row(at(monday, "09:00"), "search", person.staff_number, host="PC1", system="SYS01", training=True)]
    )
    kitami = next(iter(rules.training_use(city.pack, TODAY)))
    assert kitami.article == "第10条" and "（第10条）" in kitami.detail and "第2号" not in kitami.detail
    params = city.pack.parameters  # a pack is frozen: another pack citing 第11条第2項 for the same check
    training = params.monitoring.training_use.model_copy(update={"articles": ["11-2"]})
    monitoring = params.monitoring.model_copy(update={"training_use": training})
    other = city.pack.model_copy(update={"parameters": params.model_copy(update={"monitoring": monitoring})})
    cited = next(iter(rules.training_use(other, TODAY)))
    assert cited.article == "第11条第2項" and "（第11条第2項）" in cited.detail
    assert "第10条" not in cited.detail
