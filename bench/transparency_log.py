"""The transparency log's figures (issue 5), stored on SQLite and PostgreSQL, beside pymerkle.

Run: `python bench/transparency_log.py [--entries N] [--db sqlite|postgres|both|none] [--memory]`
(default 10,000,000 entries, both databases). Not a test. Per database it prints, with
pymerkle 7.0.0's SqliteTree beside each figure and the ratio:

1. durable appends per second, one entry per transaction (`services.entry_log`) and 1,000
   per transaction (`services.entries_log`), on a log that already holds N entries; on
   PostgreSQL single appends from 8 writers side by side too, where an entry waits for its
   commit and goes into the tree right after it (`storage.log_add`); all through
   the application's storage (asylon.transparency.storage: one query to lock the head and
   read the right edge's tiles, one statement to write the tiles that changed and the entries);
   pymerkle appends the same entry
   bodies (canonical JSON, ≈190 bytes) with append_entry / append_entries;
2. inclusion and consistency proofs at N entries, read from the stored tiles for the
   checkpoint's size (medians over random leaves and sizes over the whole tree, round trips
   included, warm OS page cache; the old roots that consistency proofs are checked against
   are all read first, so that reading one does not warm the tiles its timed proof reads):
   the application's services (one query per proof, a few tiles by primary key); then their
   verification;
3. cold start: a new process opens the stored log, answers an inclusion proof, reads the
   root and checks the proof; "after setup" starts once Python, Django and the modules are
   imported (so it leaves import time out), "from spawn" counts everything;
4. the monitor's catch-up: the checkpoint's signature checked, every entry read back in
   order, hashed, the tree rebuilt in memory and its root compared with the checkpoint's.
   pymerkle's: the entries read from its table into an InmemoryTree (the first million).

The N-entry log itself is bulk-loaded (hashes computed in memory by MerkleTree, then
executemany on SQLite and binary COPY on PostgreSQL into LogEntry and LogTile; pymerkle
with its own append_entries); only the append figures go through appending code. Its
entries are 96 random bytes. SQLite runs with settings.py's options (WAL,
synchronous=NORMAL: a commit survives a crash of the process, not of the machine; mmap_size
2 GiB), and single commits again with synchronous=FULL; PostgreSQL with its
defaults (fsync, synchronous_commit on); pymerkle with its own (rollback journal,
synchronous=FULL). Databases are made for the run and dropped after it: SQLite files in
a temporary folder, the PostgreSQL database `asylon_bench_log` at BENCH_POSTGRES
(default postgres://postgres@127.0.0.1:5432). At 10M entries the run needs ≈7 GB of disk.

`--memory` adds the earlier in-memory figures for the core (appends, roots, proofs,
checkpoints) at the same N.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson
from benchdb import postgres_url

SAMPLES = 2_000  # random proofs per path
SINGLE = 2_000  # entries appended one per transaction
WRITERS = 8  # on PostgreSQL, single appends again from this many writers side by side
BATCH, BATCHES = 1_000, 10  # entries per transaction, transactions
COLD_RUNS = 3
PYMERKLE_BUDGET_S = 60.0  # per proof kind: pymerkle needs up to seconds per proof at 10M
PYMERKLE_MONITOR = 1_000_000  # pymerkle rebuilds at ≈90k entries/s: a million tells its rate
EXPORT_ENTRIES = 1_000_000  # the export is files on disk: a million entries tell the rate
DB_NAME = "asylon_bench_log"
SEED = 9162


def median_us(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e6:8.1f} µs"


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def records(n: int, seed: int = SEED) -> Iterator[bytes]:
    """The N entries of the bulk-loaded log, the same for our tables and for pymerkle's."""
    rng = random.Random(seed)  # noqa: S311 — reproducible data, not cryptography
    for _ in range(n):
        yield rng.randbytes(96)


