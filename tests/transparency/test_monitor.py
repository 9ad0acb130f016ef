"""The monitor's verifier, on exports and entry lists built by hand: no Django, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from asylon.transparency.audit import ProcedureAudit, audit_entries
from asylon.transparency.merkle import TILE_HEIGHT, MerkleTree, tile_width
from asylon.transparency.monitor import (
    bundle_decode,
    bundle_encode,
    index_path,
    main,
    tile_path,
    verify,
    write_file,
)
from asylon.transparency.note import Checkpoint, Cosigner, NoteSigner, sign_note

ORIGIN = "asylon.example/log"
DAY = "2026-03-02"


def canonical(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry(kind: str, day: str = DAY, **public) -> bytes:
    return canonical({"v": 1, "kind": kind, "day": day, "commitment": "c0" * 32, **public})


def event(kind: str, case: str, before: str, after: str, actor: str | None = "officer-a", **data) -> bytes:
    return entry("event", type=kind, case=case, actor=actor, **{"from": before, "to": after}, **data)


def document(person: str, cases: list[str], action: str = "issued", until: str = "2026-08-30", **extra) -> bytes:
    fields = {"type": "temporary_certificate", "valid_from": "2026-03-01", "valid_until": until}
    return entry("document", action=action, person=person, cases=cases, actor="doc", **{**fields, **extra})


def removal(case: str, state: str, destination: str = "KP", person: str = "person-1", day: str = DAY) -> bytes:
    return event("removal_carried_out", case, state, state, "remover", destination=destination, person=person, day=day)


def walk(case: str, outcome: str = "rejected", to: str = "final", *, appeal_officer: str = "appeal-a") -> list[bytes]:
    """A case's entries from intake to `to`, each step by the officer the procedure wants."""
    steps = [
        event("intake_opened", case, "", "intake", "registrar", channel="detained"),
        event("register", case, "intake", "registered", "registrar"),
        event("screen", case, "registered", "screened", "registrar", mode="prioritized"),
        event("schedule_interview", case, "screened", "interview_scheduled", "interviewer"),
        event("hold_interview", case, "interview_scheduled", "interviewed", "interviewer"),
        event("draft_assessment", case, "interviewed", "assessment_drafted", "interviewer", proposed_outcome=outcome),
        event("approve_assessment", case, "assessment_drafted", "assessment_reviewed", "reviewer"),
        event(
            "decide",
            case,
            "assessment_reviewed",
            "decided",
            "reviewer",
            outcome=outcome,
            countries_assessed=["CN", "KP"],
        ),
    ]
    if outcome == "refugee_status":
        steps.append(event("notify", case, "decided", "final", "registrar"))
    else:
        steps.append(event("notify", case, "decided", "appeal_window", "registrar"))
        if to == "final":
            steps.append(event("finalize", case, "appeal_window", "final", "registrar"))
        elif to in ("appeal_lodged", "appeal_decided"):
            steps.append(event("lodge_appeal", case, "appeal_window", "appeal_lodged", "registrar"))
            if to == "appeal_decided":
                steps.append(
                    event(
                        "decide_appeal",
                        case,
                        "appeal_lodged",
                        "appeal_decided",
                        appeal_officer,
                        outcome=outcome,
                        countries_assessed=["KP"],
                    )
                )
    states = [json.loads(s)["to"] for s in steps]
    return steps[: states.index(to) + 1] if to in states else steps


def rules(entries: list[bytes], **options) -> list[tuple[int | None, str]]:
    return [(f.index, f.rule) for f in audit_entries(entries, **options)]


# The procedure, rule by rule


def test_a_removal_after_a_final_rejection_to_a_country_off_the_register_is_clean():
    log = [*walk("case-1"), document("person-1", ["case-1"]), removal("case-1", "final")]
    assert rules(log) == []


def test_a_removal_on_a_pending_case_breaks_rule_a():
    log = [*walk("case-1", to="screened"), document("person-1", ["case-1"]), removal("case-1", "screened")]
    findings = audit_entries(log)
    assert [(f.index, f.rule) for f in findings] == [(len(log) - 1, "a")]
    assert "case_pending" in findings[0].problem
    assert "no_final_decision" in findings[0].problem


