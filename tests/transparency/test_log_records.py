"""Every event enters the log in its own transaction; the audit names any record changed behind its back."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from asylon.cases.models import Event
from asylon.procedure import case as p
from asylon.transparency.merkle import MemoryHashStore, MerkleTree, leaf_hash, verify_inclusion
from asylon.transparency.models import LogEntry, LogHead
from asylon.transparency.note import Checkpoint as CheckpointBody
from asylon.transparency.note import Note
from asylon.transparency.services import checkpoint_sign, log_audit
from tests.services.helpers import open_case, principal, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def logged_case(_fast_password_hashing, staff):
    return walk_to(staff, open_case(staff, principal("리순희")), p.State.DECIDED)


def test_every_event_has_exactly_one_entry_and_the_tree_is_stored(logged_case):
    events = Event.objects.count()
    assert LogEntry.objects.filter(kind="event").count() == events
    assert LogEntry.objects.count() == LogHead.objects.get().size
    memory = MerkleTree(MemoryHashStore())
    memory.append_many(bytes(e.body) for e in LogEntry.objects.order_by("index"))
    checkpoint = checkpoint_sign()
    assert bytes(checkpoint.root) == memory.root()
    assert log_audit() == []


def test_the_public_entries_name_no_one(logged_case):
    bodies = b"".join(bytes(e.body) for e in LogEntry.objects.all()).decode()
    for clear in ("리순희", "Ri Sun Hui", logged_case.number, "Detained over a year.", "Reasons."):
        assert clear not in bodies
    decided = json.loads(bytes(LogEntry.objects.get(event_id=Event.objects.get(type="decide").pk).body))
    assert (decided["type"], decided["outcome"], decided["to"]) == ("decide", "rejected", "decided")


def test_an_entry_is_provably_in_a_signed_checkpoint(logged_case):
    from asylon.transparency.storage import inclusion_hashes

    checkpoint = checkpoint_sign()
    body = CheckpointBody.parse(Note.parse(checkpoint.note).text)
    entry = LogEntry.objects.get(event_id=Event.objects.get(type="decide").pk)
    proof = inclusion_hashes(entry.index, body.size)
    verify_inclusion(leaf_hash(bytes(entry.body)), entry.index, body.size, proof, body.root)


def _bypass(sql: str, params: list[object]) -> None:
    # What someone with the database's superuser password can do: switch triggers off.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_an_event_altered_in_the_database_is_named_by_its_index(logged_case):
    decide = Event.objects.get(type="decide")
    _bypass("UPDATE cases_event SET data = %s WHERE id = %s", ['{"outcome": "refugee_status"}', decide.pk])
    entry = LogEntry.objects.get(event_id=decide.pk)
    findings = log_audit()
    assert [(f.index, f.problem) for f in findings] == [
        (entry.index, f"the event it records (id {decide.pk}) was altered")
    ]
    with pytest.raises(CommandError, match="1 finding"):
        call_command("audit_log")


def test_an_event_deleted_or_inserted_behind_the_application_is_named(logged_case):
    screen = Event.objects.get(type="screen")
    _bypass("DELETE FROM cases_event WHERE id = %s", [screen.pk])
    _bypass(
        "INSERT INTO cases_event (case_id, seq, type, at, state_before, state_after, reason_sealed, data, uid, office)"
        " VALUES (%s, 99, 'removal_carried_out', %s, 'final', 'final', '', '{}', %s, 'main')",
        [logged_case.pk, screen.at, "0f0e0d0c-0b0a-0908-0706-050403020100"],
    )
    problems = [f.problem for f in log_audit()]
    assert problems[0] == f"the event it records (id {screen.pk}) was deleted"
    assert problems[1].endswith("has no log entry: inserted behind the application's back")


def test_a_clean_log_passes_the_audit_command(logged_case, capsys):
    call_command("audit_log")
    assert "matches every record" in capsys.readouterr().out
