"""The daily run issues what the core says each person is due, and no revocation outruns it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from asylon.documents import services
from asylon.documents.models import Document
from asylon.procedure import documents as procedure
from asylon.procedure.refusals import Code, Refused

pytestmark = pytest.mark.django_db


def held(document: Document) -> list[Document]:
    return list(Document.objects.filter(person_id=document.person_id).order_by("pk"))


def valid_on(document: Document, day) -> list[Document]:
    return [d for d in held(document) if d.revoked_on is None and d.valid_from <= day <= d.valid_until]


def test_a_certificate_in_its_renewal_window_is_renewed_once(registered):
    day = registered.valid_until - timedelta(days=10)
    assert services.documents_renew_due(today=day - timedelta(days=30)) == 0

    assert services.documents_renew_due(today=day) == 1
    assert services.documents_renew_due(today=day) == 0

    old, new = held(registered)
    assert old.pk == registered.pk and old.revoked_on is None
    assert (new.type, new.case_id, new.valid_from) == (registered.type, registered.case_id, day)
    assert new.valid_until == day + procedure.TEMPORARY_VALIDITY
    assert new.issued_by is None


def test_a_missed_run_is_made_good_by_the_next_one(registered):
    # The run did not come on the certificate's last day: the day after, the applicant holds
    # nothing valid, and the run issues a new certificate rather than waiting for a step.
    day_after = registered.valid_until + timedelta(days=1)
    assert valid_on(registered, day_after) == []

    assert services.documents_renew_due(today=day_after) == 1

    [new] = valid_on(registered, day_after)
    assert (new.type, new.case_id, new.valid_from) == (registered.type, registered.case_id, day_after)
    assert services.documents_renew_due(today=day_after) == 0


def test_a_renewal_is_not_revoked_on_the_last_day_of_the_certificate_it_renewed(registered, staff):
    last_day = registered.valid_until
    services.documents_renew_due(today=last_day - timedelta(days=1))
    renewal = held(registered)[-1]
    at = datetime.combine(last_day, datetime.min.time(), tzinfo=UTC)

    with pytest.raises(Refused) as refused:
        services.document_revoke(user=staff.documentation, document_id=renewal.pk, reason="Lost", at=at)

    assert [r.code for r in refused.value.refusals] == [Code.DOCUMENTATION_GAP]
    renewal.refresh_from_db()
    assert renewal.revoked_on is None
    # A lost card is replaced instead: the holder is never without one.
    services.document_replace(user=staff.documentation, document_id=renewal.pk, reason="Lost", at=at)
    assert len(valid_on(registered, last_day + timedelta(days=1))) == 1


def test_the_command_says_how_many_documents_it_issued(registered, monkeypatch):
    day = registered.valid_until - timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    out = io.StringIO()

    call_command("renew_documents", stdout=out, stderr=io.StringIO())

    assert out.getvalue().strip() == "Issued 1 document."
    assert len(held(registered)) == 2
