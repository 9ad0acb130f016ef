"""The canary test (issue 6): personal data never appears in clear outside its sealed columns.

Every name, in every script, and every sealed text of a full demo run and of an extra case
taken through the API is a canary: a random token that occurs nowhere else. Then the pages are
used as an officer uses them, errors included. Afterwards no canary may appear, in any encoding
we know of, in a dump of the database, in the server's log, on an error page or in the
transparency log; and every canary must still be readable through the services, so that the
test cannot pass because nothing was stored.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import include, path, reverse

from asylon.accounts.models import ApiToken
from asylon.cases.models import Alert, Assessment, Decision, Interview
from asylon.config import urls as site
from asylon.dataprotection.runtime import sealed
from asylon.demo import scenario as demo_scenario
from asylon.people.models import Name, Person
from asylon.transparency.models import Checkpoint, LogEntry
from asylon.transparency.services import log_audit
from tests.api.support import intake, post

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


# ----------------------------------------------------------------------------------------------
# Canaries


@dataclass
class Canaries:
    """Unique random tokens in the three scripts of the caseload; each one made is remembered."""

    made: list[str] = field(default_factory=list)

    def _keep(self, text: str) -> str:
        self.made.append(text)
        return text

    def latin(self) -> str:
        # Mixed case, so that the upper- and lower-case folds differ from the canary itself.
        return self._keep(f"Canary{secrets.token_hex(6)}")

    def hangul(self, syllables: int = 3) -> str:
        return self._keep("".join(chr(0xAC00 + secrets.randbelow(11172)) for _ in range(syllables)))

    def han(self, characters: int = 3) -> str:
        return self._keep("".join(chr(0x4E00 + secrets.randbelow(0x9FA5 - 0x4E00)) for _ in range(characters)))

    def narrative(self) -> str:
        """A text an officer writes, in Latin and Korean script."""
        return f"{self.latin()} — {self.hangul(4)}."

    def name(self, script: str) -> tuple[str, str, str]:
        """Text, family name and given name of a name written in this script."""
        if script == "Hang":
            family, given = self.hangul(), self.hangul()
            return family + given, family, given
        if script == "Hani":
            family, given = self.han(), self.han()
            return family + given, family, given
        family, given = self.latin(), self.latin()
        return f"{family} {given}", family, given


def _base64_cores(raw: bytes) -> Iterator[bytes]:
    """The part of the base64 text of `raw` that does not depend on what comes before or after
    it, for each of the three alignments it can have in a longer encoded string."""
    for skip in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * skip + raw)
            core = encoded[4 if skip else 0 : -4]
            if len(core) >= 8:
                yield core


def encodings(canary: str) -> set[bytes]:
    """Every form in which the canary could be written down: its case and Unicode folds, and
    those as UTF-8, JSON escapes, percent-encoding, hex (SQLite and PostgreSQL blobs) and base64
    (signed cookies and sessions)."""
    texts = {canary, canary.lower(), canary.upper(), canary.casefold()}
    texts |= {unicodedata.normalize(form, text) for text in set(texts) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    found: set[bytes] = set()
    for text in texts:
        raw = text.encode()
        found |= {raw, json.dumps(text)[1:-1].encode(), raw.hex().encode(), raw.hex().upper().encode()}
        found |= {quote(text).encode(), quote_plus(text).encode(), quote(text).lower().encode()}
        found |= set(_base64_cores(raw))
    return found


def leaks(canaries: Iterable[str], where: bytes | str) -> list[str]:
    """The canaries found in `where`, in any of their encodings."""
    haystack = where.encode() if isinstance(where, str) else where
    return [canary for canary in canaries if any(form in haystack for form in encodings(canary))]


# ----------------------------------------------------------------------------------------------
# Where personal data could end up


def database_dump() -> bytes:
    """The whole database, twice over: the engine's own dump, and every column of every row."""
    parts: list[bytes] = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            parts += (line.encode() for line in connection.connection.iterdump())
        elif connection.vendor == "postgresql":
            for table in tables:
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
                    parts += (bytes(chunk) for chunk in copy)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value))
                    else:
                        parts.append(str(value).encode())
    return b"\n".join(parts)


