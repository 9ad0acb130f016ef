"""The removal guard: no one is returned to danger.

Refugee Convention Art. 33 (non-refoulement); CAT Art. 3; ICCPR Arts. 6–7; and the
2014 Commission of Inquiry on the DPRK, A/HRC/25/63, recommendation 1221(a): no return
"unless the treatment there, as verified by international human rights monitors,
markedly improves".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from asylon.procedure.case import PROTECTIVE, Case, Outcome, State
from asylon.procedure.refusals import Code, Refusal
from asylon.procedure.roles import Actor, Role

REMOVERS = frozenset({Role.REMOVAL_OFFICER})


@dataclass(frozen=True)
class Person:
    """What the guard needs to know of the person to be removed."""

    # Countries of nationality and of former habitual residence: the countries they fled.
    origins: frozenset[str]
    # Every case in which they are principal applicant or dependant.
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class CountrySafety:
    """The registers as they stand on the day of the removal."""

    no_return: frozenset[str]
    # (destination, nationality): a third country designated safe for persons of that nationality.
    safe_third_countries: frozenset[tuple[str, str]] = frozenset()
    # (destination, origin): a country known to send people on to the country they fled.
    onward_returns: frozenset[tuple[str, str]] = frozenset()


def removal_refusals(
    person: Person, destination: str, safety: CountrySafety, actor: Actor, today: date
) -> list[Refusal]:
    """Every reason a removal of this person to this destination is refused today.

    Empty only when all hold: no case pending or in its appeal window; a final decision
    negative on refugee status and on complementary protection for this destination;
    the destination off the no-return register; and, for a third country, designated
    safe and not known to return people onward.
    """
    found: list[Refusal] = []
    if not actor.has_any(REMOVERS):
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))

    cases = person.cases
    # EXCOM Conclusion No. 8 (XXVIII) (e): the applicant remains while the claim and any appeal run.
    if any(c.state == State.APPEAL_WINDOW for c in cases):
        found.append(Refusal.of(Code.APPEAL_WINDOW_OPEN))
    if any(c.pending and c.state != State.APPEAL_WINDOW for c in cases):
        found.append(Refusal.of(Code.CASE_PENDING))
    if any(c.final_outcome in PROTECTIVE for c in cases):
        found.append(Refusal.of(Code.PROTECTION_GRANTED))

    rejections = [c for c in cases if c.state in (State.FINAL, State.CLOSED) and c.final_outcome == Outcome.REJECTED]
    if not rejections:
        found.append(Refusal.of(Code.NO_FINAL_DECISION))
    # A rejection says nothing of a country whose risks were never examined (CAT Art. 3).
    elif not all(destination in c.countries_assessed for c in rejections):
        found.append(Refusal.of(Code.DESTINATION_NOT_ASSESSED))

    if destination in safety.no_return:
        found.append(Refusal.of(Code.DESTINATION_ON_NO_RETURN_REGISTER))

    if destination not in person.origins:
        # Indirect refoulement: a third country must be safe for this person and must not
        # send them on (UNHCR EXCOM Conclusion No. 58 (XL); Art. 33 covers return "in any manner").
        if not any((destination, origin) in safety.safe_third_countries for origin in person.origins):
            found.append(Refusal.of(Code.THIRD_COUNTRY_NOT_DESIGNATED_SAFE))
        if any((destination, origin) in safety.onward_returns for origin in person.origins):
            found.append(Refusal.of(Code.THIRD_COUNTRY_WOULD_RETURN_ONWARD))
    return found
