"""A throw-away MAMORI_HOME and database for one benchmark run (SQLite in the folder, or a fresh
PostgreSQL database dropped afterwards), shared by the benchmarks so each measures only its own work."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def scratch_home(*, database: str, pg_url: str, prefix: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=f"mamori-{prefix}-"))
    os.environ["MAMORI_HOME"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    pg_name = f"{prefix.replace('-', '_')}_{os.getpid()}"
    if database == "postgres":
        import psycopg

        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {pg_name}")
        os.environ["DATABASE_URL"] = f"{pg_url}/{pg_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    try:
        yield folder
    finally:
        from django.db import connections

        connections.close_all()
        if database == "postgres":
            import psycopg

            with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)