def sessions_decoded() -> str:
    """What the sessions hold once their signature and compression are undone."""
    return "\n".join(
        json.dumps(SessionStore().decode(s.session_data), ensure_ascii=False) for s in Session.objects.all()
    )


def sealed_attributes(model: type) -> list[str]:
    return [name for name, value in vars(model).items() if isinstance(value, sealed)]


@pytest.fixture
def server_log():
    """What the configured console handler writes: the server's log, filters and format as deployed."""
    console = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    written = io.StringIO()
    # Swapped without setStream, which flushes the old stream: an earlier test's captured
    # stderr, which the handler may still hold, is closed by now.
    with console.lock:
        previous, console.stream = console.stream, written
    yield written
    with console.lock:
        console.stream = previous


# ----------------------------------------------------------------------------------------------
# A failing view, beside the site's own addresses


def _failing_view(request, case_id: int):
    # Paths hold ids and tokens only; what fails may still quote what the request carried.
    raise RuntimeError(f"could not handle case {case_id}: {request.POST.get('narrative', '')}")


urlpatterns = [
    path("failing/<int:case_id>/", _failing_view),
    path("", include(site)),
]
handler400, handler403, handler404, handler500 = site.handler400, site.handler403, site.handler404, site.handler500


# ----------------------------------------------------------------------------------------------
# The run


def canaried(scenario: demo_scenario.Scenario, canaries: Canaries) -> demo_scenario.Scenario:
    """The demo scenario with every name, every alert's words, and any sealed detail a canary."""

    def name(variant: demo_scenario.NameVariant) -> demo_scenario.NameVariant:
        text, family, given = canaries.name(variant.script)
        return replace(variant, text=text, family_name=family, given_name=given)

    sealed_person = sealed_attributes(Person)
    persons = tuple(
        replace(
            person,
            names=tuple(name(v) for v in person.names),
            **{"province": canaries.latin()} if "province" in sealed_person else {},
        )
        for person in scenario.persons
    )
    alerts = tuple(replace(a, names_given=canaries.name("Hang")[0], risk=canaries.narrative()) for a in scenario.alerts)
    return replace(scenario, persons=persons, alerts=alerts)