def chunked(items: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def entry_fields(i: int) -> tuple[dict[str, object], dict[str, object]]:
    public = {
        "type": "decided",
        "day": "2026-11-30",
        "case": f"{i // 30:016x}",  # ≈30 events a case, as the research notes assume
        "actor": f"{i % 97:016x}",
        "outcome": "granted",
    }
    return public, {"case": i, "seq": 1, "reason": "bench", "at": "2026-11-30T12:00:00+00:00"}


_bodies = itertools.count(1 << 40)


def entry_bodies(count: int) -> tuple[list[bytes], list[bytes]]:
    """(salts, bodies) of `count` entries as services.entry_body writes them: canonical JSON
    with a commitment to the private record; the same bytes are given to pymerkle."""
    salts, bodies = [], []
    for _ in range(count):
        public, record = entry_fields(next(_bodies))
        salt = os.urandom(32)
        commitment = hashlib.sha256(salt + canonical(record)).hexdigest()
        salts.append(salt)
        bodies.append(canonical({**public, "v": 1, "kind": "event", "commitment": commitment}))
    return salts, bodies


def canonical(value: object) -> bytes:
    # As services.canonical writes it (without Django, for pymerkle's worker): the baseline
    # is given its bodies at the cost the application pays for them.
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def note(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------
# In memory: the core alone.


def memory_figures(n: int) -> None:
    from asylon.transparency.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
    from asylon.transparency.note import Checkpoint, Cosigner, NoteSigner, open_note, sign_note

    rng = random.Random(SEED)  # noqa: S311 — reproducible sampling, not cryptography
    entries = [rng.randbytes(96) for _ in range(n)]  # 96-byte records, as in the research notes
    print(f"In memory: {n:,} entries of 96 bytes, CPython {sys.version.split()[0]}")

    tree = MerkleTree()
    seconds = timed(lambda: [tree.append(entry) for entry in entries])
    print(f"append, one at a time      {n / seconds:12,.0f} /s")

    batched = MerkleTree()
    seconds = timed(lambda: [batched.append_many(entries[i : i + 256]) for i in range(0, n, 256)])
    print(f"append, batches of 256     {n / seconds:12,.0f} /s")
    assert batched.root() == tree.root()

    roots = [timed(lambda: tree.root(rng.randint(1, n))) for _ in range(SAMPLES)]
    print(f"root at a random size      {median_us(roots)}")

    generate, verify, longest = [], [], 0
    root = tree.root()
    for _ in range(SAMPLES):
        index = rng.randrange(n)
        start = time.perf_counter()
        proof = tree.inclusion_proof(index)
        generate.append(time.perf_counter() - start)
        leaf = leaf_hash(entries[index])
        start = time.perf_counter()
        verify_inclusion(leaf, index, n, proof, root)
        verify.append(time.perf_counter() - start)
        longest = max(longest, len(proof))
    print(f"inclusion proof            {median_us(generate)} generate  {median_us(verify)} verify  ≤{longest} hashes")

    generate, verify, longest = [], [], 0
    for _ in range(SAMPLES):
        old = rng.randint(1, n - 1)
        old_root = tree.root(old)
        start = time.perf_counter()
        proof = tree.consistency_proof(old)
        generate.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_consistency(old, n, proof, old_root, root)
        verify.append(time.perf_counter() - start)
        longest = max(longest, len(proof))
    print(f"consistency proof          {median_us(generate)} generate  {median_us(verify)} verify  ≤{longest} hashes")

    log = NoteSigner.generate("asylon.example/log")
    witness = Cosigner.generate("unhcr.example/witness")
    text = Checkpoint("asylon.example/log", n, root).text()
    signs = [timed(lambda: sign_note(text, log)) for _ in range(SAMPLES)]
    note_text = str(sign_note(text, log).with_signatures(witness.cosign(text, 1_800_000_000)))
    keys = [log.verifier_key, witness.verifier_key]
    opens = [timed(lambda: open_note(note_text, keys)) for _ in range(SAMPLES)]
    print(f"checkpoint                 {median_us(signs)} sign      {median_us(opens)} open (log + cosignature)")
    print()


# ----------------------------------------------------------------------------------------
# Our log in a database: one worker process per database, since Django reads
# DATABASE_URL once.


def django_setup() -> None:
    os.environ.setdefault("ASYLON_DEMO", "1")  # the log key is generated into the data folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asylon.config.settings")
    import django

    django.setup()


def bulk_load(n: int, entries: Callable[[int], Iterator[bytes]] = records) -> float:
    """The N-entry log, hashed in memory and loaded in bulk; returns its seconds."""
    from django.db import connection, transaction

    from asylon.transparency.merkle import MerkleTree
    from asylon.transparency.models import LogHead
    from asylon.transparency.storage import LogTables

    t = LogTables()
    start = time.perf_counter()
    tree = MerkleTree()
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        if t.postgres:
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {t.entry} ({t.index}, kind, body) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int8", "varchar", "bytea"])
                    for chunk in chunked(entries(n), 100_000):
                        first = tree.append_many(chunk).start
                        for offset, body in enumerate(chunk):
                            copy.write_row((first + offset, "bench", body))
                note(f"{n:,} entries hashed and copied in {time.perf_counter() - start:.0f} s")
                with cursor.copy(
                    f"COPY {t.tile} (level, {t.index}, hashes, folded) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(["int2", "int8", "bytea", "bytea"])
                    for row in stored_tiles(tree, n):
                        copy.write_row(row)
        else:
            for chunk in chunked(entries(n), 100_000):
                first = tree.append_many(chunk).start
                raw.executemany(
                    f"INSERT INTO {t.entry} ({t.index}, kind, body) VALUES (?, 'bench', ?)",  # noqa: S608
                    zip(itertools.count(first), chunk),
                )
            note(f"{n:,} entries hashed and inserted in {time.perf_counter() - start:.0f} s")
            raw.executemany(
                f"INSERT INTO {t.tile} (level, {t.index}, hashes, folded) VALUES (?, ?, ?, ?)",  # noqa: S608
                stored_tiles(tree, n),
            )
        LogHead.objects.update_or_create(pk=1, defaults={"size": n})
    seconds = time.perf_counter() - start
    note(f"{n:,}-entry log loaded in {seconds:.0f} s; settling the database")
    with connection.cursor() as cursor:
        if t.postgres:
            cursor.execute(f"VACUUM ANALYZE {t.entry}")
            cursor.execute(f"VACUUM ANALYZE {t.tile}")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return seconds


def stored_tiles(tree: object, n: int) -> Iterator[tuple[int, int, bytes, bytes]]:
    """Every tile of the tree as a LogTile row, its folded levels taken from the tree."""
    from asylon.transparency.merkle import TILE_HEIGHT, changed_tiles

    store = tree._store  # type: ignore[attr-defined]
    for tile in changed_tiles(0, n):
        base = TILE_HEIGHT * tile.level
        hashes = store.span(base, tile.index << TILE_HEIGHT, tile.width)
        folded = b"".join(
            store.span(base + k, tile.index << (TILE_HEIGHT - k), tile.width >> k) for k in range(1, TILE_HEIGHT)
        )
        yield tile.level, tile.index, hashes, folded


def proofs_ours(n: int, rng: random.Random) -> dict[str, float]:
    """Proofs at size n through the application's services (one query each), for random leaves
    and old sizes over the whole tree."""
    from asylon.transparency import services, storage
    from asylon.transparency.merkle import leaf_hash, verify_consistency, verify_inclusion

    t = storage.LogTables()
    top = storage.root_at(n)
    out: dict[str, float] = {}

    def select_one() -> None:
        with t.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    out["round_trip"] = statistics.median(timed(select_one) for _ in range(SAMPLES))

    gen, ver, longest = [], [], 0
    for index in (rng.randrange(n) for _ in range(SAMPLES)):
        leaf = leaf_hash(bytes(services.entry_get(index).body))
        start = time.perf_counter()
        proof = list(services.inclusion_proof(index, n).hashes)
        gen.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_inclusion(leaf, index, n, proof, top)
        ver.append(time.perf_counter() - start)
        longest = max(longest, len(proof))
    out |= {"inclusion_gen": statistics.median(gen), "inclusion_ver": statistics.median(ver), "inclusion_len": longest}

    gen, ver, longest = [], [], 0
    olds = [rng.randint(1, n - 1) for _ in range(SAMPLES)]
    old_roots = {old: storage.root_at(old) for old in olds}
    for old in olds:
        start = time.perf_counter()
        proof = list(services.consistency_proof(old, n).hashes)
        gen.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_consistency(old, n, proof, old_roots[old], top)
        ver.append(time.perf_counter() - start)
        longest = max(longest, len(proof))
    out |= {
        "consistency_gen": statistics.median(gen),
        "consistency_ver": statistics.median(ver),
        "consistency_len": longest,
    }
    return out


def cold_start(mode: str, n: int, index: int, env: dict[str, str]) -> tuple[float, float]:
    """Median (after setup, process) seconds of COLD_RUNS new processes answering one proof."""
    inner, total = [], []
    for run in range(COLD_RUNS):
        spawned = time.time()
        args = [sys.executable, str(Path(__file__).resolve()), "--cold", mode, "--entries", str(n)]
        args += ["--index", str((index + run * 7_919) % n)]
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)  # noqa: S603
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        inner.append(answer["seconds"])
        total.append(answer["at"] - spawned)
    return statistics.median(inner), statistics.median(total)


def cold_child(mode: str, n: int, index: int) -> None:
    """In the new process: open the stored log, answer an inclusion proof, check it."""
    from asylon.transparency.merkle import leaf_hash, verify_inclusion

    if mode == "pymerkle":
        from pymerkle import SqliteTree
        from pymerkle import verify_inclusion as pm_verify

        start = time.perf_counter()
        tree = SqliteTree(os.environ["BENCH_PYMERKLE"])
        proof = tree.prove_inclusion(index + 1)
        pm_verify(tree.get_leaf(index + 1), tree.get_root(), proof)
    else:
        django_setup()
        from asylon.transparency import services, storage

        start = time.perf_counter()
        proof = services.inclusion_proof(index)
        hashes, size = list(proof.hashes), proof.size
        top = storage.root_at(size)
        body = services.entry_get(index).body
        verify_inclusion(leaf_hash(bytes(body)), index, size, hashes, top)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "at": time.time()}))


