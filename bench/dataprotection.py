"""The cost of encryption and read audit, on the case page and on registration.

Run: `python bench/dataprotection.py [persons] [--rounds R] [--per-round M]`
(default 100,000 persons, 6 rounds of 30 operations per mode). It builds a database of that
many persons (SQLite in a temporary folder, or the database DATABASE_URL names), then in
alternating rounds times, with everything on and with both turned off:

- registration: `intake_open` for a mother and child with names in three scripts;
- the case page: GET /cases/<id>/ through the whole middleware stack, signed in.

"Off" replaces AES-GCM sealing with the plaintext, the names' HMAC blind indexes with the
normalized text, and the read record (and its emergency-access lookup) with nothing; each
mode reads only cases it wrote itself. It prints medians per operation and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from unittest import mock

from benchdb import signed_in

GOAL = 1.20


def configure() -> None:
    folder = Path(tempfile.mkdtemp(prefix="asylon-bench-"))
    os.environ.setdefault("ASYLON_DATA_DIR", str(folder))
    os.environ.setdefault("ASYLON_DEMO", "1")  # keys generated into the temporary folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asylon.config.settings")
    import django

    django.setup()


@contextmanager
def protection_off() -> Iterator[None]:
    """Sealing, blind indexes and the read record replaced by the cheapest stand-ins."""
    from asylon.cases import selectors

    class NoRecord:
        class objects:  # stands in for a model manager
            @staticmethod
            def create(**_: object) -> None:
                return None

    with (
        mock.patch("asylon.dataprotection.cipher.encrypt", lambda _k, _o, value, _a: "plain:" + value),
        mock.patch("asylon.dataprotection.cipher.decrypt", lambda _k, token, _a: token[6:]),
        mock.patch("asylon.cases.services.blind_index", lambda _k, _c, key: key[:32]),
        # The duplicate keys too: each mode then meets only the persons it wrote itself.
        mock.patch("asylon.people.matchkeys.blind_index", lambda _k, _c, key: key[:32]),
        mock.patch.object(selectors, "CaseRead", NoRecord),
        mock.patch.object(selectors, "emergency_access_for", lambda *_: None),
    ):
        yield


def populate(persons: int) -> None:
    """Background records, written in bulk with sealing on, as registration would leave them."""
    from django.db import transaction
    from django.utils import timezone
    from tqdm import tqdm

    from asylon.cases.models import Case, CaseMember
    from asylon.dataprotection import runtime
    from asylon.dataprotection.blind import blind_index
    from asylon.people.models import Name, NameKey, Person

    rng = random.Random(2026)  # noqa: S311 — reproducible data, not cryptography
    family = ["김", "리", "박", "최", "정", "강", "조", "윤", "장", "림"]
    given = ["순희", "철", "영호", "미란", "광철", "은정", "혜숙", "명수", "성민", "옥순"]
    keyring = runtime.keyring_for("main")
    now = timezone.now()
    chunk = 2_000
    with tqdm(total=persons, desc="Background persons", unit="person") as bar:
        for start in range(0, persons, chunk):
            count = min(chunk, persons - start)
            with transaction.atomic():
                people = Person.objects.bulk_create(
                    Person(office="main", sex=rng.choice("FM"), nationalities=["KP"]) for _ in range(count)
                )
                names = []
                for person in people:
                    f, g = rng.choice(family), rng.choice(given)
                    names.append(Name(person=person, office="main", text=f + g, family_name=f, given_name=g,
                                      script="Hang", source="self", is_primary=True))  # fmt: skip
                    names.append(Name(person=person, office="main", text=f"Ri {g}", script="Latn", source="ngo"))
                names = Name.objects.bulk_create(names)
                NameKey.objects.bulk_create(
                    NameKey(name=n, person_id=n.person_id, digest=blind_index(keyring, "name", key))
                    for n in names
                    for key in n.search_keys()
                )
                # About 1.35 persons per case: every fourth case has a dependant.
                cases, members, i = [], [], 0
                while i < len(people):
                    group = people[i : i + (2 if rng.random() < 0.35 else 1)]
                    i += len(group)
                    case = Case(number=f"BG-{start + i:07d}", office="main", kind="individual", principal=group[0],
                                channel="detained", state="registered", opened_at=now, updated_at=now)  # fmt: skip
                    cases.append(case)
                    members.append((case, group))
                Case.objects.bulk_create(cases)
                CaseMember.objects.bulk_create(
                    CaseMember(case=case, person=p, relation="principal" if j == 0 else "child")
                    for case, group in members
                    for j, p in enumerate(group)
                )
            bar.update(count)


def family(rng: random.Random):  # type: ignore[no-untyped-def]
    from asylon.cases.services import NameInput, PersonInput

    mother = PersonInput(
        names=[
            NameInput(text="리순희", script="Hang", family_name="리", given_name="순희", is_primary=True),
            NameInput(text="李顺姬", script="Hani"),
            NameInput(text=f"Ri Sun Hui {rng.randrange(10**6)}", script="Latn", romanization="dprk", source="ngo"),
        ],
        sex="F",
        birth_year=1991,
        birth_month=3,
        nationalities=["KP"],
        languages=["ko"],
    )
    child = PersonInput(
        names=[NameInput(text="김철", script="Hang"), NameInput(text="Kim Chol", script="Latn", romanization="mr")],
        sex="M",
        birth_year=2015,
        nationalities=["KP"],
        relation="child",
    )
    return [mother, child]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("persons", nargs="?", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=30)
    args = parser.parse_args()
    configure()

    from django.core.management import call_command
    from django.db import connection

    from asylon.accounts.models import RoleGrant, User
    from asylon.cases.services import DetentionInput, intake_open
    from asylon.procedure.roles import Role

    call_command("migrate", verbosity=0)
    populate(args.persons)
    registrar = User.objects.create_user("bench.registrar", password="bench password 1")  # noqa: S106
    RoleGrant.objects.create(user=registrar, role=Role.REGISTRATION_OFFICER)
    browser = signed_in(registrar)

    rng = random.Random(7)  # noqa: S311
    detained = DetentionInput(site="Tumen Border Detention Centre", detained_since=date(2025, 6, 1))
    written: dict[str, list[int]] = {"on": [], "off": []}
    samples: dict[tuple[str, str], list[float]] = {(op, m): [] for op in ("register", "page") for m in ("on", "off")}

    def register(mode: str) -> None:
        case = intake_open(user=registrar, people=family(rng), channel="detained", detained=detained)
        written[mode].append(case.pk)

    def page(mode: str) -> None:
        response = browser.get(f"/cases/{rng.choice(written[mode])}/")
        assert response.status_code == 200, response.status_code

    def round_of(mode: str) -> None:
        for _ in range(args.per_round):
            samples[("register", mode)].append(timed(lambda: register(mode)))
        for _ in range(args.per_round):
            samples[("page", mode)].append(timed(lambda: page(mode)))

    # Warm both paths, then alternate which mode goes first so drift hits both alike.
    round_of("on")
    with protection_off():
        round_of("off")
    for key in samples:
        samples[key].clear()
    for r in range(args.rounds):
        for mode in ("on", "off") if r % 2 == 0 else ("off", "on"):
            if mode == "off":
                with protection_off():
                    round_of(mode)
            else:
                round_of(mode)

    print(
        f"{args.persons:,} background persons, {connection.vendor}, CPython {sys.version.split()[0]}, "
        f"{args.rounds} rounds × {args.per_round} per mode"
    )
    worst = 0.0
    for op, words in (("register", "registration (2 persons, 5 names)"), ("page", "case page, signed in")):
        on, off = statistics.median(samples[(op, "on")]), statistics.median(samples[(op, "off")])
        worst = max(worst, on / off)
        print(f"{words:36} on {on * 1e3:7.2f} ms   off {off * 1e3:7.2f} ms   ratio {on / off:5.3f}")
    verdict = "within" if worst <= GOAL else "over"
    print(f"largest overhead {100 * (worst - 1):.1f}% ({verdict} the {100 * (GOAL - 1):.0f}% goal)")


if __name__ == "__main__":
    main()