def api_case(staff, canaries: Canaries) -> tuple[int, dict[str, str]]:
    """A family case taken from intake to a final appeal decision through the API, every text a canary."""

    def client(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {ApiToken.create_for(user)}"})

    registrar, eligibility, reviewer, appeal = map(
        client, (staff.registrar, staff.eligibility, staff.reviewer, staff.appeal)
    )
    body = intake()
    for person in body["people"]:
        person["names"] = [
            dict(zip(("text", "family_name", "given_name"), canaries.name(script), strict=True), script=script)
            for script in ("Hang", "Hani", "Latn")
        ]
        person["names"][0]["is_primary"] = True
        for detail in ("province", "contact"):
            if detail in sealed_attributes(Person):
                person[detail] = canaries.narrative()
    response = post(registrar, "/api/intakes", body)
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]

    texts = {
        "principal_family_name": body["people"][0]["names"][0]["family_name"],  # in Hangul
        "screen": canaries.narrative(),
        "notes": canaries.narrative(),
        "comments": canaries.narrative(),
        "reasons": canaries.narrative(),
        "appeal_reasons": canaries.narrative(),
    }
    assessment = {
        name: canaries.narrative()
        for name in ("material_facts", "credibility", "inclusion", "exclusion", "complementary_protection")
    }
    texts |= assessment
    steps = [
        (registrar, "register", {}),
        (registrar, "screen", {"mode": "prioritized", "reason": texts["screen"]}),
        (eligibility, "schedule_interview", {"language": "ko", "place": "Room 2"}),
        (
            eligibility,
            "hold_interview",
            {
                "rights_informed": True,
                "read_back_confirmed": True,
                "started_at": "2026-01-05T10:00:00+09:00",
                "ended_at": "2026-01-05T11:30:00+09:00",
                "notes": texts["notes"],
            },
        ),
        (eligibility, "draft_assessment", {**assessment, "proposed_outcome": "rejected"}),
        (reviewer, "return_assessment", {"comments": texts["comments"]}),
        (eligibility, "draft_assessment", {**assessment, "proposed_outcome": "rejected"}),
        (reviewer, "approve_assessment", {}),
        (reviewer, "decide", {"outcome": "rejected", "reasons": texts["reasons"], "countries_assessed": ["KP"]}),
        (registrar, "notify", {"language": "ko"}),
        (registrar, "lodge_appeal", {}),
        (
            appeal,
            "decide_appeal",
            {"outcome": "refugee_status", "reasons": texts["appeal_reasons"], "countries_assessed": ["KP"]},
        ),
        (appeal, "notify_appeal", {"language": "ko"}),
    ]
    for who, step, fields in steps:
        response = post(who, f"/api/cases/{case_id}/steps/{step}", fields)
        assert response.status_code == 200, (step, response.content)

    alert = {"organisation": "Border Watch", "names_given": canaries.name("Latn")[0], "risk": canaries.narrative()}
    response = post(client(staff.ngo), "/api/alerts", alert)
    assert response.status_code == 201, response.content
    texts |= {"names_given": alert["names_given"], "risk": alert["risk"]}
    return case_id, texts


