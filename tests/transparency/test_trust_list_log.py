"""Trust-list changes enter the log: a document-signer key added or withdrawn is public, once,
and a monitor sees a replayed older list."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from asylon.credentials import keys
from asylon.transparency.audit import ProcedureAudit, audit_entries
from asylon.transparency.models import LogEntry
from asylon.transparency.services import checkpoint_sign, commitment, log_audit, trust_list_log
from tests.credentials.world import NOW, Authority, signer
from tests.transparency.test_export import monitor, run

DAY = NOW.date().isoformat()
PUBLIC = {"v", "kind", "authority", "version", "keys", "day", "commitment"}


def _logged() -> list[dict]:
    return [json.loads(bytes(e.body)) for e in LogEntry.objects.filter(kind="trust_list").order_by("pk")]


@pytest.mark.django_db
def test_a_new_trust_list_is_logged_once_with_its_keys_and_nothing_else():
    authority = Authority()
    first = authority.trust_list(authority.seoul, authority.busan)

    entry_id = trust_list_log(first, at=NOW)
    # Served again an hour later: re-signed, not changed.
    again = trust_list_log(replace(first, issued_at=NOW + timedelta(hours=1)), at=NOW + timedelta(hours=1))

    assert again is None
    assert LogEntry.objects.get(pk=entry_id).kind == "trust_list"
    [body] = _logged()
    assert set(body) == PUBLIC
    assert (body["kind"], body["authority"], body["version"], body["day"]) == ("trust_list", "KR-MOJ", 1, DAY)
    assert body["keys"] == [
        {
            "kid": key.kid.hex(),
            "office": key.office,
            "from": key.signs_from.isoformat(),
            "until": key.signs_until.isoformat(),
        }
        for key in (authority.seoul.trusted, authority.busan.trusted)
    ]
    assert log_audit() == []


@pytest.mark.django_db
def test_its_commitment_opens_with_the_public_keys_and_the_signing_time():
    authority = Authority()
    trust_list_log(authority.trust_list(authority.seoul), at=NOW)

    entry = LogEntry.objects.get(kind="trust_list")
    body = json.loads(bytes(entry.body))
    record = {
        "authority": "KR-MOJ",
        "version": 1,
        "keys": [{**body["keys"][0], "spki": keys.spki(authority.seoul.trusted.public_key).hex()}],
        "issued_at": NOW.isoformat(),
        "at": NOW.isoformat(),
    }
    assert body["commitment"] == commitment(bytes(entry.salt), record)


@pytest.mark.django_db
def test_a_key_added_and_a_key_withdrawn_are_each_an_entry():
    authority = Authority()
    jeju = signer("JEJU", NOW)
    trust_list_log(authority.trust_list(authority.seoul, authority.busan), at=NOW)

    added = trust_list_log(authority.trust_list(authority.seoul, authority.busan, jeju, version=2), at=NOW)
    withdrawn = trust_list_log(authority.trust_list(authority.seoul, jeju, version=3), at=NOW)

    assert None not in (added, withdrawn)
    assert [[k["office"] for k in body["keys"]] for body in _logged()] == [
        ["SEOUL", "BUSAN"],
        ["SEOUL", "BUSAN", "JEJU"],
        ["SEOUL", "JEJU"],
    ]
    audit = ProcedureAudit()
    for entry in LogEntry.objects.order_by("index"):
        audit.entry(entry.index, bytes(entry.body))
    assert audit.findings == []
    assert (audit.counts["trust_list:key_added"], audit.counts["trust_list:key_withdrawn"]) == (3, 1)


@pytest.mark.django_db
def test_the_monitor_reads_trust_lists_from_the_export(tmp_path, django_db_blocker):
    authority = Authority()
    trust_list_log(authority.trust_list(authority.seoul, authority.busan), at=NOW)
    trust_list_log(authority.trust_list(authority.seoul, version=2), at=NOW)
    checkpoint_sign()
    run("log_export", str(tmp_path))

    status, report = monitor(tmp_path, django_db_blocker)

    assert status == 0, report
    assert "trust_list 2" in report
    assert "document-signer keys 2 added, 1 withdrawn." in report


def _list(version: int, *kids: str) -> bytes:
    """A trust_list entry as a monitor reads it, with one SEOUL key per kid."""
    period = {"office": "SEOUL", "from": "2026-01-01T00:00:00+00:00", "until": "2027-03-01T00:00:00+00:00"}
    body = {"v": 1, "kind": "trust_list", "day": DAY, "commitment": "c0" * 32, "authority": "KR-MOJ"}
    body |= {"version": version, "keys": [{"kid": kid, **period} for kid in kids]}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def test_a_monitor_finds_a_replayed_older_trust_list():
    findings = audit_entries([_list(1, "aa"), _list(2, "bb"), _list(1, "aa")])

    assert [(f.index, f.rule) for f in findings] == [(2, "trust")]
    assert "version 1 after version 2" in findings[0].problem


def test_a_monitor_finds_one_version_logged_with_two_key_sets():
    findings = audit_entries([_list(1, "aa"), _list(1, "aa", "bb")])

    assert [(f.index, f.rule) for f in findings] == [(1, "trust")]


def test_the_monitor_s_state_keeps_the_last_trust_list():
    audit = ProcedureAudit()
    audit.entry(0, _list(2, "aa"))

    resumed = ProcedureAudit.from_state(json.loads(json.dumps(audit.state())))
    resumed.entry(1, _list(1, "aa"))

    assert [(f.index, f.rule) for f in resumed.findings] == [(1, "trust")]


def test_a_state_written_before_trust_lists_were_logged_still_loads():
    state = ProcedureAudit().state()
    del state["trust_lists"]

    resumed = ProcedureAudit.from_state(state)
    resumed.entry(0, _list(1, "aa"))

    assert resumed.findings == []
