"""The procedure audited from the public log alone, as a monitor replays it.

A monitor sees no names, no case numbers and no database: only the entries' public bodies
(asylon.transparency.services describes them). Replaying them in log order, it follows each
case pseudonym through its stages, the register of countries no one is returned to, each
person's documents and each disclosure, and checks what DESIGN.md's safeguards promise:

- (a) a removal is carried out only after a final negative decision, with no case of the person
  pending or in its appeal window (Refugee Convention Art. 33; EXCOM Conclusion No. 8 (XXVIII) (e));
- (b) never to a country on the no-return register at that time (COI on the DPRK, A/HRC/25/63,
  recommendation 1221(a));
- (c) no disclosure approved or sent to the authorities of a country the person fled (UNHCR
  Data Protection Policy 2015 §6; A/HRC/25/CRP.1 para. 1197);
- (d) the appeal is decided by another officer than the one who decided, heard or drafted the
  claim at first instance (PS §7.2);
- (e) from registration to the end of the appeal window every applicant holds a valid document
  (Refugee Convention Art. 27; EXCOM Conclusion No. 91 (2001)).

The removal and disclosure checks ask the same guards the application asks
(asylon.procedure.removal, asylon.procedure.disclosure), fed from the log. Nothing here
imports Django, so a monitor runs it on an export with no Asylon server.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from asylon.procedure.case import DOCUMENTED, STEP_NAMES, Case, Outcome, State
from asylon.procedure.disclosure import Recipient, RecipientKind, origin_refusals
from asylon.procedure.refusals import Code
from asylon.procedure.removal import REMOVERS, CountrySafety, Person, removal_refusals
from asylon.procedure.roles import Actor

RULES = {
    "a": "a removal only after a final negative decision, with no appeal window open",
    "b": "no removal to a country on the no-return register",
    "c": "no disclosure to the authorities of a country the person fled",
    "d": "the appeal decided by another officer than the first instance's",
    "e": "every applicant holds a valid document",
    "order": "each case event starts at the stage where the case's previous event left it",
    "step": "each step of the procedure is taken at a stage where the procedure allows it",
    "format": "every entry is a well-formed public body",
    "trust": "each trust list logged is newer than the one before it",
    # The log's own, checked by asylon.transparency.monitor.
    "signature": "every checkpoint is signed by the log's key",
    "cosignature": "the latest checkpoint is cosigned by a quorum of the given witnesses",
    "consistency": "each checkpoint extends the one before it",
    "tree": "the entries, the hash tiles and the signed roots describe one tree",
}
LOG_RULES = frozenset({"signature", "cosignature", "consistency", "tree"})

# The removal guard's codes, by the rule of the audit that checks them.
_RULE_A = frozenset(
    {
        Code.APPEAL_WINDOW_OPEN,
        Code.CASE_PENDING,
        Code.PROTECTION_GRANTED,
        Code.NO_FINAL_DECISION,
        Code.DESTINATION_NOT_ASSESSED,
    }
)
_RULE_B = frozenset({Code.DESTINATION_ON_NO_RETURN_REGISTER})
_decode = json.JSONDecoder().raw_decode
# Whoever carried the removal out, the guard's answer on the case stays the same.
_REMOVER = Actor(id=0, roles=REMOVERS)


@dataclass(frozen=True)
class Finding:
    """What the log shows against a rule; `index` is the entry that shows it."""

    index: int | None
    rule: str
    problem: str

    def line(self) -> str:
        where = f"entry {self.index}" if self.index is not None else "log"
        return f"FINDING {where}, rule ({self.rule}) {RULES.get(self.rule, self.rule)}: {self.problem}"


@dataclass(slots=True)
class CaseTrack:
    """One case pseudonym as its entries so far describe it: the fields the core's Case needs."""

    state: str = ""
    outcome: str | None = None
    final_outcome: str | None = None
    countries: list[str] = field(default_factory=list)
    decider: str | None = None
    interviewer: str | None = None
    drafter: str | None = None
    last: int = 0  # the index of its latest entry

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in _TRACK_FIELDS]

    def restart(self, *, keep_status: bool) -> None:
        # As the core's _restart: a new proceeding counts only its own officers; a status
        # held stands through a cessation or cancellation proceeding, not through a reopening.
        self.outcome = None
        self.countries = []
        self.decider = self.interviewer = self.drafter = None
        if not keep_status:
            self.final_outcome = None

    def domain(self) -> Case:
        """As the removal guard sees it; raises ValueError for a stage or outcome the core does not know."""
        return Case(
            state=State(self.state),
            final_outcome=Outcome(self.final_outcome) if self.final_outcome else None,
            countries_assessed=frozenset(self.countries),
        )


