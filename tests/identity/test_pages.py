"""The review pages: the queue, the pair side by side, the decision."""

from __future__ import annotations

import pytest
from django.test import Client

from asylon.people.models import DuplicatePair, Person
from tests.identity.test_review import REASON, registered
from tests.services.helpers import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(staff):
    first = open_case(staff, registered("리순희"))
    second = open_case(staff, registered("Ri Sun Hui", "Latn", "dprk"))
    return DuplicatePair.objects.get(person_a=first.principal, person_b=second.principal)


def test_the_queue_lists_the_pair_and_the_page_shows_both_names(staff, pair, sign_in):
    client = sign_in(Client(), staff.registrar)
    assert f"/identity/pairs/{pair.pk}/" in client.get("/identity/pairs/").content.decode()
    page = client.get(f"/identity/pairs/{pair.pk}/").content.decode()
    assert "리순희" in page and "Ri Sun Hui" in page and "Same person: merge" in page


def test_a_merge_from_the_page_links_the_records(staff, pair, sign_in):
    client = sign_in(Client(), staff.registrar)
    response = client.post(f"/identity/pairs/{pair.pk}/decision/", {"verdict": "same", "reason": REASON})
    assert response.status_code == 302
    assert Person.objects.get(pk=pair.person_b_id).merged_into_id == pair.person_a_id


def test_a_refused_merge_shows_the_reason_and_changes_nothing(staff, pair, sign_in):
    client = sign_in(Client(), staff.registrar)
    response = client.post(f"/identity/pairs/{pair.pk}/decision/", {"verdict": "same", "reason": ""})
    assert response.status_code == 409
    assert "This step needs a written reason." in response.content.decode()
    assert Person.objects.get(pk=pair.person_b_id).merged_into_id is None


def test_an_officer_without_the_role_sees_no_decision_and_is_refused(staff, pair, sign_in):
    client = sign_in(Client(), staff.eligibility)
    assert "Same person: merge" not in client.get(f"/identity/pairs/{pair.pk}/").content.decode()
    assert client.post(f"/identity/pairs/{pair.pk}/decision/", {"verdict": "distinct"}).status_code == 403
    assert sign_in(Client(), staff.monitor).get("/identity/pairs/").status_code == 403