def monitor_ours(n: int) -> float:
    """Recompute the tree from every entry and check it against the signed checkpoint."""
    from django.db import connection, transaction

    from asylon.transparency.merkle import MerkleTree
    from asylon.transparency.models import Checkpoint
    from asylon.transparency.note import Checkpoint as CheckpointBody
    from asylon.transparency.note import open_note
    from asylon.transparency.services import LogKey
    from asylon.transparency.storage import LogTables

    t = LogTables()
    key = LogKey.load().signer.verifier_key
    note_text = Checkpoint.objects.order_by("-size").values_list("note", flat=True).first()
    start = time.perf_counter()
    checkpoint = CheckpointBody.parse(open_note(note_text, [key]).text)
    tree = MerkleTree()
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        select = f"SELECT body FROM {t.entry} WHERE {t.index} < %s ORDER BY {t.index}"  # noqa: S608
        if t.postgres:
            cursor = raw.cursor(name="monitor")  # server-side: 10M rows do not fit in memory twice
            cursor.itersize = 20_000
            cursor.execute(select, [checkpoint.size])
        else:
            cursor = raw.cursor()
            cursor.execute(select.replace("%s", "?"), [checkpoint.size])
        while rows := cursor.fetchmany(20_000):
            tree.append_many([bytes(row[0]) for row in rows])
        cursor.close()
    assert tree.size == checkpoint.size and tree.root() == checkpoint.root, "the monitor disagrees"
    return time.perf_counter() - start


