"""The no-return register: countries to which no one is returned.

A country comes off the register only when independent monitors attest that treatment
there has markedly improved (COI on the DPRK, A/HRC/25/63, recommendation 1221(a)).
Putting a country on the register is always allowed: protection errs on the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from asylon.procedure.refusals import Code, Refusal
from asylon.procedure.roles import Actor, Role

# Attestations from this many monitoring bodies, by as many monitors, are needed to delist a country.
MONITOR_QUORUM = 2
# An attestation older than this no longer speaks for conditions today.
ATTESTATION_VALIDITY = timedelta(days=180)

LISTERS = frozenset({Role.ADMINISTRATOR, Role.MONITOR})
# The register names countries, not people: everyone who works in the system reads it, and an
# account that holds no role reads nothing (deny by default).
READERS = frozenset(Role)


@dataclass(frozen=True)
class Attestation:
    country: str
    monitor_id: int
    organisation: str
    attested_on: date


def listing_refusals(country: str, listed: frozenset[str], actor: Actor) -> list[Refusal]:
    found = []
    if not actor.has_any(LISTERS):
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if country in listed:
        found.append(Refusal.of(Code.COUNTRY_ALREADY_LISTED))
    return found


def attestation_refusals(actor: Actor) -> list[Refusal]:
    return [] if Role.MONITOR in actor.roles else [Refusal.of(Code.ROLE_NOT_PERMITTED)]


def delisting_refusals(
    country: str,
    listed: frozenset[str],
    attestations: tuple[Attestation, ...],
    actor: Actor,
    today: date,
) -> list[Refusal]:
    found = []
    if Role.ADMINISTRATOR not in actor.roles:
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if country not in listed:
        found.append(Refusal.of(Code.COUNTRY_NOT_LISTED))
    recent = [
        a
        for a in attestations
        # Whoever delists does not attest for it, even holding a monitor's role as well.
        if a.country == country and today - ATTESTATION_VALIDITY <= a.attested_on <= today and a.monitor_id != actor.id
    ]
    if _independent(recent) < MONITOR_QUORUM:
        found.append(Refusal.of(Code.ATTESTATIONS_INSUFFICIENT))
    return found


def _independent(attestations: list[Attestation]) -> int:
    """How many of the attestations can be counted with no monitor and no organisation twice:
    a monitor filing under two names is one voice, and so are two accounts of one body (a
    maximum matching of monitors to organisations)."""
    bodies: dict[int, set[str]] = {}
    for a in attestations:
        bodies.setdefault(a.monitor_id, set()).add(a.organisation.strip().casefold())
    speaker: dict[str, int] = {}  # organisation → the monitor counted for it

    def count(monitor: int, tried: set[str]) -> bool:
        for body in bodies[monitor]:
            if body in tried:
                continue
            tried.add(body)
            if body not in speaker or count(speaker[body], tried):
                speaker[body] = monitor
                return True
        return False

    return sum(count(monitor, set()) for monitor in bodies)
