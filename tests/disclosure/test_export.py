"""The export through the services: exactly what was approved, watermarked, recorded and logged."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from asylon.cases import services
from asylon.cases.models import CaseRead
from asylon.cases.services import NotFound
from asylon.people.models import Person
from asylon.procedure.case import State
from asylon.procedure.disclosure import APPROVAL_VALID_FOR
from asylon.procedure.refusals import Code, Refused
from asylon.safeguards import export as export_module
from asylon.safeguards import services as safeguards
from asylon.safeguards.export import disclosure_export, disclosure_preview
from asylon.safeguards.models import Disclosure, DisclosureExport, Recipient
from asylon.transparency.models import LogEntry, LogHead
from asylon.transparency.services import canonical, commitment, disclosure_record, pseudonym
from tests.disclosure.conftest import ASKED, approved, requested
from tests.services.helpers import open_case, principal, walk_to

pytestmark = pytest.mark.django_db

LATER = ASKED + timedelta(hours=2)


def written() -> dict:
    """Everything an export or a refused one could have left behind."""
    head = LogHead.objects.filter(pk=1).first()
    return {
        "exports": list(DisclosureExport.objects.values_list("pk", flat=True)),
        "entries": list(LogEntry.objects.values_list("index", "kind")),
        "log_size": head.size if head else 0,
        "disclosures": list(Disclosure.objects.order_by("pk").values_list("pk", "status", "approved_digest")),
    }


def test_an_export_holds_exactly_the_approved_fields_with_the_watermark_in_its_header_and_every_row(staff, unhcr):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    disclosure, preview = approved(staff, case.principal_id, unhcr, ["names", "birth_date"])

    file = disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)

    body = json.loads(file.content.decode("utf-8"))
    assert file.content == canonical(body)
    assert body["fields"] == ["birth_date", "names"]
    record = DisclosureExport.objects.get()
    assert [set(row) for row in body["rows"]] == [{"birth_date", "names", "watermark"}]
    assert [row.pop("watermark") for row in body["rows"]] == [record.watermark]
    assert body["rows"] == list(preview.content.rows)
    row = body["rows"][0]
    assert row["birth_date"] == "1991-03"
    assert [n["text"] for n in row["names"]] == ["리순희", "Ri Sun Hui"]
    header = body["disclosure"]
    assert header == {
        "number": disclosure.pk,
        "recipient": "UNHCR Resettlement Service",
        "recipient_kind": "international_organisation",
        "recipient_country": "CH",
        "agreement": "DSA-2026-014",
        "purpose": "Resettlement referral.",
        "legal_basis": "consent",
        "approved_by": pseudonym("actor", staff.dpo.pk),
        "approved_at": ASKED.isoformat(),
        "exported_at": LATER.isoformat(),
        "watermark": record.watermark,
        "digest": disclosure.approved_digest,
        "statement": header["statement"],
    }
    assert "Onward transfer to any third party is prohibited" in header["statement"]
    assert "DSA-2026-014" in header["statement"]
    assert record.watermark in header["statement"]
    assert file.name == f"disclosure-{disclosure.pk}-{record.watermark[:8]}.json"
    assert (record.disclosure_id, record.exported_by_id, record.at, record.row_count) == (
        disclosure.pk,
        staff.registrar.pk,
        LATER,
        1,
    )
    assert record.digest == preview.digest == disclosure.approved_digest


def test_each_export_has_its_log_entry_which_names_no_one(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names", "nationalities"])
    file = disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)

    record = DisclosureExport.objects.get()
    entry = LogEntry.objects.get(kind="disclosure")
    assert record.log_entry == entry
    public = json.loads(bytes(entry.body))
    assert public == {
        "v": 1,
        "kind": "disclosure",
        "type": "disclosure_exported",
        "day": LATER.date().isoformat(),
        "disclosure": pseudonym("disclosure", disclosure.pk),
        "recipient_kind": "international_organisation",
        "recipient_country": "CH",
        "legal_basis": "consent",
        "fields": ["names", "nationalities"],
        "rows": 1,
        "commitment": commitment(bytes(entry.salt), disclosure_record(record)),
    }
    text = bytes(entry.body).decode("utf-8")
    for secret in ("리순희", "Ri Sun Hui", "UNHCR", record.watermark, str(case.number)):
        assert secret not in text
    assert record.file_digest == hashlib.sha256(file.content).hexdigest()


def test_the_export_and_its_log_entry_are_written_together_or_not_at_all(staff, unhcr, monkeypatch):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names"])
    before = written()

    def no_log(export):
        raise RuntimeError("the log is unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(export_module, "disclosure_log", no_log)
        with pytest.raises(RuntimeError):
            disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
    assert written() == before

    def no_record(self, *args, **kwargs):
        raise RuntimeError("the export cannot be recorded")

    with monkeypatch.context() as patch:
        patch.setattr(DisclosureExport, "save", no_record)
        with pytest.raises(RuntimeError):
            disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
    # The log entry appended before the failure went back with it.
    assert written() == before

    disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
    after = written()
    assert (len(after["exports"]), after["log_size"]) == (1, before["log_size"] + 1)


def test_every_export_carries_its_own_watermark(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names"])
    first = disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
    second = disclosure_export(user=staff.second_dpo, disclosure_id=disclosure.pk, at=LATER)
    assert first.record.watermark != second.record.watermark
    assert first.content != second.content
    assert DisclosureExport.objects.count() == LogEntry.objects.filter(kind="disclosure").count() == 2


def test_data_changed_after_approval_is_refused_and_nothing_is_written(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names", "languages"])
    person = Person.objects.get(pk=case.principal_id)
    # A field outside the disclosure may change: the approved content is the same.
    person.specific_needs = ["disability"]
    person.save(update_fields=["specific_needs"])
    disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
    services.name_add(person=person, name=services.NameInput(text="Ri Sun-hui", script="Latn", source="unhcr"))
    before = written()

    with pytest.raises(Refused) as refused:
        disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)

    assert refused.value.codes == [Code.DISCLOSURE_CONTENT_CHANGED]
    assert written() == before


def test_the_register_is_asked_again_at_export(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names"])
    unhcr.forwards_to = ["KP"]
    unhcr.save(update_fields=["forwards_to"])
    before = written()
    with pytest.raises(Refused) as refused:
        disclosure_export(user=staff.dpo, disclosure_id=disclosure.pk, at=LATER)
    assert refused.value.codes == [Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN]
    with pytest.raises(Refused) as refused:
        disclosure_preview(user=staff.dpo, disclosure_id=disclosure.pk, at=LATER)
    assert refused.value.codes == [Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN]
    assert written() == before


def test_a_new_origin_of_the_person_is_asked_again_at_export(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names"])
    Person.objects.filter(pk=case.principal_id).update(habitual_residences=["CH"])
    with pytest.raises(Refused) as refused:
        disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
    assert refused.value.codes == [Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN]
    assert not DisclosureExport.objects.exists()


def test_an_approval_older_than_a_week_is_refused(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names"])
    disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=ASKED + APPROVAL_VALID_FOR)
    before = written()
    with pytest.raises(Refused) as refused:
        late = ASKED + APPROVAL_VALID_FOR + timedelta(seconds=1)
        disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk, at=late)
    assert refused.value.codes == [Code.DISCLOSURE_APPROVAL_EXPIRED]
    assert written() == before


def test_a_pending_or_rejected_disclosure_is_not_exported(staff, unhcr):
    case = open_case(staff)
    pending = requested(staff, case.principal_id, unhcr, ["names"])
    rejected = requested(staff, case.principal_id, unhcr, ["sex"])
    safeguards.disclosure_decide(user=staff.dpo, disclosure_id=rejected.pk, approve=False, at=ASKED)
    before = written()
    for disclosure in (pending, rejected):
        with pytest.raises(Refused) as refused:
            disclosure_export(user=staff.dpo, disclosure_id=disclosure.pk, at=LATER)
        assert refused.value.codes == [Code.DISCLOSURE_NOT_APPROVED]
    with pytest.raises(Refused) as refused:
        disclosure_preview(user=staff.dpo, disclosure_id=rejected.pk, at=LATER)
    assert refused.value.codes == [Code.DISCLOSURE_NOT_APPROVED]
    assert written() == before


def test_only_the_requester_or_a_data_protection_officer_exports(staff, unhcr):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["names"])
    before = written()
    for officer in (staff.eligibility, staff.monitor, staff.outsider):
        with pytest.raises(Refused) as refused:
            disclosure_export(user=officer, disclosure_id=disclosure.pk, at=LATER)
        assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    with pytest.raises(NotFound):
        disclosure_export(user=staff.registrar, disclosure_id=disclosure.pk + 100, at=LATER)
    assert written() == before


def test_an_approval_is_refused_when_the_data_changed_after_the_preview(staff, unhcr):
    case = open_case(staff)
    disclosure = requested(staff, case.principal_id, unhcr, ["languages"])
    preview = disclosure_preview(user=staff.dpo, disclosure_id=disclosure.pk, at=ASKED)
    assert CaseRead.objects.filter(user=staff.dpo, purpose=f"preview of disclosure {disclosure.pk}").count() == 1
    Person.objects.filter(pk=case.principal_id).update(languages=["ko", "zh"])
    with pytest.raises(Refused) as refused:
        safeguards.disclosure_decide(
            user=staff.dpo, disclosure_id=disclosure.pk, approve=True, seen_digest=preview.digest, at=ASKED
        )
    assert refused.value.codes == [Code.DISCLOSURE_CONTENT_CHANGED]
    disclosure.refresh_from_db()
    assert (disclosure.status, disclosure.approved_digest) == ("pending", "")


def test_naming_relatives_brings_their_origins_under_the_guard(staff):
    son = services.PersonInput(
        names=[services.NameInput(text="Kim Chol", script="Latn")],
        sex="M",
        nationalities=["CN"],
        relation="child",
    )
    case = open_case(staff, principal(), son)
    red_cross = Recipient.objects.create(name="Red Cross Society", kind="ngo", country="CN")
    assert requested(staff, case.principal_id, red_cross, ["names"]).status == "pending"
    family = requested(staff, case.principal_id, red_cross, ["names", "family"])
    assert (family.status, family.refusal_codes) == ("refused", [Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN])


def test_nothing_of_a_disclosure_to_a_country_of_origin_authority_is_shown_or_exported(staff, ministry):
    case = open_case(staff)
    disclosure = requested(staff, case.principal_id, ministry, ["names"])
    assert disclosure.status == "refused"
    before = written()
    for act in (disclosure_preview, disclosure_export):
        with pytest.raises(Refused) as refused:
            act(user=staff.registrar, disclosure_id=disclosure.pk, at=LATER)
        assert Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY in refused.value.codes
    assert written() == before
    assert not CaseRead.objects.filter(purpose__startswith="preview").exists()


def test_every_disclosable_field_has_its_content_and_nothing_else_does():
    assert set(export_module.FIELDS) == safeguards.DISCLOSABLE_FIELDS