def appends_ours(vendor: str) -> dict[str, float]:
    """Durable appends on top of the N-entry log, through the application's services."""
    from django.db import connection, transaction

    from asylon.transparency import services, storage
    from asylon.transparency.merkle import MerkleTree

    counter = itertools.count()

    def single(count: int) -> None:
        for _ in range(count):
            services.entry_log("bench", *entry_fields(next(counter)))

    def batch(count: int) -> None:
        services.entries_log("bench", [entry_fields(next(counter)) for _ in range(count)])

    def rate(path: Callable[[int], None], per: int, transactions: int) -> float:
        start = time.perf_counter()
        for _ in range(transactions):
            with transaction.atomic():
                path(per)
        return per * transactions / (time.perf_counter() - start)

    def side_by_side(writers: int, total: int) -> float:
        """`writers` threads, each committing its share of `total` entries one per transaction,
        as officers at their desks do; timed until the last commit and its integration end."""
        from django.db import connections

        from asylon.transparency.models import LogEntry

        failures: list[BaseException] = []
        line = threading.Barrier(writers + 1)

        def write() -> None:
            try:
                line.wait()
                rate(single, 1, total // writers)
            except BaseException as error:  # raised again below
                failures.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write) for _ in range(writers)]
        for thread in threads:
            thread.start()
        line.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        if failures:
            raise failures[0]
        assert not LogEntry.objects.filter(index__isnull=True).exists(), "entries left waiting"
        return total // writers * writers / seconds

    def bare_commit(count: int) -> None:
        for _ in range(count):
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_commit (at) VALUES (now())")

    out: dict[str, float] = {}
    if vendor == "postgresql":
        # What one writer's commit costs here, for scale: a row of one column, no log.
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (at timestamptz)")
        out["bare_commit"] = rate(bare_commit, 1, SINGLE)
        # Single entries wait for their commit and go into the tree right after it
        # (storage.log_add): writers commit side by side and share their fsyncs.
        out["single_side_by_side"] = side_by_side(WRITERS, SINGLE)
    synchronous = ["NORMAL", "FULL"] if vendor == "sqlite" else [""]
    for mode in synchronous:
        suffix = "_full" if mode == "FULL" else ""
        if mode:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={mode}")
        out[f"single{suffix}"] = rate(single, 1, SINGLE)
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
    out["batch"] = rate(batch, BATCH, BATCHES)
    # The stored root must be the entries' root.
    size = storage.log_size()
    t = storage.LogTables()
    with t.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {t.entry} ORDER BY {t.index}")  # noqa: S608
        check = MerkleTree()
        for chunk in iter(lambda: cursor.fetchmany(50_000), []):
            check.append_many([bytes(row[0]) for row in chunk])
    assert check.size == size and check.root() == storage.root_at(size), "appends left a tree the entries disagree"
    return out


