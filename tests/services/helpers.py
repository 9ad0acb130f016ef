"""Walk a real case through the services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.db import connection

from asylon.cases import services
from asylon.procedure import case as p

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A frozen `timezone.now()` that a test moves on by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def at_once(work: Callable[[int], object], threads: int) -> list[BaseException]:
    """Run `work(index)` on `threads` threads released together; the errors they raised."""
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    running = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return errors


def principal(text: str = "리순희", nationality: str = "KP") -> services.PersonInput:
    return services.PersonInput(
        names=[
            services.NameInput(text=text, script="Hang", family_name=text[0], given_name=text[1:], is_primary=True),
            services.NameInput(text="Ri Sun Hui", script="Latn", romanization="dprk", source="ngo"),
        ],
        sex="F",
        birth_year=1991,
        birth_month=3,
        nationalities=[nationality],
        languages=["ko"],
    )


def registered(text: str = "리순희", script: str = "Hang", romanization: str = "", *, day: int = 7, sex: str = "F"):
    """One person with one name, as a second registration of someone already on file gives it."""
    return services.PersonInput(
        names=[services.NameInput(text=text, script=script, romanization=romanization)],
        sex=sex,
        birth_year=1991,
        birth_month=3,
        birth_day=day,
        province="함경북도",
        nationalities=["KP"],
    )


def open_case(staff, *people: services.PersonInput, channel=p.Channel.DETAINED):
    detained = services.DetentionInput(site="Tumen Border Detention Centre", detained_since=date(2025, 6, 1))
    return services.intake_open(
        user=staff.registrar, people=list(people) or [principal()], channel=channel, detained=detained, at=T0
    )


def walk_to(staff, case, to: p.State, outcome: p.Outcome = p.Outcome.REJECTED, at: datetime = T0):
    """Take the ordinary steps until the case reaches `to`."""
    from tests.procedure.personas import assessment, interview_held

    steps = [
        (p.Register(), staff.registrar),
        (p.Screen(mode=p.ProcessingMode.PRIORITIZED, reason="Detained over a year."), staff.registrar),
        (p.ScheduleInterview(language="ko"), staff.eligibility),
        (interview_held(ended=at - timedelta(minutes=15)), staff.eligibility),
        (assessment(outcome), staff.eligibility),
        (p.ApproveAssessment(), staff.reviewer),
        (p.Decide(outcome=outcome, reasons="Reasons.", countries_assessed=frozenset({"KP", "CN"})), staff.reviewer),
        (p.Notify(language="ko"), staff.registrar),
    ]
    for step, user in steps:
        case.refresh_from_db()
        if case.state == to:
            return case
        if case.state in type(step).sources:
            case = services.case_take(user=user, case_id=case.pk, step=step, at=at)
    case.refresh_from_db()
    if case.state == to:
        return case
    if to == p.State.FINAL and case.state == p.State.APPEAL_WINDOW:
        later = at + timedelta(days=73)
        return services.case_take(user=staff.registrar, case_id=case.pk, step=p.Finalize(), at=later)
    raise AssertionError(f"cannot walk to {to} from {case.state}")
