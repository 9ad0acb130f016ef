"""Preview and export as a program calls them over HTTP, and as an officer types them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from asylon.cli import ALIASES
from asylon.safeguards.models import DisclosureExport, Recipient
from tests.api.support import codes, post, problem
from tests.disclosure.conftest import approved, requested
from tests.services.helpers import open_case

pytestmark = pytest.mark.django_db


def test_an_approver_previews_approves_with_the_digest_seen_and_the_requester_downloads_the_file(staff, api, unhcr):
    case = open_case(staff)
    ask = {
        "person_id": case.principal_id,
        "recipient_id": unhcr.pk,
        "purpose": "Resettlement referral.",
        "legal_basis": "consent",
        "fields": ["names", "sex"],
    }
    disclosure = post(api(staff.registrar), "/api/disclosures", ask).json()
    dpo = api(staff.dpo)

    response = dpo.get(f"/api/disclosures/{disclosure['id']}/preview")
    assert response.status_code == 200, response.content
    preview = response.json()
    assert (preview["disclosure"]["id"], preview["fields"]) == (disclosure["id"], ["names", "sex"])
    assert [row["sex"] for row in preview["rows"]] == ["F"]
    decision = post(
        dpo, f"/api/disclosures/{disclosure['id']}/decision", {"approve": True, "digest": preview["digest"]}
    )
    assert decision.json()["status"] == "approved"

    response = post(api(staff.registrar), f"/api/disclosures/{disclosure['id']}/export")

    assert response.status_code == 200, response.content
    record = DisclosureExport.objects.get()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="disclosure-{disclosure["id"]}-{record.watermark[:8]}.json"'
    )
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body["disclosure"]["watermark"] == record.watermark
    assert [row.pop("watermark") for row in body["rows"]] == [record.watermark]
    assert (body["fields"], body["rows"]) == (preview["fields"], preview["rows"])


def test_a_refused_export_is_a_problem_document_and_writes_nothing(staff, api, unhcr, ministry):
    case = open_case(staff)
    pending = requested(staff, case.principal_id, unhcr, ["names"])
    refused = requested(staff, case.principal_id, ministry, ["names"])
    exported, _ = approved(staff, case.principal_id, unhcr, ["sex"])
    registrar = api(staff.registrar)

    assert codes(problem(post(registrar, f"/api/disclosures/{pending.pk}/export"), 409, "refused")) == [
        "disclosure_not_approved"
    ]
    body = problem(post(registrar, f"/api/disclosures/{refused.pk}/export"), 409, "refused")
    assert "recipient_is_country_of_origin_authority" in codes(body)
    body = problem(registrar.get(f"/api/disclosures/{refused.pk}/preview"), 409, "refused")
    assert "rows" not in body
    assert codes(problem(post(api(staff.eligibility), f"/api/disclosures/{exported.pk}/export"), 403, "forbidden")) == [
        "role_not_permitted"
    ]
    problem(post(registrar, "/api/disclosures/424242/export"), 404, "not-found")
    problem(registrar.get("/api/disclosures/424242/preview"), 404, "not-found")
    assert not DisclosureExport.objects.exists()


def test_an_approval_with_a_stale_digest_is_refused(staff, api, unhcr):
    case = open_case(staff)
    disclosure = requested(staff, case.principal_id, unhcr, ["names"])
    answer = post(api(staff.dpo), f"/api/disclosures/{disclosure.pk}/decision", {"approve": True, "digest": "0" * 64})
    assert codes(problem(answer, 409, "refused")) == ["disclosure_content_changed"]


def test_the_command_writes_the_file_of_an_approved_disclosure(staff, unhcr, tmp_path):
    case = open_case(staff)
    disclosure, preview = approved(staff, case.principal_id, unhcr, ["names"])
    out = tmp_path / "referral.json"
    printed = StringIO()

    call_command("disclosure_export", str(disclosure.pk), "--as", "rhee.registrar", "--out", str(out), stdout=printed)

    record = DisclosureExport.objects.get()
    body = json.loads(out.read_bytes())
    assert [row.pop("watermark") for row in body["rows"]] == [record.watermark]
    assert body["rows"] == list(preview.content.rows)
    assert out.stat().st_mode & 0o777 == 0o600
    assert printed.getvalue() == f"Wrote disclosure {disclosure.pk} to {out}: 1 row(s), watermark {record.watermark}.\n"
    assert "리순희" not in printed.getvalue()
    with pytest.raises(CommandError, match="exists"):
        call_command("disclosure_export", str(disclosure.pk), "--as", "rhee.registrar", "--out", str(out))
    assert DisclosureExport.objects.count() == 1


def test_the_command_refuses_as_the_service_does_and_leaves_no_file(staff, unhcr, tmp_path):
    case = open_case(staff)
    pending = requested(staff, case.principal_id, unhcr, ["names"])
    out = tmp_path / "referral.json"
    with pytest.raises(CommandError, match=r"refused: .*\(disclosure_not_approved\)"):
        call_command("disclosure_export", str(pending.pk), "--as", "rhee.registrar", "--out", str(out))
    with pytest.raises(CommandError, match="no disclosure 424242"):
        call_command("disclosure_export", "424242", "--as", "rhee.registrar", "--out", str(out))
    with pytest.raises(CommandError, match="no active user"):
        call_command("disclosure_export", str(pending.pk), "--as", "nobody", "--out", str(out))
    assert not out.exists()
    assert not DisclosureExport.objects.exists()


def test_the_asylon_command_names_it_disclosure_export(staff, unhcr, tmp_path):
    case = open_case(staff)
    disclosure, _ = approved(staff, case.principal_id, unhcr, ["sex"])
    out = tmp_path / "f.json"
    # Through the alias, but with call_command: `asylon` itself closes the database connections
    # when it ends, which on PostgreSQL would end the test's transaction too.
    call_command(ALIASES["disclosure-export"], str(disclosure.pk), "--as", "dana.dpo", "--out", str(out))
    assert DisclosureExport.objects.get().exported_by == staff.dpo
    assert Recipient.objects.get().name in json.loads(out.read_bytes())["disclosure"]["statement"]