def test_a_removal_while_the_appeal_window_is_open_breaks_rule_a():
    log = [*walk("case-1", to="appeal_window"), document("person-1", ["case-1"]), removal("case-1", "appeal_window")]
    findings = audit_entries(log)
    assert [(f.rule, "appeal_window_open" in f.problem) for f in findings] == [("a", True)]


def test_a_removal_after_recognition_breaks_rule_a():
    log = [*walk("case-1", "refugee_status"), document("person-1", ["case-1"]), removal("case-1", "final")]
    findings = audit_entries(log)
    assert [f.rule for f in findings] == ["a"]
    assert "protection_granted" in findings[0].problem


def test_a_removal_to_a_country_the_rejection_never_assessed_breaks_rule_a():
    log = [*walk("case-1"), document("person-1", ["case-1"]), removal("case-1", "final", destination="MN")]
    findings = audit_entries(log)
    assert [f.rule for f in findings] == ["a"]
    assert "destination_not_assessed" in findings[0].problem


def test_a_rejection_on_another_case_of_the_same_person_counts():
    # The person's first claim was rejected; a second one was withdrawn: the guard allows it.
    withdrawn = [*walk("case-2", to="registered"), event("withdraw", "case-2", "registered", "withdrawn")]
    log = walk("case-1") + withdrawn + [document("person-1", ["case-1", "case-2"])]
    log += [removal("case-1", "final"), removal("case-2", "withdrawn")]
    assert rules(log) == []


def test_a_removal_on_a_case_the_log_never_opened_breaks_rule_a():
    assert rules([removal("case-9", "final")]) == [(0, "a")]


def test_a_removal_to_a_listed_country_breaks_rule_b_until_it_is_delisted():
    listed = entry("register", action="listed", country="KP", actor="admin")
    delisted = entry("register", action="delisted", country="KP", actor="admin")
    log = [*walk("case-1"), document("person-1", ["case-1"]), listed, removal("case-1", "final")]
    assert rules(log) == [(len(log) - 1, "b")]
    assert rules([*log[:-1], delisted, removal("case-1", "final")]) == []


def _decision(status: str, kind: str = "authority", country: str = "KP", **extra) -> bytes:
    fields = {"recipient_kind": kind, "recipient_country": country, "forwards_to": [], "origins": ["KP"]}
    return entry("disclosure_decision", status=status, disclosure="disc-1", refusals=[], actor="dpo", **fields | extra)


def _sent(country: str = "KR") -> bytes:
    return entry(
        "disclosure", type="disclosure_exported", disclosure="disc-1", recipient_kind="ngo", recipient_country=country
    )


def test_a_disclosure_approved_to_a_country_of_origin_authority_breaks_rule_c():
    findings = audit_entries([_decision("pending"), _decision("approved"), _sent("KP")])
    assert [(f.index, f.rule) for f in findings] == [(1, "c"), (2, "c")]
    assert "recipient_is_country_of_origin_authority" in findings[0].problem


def test_a_disclosure_to_a_recipient_that_forwards_to_the_country_of_origin_breaks_rule_c():
    approved = _decision("approved", kind="authority", country="CN", forwards_to=["KP"])
    assert rules([approved]) == [(0, "c")]


def test_a_disclosure_sent_without_an_approval_breaks_rule_c():
    assert rules([_decision("pending", kind="ngo", country="KR"), _sent()]) == [(1, "c")]
    assert rules([_decision("refused"), _sent()]) == [(1, "c")]


def test_an_approved_disclosure_to_a_safe_recipient_is_clean():
    assert rules([_decision("approved", kind="resettlement_state", country="KR"), _sent()]) == []


def test_an_appeal_decided_by_the_first_instance_decision_maker_breaks_rule_d():
    log = [*walk("case-1", to="appeal_decided", appeal_officer="reviewer"), document("person-1", ["case-1"])]
    findings = audit_entries(log)
    assert [f.rule for f in findings] == ["d"]
    assert "appeal_officer_is_first_instance_decision_maker" in findings[0].problem


