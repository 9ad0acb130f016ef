"""A database of its own for a benchmark: PostgreSQL or SQLite, Django set up on it, dropped after.

PostgreSQL is reached at BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432); the keys
are generated into a temporary folder, as the demo does.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def postgres_url(database: str) -> str:
    return os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/") + "/" + database


@contextmanager
def bench_database(db: str, name: str, *, keep: bool = False, reuse: Path | None = None) -> Iterator[Path]:
    """Django set up on a fresh database `name` (db: "postgres" or "sqlite"), migrated; dropped
    with its keys' folder afterwards unless `keep`. With `reuse`, the keys' folder of a kept
    run: its database is used as it was left (migrated to the code's schema), and kept again."""
    folder = reuse or Path(tempfile.mkdtemp(prefix=f"{name}-"))
    os.environ["ASYLON_DATA_DIR"] = str(folder)
    os.environ["ASYLON_DEMO"] = "1"  # keys generated into the temporary folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asylon.config.settings")
    keep = keep or reuse is not None
    if reuse is not None:
        os.environ["DATABASE_URL"] = postgres_url(name) if db == "postgres" else f"sqlite:///{folder / 'bench.sqlite3'}"
    elif db == "postgres":
        import psycopg

        with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = postgres_url(name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield folder
    finally:
        if keep:
            print(f"kept: ASYLON_DATA_DIR={folder} DATABASE_URL={os.environ['DATABASE_URL']}")
        else:
            from django.db import connections

            connections.close_all()
            if db == "postgres":
                import psycopg

                with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}")
            shutil.rmtree(folder, ignore_errors=True)


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL), as autovacuum would leave them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def signed_in(user: Any) -> Any:
    """A test client signed in as `user` with both factors, as an officer's browser would be."""
    from django.test import Client
    from django.utils import timezone

    from asylon.accounts import assurance

    browser = Client()
    browser.force_login(user)
    session = browser.session
    assurance.password_accepted(session, timezone.now())
    assurance.sign_in_completed(session, timezone.now(), factor="totp")
    session.save()
    return browser


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(sorted(samples), n=100, method="inclusive")[q - 1]