def worker_ours(vendor: str, n: int, folder: Path) -> dict[str, float]:
    os.environ["ASYLON_DATA_DIR"] = str(folder)
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            admin.execute(f"CREATE DATABASE {DB_NAME}")
        os.environ["DATABASE_URL"] = postgres_url(DB_NAME)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'log.sqlite3'}"
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    from asylon.transparency.services import checkpoint_sign

    try:
        call_command("migrate", verbosity=0)
        out: dict[str, float] = {"load": bulk_load(n)}
        checkpoint_sign()
        rng = random.Random(SEED + 1)  # noqa: S311 — reproducible sampling, not cryptography
        out |= proofs_ours(n, rng)
        note(f"proofs done: {out}")
        connection.close()
        env = dict(os.environ)
        out["cold"], out["cold_total"] = cold_start("app", n, rng.randrange(n), env)
        out["monitor"] = monitor_ours(n)
        note(f"cold start and monitor done: {out}")
        out |= appends_ours(vendor)
        if vendor == "sqlite":
            out["bytes"] = sum(f.stat().st_size for f in folder.glob("log.sqlite3*"))
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                out["bytes"] = cursor.fetchone()[0]
        return out
    finally:
        connection.close()
        if vendor == "postgresql":
            import psycopg

            with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")


def json_records(n: int) -> Iterator[bytes]:
    for chunk in range(0, n, 10_000):
        yield from entry_bodies(min(10_000, n - chunk))[1]