_TRACK_FIELDS = tuple(f.name for f in fields(CaseTrack))


class ProcedureAudit:
    """Feed it every entry in log order with `entry`, then call `finish`. Its state survives a
    round trip through JSON (`state`, `from_state`), so a monitor can catch up incrementally."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.cases: dict[str, CaseTrack] = {}
        self.listed: set[str] = set()
        # person → [type, valid_from, valid_until, revoked]
        self.documents: dict[str, list[list[Any]]] = {}
        self.case_persons: dict[str, set[str]] = {}
        self.person_cases: dict[str, set[str]] = {}
        # disclosure pseudonym → its last status, or "approved_against_origin_guard"
        self.disclosures: dict[str, str] = {}
        # authority → [version, [kid, ...]] of its last trust list
        self.trust_lists: dict[str, list[Any]] = {}
        self.last_day = ""
        self.findings: list[Finding] = []

    # Replay

    def entry(self, index: int, body: bytes) -> None:
        try:
            # raw_decode on text skips json.loads' encoding sniffing and whitespace scans: a
            # third of a monitor's time per entry. Canonical bodies have no whitespace to skip.
            text = body.decode()
            public, end = _decode(text)
            if end != len(text):
                raise ValueError("data after the JSON object")
            kind = public["kind"]
            day = public["day"]
            if not isinstance(kind, str) or not isinstance(day, str):
                raise TypeError("kind and day are not text")
        except (ValueError, TypeError, KeyError) as error:
            self.counts["malformed"] += 1
            self._find(index, "format", f"not a JSON object with a kind and a day ({error.__class__.__name__})")
            return
        self.counts[kind] += 1
        if day > self.last_day:
            self.last_day = day
        handler = self._handlers.get(kind)
        if handler is None:
            return
        try:
            handler(self, index, public)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self._find(index, "format", f"a malformed {kind} entry: {error!r}")

    def _event(self, index: int, public: dict[str, Any]) -> None:
        kind = public["type"]
        case = public["case"]
        self.counts[f"event:{kind}"] += 1
        track = self.cases.get(case)
        if track is None:
            track = self.cases[case] = CaseTrack()
        before = public.get("from") or ""
        # Events that do not move the case (an assignment) leave "from" empty.
        if before and track.state and before != track.state:
            self._find(
                index,
                "order",
                f"{kind} on case {case} starts at {before!r}, but its previous event left it at {track.state!r}:"
                " an event is missing from the log or out of order",
            )
        step = STEP_NAMES.get(kind)
        if step is not None and before and State(before) not in step.sources:
            # A file closed while its appeal window is open, or before its appeal decision is
            # notified, would end on a decision that never became final.
            self._find(
                index, "step", f"{kind} on case {case} at stage {before!r}, where the procedure has no such step"
            )
        if kind == "removal_carried_out":
            self._removal(index, public, track)
        elif kind == "decide_appeal":
            self._appeal(index, public, track)
        if kind in ("removal_allowed", "removal_refused", "removal_carried_out") and public.get("person"):
            self.person_cases.setdefault(public["person"], set()).add(case)
        self._track(kind, public, track)
        track.state = public.get("to") or track.state
        track.last = index

    @staticmethod
    def _track(kind: str, public: dict[str, Any], track: CaseTrack) -> None:
        actor = public.get("actor")
        if kind == "hold_interview":
            track.interviewer = actor
        elif kind == "draft_assessment":
            track.drafter = actor
        elif kind == "return_assessment":
            track.drafter = None
        elif kind == "decide":
            track.decider = actor
            track.outcome = public["outcome"]
            track.countries = sorted(public.get("countries_assessed", []))
        elif kind == "finalize" or (kind == "notify" and public.get("to") == State.FINAL):
            track.final_outcome = track.outcome
        elif kind == "decide_appeal":
            track.final_outcome = public["outcome"]
            track.countries = sorted(set(track.countries) | set(public.get("countries_assessed", [])))
        elif kind == "reopen":
            track.restart(keep_status=False)
        elif kind in ("open_cessation", "open_cancellation"):
            track.restart(keep_status=True)

    def _removal(self, index: int, public: dict[str, Any], track: CaseTrack) -> None:
        case, destination = public["case"], public["destination"]
        if not track.state:
            self._find(index, "a", f"removal to {destination} carried out on case {case}, which the log never opened")
            return
        person = public.get("person")
        known = self.person_cases.get(person, set()) if person else set()
        cases = tuple(self.cases[c].domain() for c in sorted(known | {case}) if c in self.cases)
        # The person's origins are not in the log: naming the destination as one skips the
        # guard's third-country checks, which the log cannot judge, and no other.
        subject = Person(origins=frozenset({destination}), cases=cases)
        safety = CountrySafety(no_return=frozenset(self.listed))
        codes = {
            r.code for r in removal_refusals(subject, destination, safety, _REMOVER, date.fromisoformat(public["day"]))
        }
        if codes & _RULE_A:
            self._find(
                index,
                "a",
                f"removal to {destination} carried out on case {case} at stage {track.state!r}, final outcome "
                f"{track.final_outcome or 'none'}: {', '.join(sorted(codes & _RULE_A))}",
            )
        if codes & _RULE_B:
            self._find(index, "b", f"removal carried out on case {case} to {destination}, on the no-return register")

    def _appeal(self, index: int, public: dict[str, Any], track: CaseTrack) -> None:
        actor, case = public.get("actor"), public["case"]
        if actor is None:
            return
        if actor == track.decider:
            self._find(index, "d", f"case {case}: {Code.APPEAL_OFFICER_IS_FIRST_INSTANCE_DECISION_MAKER} ({actor})")
        elif actor in (track.interviewer, track.drafter):
            self._find(index, "d", f"case {case}: {Code.APPEAL_OFFICER_HEARD_CLAIM} ({actor})")

    def _document(self, index: int, public: dict[str, Any]) -> None:
        person, action = public["person"], public["action"]
        key = [public["type"], public["valid_from"], public["valid_until"]]
        self.counts[f"document:{action}"] += 1
        held = self.documents.setdefault(person, [])
        if action == "issued":
            held.append([*key, False])
        elif action == "revoked":
            for document in held:
                if document[:3] == key and not document[3]:
                    document[3] = True
                    break
        for case in public.get("cases", []):
            self.case_persons.setdefault(case, set()).add(person)
            self.person_cases.setdefault(person, set()).add(case)

    def _register(self, index: int, public: dict[str, Any]) -> None:
        action, country = public["action"], public["country"]
        self.counts[f"register:{action}"] += 1
        if action == "listed":
            self.listed.add(country)
        elif action == "delisted":
            self.listed.discard(country)

    def _disclosure_decision(self, index: int, public: dict[str, Any]) -> None:
        status, disclosure = public["status"], public["disclosure"]
        self.counts[f"disclosure_decision:{status}"] += 1
        self.disclosures[disclosure] = status
        if status != "approved":
            return
        recipient = Recipient(
            "", RecipientKind(public["recipient_kind"]), public["recipient_country"], frozenset(public["forwards_to"])
        )
        codes = [r.code for r in origin_refusals(recipient, frozenset(public["origins"]))]
        if codes:
            self.disclosures[disclosure] = "approved_against_origin_guard"
            self._find(
                index,
                "c",
                f"disclosure {disclosure} approved to a {recipient.kind} in {recipient.country}, the person's origins "
                f"being {', '.join(public['origins'])}: {', '.join(codes)}",
            )

    def _disclosure(self, index: int, public: dict[str, Any]) -> None:
        disclosure = public["disclosure"]
        status = self.disclosures.get(disclosure)
        if status == "approved_against_origin_guard":
            self._find(
                index, "c", f"disclosure {disclosure} sent to {public['recipient_country']} against the origin guard"
            )
        elif status != "approved":
            self._find(
                index,
                "c",
                f"disclosure {disclosure} sent to a {public['recipient_kind']} in {public['recipient_country']} "
                f"with no approval in the log before it (last status: {status or 'none'})",
            )

    def _trust_list(self, index: int, public: dict[str, Any]) -> None:
        authority, version = public["authority"], public["version"]
        kids = sorted(key["kid"] for key in public["keys"])
        if not isinstance(version, int):
            raise TypeError("the version is not a number")
        before = self.trust_lists.get(authority)
        self.trust_lists[authority] = [version, kids]
        if before is None:
            self.counts["trust_list:key_added"] += len(kids)
            return
        self.counts["trust_list:key_added"] += len(set(kids) - set(before[1]))
        self.counts["trust_list:key_withdrawn"] += len(set(before[1]) - set(kids))
        # Verifiers refuse a list older than the one they hold, not one of the same version:
        # either would let a withdrawn key sign again (asylon.credentials.trust).
        if version < before[0]:
            self._find(index, "trust", f"{authority}'s trust list version {version} after version {before[0]}")
        elif version == before[0]:
            self._find(index, "trust", f"{authority}'s trust list version {version} again, with other keys")

    _handlers = {
        "event": _event,
        "document": _document,
        "register": _register,
        "disclosure_decision": _disclosure_decision,
        "disclosure": _disclosure,
        "trust_list": _trust_list,
    }

    def _find(self, index: int | None, rule: str, problem: str) -> None:
        self.findings.append(Finding(index, rule, problem))

    # The state at the end

    def finish(self, as_of: date | None = None) -> list[Finding]:
        """Rule (e) on the day given, by default the last day in the log; returns its findings."""
        day = as_of.isoformat() if as_of else self.last_day
        found = []
        for case, track in self.cases.items():
            if track.state not in DOCUMENTED:
                continue
            persons = self.case_persons.get(case, set())
            if not any(
                not revoked and start <= day <= until
                for person in persons
                for _, start, until, revoked in self.documents.get(person, [])
            ):
                found.append(
                    Finding(
                        track.last,
                        "e",
                        f"case {case} is at stage {track.state!r} on {day} and no person of it holds a valid document",
                    )
                )
        return found

    def pending(self) -> int:
        return sum(1 for track in self.cases.values() if track.state in DOCUMENTED)

    # Incremental runs

    def state(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "cases": {case: track.values() for case, track in self.cases.items()},
            "listed": sorted(self.listed),
            "documents": self.documents,
            "case_persons": {case: sorted(persons) for case, persons in self.case_persons.items()},
            "person_cases": {person: sorted(cases) for person, cases in self.person_cases.items()},
            "disclosures": self.disclosures,
            "trust_lists": self.trust_lists,
            "last_day": self.last_day,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ProcedureAudit:
        audit = cls()
        audit.counts = Counter(state["counts"])
        audit.cases = {case: CaseTrack(*values) for case, values in state["cases"].items()}
        audit.listed = set(state["listed"])
        audit.documents = state["documents"]
        audit.case_persons = {case: set(persons) for case, persons in state["case_persons"].items()}
        audit.person_cases = {person: set(cases) for person, cases in state["person_cases"].items()}
        audit.disclosures = state["disclosures"]
        # A state written before trust lists were logged has none.
        audit.trust_lists = state.get("trust_lists", {})
        audit.last_day = state["last_day"]
        return audit


def audit_entries(entries: Iterable[bytes], *, start: int = 0, as_of: date | None = None) -> list[Finding]:
    """Every finding of the rules in these entries, the first at index `start`."""
    audit = ProcedureAudit()
    for index, body in enumerate(entries, start):
        audit.entry(index, body)
    return audit.findings + audit.finish(as_of)