def test_an_appeal_decided_by_the_interviewer_breaks_rule_d():
    log = [*walk("case-1", to="appeal_decided", appeal_officer="interviewer"), document("person-1", ["case-1"])]
    assert [f.rule for f in audit_entries(log)] == ["d"]


def test_an_appeal_decided_by_another_officer_is_clean():
    assert rules([*walk("case-1", to="appeal_decided"), document("person-1", ["case-1"])]) == []


def test_an_applicant_with_no_document_breaks_rule_e():
    log = walk("case-1", to="screened")
    assert rules(log) == [(len(log) - 1, "e")]


def test_a_document_that_expired_or_was_revoked_breaks_rule_e():
    log = walk("case-1", to="screened")
    assert rules([*log, document("person-1", ["case-1"], until="2026-03-01")]) == [(len(log) - 1, "e")]
    revoked = [document("person-1", ["case-1"]), document("person-1", ["case-1"], action="revoked")]
    assert rules(log + revoked) == [(len(log) - 1, "e")]


def test_rule_e_counts_a_dependant_s_document_and_checks_the_day_asked_for():
    log = [*walk("case-1", to="appeal_window"), document("person-2", ["case-1"])]
    assert rules(log) == []
    assert rules(log, as_of=date(2026, 9, 1)) == [(len(log) - 2, "e")]


def test_rule_e_does_not_ask_a_document_before_registration_or_after_the_end():
    assert rules(walk("case-1", to="intake") + walk("case-2")) == []


def test_an_event_that_does_not_start_where_the_case_stood_breaks_the_order():
    log = [*walk("case-1", to="screened"), document("person-1", ["case-1"])]
    log.append(event("hold_interview", "case-1", "interview_scheduled", "interviewed", "interviewer"))
    assert rules(log) == [(len(log) - 1, "order")]


def test_a_file_closed_before_its_appeal_decision_was_notified_breaks_the_step_rule():
    # The core has no such step; a removal on the closed file would rest on a decision never final.
    log = [*walk("case-1", to="appeal_decided"), document("person-1", ["case-1"])]
    log.append(event("close", "case-1", "appeal_decided", "closed", "officer-b", reason_given=True))
    log.append(removal("case-1", "closed"))
    assert rules(log) == [(len(log) - 2, "step")]


def test_a_malformed_entry_is_named_and_the_rest_still_read():
    log = [b"not json", entry("event", type="decide"), b'{"kind":["event"],"day":1}', *walk("case-1")]
    assert rules(log) == [(0, "format"), (1, "format"), (2, "format")]


def test_the_audit_state_survives_json_and_goes_on_where_it_stopped():
    log = [*walk("case-1", to="screened"), document("person-1", ["case-1"])]
    audit = ProcedureAudit()
    for i, body in enumerate(log):
        audit.entry(i, body)
    again = ProcedureAudit.from_state(json.loads(json.dumps(audit.state())))
    again.entry(len(log), removal("case-1", "screened"))
    assert [(f.index, f.rule) for f in again.findings] == [(len(log), "a")]
    assert again.counts["event"] == audit.counts["event"] + 1


# The layout


def test_tile_paths_follow_tlog_tiles():
    assert index_path(0) == "000"
    assert index_path(1234067) == "x001/x234/067"
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path("entries", 1, 5) == "tile/entries/001.p/5"
    assert [tile_width(300, t) for t in range(3)] == [256, 44, 0]


def test_an_entry_bundle_round_trips_and_a_cut_one_is_refused():
    bodies = [b"", b"a", b"x" * 300]
    data = bundle_encode(bodies)
    assert bundle_decode(data) == bodies
    with pytest.raises(ValueError, match="runs past the end"):
        bundle_decode(data[:-1])


# Exports built by hand