def worker_export(n: int, folder: Path) -> dict[str, float]:
    """The monitor's own entry point, asylon.transparency.monitor.verify, on an export
    (asylon.transparency.export) of a log of real entry bodies, made on SQLite."""
    os.environ["ASYLON_DATA_DIR"] = str(folder / "export-data")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'export.sqlite3'}"
    django_setup()
    from django.core.management import call_command

    from asylon.transparency.export import log_export
    from asylon.transparency.monitor import verify
    from asylon.transparency.services import LogKey, checkpoint_sign

    call_command("migrate", verbosity=0)
    out = {"load": bulk_load(n, json_records), "entries": n}
    checkpoint_sign()
    directory = folder / "export"
    out["export"] = timed(lambda: log_export(directory))
    note(f"export: {n:,} entries exported in {out['export']:.0f} s")
    key = LogKey.load().signer.verifier_key
    start = time.perf_counter()
    report, _ = verify(directory, log_key=key)
    out["verify"] = time.perf_counter() - start
    assert report.size == n, report.text()
    out["findings"] = len(report.findings)
    return out


# ----------------------------------------------------------------------------------------
# pymerkle 7.0.0, SqliteTree: the baseline.


def worker_pymerkle(n: int, folder: Path) -> dict[str, float]:
    from pymerkle import InmemoryTree, SqliteTree, verify_consistency, verify_inclusion

    from asylon.transparency.merkle import MerkleTree

    path = folder / "pymerkle.sqlite3"
    out: dict[str, float] = {}
    tree = SqliteTree(str(path))
    out["load"] = timed(lambda: tree.append_entries(records(n)))
    note(f"pymerkle: {n:,} entries appended in bulk in {out['load']:.0f} s")
    out["first_root"] = timed(tree.get_root)
    top = tree.get_root()
    note(f"pymerkle: first root in {out['first_root']:.1f} s")
    expected = MerkleTree()
    for chunk in chunked(records(n), 100_000):
        expected.append_many(chunk)
    assert top == expected.root(), "pymerkle's root differs from ours"
    del expected

    rng = random.Random(SEED + 1)  # noqa: S311 — reproducible sampling, not cryptography
    gen, ver, deadline = [], [], time.perf_counter() + PYMERKLE_BUDGET_S
    while len(gen) < SAMPLES and time.perf_counter() < deadline:
        index = rng.randrange(n) + 1  # pymerkle counts leaves from one
        leaf = tree.get_leaf(index)
        start = time.perf_counter()
        proof = tree.prove_inclusion(index)
        gen.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_inclusion(leaf, top, proof)
        ver.append(time.perf_counter() - start)
    out |= {"inclusion_gen": statistics.median(gen), "inclusion_ver": statistics.median(ver), "inclusion_n": len(gen)}
    gen, ver, deadline = [], [], time.perf_counter() + PYMERKLE_BUDGET_S
    while len(gen) < SAMPLES and time.perf_counter() < deadline:
        old = rng.randint(1, n - 1)
        old_root = tree.get_root(old)
        start = time.perf_counter()
        proof = tree.prove_consistency(old)
        gen.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_consistency(old_root, top, proof)
        ver.append(time.perf_counter() - start)
    out |= {"consistency_gen": statistics.median(gen), "consistency_ver": statistics.median(ver)}
    out["consistency_n"] = len(gen)
    note(f"pymerkle: proofs done ({out['inclusion_n']} and {out['consistency_n']} samples)")

    env = dict(os.environ, BENCH_PYMERKLE=str(path))
    out["cold"], out["cold_total"] = cold_start("pymerkle", n, rng.randrange(n), env)
    note(f"pymerkle: cold start {out['cold']:.1f} s")

    # The monitor: every entry rehashed, the tree rebuilt in memory, its root compared.
    m = min(n, PYMERKLE_MONITOR)
    start = time.perf_counter()
    rows = tree.con.execute("SELECT entry FROM leaf WHERE id <= ? ORDER BY id", (m,))
    rebuilt = InmemoryTree()
    for chunk in iter(lambda: rows.fetchmany(20_000), []):
        rebuilt.append_entries(chunk)
    assert rebuilt.get_root() == tree.get_root(m), "pymerkle's monitor disagrees"
    out["monitor"] = (time.perf_counter() - start) * n / m  # scaled to N, as ours is timed

    start = time.perf_counter()
    for _ in range(SINGLE):
        tree.append_entry(entry_bodies(1)[1][0])
    out["single"] = SINGLE / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(BATCHES):
        tree.append_entries(entry_bodies(BATCH)[1])
    out["batch"] = BATCH * BATCHES / (time.perf_counter() - start)
    tree.close()
    out["bytes"] = path.stat().st_size
    return out


