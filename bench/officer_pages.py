"""Server time of the officer's pages at 100,000 cases: the queues, the case page, a search.

Run: `python bench/officer_pages.py [--cases N] [--requests R] [--db postgres|sqlite]`
(default 100,000 cases, 200 requests per page, PostgreSQL at BENCH_POSTGRES, default
postgres://postgres@127.0.0.1:5432, in a database of its own that is dropped at the end).

The registry is built in two parts. First the demo scenario is walked through the services
officers use (`asylon.demo.load`), so its cases carry real timelines, interviews, assessments,
decisions, appeals, documents and detention reviews. Then the rest, up to N cases, are copies
of those cases in bulk: every row of a demo case (case, members, persons, names with their
search keys, events, interviews, assessments, decisions, appeals, detention episodes,
documents under new numbers) is written again for a new case, its sealed text sealed anew for
the new row, so queues, search and timelines see 100,000 cases in the same proportions of
stages, and the same backlog of documents, as the demo.

Each request goes through Django's whole stack in this process (`django.test.Client`,
signed in, sessions, middleware, read audit, templates); its time is the server's time, with
no network. Per page it prints the median and the 95th percentile:

- queue: the landing page or one of the officer's queues, page 1, a random sort, for a random
  demo officer of the demo office (every role that has queues);
- case: the page of a random case, as the eligibility officer of the office;
- search: the posted search and the page it redirects to, by a name in a random script,
  a case number or a document number.

Goal (issue 3): p95 under 150 ms for each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchdb import analyze, bench_database, percentile, signed_in

GOAL_MS = 150.0
DEMO_PERSONS = 2_000
CHUNK = 500  # cases copied per transaction


class Blueprint:
    """One row to write again: its plain columns, and its sealed attributes read once in clear."""

    def __init__(self, row: Any) -> None:
        self.model = type(row)
        self.plain: dict[str, Any] = {}
        self.sealed: dict[str, str] = {}
        for field in self.model._meta.concrete_fields:
            if field.primary_key or field.name == "uid":
                continue
            if field.name.endswith("_sealed"):
                if getattr(row, field.attname):
                    self.sealed[field.name.removesuffix("_sealed")] = getattr(row, field.name.removesuffix("_sealed"))
            else:
                self.plain[field.attname] = getattr(row, field.attname)

    def make(self, **changes: Any) -> Any:
        row = self.model(**{**self.plain, **changes})  # a fresh uid: the seals below bind to it
        for name, value in self.sealed.items():
            setattr(row, name, value)
        return row


class CaseBlueprint:
    """A demo case with everything hanging from it."""

    def __init__(self, case: Any) -> None:
        self.case = Blueprint(case)
        self.members = []
        for member in case.members.select_related("person").order_by("pk"):
            person = member.person
            self.members.append(
                (
                    Blueprint(member),
                    Blueprint(person),
                    [(Blueprint(n), n.search_keys()) for n in person.names.order_by("pk")],
                    [Blueprint(d) for d in person.detentions.order_by("pk")],
                    [Blueprint(d) for d in person.documents.filter(case=case).order_by("pk")],
                    person.pk == case.principal_id,
                )
            )
        self.rows = [
            Blueprint(row)
            for related in (case.events, case.interviews, case.assessments, case.decisions, case.appeals)
            for row in related.order_by("pk")
        ]


def copy_cases(blueprints: list[CaseBlueprint], count: int, rng: random.Random) -> None:
    """`count` new cases, each a copy of a random demo case, written in chunks, one transaction each."""
    from django.db import transaction
    from django.utils import timezone
    from tqdm import tqdm

    from asylon.cases.models import Case, CaseMember
    from asylon.dataprotection import runtime
    from asylon.dataprotection.blind import blind_index
    from asylon.documents.models import Document
    from asylon.documents.services import documents_due_refresh
    from asylon.people.models import DetentionEpisode, Name, NameKey, Person

    today = timezone.localdate()
    written = 0
    with tqdm(total=count, desc="Copying cases", unit="case") as bar:
        while written < count:
            chosen = [rng.choice(blueprints) for _ in range(min(CHUNK, count - written))]
            with transaction.atomic():
                persons = Person.objects.bulk_create(
                    person.make() for b in chosen for _, person, *_ in b.members
                )  # fmt: skip
                people = iter(persons)
                names: list[Any] = []
                keys: list[tuple[Any, set[str]]] = []
                detentions: list[Any] = []
                documents: list[tuple[Any, Any]] = []
                principals: list[Any] = []
                members: list[tuple[Any, Any]] = []
                for b in chosen:
                    principal = None
                    for member, _, name_rows, detention_rows, document_rows, is_principal in b.members:
                        person = next(people)
                        principal = person if is_principal else principal
                        members.append((member, person))
                        for name, search_keys in name_rows:
                            names.append(name.make(person_id=person.pk))
                            keys.append((runtime.keyring_for(person.office), search_keys))
                        detentions += [d.make(person_id=person.pk) for d in detention_rows]
                        documents += [(d, person) for d in document_rows]
                    principals.append(principal)
                names = Name.objects.bulk_create(names)
                NameKey.objects.bulk_create(
                    NameKey(name=name, person_id=name.person_id, digest=blind_index(keyring, "name", key))
                    for name, (keyring, search_keys) in zip(names, keys, strict=True)
                    for key in search_keys
                )
                DetentionEpisode.objects.bulk_create(detentions)
                cases = Case.objects.bulk_create(
                    b.case.make(number=f"BG-{written + i + 1:07d}", principal_id=principal.pk)
                    for i, (b, principal) in enumerate(zip(chosen, principals, strict=True))
                )  # fmt: skip
                member_rows = iter(members)
                new_members, rows = [], defaultdict(list)
                for b, case in zip(chosen, cases, strict=True):
                    for _ in b.members:
                        member, person = next(member_rows)
                        new_members.append(member.make(case_id=case.pk, person_id=person.pk))
                    for row in b.rows:
                        rows[row.model].append(row.make(case_id=case.pk))
                CaseMember.objects.bulk_create(new_members)
                case_of = {m.person_id: m.case_id for m in new_members}
                Document.objects.bulk_create(
                    d.make(person_id=p.pk, case_id=case_of[p.pk], number=f"BD{written:07d}{i:04d}", status_index=None)
                    for i, (d, p) in enumerate(documents)
                )
                for model, made in rows.items():
                    model.objects.bulk_create(made)
                documents_due_refresh([p.pk for p in persons], today)
            written += len(chosen)
            bar.update(len(chosen))


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database and the keys' folder after the run")
    parser.add_argument("--reuse", type=Path, metavar="FOLDER", help="measure again on a kept run (its keys' folder)")
    args = parser.parse_args()
    with bench_database(args.db, "asylon_bench_pages", keep=args.keep, reuse=args.reuse):
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.db import connection

    from asylon.accounts.models import User
    from asylon.cases.models import Case
    from asylon.demo import scenario
    from asylon.demo.load import DEMO_UNIT, scenario_load
    from asylon.documents.models import Document
    from asylon.front import queues
    from asylon.people.models import Name, office_slug

    rng = random.Random(2026)  # noqa: S311 — reproducible data, not cryptography
    walking = copying = 0.0
    if args.reuse is None:
        started = time.perf_counter()
        scenario_load(scenario.generate(persons=DEMO_PERSONS), seed=2026, progress=True)
        walking = time.perf_counter() - started
        blueprints = [CaseBlueprint(case) for case in Case.objects.filter(office=office_slug(DEMO_UNIT))]
        started = time.perf_counter()
        copy_cases(blueprints, max(0, args.cases - Case.objects.count()), rng)
        copying = time.perf_counter() - started
        analyze()
    walked = Case.objects.exclude(number__startswith="BG-").count()

    officers = [u for u in User.objects.filter(unit=DEMO_UNIT).order_by("username") if queues.queues_for(u)]
    browsers = {u.pk: signed_in(u) for u in officers}
    pages = [("/", u) for u in officers] + [(f"/queues/{q.key}/", u) for u in officers for q in queues.queues_for(u)]
    eligibility = User.objects.get(username="eligibility")
    reader = browsers[eligibility.pk]
    case_ids = list(Case.objects.values_list("pk", flat=True))
    numbers = list(Case.objects.values_list("number", flat=True))
    documents = list(Document.objects.values_list("number", flat=True))
    names = [n.text for n in Name.objects.filter(person__memberships__case__office=office_slug(DEMO_UNIT))[:5_000]]

    by_page: defaultdict[str, list[float]] = defaultdict(list)

    def queue() -> None:
        path, user = rng.choice(pages)
        key = path.strip("/").rpartition("/")[2]
        sorts = queues.BY_KEY[key].sorts if key in queues.BY_KEY else ("",)
        start = time.perf_counter()
        response = browsers[user.pk].get(path, {"sort": rng.choice(sorts)})
        by_page[key or "landing"].append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)

    def case() -> None:
        response = reader.get(f"/cases/{rng.choice(case_ids)}/")
        assert response.status_code == 200, response.status_code

    searched: defaultdict[str, int] = defaultdict(int)

    def search() -> None:
        kind = rng.choice(["name", "name", "case number", "document number"])
        query = {"name": names, "case number": numbers, "document number": documents}[kind]
        searched[kind] += 1
        response = reader.post("/cases/", {"q": rng.choice(query)})
        assert response.status_code == 303, response.status_code
        response = reader.get(response["Location"])
        assert response.status_code == 200, response.status_code

    operations = {"queue": queue, "case": case, "search": search}
    samples: dict[str, list[float]] = {name: [] for name in operations}
    for call in operations.values():  # warm caches, templates and prepared plans
        for _ in range(10):
            call()
    by_page.clear()
    for _ in range(args.requests):  # interleaved, so drift hits every page alike
        for name, call in operations.items():
            samples[name].append(timed(call))

    print(
        f"{Case.objects.count():,} cases ({walked:,} walked through the services in {walking:.0f} s, "
        f"the rest copied in {copying:.0f} s), {connection.vendor}, CPython {sys.version.split()[0]}, "
        f"{args.requests} requests per page"
    )
    print(f"queue pages: {len(pages)} (landing and every queue of {len(officers)} officers); searches: "
          + ", ".join(f"{n} {kind}" for kind, n in sorted(searched.items())))  # fmt: skip
    worst = 0.0
    for name, times in samples.items():
        median, p95 = statistics.median(times) * 1e3, percentile(times, 95) * 1e3
        worst = max(worst, p95)
        print(f"{name:8} median {median:7.1f} ms   p95 {p95:7.1f} ms   max {max(times) * 1e3:7.1f} ms")
    slowest = sorted(by_page.items(), key=lambda item: -max(item[1]))[:5]
    print("slowest queue pages (median / max): " + ", ".join(
        f"{key} {statistics.median(t) * 1e3:.0f}/{max(t) * 1e3:.0f} ms" for key, t in slowest))  # fmt: skip
    verdict = "within" if worst < GOAL_MS else "over"
    print(f"worst p95 {worst:.1f} ms ({verdict} the {GOAL_MS:.0f} ms goal)")


if __name__ == "__main__":
    main()
