"""Regulation packs: the five built-in packs validate; a broken pack is rejected naming its path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mamori.regulations.loader import PackError, available_packs, get_pack, load_pack_file

BUILT_IN = ["fukuyama", "kitami", "maizuru", "meguro", "yanagawa"]
REQUIREMENTS = Path(__file__).resolve().parents[2] / "shared" / "requirements.tsv"
ROLE_REQUIREMENTS = {
    "yanagawa": "YAN-5",
    "kitami": "KIT-3",
    "maizuru": "MAI-11",
    "fukuyama": "FUK-8",
    "meguro": "MEG-5",
}


def test_the_five_built_in_packs_are_available_and_valid():
    assert sorted(available_packs()) == BUILT_IN
    for name in BUILT_IN:
        assert get_pack(name).pack == name


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_pack_lists_every_requirement_id_of_its_city(name):
    pack = get_pack(name)
    if not REQUIREMENTS.exists():
        pytest.skip("shared/requirements.tsv is not beside the checkout")
    rows = [line.split("\t")[0] for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()[1:]]
    expected = {r for r in rows if r.startswith(pack.prefix + "-")}
    assert {r.id for r in pack.requirements} == expected


@pytest.mark.parametrize("name", BUILT_IN)
def test_the_management_roles_cite_their_requirement(name):
    pack = get_pack(name)
    assert any(ROLE_REQUIREMENTS[name] in role.requirements for role in pack.roles)


def test_kit_t1_kitami_ships_its_two_reference_tables():
    tables = {t.title[:4]: t for t in get_pack("kitami").tables}
    assert len(tables["別表第1"].rows) == 13
    assert tables["別表第2"].rows
    assert all("KIT-T1" in t.requirements for t in tables.values())


def test_yan_5_yanagawa_names_the_deputy_of_the_cio():
    assert get_pack("yanagawa").role("cio").deputy == "chief_security_officer"


def test_a_broken_pack_is_rejected_naming_the_file_the_path_and_the_line(tmp_path):
    text = (Path(available_packs()["kitami"])).read_text(encoding="utf-8")
    broken = tmp_path / "kitami.yaml"
    broken.write_text(text.replace("lockout_threshold: 5", "lockout_threshold: zero"), encoding="utf-8")
    with pytest.raises(PackError) as rejected:
        load_pack_file(broken)
    message = rejected.value.describe()
    assert str(broken) in message
    assert "parameters.password.lockout_threshold" in message
    assert "line " in message


def test_a_pack_naming_an_unknown_role_in_a_chain_is_rejected(tmp_path):
    text = (Path(available_packs()["yanagawa"])).read_text(encoding="utf-8")
    broken = tmp_path / "yanagawa.yaml"
    broken.write_text(text.replace("role: security_officer", "role: nobody", 1), encoding="utf-8")
    with pytest.raises(PackError) as rejected:
        load_pack_file(broken)
    assert "role 'nobody' is not defined" in rejected.value.describe()


def test_kit_3_the_default_system_administrator_is_the_packs_not_the_engines(tmp_path):
    """KIT-3: who administers a system whose entry names no role is the pack's
    ``parameters.access.administrator_role``; a role the pack lacks is refused, and a pack that names
    none has no fallback (no role code is written in the engine)."""
    assert get_pack("kitami").parameters.access.administrator_role == "system_manager"
    assert get_pack("fukuyama").parameters.access.administrator_role is None
    text = (Path(available_packs()["meguro"])).read_text(encoding="utf-8")
    broken = tmp_path / "meguro.yaml"
    broken.write_text(
        text.replace("administrator_role: system_manager", "administrator_role: nobody"), "utf-8"
    )
    with pytest.raises(PackError) as rejected:
        load_pack_file(broken)
    assert "parameters.access.administrator_role: role 'nobody'" in rejected.value.describe()


def test_validate_command_accepts_the_five_and_rejects_a_broken_file(tmp_path, capsys):
    call_command("regulations", "validate")
    assert capsys.readouterr().out.count("OK ") == 5
    broken = tmp_path / "town.yaml"
    broken.write_text("pack: town\nmunicipality: 町\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("regulations", "validate", str(broken))
    assert str(broken) in capsys.readouterr().err


def test_show_prints_the_article_and_what_implements_its_requirements(db):
    result = subprocess.run(
        [sys.executable, "-m", "mamori.cli", "regulations", "show", "kitami", "5"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "第5条 情報セキュリティ責任者は" in result.stdout
    assert "KIT-5-4" in result.stdout
    assert "mamori.access.services.entitlements_apply_request" in result.stdout
    assert "tests/test_kitami_privilege.py::" in result.stdout
