"""`asylon log-export` writes the log as a tlog-tiles tree that `asylon monitor` verifies with
no database; the issue's test: the demo's log is clean, and a removal forced in by hand is named."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from asylon.accounts.models import User
from asylon.cases import services
from asylon.cases.models import Case, CaseMember, Event
from asylon.procedure import case as p
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import Recipient, Removal, SafeThirdCountry
from asylon.transparency.merkle import MerkleTree
from asylon.transparency.models import Checkpoint, LogEntry, LogHead
from asylon.transparency.monitor import bundle_decode, tile_path
from asylon.transparency.note import Cosigner, Note
from asylon.transparency.services import (
    LogKey,
    checkpoint_note,
    checkpoint_sign,
    cosignature_add,
    event_log,
)
from tests.services.helpers import T0, open_case, principal, walk_to
from tests.transparency.test_tamper import sql

pytestmark = pytest.mark.django_db

LATER = T0 + timedelta(days=80)


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def monitor(directory: Path, blocker, *args: str) -> tuple[int, str]:
    """`asylon monitor` as a monitor runs it: with the log's key given out of band and no database."""
    key = str(LogKey.load().signer.verifier_key)
    out = StringIO()
    with blocker.block():
        try:
            call_command("monitor", str(directory), "--log-key", key, *args, stdout=out, stderr=StringIO())
        except CommandError:
            return 1, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def world(_fast_password_hashing, staff):
    """KP on the register; a rejected applicant removed to a safe third country; an appeal decided
    by an appeal officer; an applicant registered; a disclosure approved for resettlement, and one
    to the Ministry of State Security refused."""
    safeguards.register_list(user=staff.admin, country="KP", reason="Returnees are sent to camps.", at=T0)
    SafeThirdCountry.objects.create(country="CN", nationality="KP", designated_on=T0.date())
    removed = walk_to(staff, open_case(staff, principal()), p.State.FINAL)
    appealed = walk_to(staff, open_case(staff, principal("김철수")), p.State.APPEAL_WINDOW)
    services.case_take(user=staff.registrar, case_id=appealed.pk, step=p.LodgeAppeal(), at=T0 + timedelta(days=3))
    decide = p.DecideAppeal(outcome=p.Outcome.REFUGEE_STATUS, reasons="Risk.", countries_assessed=frozenset({"KP"}))
    services.case_take(user=staff.appeal, case_id=appealed.pk, step=decide, at=T0 + timedelta(days=30))
    walk_to(staff, open_case(staff, principal("박영희")), p.State.REGISTERED)
    checkpoint_sign()
    removal = safeguards.removal_request(user=staff.removal, person_id=removed.principal_id, destination="CN", at=LATER)
    safeguards.removal_carry_out(user=staff.removal, removal_id=removal.pk, at=LATER)
    desk = Recipient.objects.create(name="Resettlement desk", kind="resettlement_state", country="KR")
    ministry = Recipient.objects.create(name="Ministry of State Security", kind="authority", country="KP")
    requests = [
        safeguards.disclosure_request(
            user=staff.dpo,
            person_id=appealed.principal_id,
            recipient_id=recipient.pk,
            purpose="Resettlement",
            legal_basis="consent",
            fields=["names"],
            at=LATER,
        )
        for recipient in (desk, ministry)
    ]
    assert [r.status for r in requests] == ["pending", "refused"]
    safeguards.disclosure_decide(user=staff.second_dpo, disclosure_id=requests[0].pk, approve=True, at=LATER)
    checkpoint_sign()
    return removed


def test_the_export_is_the_signed_tree_in_the_tlog_tiles_layout(world, tmp_path):
    out = run("log_export", str(tmp_path))
    size = LogHead.objects.get().size
    assert f"Exported {size} entries and 2 checkpoint(s)" in out
    latest = Checkpoint.objects.order_by("-size").first()
    assert (tmp_path / "checkpoint").read_text() == checkpoint_note(latest)
    assert sorted(f.name for f in (tmp_path / "checkpoints").iterdir()) == sorted(
        str(c.size) for c in Checkpoint.objects.all()
    )
    assert (tmp_path / "log.vkey").read_text().strip() == str(LogKey.load().signer.verifier_key)
    bodies = bundle_decode((tmp_path / tile_path("entries", 0, size)).read_bytes())
    assert bodies == [bytes(e.body) for e in LogEntry.objects.order_by("index")]
    tree = MerkleTree()
    tree.append_many(bodies)
    assert (tmp_path / tile_path(0, 0, size)).read_bytes() == tree.tile(0, 0, size)


def test_a_monitor_verifies_the_world_from_the_export_alone(world, tmp_path, django_db_blocker):
    run("log_export", str(tmp_path))
    status, out = monitor(tmp_path, django_db_blocker)
    assert status == 0, out
    assert "removals 1 carried out" in out
    assert "disclosures 1 approved" in out
    assert "no-return register: KP" in out