class Log:
    """An export written as asylon log-export writes one, from entries in memory."""

    def __init__(self, directory: Path, signer: NoteSigner | None = None) -> None:
        self.directory = directory
        self.signer = signer or NoteSigner.generate(ORIGIN)
        self.tree = MerkleTree()
        self.bodies: list[bytes] = []

    def append(self, *bodies: bytes) -> Log:
        self.bodies += bodies
        self.tree.append_many(bodies)
        return self

    def checkpoint(self, *cosigners: Cosigner) -> str:
        n = self.tree.size
        note = sign_note(Checkpoint(ORIGIN, n, self.tree.root()).text(), self.signer)
        note = note.with_signatures(*(c.cosign(note.text, 1_770_000_000) for c in cosigners))
        write_file(self.directory / "checkpoints" / str(n), str(note).encode())
        write_file(self.directory / "checkpoint", str(note).encode())
        return str(note)

    def write(self, *cosigners: Cosigner) -> Log:
        n = self.tree.size
        self.checkpoint(*cosigners)
        write_file(self.directory / "log.vkey", f"{self.signer.verifier_key}\n".encode())
        for t in range(-(-n // 256)):
            width = tile_width(n, t)
            path = tile_path("entries", t, width)
            write_file(self.directory / path, bundle_encode(self.bodies[t * 256 : t * 256 + width]))
        k = 0
        while n >> (TILE_HEIGHT * k):
            count = n >> (TILE_HEIGHT * k)
            for t in range(-(-count // 256)):
                width = tile_width(count, t)
                write_file(self.directory / tile_path(k, t, width), self.tree.tile(k, t, width))
            k += 1
        return self

    def path(self, name: str) -> Path:
        return self.directory / name

    def patch(self, name: str, offset: int, data: bytes) -> None:
        path = self.path(name)
        content = bytearray(path.read_bytes())
        content[offset : offset + len(data)] = data
        path.write_bytes(bytes(content))


def _world() -> list[bytes]:
    log = walk("case-1") + walk("case-2", to="screened") + walk("case-3", to="appeal_decided")
    log += [document("person-1", ["case-1"]), document("person-2", ["case-2"]), document("person-3", ["case-3"])]
    return [*log, removal("case-1", "final")]


def _filler(n: int) -> list[bytes]:
    return [entry("heartbeat", n=i) for i in range(n)]


@pytest.fixture
def log(tmp_path) -> Log:
    return Log(tmp_path / "export")


def test_a_clean_export_verifies_and_reports_what_it_holds(log):
    log.append(*_world()).checkpoint()
    log.append(*_filler(300)).write()
    report, state = verify(log.directory, log_key=log.signer.verifier_key)
    assert report.findings == []
    assert state is not None and state["size"] == log.tree.size
    text = report.text()
    assert "Checkpoints: 2 verified" in text
    assert "removals 1 carried out" in text
    assert text.endswith("keeps every rule checked.\n")


def test_a_procedure_finding_is_reported_with_its_index_and_rule(log):
    log.append(*_world(), removal("case-2", "screened", person="person-2")).write()
    report, _ = verify(log.directory, log_key=log.signer.verifier_key)
    assert [(f.index, f.rule) for f in report.findings] == [(log.tree.size - 1, "a")]
    assert f"FINDING entry {log.tree.size - 1}, rule (a)" in report.text()


def test_an_entry_altered_in_its_bundle_is_named(log):
    log.append(*_filler(600)).write()
    bundle = log.path(tile_path("entries", 1)).read_bytes()
    log.patch(tile_path("entries", 1), bundle.index(entry("heartbeat", n=300)), entry("heartbeat", n=301))
    report, state = verify(log.directory, log_key=log.signer.verifier_key)
    assert report.first_bad_index == 300
    assert {(f.index, f.rule) for f in report.findings} == {(300, "tree"), (599, "tree")}
    assert state is None


def test_a_hash_altered_in_a_tile_is_named_by_its_first_entry(log):
    log.append(*_filler(256 * 256 + 10)).write()
    log.patch(tile_path(0, 3), 32 * 7, b"\xff" * 32)
    log.patch(tile_path(1, 0), 32 * 100, b"\xff" * 32)
    report, _ = verify(log.directory, log_key=log.signer.verifier_key)
    tree = sorted(f.index for f in report.findings if f.rule == "tree")
    assert tree == [3 * 256 + 7, 100 * 256]
    assert report.first_bad_index == 3 * 256 + 7


def test_a_missing_or_cut_bundle_stops_the_check_and_names_the_tile(log):
    log.append(*_filler(300)).write()
    log.path(tile_path("entries", 1, 44)).unlink()
    report, _ = verify(log.directory, log_key=log.signer.verifier_key)
    assert [(f.index, f.rule) for f in report.findings] == [(256, "tree")]
    assert "tile/entries/001.p/44 is missing" in report.findings[0].problem


def test_a_checkpoint_signed_by_another_key_is_refused(log):
    log.append(*_filler(3)).write()
    report, _ = verify(log.directory, log_key=NoteSigner.generate(ORIGIN).verifier_key)
    assert [f.rule for f in report.findings] == ["signature"]


def test_without_a_key_the_export_s_own_is_trusted_on_first_use_and_said_so(log):
    log.append(*_filler(3)).write()
    report, _ = verify(log.directory)
    assert report.findings == []
    assert "trusted on first use" in report.text()


def test_two_roots_for_one_size_are_a_fork(log):
    log.append(*_filler(5)).write()
    fork = Log(log.directory / "fork", log.signer).append(*_filler(4), entry("heartbeat", n=99))
    write_file(log.path("checkpoints/5.2"), fork.checkpoint().encode())
    report, _ = verify(log.directory, log_key=log.signer.verifier_key)
    assert "consistency" in {f.rule for f in report.findings}
    assert any("forked" in f.problem for f in report.findings)


def test_a_quorum_of_witnesses_must_cosign_the_latest_checkpoint(log):
    unhcr, rapporteur = Cosigner.generate("unhcr.example/witness"), Cosigner.generate("ohchr.example/witness")
    witnesses = [unhcr.verifier_key, rapporteur.verifier_key]
    log.append(*_filler(3)).write(unhcr)
    short, _ = verify(log.directory, log_key=log.signer.verifier_key, witnesses=witnesses, quorum=2)
    assert [f.rule for f in short.findings] == ["cosignature"]
    log.checkpoint(unhcr, rapporteur)
    full, _ = verify(log.directory, log_key=log.signer.verifier_key, witnesses=witnesses, quorum=2)
    assert full.findings == []
    assert full.cosigners == 2


def test_a_second_run_catches_up_from_its_state(log):
    log.append(*_world(), *_filler(290)).write()
    first, state = verify(log.directory, log_key=log.signer.verifier_key)
    assert first.findings == [] and state is not None
    log.append(*_filler(700), removal("case-2", "screened", person="person-2")).write()
    second, state = verify(log.directory, state=json.loads(json.dumps(state)))
    assert second.started_at == first.size
    assert [(f.index, f.rule) for f in second.findings] == [(log.tree.size - 1, "a")]
    assert state is not None and state["size"] == log.tree.size
    third, _ = verify(log.directory, state=state)
    assert third.findings == [] and third.earlier_findings == 1


def test_a_log_rewritten_after_a_run_does_not_extend_what_it_verified(log):
    log.append(*_filler(300)).write()
    _, state = verify(log.directory, log_key=log.signer.verifier_key)
    rewritten = Log(log.directory, log.signer).append(*_filler(10), entry("heartbeat", n="changed"), *_filler(389))
    rewritten.write()
    report, new_state = verify(log.directory, state=state)
    assert {f.rule for f in report.findings} >= {"consistency", "tree"}
    assert new_state is None


def test_the_command_line_exits_non_zero_on_a_finding_and_keeps_its_state(log, tmp_path, capsys):
    log.append(*_world()).write()
    state = tmp_path / "state.json"
    key = str(log.signer.verifier_key)
    assert main([str(log.directory), "--log-key", key, "--state", str(state)]) == 0
    log.append(removal("case-2", "screened", person="person-2")).write()
    assert main([str(log.directory), "--state", str(state)]) == 1
    assert "rule (a)" in capsys.readouterr().out
    assert json.loads(state.read_text())["size"] == log.tree.size


def test_the_monitor_runs_without_django(log):
    log.append(*_world()).write()
    script = (
        "import sys\n"
        "from asylon.transparency import monitor\n"
        f"status = monitor.main([{str(log.directory)!r}])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={}, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Clean" in done.stdout
