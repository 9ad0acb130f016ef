"""Every SQLite connection maps the database file, so proofs read the log's tiles in place."""

from __future__ import annotations

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper


def test_a_sqlite_connection_maps_more_than_the_former_256_mib_and_stays_in_wal(settings, tmp_path, django_db_blocker):
    configured = settings.DATABASES["default"]
    if configured["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite connection options")
    # A file of its own: the tests' in-memory database has no journal file and nothing to map.
    wrapper = DatabaseWrapper({**configured, "NAME": str(tmp_path / "asylon.sqlite3")}, alias="options")
    with django_db_blocker.unblock(), wrapper.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        (mapped,) = cursor.fetchone()
        cursor.execute("PRAGMA journal_mode")
        (journal,) = cursor.fetchone()
    wrapper.close()

    assert mapped > 256 * 2**20
    assert journal == "wal"