def test_entries_appended_after_the_latest_checkpoint_wait_for_the_next_one(world, staff, tmp_path):
    signed = Checkpoint.objects.order_by("-size").first().size
    open_case(staff, principal("최민준"))
    out = run("log_export", str(tmp_path))
    assert f"Exported {signed} entries" in out
    assert "were left out: run `asylon checkpoint`" in out


def test_with_witnesses_the_latest_published_checkpoint_is_exported_with_its_cosignatures(
    world, staff, tmp_path, settings, django_db_blocker
):
    witness = Cosigner.generate("unhcr.example/witness")
    settings.ASYLON_WITNESS_KEYS = [str(witness.verifier_key)]
    settings.ASYLON_WITNESS_QUORUM = 1
    published = Checkpoint.objects.order_by("-size").first()
    line = witness.cosign(Note.parse(published.note).text, int(LATER.timestamp())).line()
    cosignature_add(published.pk, line)
    open_case(staff, principal("최민준"))
    checkpoint_sign()
    run("log_export", str(tmp_path))
    assert (tmp_path / "checkpoint").read_text().endswith(line)
    assert max(int(f.name) for f in (tmp_path / "checkpoints").iterdir()) == published.size
    status, out = monitor(tmp_path, django_db_blocker, "--witness-key", str(witness.verifier_key), "--quorum", "1")
    assert status == 0, out
    assert "cosigned by 1 of the 1 witnesses" in out


def test_an_export_refuses_a_log_with_a_missing_entry(world, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM transparency_logentry WHERE "index" = %s', [3])
    with pytest.raises(CommandError, match="entry 3 is missing from the database"):
        run("log_export", str(tmp_path))


def _force_removal(case: Case, destination: str = "KP") -> Event:
    """What someone with write access to the database does to return a person behind the
    guard's back: the removal and its event written directly, the log entry appended too."""
    person = CaseMember.objects.filter(case=case).first().person
    officer = User.objects.get(username="removal")
    with transaction.atomic():
        removal = Removal.objects.create(
            person=person,
            destination=destination,
            requested_by=officer,
            carried_out_by=officer,
            requested_at=case.updated_at,
            status=Removal.Status.CARRIED_OUT,
            carried_out_at=case.updated_at,
        )
        event = Event.objects.create(
            case=case,
            office=case.office,
            seq=case.events.count() + 1,
            type="removal_carried_out",
            actor=officer,
            at=case.updated_at,
            data={"removal": removal.pk, "destination": destination},
            state_before=case.state,
            state_after=case.state,
        )
        event_log(event)
    return event


def test_the_demo_log_is_clean_and_a_forced_removal_or_an_altered_record_is_named(
    _fast_password_hashing, tmp_path, django_db_blocker
):
    run("demo", "--persons", "20", "--no-serve")
    export = tmp_path / "export"
    run("log_export", str(export))
    status, out = monitor(export, django_db_blocker)
    assert status == 0, out
    assert "Clean" in out

    pending = (
        Case.objects.filter(state=p.State.INTERVIEWED).first()
        or Case.objects.filter(state__in=[s.value for s in p.DOCUMENTED]).first()
    )
    event = _force_removal(pending)
    index = LogEntry.objects.get(event_id=event.pk).index
    checkpoint_sign()
    run("log_export", str(export))
    status, out = monitor(export, django_db_blocker)
    assert status == 1
    assert f"FINDING entry {index}, rule (a)" in out
    assert "case_pending" in out

    # An event row altered behind the application: the audit names its entry, and the export
    # still carries what was logged, so a monitor's report stays as it was.
    decided = Event.objects.filter(type="decide").order_by("pk").first()
    altered = LogEntry.objects.get(event_id=decided.pk).index
    # Past the append-only trigger, as someone holding the database's superuser password could.
    sql("UPDATE cases_event SET data = %s WHERE id = %s", [json.dumps({"outcome": "rejected"}), decided.pk])
    with pytest.raises(CommandError, match="finding"):
        run("audit_log")
    audit = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_log", stdout=audit)
    assert f"FINDING entry {altered}: the event it records (id {decided.pk}) was altered" in audit.getvalue()

    # The same change carried into the log entry to hide it: the monitor names the entry.
    entry = LogEntry.objects.get(event_id=decided.pk)
    body = json.loads(bytes(entry.body))
    body["outcome"] = "refugee_status" if body["outcome"] != "refugee_status" else "rejected"
    forged = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE transparency_logentry SET body = %s WHERE id = %s", [forged, entry.pk])
    run("log_export", str(export))
    status, out = monitor(export, django_db_blocker)
    assert status == 1
    assert f"First bad index: {altered}." in out
