"""The guards see the whole human being: every record merged into one identity, and its cases.

Registering one person twice splits their file: a final rejection on one record, a pending
claim on the other. Once the records are merged, a removal of either is judged on both; once
un-merged, each on its own again. A country of origin held on one record protects the other.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from asylon.people import identity
from asylon.people.models import DuplicatePair, Person
from asylon.procedure import case as p
from asylon.procedure.refusals import Code, Refused
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import Disclosure, Recipient, Removal
from tests.services.helpers import T0, open_case, registered, walk_to

pytestmark = pytest.mark.django_db
REASON = "Same mother's name and home village; the NGO list gives the name in the North's spelling."
LATER = T0 + timedelta(days=80)


def rejected(staff, person=None):
    """A record whose only case is finally rejected, with KP assessed."""
    return walk_to(staff, open_case(staff, person or registered()), p.State.FINAL)


def pending(staff, person=None):
    return open_case(staff, person or registered("Ri Sun Hui", "Latn", "dprk"))


def merge(staff, first: Person, second: Person) -> DuplicatePair:
    low, high = sorted((first.pk, second.pk))
    pair = DuplicatePair.objects.get(person_a_id=low, person_b_id=high)
    return identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON, at=T0)


def removal_of(staff, person_id: int, destination: str = "KP") -> Removal:
    return safeguards.removal_request(user=staff.removal, person_id=person_id, destination=destination, at=LATER)


def test_alone_the_rejected_record_could_be_removed(staff):
    case = rejected(staff)
    assert removal_of(staff, case.principal_id).status == Removal.Status.ALLOWED


@pytest.mark.parametrize("rejection_first", [True, False], ids=["claim merged into rejection", "the reverse"])
def test_a_pending_claim_merged_with_a_rejected_record_stops_the_removal_of_either(staff, rejection_first):
    # The later registration is the record merged away, whichever holds the claim.
    first, second = (rejected(staff), pending(staff)) if rejection_first else (pending(staff), rejected(staff))
    merge(staff, first.principal, second.principal)
    assert Person.objects.get(pk=second.principal_id).merged_into_id == first.principal_id
    for person_id in (first.principal_id, second.principal_id):
        removal = removal_of(staff, person_id)
        assert removal.status == Removal.Status.REFUSED
        assert Code.CASE_PENDING in removal.refusal_codes


def test_a_chain_of_merges_is_followed_to_its_root_and_back_down(staff):
    claim = pending(staff)  # the root, once merged
    middle = pending(staff, registered("리 순희"))
    last = rejected(staff, registered("Ri Sun-hui", "Latn", "dprk"))
    # The later pair first: `last` into `middle`, then `middle` (with `last`) into `claim`.
    merge(staff, middle.principal, last.principal)
    merge(staff, claim.principal, middle.principal)
    assert Person.objects.get(pk=last.principal_id).merged_into_id == middle.principal_id
    assert Person.objects.get(pk=middle.principal_id).merged_into_id == claim.principal_id
    whole = sorted([claim.principal_id, middle.principal_id, last.principal_id])
    for record in (claim, middle, last):
        assert identity.cluster_ids(record.principal_id) == whole
    # Two records away, the root's pending claim still stops the removal of `last`.
    removal = removal_of(staff, last.principal_id)
    assert Code.CASE_PENDING in removal.refusal_codes


def test_a_merge_after_the_request_stops_the_carry_out(staff):
    old = rejected(staff)
    allowed = removal_of(staff, old.principal_id)
    assert allowed.status == Removal.Status.ALLOWED
    new = pending(staff)
    merge(staff, old.principal, new.principal)
    removal = safeguards.removal_carry_out(user=staff.removal, removal_id=allowed.pk, at=LATER)
    assert removal.status == Removal.Status.REFUSED
    assert Code.CASE_PENDING in removal.refusal_codes
    assert not Removal.objects.filter(status=Removal.Status.CARRIED_OUT).exists()


def test_after_an_unmerge_each_record_is_judged_on_its_own_cases(staff):
    old = rejected(staff)
    new = pending(staff)
    pair = merge(staff, old.principal, new.principal)
    assert removal_of(staff, old.principal_id).status == Removal.Status.REFUSED
    identity.pair_unmerge(user=staff.registrar, pair_id=pair.pk, reason="The mother's names differ.", at=T0)
    assert removal_of(staff, old.principal_id).status == Removal.Status.ALLOWED
    assert Code.CASE_PENDING in removal_of(staff, new.principal_id).refusal_codes


def _ministry(country: str) -> Recipient:
    return Recipient.objects.create(name="Ministry of Public Security", kind="authority", country=country)


def _disclose(staff, person_id: int, recipient: Recipient) -> Disclosure:
    return safeguards.disclosure_request(
        user=staff.registrar,
        person_id=person_id,
        recipient_id=recipient.pk,
        purpose="Verification",
        legal_basis="legal_obligation",
        fields=["names"],
    )


@pytest.mark.parametrize("held_on", ["root", "merged"])
def test_a_country_of_origin_held_on_the_other_record_stops_a_disclosure_to_its_authority(staff, held_on):
    first = pending(staff, registered())
    second = pending(staff)
    merge(staff, first.principal, second.principal)
    holder, asked = (first, second) if held_on == "root" else (second, first)
    Person.objects.filter(pk=holder.principal_id).update(habitual_residences=["RU"])
    d = _disclose(staff, asked.principal_id, _ministry("RU"))
    assert (d.status, d.refusal_codes) == (Disclosure.Status.REFUSED, [Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY])


def test_a_merge_after_the_request_stops_the_approval_of_a_disclosure(staff):
    first = pending(staff, registered())
    second = pending(staff)
    Person.objects.filter(pk=second.principal_id).update(habitual_residences=["RU"])
    # Not an authority, but it shares with the Russian authorities.
    desk = Recipient.objects.create(name="Resettlement desk", kind="resettlement_state", country="CA")
    Recipient.objects.filter(pk=desk.pk).update(forwards_to=["RU"])
    desk.refresh_from_db()
    d = safeguards.disclosure_request(
        user=staff.dpo,
        person_id=first.principal_id,
        recipient_id=desk.pk,
        purpose="Resettlement submission",
        legal_basis="consent",
        fields=["names"],
    )
    assert d.status == Disclosure.Status.PENDING
    merge(staff, first.principal, second.principal)
    with pytest.raises(Refused) as refused:
        safeguards.disclosure_decide(user=staff.second_dpo, disclosure_id=d.pk, approve=True)
    assert Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN in refused.value.codes
    assert Disclosure.objects.get(pk=d.pk).status == Disclosure.Status.PENDING