# ----------------------------------------------------------------------------------------
# The report.


def report(n: int, name: str, ours: dict[str, float], pm: dict[str, float], ex: dict[str, float] | None) -> None:
    print(f"\n{name}: {n:,} entries; pymerkle 7.0.0 SqliteTree beside it")
    print(f"  log bulk-loaded in {ours['load']:.0f} s ({ours['bytes'] / 2**30:.2f} GiB);", end=" ")
    print(f"pymerkle's append_entries in {pm['load']:.0f} s ({pm['bytes'] / 2**30:.2f} GiB)")
    header = f"  {'measure':<58}{'ours':>13}{'pymerkle':>14}{'ahead':>10}  {'goal':<12}"
    print(header)
    print("  " + "-" * (len(header) - 2))

    def row(what: str, value: float, base: float | None, unit: str, goal: float | None = None) -> None:
        rate = unit == "/s"
        base_text = "—" if base is None else fmt(base, unit)
        ahead = None if base is None else (value / base if rate else base / value)
        met = goal is None or (value >= goal if rate else value <= goal)
        verdict = "" if goal is None else ("pass" if met and (ahead is None or ahead > 1) else "FAIL")
        goal_text = "" if goal is None else ("≥" if rate else "≤") + fmt(goal, unit)
        ahead_text = "" if ahead is None else f"{ahead:,.1f}×"
        print(f"  {what:<58}{fmt(value, unit):>13}{base_text:>14}{ahead_text:>10}  {goal_text:<12}{verdict}")

    for suffix, label in [("", "")] + ([("_full", ", synchronous=FULL")] if "single_full" in ours else []):
        row(f"appends, 1 per commit{label} (entry_log)", ours[f"single{suffix}"], pm["single"], "/s", 1_000)
    if "single_side_by_side" in ours:
        what = f"appends, 1 per commit, {WRITERS} writers side by side"
        row(what, ours["single_side_by_side"], pm["single"], "/s", 1_000)
    row(f"appends, {BATCH:,} per commit (entries_log)", ours["batch"], pm["batch"], "/s", 10_000)
    row("inclusion proof, generate (services)", ours["inclusion_gen"], pm["inclusion_gen"], "µs", 100e-6)
    row("inclusion proof, verify", ours["inclusion_ver"], pm["inclusion_ver"], "µs")
    row("consistency proof, generate (services)", ours["consistency_gen"], pm["consistency_gen"], "µs", 100e-6)
    row("consistency proof, verify", ours["consistency_ver"], pm["consistency_ver"], "µs")
    row("cold start, after setup", ours["cold"], pm["cold"], "s", 1.0)
    row("cold start, from spawn", ours["cold_total"], pm["cold_total"], "s")
    scale = 1e6 / n
    row("monitor catch-up, per million entries", ours["monitor"] * scale, pm["monitor"] * scale, "s", 10.0)
    if ex:
        per = 1e6 / ex["entries"]
        row(
            "monitor catch-up, per million: monitor.verify on an export",
            ex["verify"] * per,
            pm["monitor"] * scale,
            "s",
            10,
        )
    print(
        f"  proofs: median of {SAMPLES:,}, pymerkle {pm['inclusion_n']:.0f}"
        f" inclusion / {pm['consistency_n']:.0f} consistency in {PYMERKLE_BUDGET_S:.0f} s each;"
        f" ≤{ours['inclusion_len']:.0f} / ≤{ours['consistency_len']:.0f} hashes. pymerkle's first root"
        f" {pm['first_root']:.2f} s; its monitor rebuilt {min(n, PYMERKLE_MONITOR):,} entries."
        f" One round trip (SELECT 1): {ours['round_trip'] * 1e6:.0f} µs."
    )
    if "bare_commit" in ours:
        print(f"  One writer's bare commits (a one-column row each, fsync): {ours['bare_commit']:,.0f}/s.")
    if ex:
        print(
            f"  monitor.verify: an export of {ex['entries']:,.0f} JSON entries (made on SQLite, written by"
            f" export.log_export in {ex['export']:.0f} s), procedure audit included; {ex['findings']:.0f} findings."
        )


