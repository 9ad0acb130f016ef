"""Schemathesis against the OpenAPI schema, as every role, an officer with no role and no one.

Thousands of generated requests, valid and invalid, reach the real WSGI application in this
process, inside the test's transaction. None may be answered with a server error, none may
succeed on a case, a person or a record the caller may not see (`cases_for_user` is the
oracle), and every answer must be one the schema declares, in the declared form.

The database refuses, as PostgreSQL does, text holding U+0000, so a run on SQLite finds what a
run on PostgreSQL would. Generation is seeded per role and operation, so a run is the same on
every machine; run with `-s` to see the figures.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import DataError, close_old_connections, connection
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from asylon.accounts.models import ApiToken, User
from asylon.cases import steps as case_steps
from asylon.cases.access import cases_for_user
from asylon.cases.models import Alert, Case
from asylon.cases.selectors import alerts_for_user
from asylon.documents.models import Document
from asylon.people.models import Person
from asylon.procedure import case as procedure
from asylon.procedure.roles import Role
from asylon.safeguards.models import Disclosure, Recipient, Removal
from tests.api.schemathesis_world import NO_ROLE, NOBODY, seed_world

pytestmark = pytest.mark.django_db

# Requests to aim for, spread evenly over principals and operations; a deeper local run:
# ASYLON_SCHEMATHESIS_REQUESTS=50000 pytest -s tests/api/test_schemathesis.py
AIM = int(os.environ.get("ASYLON_SCHEMATHESIS_REQUESTS", "5500"))
ENOUGH = 5_000

PRINCIPALS = [*(role.value for role in Role), NO_ROLE, NOBODY]
# Whatever `cases_for_user` says, these read no case file (asylon.procedure.access).
NO_CASE_FILES = {Role.MONITOR, Role.PARTNER_NGO, Role.ADMINISTRATOR, NO_ROLE, NOBODY}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@dataclass
class Tally:
    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    # kind -> what went wrong where -> how often, and the first example
    findings: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    exceptions: list[BaseException] = field(default_factory=list)

    def add(self, kind: str, key: str, example: str) -> None:
        self.findings.setdefault(kind, {}).setdefault(key, [0, example])[0] += 1

    def count(self, kind: str) -> int:
        return sum(n for n, _ in self.findings.get(kind, {}).values())

    def report(self) -> str:
        lines = []
        for kind, found in self.findings.items():
            for key, (n, example) in found.items():
                lines.append(f"[{kind}] {key} (x{n})\n{example}\n")
        return "\n".join(lines)


@contextmanager
def in_process(tally_exceptions: list[BaseException]) -> Iterator[None]:
    """Call the WSGI app inside the test's transaction: Django closes "old" connections at the
    start and end of each request, which would end it (its own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def caught(sender: Any, request: Any = None, **kwargs: Any) -> None:
        tally_exceptions.append(sys.exc_info()[1])

    got_request_exception.connect(caught)
    try:
        with connection.execute_wrapper(like_postgresql):
            yield
    finally:
        got_request_exception.disconnect(caught)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def like_postgresql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """Refuse what PostgreSQL refuses and SQLite stores: the NUL character in text, and its
    escape in JSON (jsonb), so that a run on SQLite finds the 500s a run on PostgreSQL would."""
    for value in _flat(params if not many else [p for group in params for p in group]):
        if isinstance(value, str) and ("\x00" in value or "\\u0000" in value):
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return execute(sql, params, many, context)


def _flat(params: Any) -> Iterator[Any]:
    if isinstance(params, dict):
        params = params.values()
    for value in params or ():
        if isinstance(value, list | tuple):
            yield from _flat(value)
        else:
            yield value


# What the caller may see, asked of the chokepoint before and after each request.


@dataclass(frozen=True)
class Sight:
    cases: frozenset[int] = frozenset()
    people: frozenset[int] = frozenset()
    alerts: frozenset[int] = frozenset()

    def __or__(self, other: Sight) -> Sight:
        return Sight(self.cases | other.cases, self.people | other.people, self.alerts | other.alerts)

    def sees(self, kind: str, pk: Any) -> bool:
        return pk in getattr(self, kind)


def sight_of(user: User | None) -> Sight:
    if user is None:
        return Sight()
    visible = cases_for_user(user)
    people = Person.objects.filter(memberships__case__in=visible).values_list("pk", flat=True)
    return Sight(
        cases=frozenset(visible.values_list("pk", flat=True)),
        people=frozenset(people),
        alerts=frozenset(alerts_for_user(user).values_list("pk", flat=True)),
    )


def shown(body: Any) -> Iterator[tuple[str, Any]]:
    """Every case, person and alert an answer names: by a `case_id` or `person_id` member, or
    as a case (`number` and `state`), a person (`names` and `relation`) or an alert."""
    if isinstance(body, list):
        for item in body:
            yield from shown(item)
    elif isinstance(body, dict):
        if "case_id" in body and body["case_id"] is not None:
            yield "cases", body["case_id"]
        if "person_id" in body:
            yield "people", body["person_id"]
        if {"id", "number", "state"} <= body.keys():
            yield "cases", body["id"]
        if {"id", "names", "relation"} <= body.keys():
            yield "people", body["id"]
        if {"id", "names_given", "risk"} <= body.keys():
            yield "alerts", body["id"]
        for value in body.values():
            yield from shown(value)


def targets(case: Any) -> Iterator[tuple[str, Any]]:
    """The case or person a request is about, by its address or its body."""
    path = case.path_parameters
    if "case_id" in path:
        yield "cases", path["case_id"]
    if "person_id" in path:
        yield "people", path["person_id"]
    for name, model in (("document_id", Document), ("removal_id", Removal), ("disclosure_id", Disclosure)):
        if isinstance(path.get(name), int):
            person = model.objects.filter(pk=path[name]).values_list("person_id", flat=True).first()
            yield "people", person
    if isinstance(case.body, dict):
        for name, kind in (("case_id", "cases"), ("person_id", "people")):
            if case.body.get(name) is not None:
                yield kind, case.body[name]


def unauthorized(caller: Caller, case: Any, response: Any, sight: Sight) -> str:
    """Why this answer is an unauthorized success, or ''.

    A success may show or touch only what the caller could see before it or can see after it
    (`sight`: an intake opens a case of one's own unit; break-glass opens one outside it). A refusal
    (409) tells what the procedure knows of its record: only for one the caller may see."""
    status = response.status_code
    if not (200 <= status < 300 or status == 409):
        return ""
    if caller.user is None:
        return f"{status} with no credentials"
    if caller.principal in NO_CASE_FILES:
        sight = Sight(alerts=sight.alerts)
    found = list(targets(case))
    if status != 409:
        found += list(shown(_json(response)))
    hidden = sorted({f"{kind} {pk}" for kind, pk in found if not sight.sees(kind, pk)})
    if hidden:
        return f"{status} on {', '.join(hidden)}, which the caller may not see"
    return ""


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:  # a file, or no body
        return None


# Steering generated values towards rows that exist.


def existing_ids() -> dict[str, list[Any]]:
    return {
        "case_id": sorted(Case.objects.values_list("pk", flat=True)),
        "person_id": sorted(Person.objects.values_list("pk", flat=True)),
        "document_id": sorted(Document.objects.values_list("pk", flat=True)),
        "removal_id": sorted(Removal.objects.values_list("pk", flat=True)),
        "disclosure_id": sorted(Disclosure.objects.values_list("pk", flat=True)),
        "recipient_id": sorted(Recipient.objects.values_list("pk", flat=True)),
        "alert_id": sorted(Alert.objects.values_list("pk", flat=True)),
        "user_id": sorted(User.objects.values_list("pk", flat=True)),
        "case_number": sorted(Case.objects.values_list("number", flat=True)),
        "country": ["KP", "CN", "KR", "RU", "MN"],
    }


def _step_body(kind: type[procedure.Step]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for f in case_steps.step_fields(kind):
        if f.kind == "bool":
            fields[f.name] = st.booleans()
        elif f.kind == "choice":
            fields[f.name] = st.sampled_from(f.choices)
        elif f.kind == "countries":
            fields[f.name] = st.lists(st.sampled_from(["KP", "CN", "KR", "XX"]), max_size=3)
        else:
            fields[f.name] = st.sampled_from(["ko", "Reasons given in full.", "", "x" * 300])
    return st.fixed_dictionaries({}, optional=fields)


STEP_BODIES = {name: _step_body(kind) for name, kind in procedure.STEP_NAMES.items()}


def steer(case: Any, data: st.DataObject, ids: dict[str, list[int]]) -> None:
    """Half the time, point the generated ids at rows that exist; take a real step by name."""
    for name in list(case.path_parameters):
        if name in ids and ids[name] and data.draw(st.booleans()):
            case.path_parameters[name] = data.draw(st.sampled_from(ids[name]))
        elif name == "step" and data.draw(st.booleans()):
            step = data.draw(st.sampled_from(sorted(STEP_BODIES)))
            case.path_parameters[name] = step
            case.body = data.draw(STEP_BODIES[step])
    if isinstance(case.body, dict):
        for name in ("person_id", "recipient_id", "alert_id", "user_id", "case_number"):
            if name in case.body and ids[name] and data.draw(st.booleans()):
                case.body[name] = data.draw(st.sampled_from(ids[name]))


def test_every_role_meets_the_schema_without_a_server_error_or_an_unauthorized_success(caplog):
    started = time.monotonic()
    app = get_wsgi_application()  # sets up Django's logging again: quieten it after
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of expected 4xx warnings
    world = seed_world()
    tally = Tally()
    with in_process(tally.exceptions):
        schema = schemathesis.openapi.from_wsgi("/api/schema", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        strategies = {
            op.label: st.one_of(op.as_strategy(generation_mode=mode) for mode in GenerationMode) for op in operations
        }
        examples = math.ceil(AIM / len(PRINCIPALS) / len(operations))
        for principal in PRINCIPALS:
            caller = Caller(principal, world.principals[principal])
            for operation in operations:
                _fuzz(operation, strategies[operation.label], caller, tally, examples)

    total = sum(tally.sent.values())
    per_role = ", ".join(f"{p}={n}" for p, n in tally.sent.items())
    print(
        f"\nschemathesis: {total} requests in {time.monotonic() - started:.0f}s ({per_role}); "
        f"5xx: {tally.count('5xx')}, unauthorized successes: {tally.count('unauthorized')}, "
        f"nonconforming: {tally.count('nonconforming')}; statuses {dict(sorted(tally.statuses.items()))}"
    )
    assert not tally.findings, tally.report()
    assert total >= ENOUGH


class Caller:
    """A principal, their token, and what they could see after their last successful request."""

    def __init__(self, principal: str, user: User | None) -> None:
        self.principal = principal
        self.user = user
        self.headers = {"Authorization": f"Bearer {ApiToken.create_for(user)}"} if user else {}
        self.sight = sight_of(user)


def _fuzz(operation: Any, strategy: st.SearchStrategy[Any], caller: Caller, tally: Tally, examples: int) -> None:
    ids = existing_ids()

    @hypothesis.seed(zlib.crc32(f"{caller.principal} {operation.label}".encode()))
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=strategy, data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        steer(case, data, ids)
        tally.exceptions.clear()
        tally.sent[caller.principal] += 1
        response = case.call(headers=caller.headers)
        status = response.status_code
        tally.statuses[status] += 1
        where = f"{case.method} {case.path}"

        def example() -> str:
            return f"{caller.principal}: {case.as_curl_command(headers=caller.headers)} -> {status}"

        if status >= 500:
            trace = "".join("".join(traceback.format_exception(e)) for e in tally.exceptions)
            tally.add("5xx", f"{where} {status}", f"{example()}\n{trace}")
            return
        if 200 <= status < 300 or status == 409:
            # Only these may have changed what the caller can see (an intake, break-glass).
            before, caller.sight = caller.sight, sight_of(caller.user)
            why = unauthorized(caller, case, response, before | caller.sight)
            if why:
                tally.add("unauthorized", f"{where} {status}", f"{example()}: {why}")
        try:
            case.validate_response(response, checks=CHECKS, headers=caller.headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                tally.add("nonconforming", f"{where}: {failure.title}", f"{example()}\n{failure.message}")

    run()
