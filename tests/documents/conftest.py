"""Each test gets its own document keys, made by the demo path in a folder of its own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def document_keys(settings, tmp_path):
    settings.ASYLON_DOCUMENT_KEYS_FILE = str(tmp_path / "document-keys.json")
    return tmp_path / "document-keys.json"


@pytest.fixture
def registered(staff):
    """Ri Sun Hui's case, registered: she holds a temporary certificate."""
    from asylon.documents.models import Document
    from asylon.procedure import case as p
    from tests.services.helpers import open_case, walk_to

    case = walk_to(staff, open_case(staff), p.State.REGISTERED)
    return Document.objects.get(case=case)