def fmt(value: float, unit: str) -> str:
    return {"/s": f"{value:,.0f}/s", "µs": f"{value * 1e6:,.1f} µs", "s": f"{value:,.2f} s"}[unit]


def monitor_exists() -> bool:
    import importlib.util

    return importlib.util.find_spec("asylon.transparency.monitor") is not None


def run_worker(kind: str, n: int, folder: Path) -> dict[str, float]:
    out = folder / f"{kind}.json"
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--entries", str(n)]
    args += ["--folder", str(folder), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(args, check=True)  # noqa: S603
    note(f"{kind} worker took {time.perf_counter() - start:.0f} s")
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both", "none"], default="both")
    parser.add_argument("--memory", action="store_true", help="also the in-memory figures of the core")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--worker", choices=["sqlite", "postgresql", "pymerkle", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--cold", choices=["app", "pymerkle"], help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.entries

    if args.cold:
        cold_child(args.cold, n, args.index)
        return
    if args.worker:
        if args.worker == "pymerkle":
            result = worker_pymerkle(n, args.folder)
        elif args.worker == "export":
            result = worker_export(min(n, EXPORT_ENTRIES), args.folder)
        else:
            result = worker_ours(args.worker, n, args.folder)
        args.out.write_text(json.dumps(result))
        return

    began = time.perf_counter()
    if args.memory:
        memory_figures(n)
    databases = {"sqlite": ["sqlite"], "postgres": ["postgresql"], "both": ["sqlite", "postgresql"], "none": []}
    folder = Path(tempfile.mkdtemp(prefix="asylon-bench-log-"))
    try:
        results = {db: run_worker(db, n, folder) for db in databases[args.db]}
        if results:
            pm = run_worker("pymerkle", n, folder)
            ex = run_worker("export", n, folder) if monitor_exists() else None
            print(f"CPython {sys.version.split()[0]}, {os.cpu_count()} CPUs; one run.")
            for db, ours in results.items():
                names = {"sqlite": "SQLite (WAL, synchronous=NORMAL, mmap)", "postgresql": "PostgreSQL"}
                report(n, names[db], ours, pm, ex)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nwall time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
