"""Entries that wait for their commit to take their place in the tree (`storage.log_add` on
PostgreSQL, while another process integrates): they go in oldest first, all of them, and
count as logged while they wait."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections, transaction

from asylon.cases.models import Event
from asylon.procedure import case as p
from asylon.transparency import services, storage
from asylon.transparency.merkle import MemoryHashStore, MerkleTree
from asylon.transparency.models import LogEntry, LogHead
from tests.services.helpers import at_once, open_case, principal, walk_to
from tests.transparency.test_tamper import sql


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def waiting(monkeypatch):
    """Entries added alone wait, on SQLite too, as they do on PostgreSQL while another process
    puts entries into the tree; the callbacks of their commits are kept, not run."""
    tables = storage.LogTables.for_connection()
    monkeypatch.setattr(tables, "waits", True)
    monkeypatch.setattr(tables, "lock_edge_if_free", lambda cursor, count: None)
    after_commit: list[object] = []
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: after_commit.append(func))
    return after_commit


def tree_of_entries() -> bytes:
    memory = MerkleTree(MemoryHashStore())
    memory.append_many(bytes(body) for body in LogEntry.objects.order_by("index").values_list("body", flat=True))
    return memory.root()


@pytest.mark.django_db
def test_waiting_entries_go_in_oldest_first_in_batches(waiting, monkeypatch):
    monkeypatch.setattr(storage, "INTEGRATE_BATCH", 4)
    with transaction.atomic():
        storage.log_append([storage.NewEntry("bench", b"in at once", None)])
        added = [services.entry_log("bench", {"n": n}, {"n": n}) for n in range(10)]

    assert storage.log_size() == 1
    assert LogEntry.objects.filter(index__isnull=True).count() == 10
    assert waiting == [storage.log_integrate] * 10

    assert storage.log_integrate() == 10
    assert storage.log_integrate() == 0
    assert list(LogEntry.objects.filter(pk__in=added).order_by("pk").values_list("index", flat=True)) == list(
        range(1, 11)
    )
    assert storage.log_size() == 11
    assert storage.root_at(11) == tree_of_entries()
    assert services.log_audit() == []


@pytest.mark.django_db
def test_an_event_whose_entry_waits_is_logged_and_its_bundle_puts_it_in_the_tree(
    _fast_password_hashing, staff, waiting
):
    case = walk_to(staff, open_case(staff, principal("리순희")), p.State.DECIDED)
    decided = Event.objects.get(case=case, type="decide")
    assert LogEntry.objects.filter(index__isnull=True, kind="event").count() == Event.objects.count()
    assert storage.log_size() == 0
    assert services.log_audit() == []  # not "has no log entry": it has one, waiting

    sql("UPDATE cases_event SET data = %s WHERE id = %s", ['{"outcome": "refugee_status"}', decided.pk])
    [finding] = services.log_audit()
    assert (finding.index, finding.problem) == (None, f"the event it records (id {decided.pk}) was altered")
    sql("UPDATE cases_event SET data = %s WHERE id = %s", [json.dumps(decided.data), decided.pk])

    bundle = services.case_event_bundle(user=staff.eligibility, case_id=case.pk, seq=decided.seq)
    entry = LogEntry.objects.get(event_id=decided.pk)
    assert bundle["index"] == entry.index is not None
    assert not LogEntry.objects.filter(index__isnull=True).exists()
    assert services.log_audit() == []


@pytest.mark.django_db
def test_a_checkpoint_signs_the_waiting_entries_too(waiting):
    with transaction.atomic():
        services.entry_log("bench", {"n": 1}, {"n": 1})
    checkpoint = services.checkpoint_sign()
    assert checkpoint.size == 1
    assert bytes(checkpoint.root) == tree_of_entries()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db
def test_integrating_inside_a_callers_transaction_leaves_its_commit_synchronous(waiting):
    with transaction.atomic():
        services.entry_log("bench", {"n": 1}, {"n": 1})
        assert services.checkpoint_sign().size == 1
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_entries_committed_side_by_side_all_go_into_the_tree_once():
    writers, each = 6, 15

    def write(writer: int) -> None:
        for n in range(each):
            with transaction.atomic():
                services.entry_log("bench", {"writer": writer, "n": n}, {"n": n})

    assert at_once(write, writers) == []
    assert not LogEntry.objects.filter(index__isnull=True).exists()
    indexes = sorted(LogEntry.objects.values_list("index", flat=True))
    assert indexes == list(range(writers * each))
    assert storage.log_size() == writers * each
    assert storage.root_at(writers * each) == tree_of_entries()
    assert services.log_audit() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_an_entry_added_while_another_process_integrates_waits_for_it():
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"], autocommit=True
    )
    LogHead.objects.create(pk=1, size=0)
    try:
        # As an integration holds them: its lock, and the head's row.
        with other.transaction():
            other.execute("SELECT pg_advisory_xact_lock(%s)", [storage._INTEGRATING])
            other.execute("SELECT size FROM transparency_loghead WHERE id = 1 FOR UPDATE")
            with transaction.atomic():
                with connection.cursor() as cursor:  # a writer that touched the head would wait for it
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                services.entry_log("bench", {"n": 1}, {"n": 1})
            assert list(LogEntry.objects.values_list("index", flat=True)) == [None]  # still held: it waits

        with transaction.atomic():
            services.entry_log("bench", {"n": 2}, {"n": 2})  # a writer alone: in at once, then the first
    finally:
        other.close()
    assert sorted(LogEntry.objects.values_list("index", flat=True)) == [0, 1]
    assert storage.root_at(2) == tree_of_entries()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_an_append_that_waited_for_the_head_builds_on_the_tiles_committed_meanwhile():
    with transaction.atomic():
        storage.log_append([storage.NewEntry("bench", b"first", None)])
    holding, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def batch() -> None:
        try:
            with transaction.atomic():
                storage.log_append([storage.NewEntry("bench", f"batch {n}".encode(), None) for n in range(300)])
                holding.set()
                done.wait(10)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def single() -> None:
        try:
            holding.wait(10)
            with transaction.atomic():  # waits for the batch's lock on the head, then appends
                services.entry_log("bench", {"n": 1}, {"n": 1})
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=batch), threading.Thread(target=single)]
    for thread in threads:
        thread.start()
    holding.wait(10)
    with connection.cursor() as cursor:  # until the single append waits on the head's row
        for _ in range(200):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.02)
    done.set()
    for thread in threads:
        thread.join()

    assert failures == []
    assert storage.log_size() == 302
    assert storage.root_at(302) == tree_of_entries()
