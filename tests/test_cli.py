"""The `mamori` command on a real SQLite file, as an administrator would use it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def mamori(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MAMORI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "mamori.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=check,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    result = mamori(home, "demo", "--pack", "kitami")
    assert "ログイン" in result.stdout and "Mamori-demo-2026" in result.stdout
    return home


@pytest.fixture
def copy_of_demo(demo_home, tmp_path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    return home


def tamper(home: Path, *statements: str) -> None:
    with sqlite3.connect(home / "mamori.sqlite3") as db:
        db.execute("DROP TRIGGER records_record_no_update")
        db.execute("DROP TRIGGER records_record_no_delete")
        for statement in statements:
            db.execute(statement)


def test_the_demo_prints_log_ins_and_its_records_verify(demo_home):
    result = mamori(demo_home, "records", "verify")
    assert result.stdout.startswith("OK: ")


def test_running_the_demo_twice_keeps_the_first_one(demo_home):
    assert "作成済み" in mamori(demo_home, "demo").stdout


def test_the_demo_of_another_pack_replaces_the_old_one(copy_of_demo):
    """`make demo PACK=yanagawa` after a kitami demo builds the yanagawa demo (issue 11)."""
    result = mamori(copy_of_demo, "demo", "--pack", "yanagawa")
    assert "作り直します" in result.stdout and "柳川市" in result.stdout
    with sqlite3.connect(copy_of_demo / "mamori.sqlite3") as db:
        assert db.execute("SELECT pack FROM regulations_installation").fetchone() == ("yanagawa",)


def test_verify_fails_naming_the_position_of_an_edited_row(copy_of_demo):
    tamper(copy_of_demo, "UPDATE records_record SET actor_label = '改ざん' WHERE seq = 12")
    result = mamori(copy_of_demo, "records", "verify", check=False)
    assert result.returncode != 0
    assert "#12" in result.stderr and "edited" in result.stderr


def test_verify_fails_naming_the_position_of_a_deleted_row(copy_of_demo):
    tamper(copy_of_demo, "DELETE FROM records_record WHERE seq = 20")
    result = mamori(copy_of_demo, "records", "verify", check=False)
    assert result.returncode != 0 and "#20" in result.stderr


def test_verify_fails_naming_the_position_of_an_inserted_row(copy_of_demo):
    columns = (
        "at, actor_id, actor_label, capacity, action, object_type, object_id, before, after, article,"
        " requirement, retention_class, purge_on, prev_hash, hash"
    )
    tamper(
        copy_of_demo,
        f"INSERT INTO records_record (seq, {columns}) SELECT seq + 1000000, {columns}"
        " FROM records_record WHERE seq = 3",
    )
    head = (
        sqlite3.connect(copy_of_demo / "mamori.sqlite3")
        .execute("SELECT max(seq) FROM records_record WHERE seq < 1000000")
        .fetchone()[0]
    )
    result = mamori(copy_of_demo, "records", "verify", check=False)
    assert result.returncode != 0
    assert f"#{head + 1}" in result.stderr


def test_the_sqlite_database_runs_in_wal_mode(demo_home):
    mode = sqlite3.connect(demo_home / "mamori.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_setup_activates_a_pack_and_shows_the_administrators_temporary_password_once(tmp_path):
    result = mamori(tmp_path, "setup", "--pack", "meguro", "--municipality", "目黒区", "--admin", "joho")
    assert "規程パック meguro を適用しました" in result.stdout
    assert "仮パスワード" in result.stdout
    again = mamori(tmp_path, "setup", "--pack", "meguro", "--municipality", "目黒区", "--admin", "joho")
    assert "既にあります" in again.stdout and "仮パスワード" not in again.stdout
    with sqlite3.connect(tmp_path / "mamori.sqlite3") as db:
        assert db.execute("SELECT must_change_password, is_superuser FROM accounts_user").fetchone() == (1, 1)
        actions = [row[0] for row in db.execute("SELECT action FROM records_record ORDER BY seq")]
    assert actions[:2] == ["regulations.pack.activated", "accounts.created"]
    assert mamori(tmp_path, "records", "verify").returncode == 0


def test_setup_refuses_an_unknown_pack(tmp_path):
    result = mamori(tmp_path, "setup", "--pack", "nowhere", "--municipality", "某町", check=False)
    assert result.returncode != 0 and "no regulation pack named 'nowhere'" in result.stderr
