"""The log's core is tested without Django: nothing in this folder needs settings or a database."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    # Overrides the suite-wide fixture of that name, which needs pytest-django's `settings`,
    # so this folder also runs as plain pytest (`-p no:django`).
    return None