def test_no_canary_is_in_clear_in_the_database_the_log_the_error_pages_or_the_transparency_log(
    staff, sign_in, settings, monkeypatch, caplog, server_log
):
    settings.DEBUG = False
    caplog.set_level(logging.DEBUG)
    for name in ("django", "waitress", "asylon"):
        caplog.set_level(logging.DEBUG, logger=name)
    canaries = Canaries()

    # A full demo run (migrate, load, sign a checkpoint, print the accounts), every person a canary.
    generate = demo_scenario.generate
    monkeypatch.setattr(demo_scenario, "generate", lambda **kw: canaried(generate(**kw), canaries))
    demo_output = io.StringIO()
    call_command("demo", "--persons", "12", "--no-serve", stdout=demo_output, stderr=demo_output)
    demo_names = list(canaries.made)
    case_id, texts = api_case(staff, canaries)
    # A control in a column that is not sealed: the dump must find it, or it proves nothing.
    control = f"Control{secrets.token_hex(6)}"
    Interview.objects.filter(case_id=case_id).update(place=control)

    # The officer's pages, used as an officer would, mistakes and all.
    browser = sign_in(Client(raise_request_exception=False), staff.registrar)
    hangul_name = texts["principal_family_name"]
    error_pages: list[bytes] = []

    assert browser.get(reverse("front:cases")).status_code == 200
    found = browser.post(reverse("front:cases"), {"q": hangul_name}, follow=True)
    assert case_id in [row.case.pk for row in found.context["rows"]]
    nothing = browser.post(reverse("front:cases"), {"q": canaries.latin(), "state": "final"}, follow=True)
    assert nothing.context["rows"] == []
    assert browser.get(reverse("front:case", args=[case_id])).status_code == 200
    typo = browser.post(reverse("front:step", args=[case_id, "screen"]), {"reason": canaries.narrative()})
    assert typo.status_code == 422
    for response in (
        browser.get(f"/cases/999999/?q={quote(canaries.latin())}"),
        browser.post(f"/failing/{case_id}/?q={quote(canaries.hangul())}", {"narrative": canaries.narrative()}),
        browser.get("/api/cases", {"q": canaries.name("Hang")[0]}),
        post(browser, "/api/intakes", intake(people=[{**intake()["people"][0], "province": canaries.latin() * 9}])),
    ):
        assert response.status_code in (404, 410, 422, 500), response.status_code
        error_pages.append(response.content)
    searched = post(browser, "/api/cases/search", {"q": canaries.name("Latn")[0]})
    assert searched.status_code == 200
    # What waitress and the development server write, as they write it.
    try:
        raise RuntimeError(canaries.narrative())
    except RuntimeError:
        logging.getLogger("waitress").exception("Exception while serving /cases/1/?q=%s", canaries.latin())
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /?q={canaries.hangul()} HTTP/1.1", "200", "512")
    logging.getLogger("asylon.canary").warning("control %s", control)

    # The canaries are there, readable through the services: the test is not vacuous.
    readable = [text for n in Name.objects.all() for text in (n.text, n.family_name, n.given_name)]
    readable += [text for a in Alert.objects.all() for text in (a.names_given, a.risk)]
    readable += [getattr(p, detail) for p in Person.objects.all() for detail in sealed_attributes(Person)]
    assert [c for c in demo_names if c not in "\n".join(readable)] == []
    api_view = Client(headers={"Authorization": f"Bearer {ApiToken.create_for(staff.eligibility)}"})
    people = api_view.get(f"/api/cases/{case_id}").json()["people"]
    assert hangul_name in [n["family_name"] for p in people for n in p["names"]]
    assert Interview.objects.get(case_id=case_id).notes == texts["notes"]
    assert Assessment.objects.filter(case_id=case_id, review="returned").get().review_comments == texts["comments"]
    assert Assessment.objects.filter(case_id=case_id).first().material_facts == texts["material_facts"]
    assert {d.reasons for d in Decision.objects.filter(case_id=case_id)} == {texts["reasons"], texts["appeal_reasons"]}
    timeline = api_view.get(f"/api/cases/{case_id}/timeline").json()
    assert texts["screen"] in [e["reason"] for e in timeline]
    assert Alert.objects.filter(case=None).last().names_given == texts["names_given"]
    assert log_audit() == []

    # (a) The database, and the sessions once decoded.
    dump = database_dump()
    assert control.encode() in dump
    assert leaks(canaries.made, dump) == []
    assert leaks(canaries.made, sessions_decoded()) == []

    # (b) The log: every record as a test sees it, and the server's log as it is written.
    records = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    assert control in server_log.getvalue()
    assert f"POST /cases/{case_id}/steps/screen/ 422" in server_log.getvalue()
    assert "RuntimeError (message withheld)" in server_log.getvalue()
    for log in (caplog.text, records, server_log.getvalue(), demo_output.getvalue()):
        assert leaks(canaries.made, log) == []

    # (c) The error pages and problem documents.
    for page in error_pages:
        assert leaks(canaries.made, page) == []

    # (d) The transparency log, and what its commands print.
    entries = b"\n".join(bytes(e.body) for e in LogEntry.objects.all())
    notes = "\n".join(c.note for c in Checkpoint.objects.all())
    assert entries
    assert notes
    printed = io.StringIO()
    call_command("checkpoint", stdout=printed)
    call_command("audit_log", stdout=printed)
    for public in (entries, notes, printed.getvalue()):
        assert leaks(canaries.made, public) == []


def test_the_leak_finder_sees_a_canary_in_each_encoding_it_claims():
    canaries = Canaries()
    latin, hangul, han = canaries.latin(), canaries.hangul(), canaries.han()
    for where in (
        f"INSERT INTO x VALUES('{latin.upper()}')",
        json.dumps({"name": hangul}),
        f"GET /?q={quote_plus(han)}",
        "X'" + hangul.encode().hex().upper() + "'",
        base64.urlsafe_b64encode(b'{"q":"' + unicodedata.normalize("NFD", hangul).encode() + b'"}').decode(),
        unicodedata.normalize("NFKC", latin).lower(),
    ):
        assert leaks(canaries.made, where), where
    assert leaks(canaries.made, "Canary000000000000 리순희 李顺姬") == []
