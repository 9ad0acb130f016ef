"""Rows changed behind the application's back, by SQL: `asylon audit-log` and `asylon monitor`
name the first bad index."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from asylon.cases.models import Event
from asylon.procedure import case as p
from asylon.transparency.merkle import HASH_SIZE, leaf_hash, tile_key, tiles_build
from asylon.transparency.models import LogEntry, LogTile
from asylon.transparency.monitor import verify
from asylon.transparency.services import LogKey, checkpoint_sign, log_audit
from tests.services.helpers import open_case, principal, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def logged(_fast_password_hashing, staff):
    """Two cases decided, and the log signed."""
    first = walk_to(staff, open_case(staff, principal("리순희")), p.State.DECIDED)
    walk_to(staff, open_case(staff, principal("김철수")), p.State.APPEAL_WINDOW)
    checkpoint_sign()
    return first


def sql(statement: str, params: list[object]) -> None:
    # What someone with the database's superuser password can do: switch triggers off.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def index_of(event: Event) -> int:
    return LogEntry.objects.get(event_id=event.pk).index


def audit_command() -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="finding"):
        call_command("audit_log", stdout=out)
    return out.getvalue()


def monitor_report(tmp_path, state=None):
    call_command("log_export", str(tmp_path), stdout=StringIO())
    return verify(tmp_path, log_key=LogKey.load().signer.verifier_key, state=state)


def test_an_edited_event_row_is_named_by_its_entry(logged):
    decide = Event.objects.get(case=logged, type="decide")
    sql("UPDATE cases_event SET data = %s WHERE id = %s", [json.dumps({"outcome": "refugee_status"}), decide.pk])
    assert [f.index for f in log_audit()] == [index_of(decide)]
    assert f"First bad index: {index_of(decide)}." in audit_command()


def test_event_rows_reordered_are_named_from_the_first(logged):
    screen, interview = Event.objects.filter(case=logged, type__in=["screen", "schedule_interview"]).order_by("seq")
    for event, seq in ((screen, 1000), (interview, screen.seq), (screen, interview.seq)):
        sql("UPDATE cases_event SET seq = %s WHERE id = %s", [seq, event.pk])
    assert [f.index for f in log_audit()] == [index_of(screen), index_of(interview)]
    assert f"First bad index: {index_of(screen)}." in audit_command()


def test_a_deleted_event_row_is_named_by_its_entry(logged):
    register = Event.objects.get(case=logged, type="register")
    sql("DELETE FROM cases_event WHERE id = %s", [register.pk])
    findings = log_audit()
    assert [(f.index, f.problem) for f in findings] == [
        (index_of(register), f"the event it records (id {register.pk}) was deleted")
    ]


def test_an_inserted_event_row_is_named_with_the_entry_it_follows(logged):
    last = Event.objects.filter(case=logged).order_by("-seq").first()
    sql(
        "INSERT INTO cases_event (case_id, seq, type, at, state_before, state_after, reason_sealed, data, uid, office)"
        " VALUES (%s, %s, 'removal_carried_out', %s, 'decided', 'decided', '', '{}', %s, 'main')",
        [logged.pk, last.seq + 1, last.at, "0f0e0d0c-0b0a-0908-0706-050403020100"],
    )
    (finding,) = log_audit()
    assert finding.problem.startswith("event id ")
    assert f"(removal_carried_out, seq {last.seq + 1} of its case, after entry {index_of(last)})" in finding.problem


def test_an_edited_entry_body_is_named_by_the_audit_and_the_monitor(logged, tmp_path):
    entry = LogEntry.objects.get(index=5)
    body = bytes(entry.body).replace(b'"from":', b'"from" :')
    sql("UPDATE transparency_logentry SET body = %s WHERE id = %s", [body, entry.pk])
    assert min(f.index for f in log_audit() if f.index is not None) == 5
    report, state = monitor_report(tmp_path)
    assert report.first_bad_index == 5
    assert state is None


def tile_sql(statement: str, level: int, index: int, params: list[object]) -> None:
    sql(statement + ' WHERE level = %s AND "index" = %s', [*params, level, index])


@pytest.mark.parametrize("level", [0, 1, 3])
def test_an_edited_stored_hash_is_named_by_its_first_entry(logged, tmp_path, level):
    tile_level, tile_index, k, position = tile_key(level, 1)
    tile = LogTile.objects.get(level=tile_level, index=tile_index)
    column = "hashes" if k == 0 else "folded"
    data = bytearray(getattr(tile, column))
    # Tree level k of the tile starts after the levels below it (width >> 1, >> 2, … hashes).
    at = (sum(len(tile.hashes) // HASH_SIZE >> j for j in range(1, k)) + position) * HASH_SIZE
    data[at : at + HASH_SIZE] = b"\xee" * HASH_SIZE
    update = {
        "hashes": "UPDATE transparency_logtile SET hashes = %s",
        "folded": "UPDATE transparency_logtile SET folded = %s",
    }
    tile_sql(update[column], tile_level, tile_index, [bytes(data)])
    first = 1 << level
    assert [f.index for f in log_audit() if f.index is not None] == [first]
    if level == 0:
        # A tile holds the hashes of levels 0, 8, 16...: the monitor sees those.
        report, _ = monitor_report(tmp_path)
        assert report.first_bad_index == first


def test_a_missing_tile_is_named_by_its_first_entry(logged, tmp_path):
    tile_sql("DELETE FROM transparency_logtile", 0, 0, [])
    assert [f.index for f in log_audit() if f.index is not None] == [0]
    with pytest.raises(CommandError, match="the tile at level 0, index 0 is missing from the database"):
        call_command("log_export", str(tmp_path), stdout=StringIO())


def test_entry_rows_swapped_are_named_from_the_first(logged, tmp_path):
    a, b = LogEntry.objects.get(index=3), LogEntry.objects.get(index=7)
    for entry, index in ((a, -1), (b, 3), (a, 7)):
        sql('UPDATE transparency_logentry SET "index" = %s WHERE id = %s', [index, entry.pk])
    assert min(f.index for f in log_audit() if f.index is not None) == 3
    report, _ = monitor_report(tmp_path)
    assert report.first_bad_index == 3


def test_a_rewrite_that_recomputes_every_hash_still_breaks_the_signed_checkpoint(logged, tmp_path):
    _, state = monitor_report(tmp_path / "before")
    entry = LogEntry.objects.get(index=4)
    sql(
        "UPDATE transparency_logentry SET body = %s WHERE id = %s",
        [bytes(entry.body).replace(b'"to":', b'"to" :'), entry.pk],
    )
    # The hashes rebuilt from the rewritten entries: nothing stored disagrees any more.
    leaves = [leaf_hash(bytes(e.body)) for e in LogEntry.objects.order_by("index")]
    for level, index, hashes, folded in tiles_build(leaves):
        tile_sql("UPDATE transparency_logtile SET hashes = %s, folded = %s", level, index, [hashes, folded])
    problems = [f.problem for f in log_audit()]
    assert "a signed checkpoint's root does not match the entries" in problems
    fresh, _ = monitor_report(tmp_path / "after")
    assert [f.rule for f in fresh.findings] == ["tree"]
    # A monitor that verified the log before sees which entry changed.
    caught_up, _ = verify(tmp_path / "after", state=state)
    assert caught_up.first_bad_index == 4
