"""Hypothesis strategies for steps and actors, shared by the core and service machines."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from asylon.procedure import case as c
from asylon.procedure.roles import Actor, Role

texts = st.sampled_from(["Reasons given in writing.", "근거", "", " "])
languages = st.sampled_from(["", "ko", "zh"])
countries = st.frozensets(st.sampled_from(["KP", "CN", "MN"]), max_size=2)
outcomes = st.sampled_from(list(c.Outcome))
# Around the machines' first day (5 January 2026): some interviews end in the past, some on a
# day still to come, and some end before they start.
starts = st.datetimes(min_value=datetime(2025, 12, 20), max_value=datetime(2026, 3, 1), timezones=st.just(UTC))
lengths = st.timedeltas(min_value=timedelta(minutes=-30), max_value=timedelta(hours=6))


@st.composite
def interviews_held(draw: st.DrawFn) -> c.HoldInterview:
    started = draw(starts)
    return c.HoldInterview(
        rights_informed=draw(st.booleans()),
        read_back_confirmed=draw(st.booleans()),
        started_at=started,
        ended_at=started + draw(lengths),
    )


# Few ids, so the same officer turns up in several roles and separation of duties is tested.
actors = st.builds(
    Actor,
    id=st.integers(1, 4),
    roles=st.frozensets(st.sampled_from(list(Role)), min_size=1, max_size=3),
)

STEP_STRATEGIES: dict[type[c.Step], st.SearchStrategy[c.Step]] = {
    c.Register: st.just(c.Register()),
    c.Screen: st.builds(c.Screen, mode=st.sampled_from(list(c.ProcessingMode)), reason=texts),
    c.ScheduleInterview: st.builds(c.ScheduleInterview, language=languages),
    c.HoldInterview: interviews_held(),
    c.DraftAssessment: st.builds(
        c.DraftAssessment,
        material_facts=texts,
        credibility=st.just("Credible."),
        inclusion=st.just("Art. 1A(2) met."),
        exclusion=st.just("None."),
        complementary_protection=st.just("CAT Art. 3 risk."),
        proposed_outcome=outcomes,
    ),
    c.ApproveAssessment: st.just(c.ApproveAssessment()),
    c.ReturnAssessment: st.builds(c.ReturnAssessment, comments=texts),
    c.Decide: st.builds(c.Decide, outcome=outcomes, reasons=texts, countries_assessed=countries),
    c.Notify: st.builds(c.Notify, language=languages),
    c.LodgeAppeal: st.builds(c.LodgeAppeal, late_reason=texts),
    c.Finalize: st.just(c.Finalize()),
    c.DecideAppeal: st.builds(c.DecideAppeal, outcome=outcomes, reasons=texts, countries_assessed=countries),
    c.NotifyAppeal: st.builds(c.NotifyAppeal, language=languages),
    c.Close: st.builds(c.Close, reason=texts),
    c.Withdraw: st.builds(c.Withdraw, reason=texts),
    c.Reopen: st.builds(c.Reopen, ground=st.sampled_from(list(c.ReopeningGround)), reason=texts),
    c.OpenCessation: st.builds(c.OpenCessation, reason=texts),
    c.OpenCancellation: st.builds(c.OpenCancellation, reason=texts),
}
assert set(STEP_STRATEGIES) == set(c.STEPS)


def step_and_actor(data: st.DataObject, case: c.Case) -> tuple[c.Step, Actor]:
    """Mostly a step the case's stage allows, by an officer holding the role for it;
    sometimes any step by anyone, so that refusals are exercised too."""
    possible = [s for s in c.STEPS if case.state in s.sources]
    if possible and data.draw(st.integers(0, 9)) > 0:
        step_type = data.draw(st.sampled_from(possible))
        role = data.draw(st.sampled_from(sorted(step_type.roles)))
        actor = data.draw(actors)
        actor = Actor(actor.id, actor.roles | {role})
    else:
        step_type = data.draw(st.sampled_from(list(c.STEPS)))
        actor = data.draw(actors)
    return data.draw(STEP_STRATEGIES[step_type]), actor


destinations = st.sampled_from(["KP", "CN", "MN"])


NEXT_STEP: dict[c.State, c.Step] = {
    c.State.INTAKE: c.Register(),
    c.State.REGISTERED: c.Screen(mode=c.ProcessingMode.REGULAR, reason="Detained."),
    c.State.SCREENED: c.ScheduleInterview(language="ko"),
    c.State.INTERVIEW_SCHEDULED: c.HoldInterview(
        rights_informed=True,
        read_back_confirmed=True,
        started_at=datetime(2026, 1, 5, 6, 30, tzinfo=UTC),
        ended_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
    ),
    c.State.ASSESSMENT_DRAFTED: c.ApproveAssessment(),
    c.State.DECIDED: c.Notify(language="ko"),
    c.State.APPEAL_DECIDED: c.NotifyAppeal(language="ko"),
}


# The ordinary path decides mostly rejections, so that the removal guard meets final cases.
likely_outcomes = st.sampled_from([c.Outcome.REJECTED, c.Outcome.REJECTED, *c.Outcome])
assessed = st.frozensets(st.sampled_from(["KP", "CN", "MN"]), min_size=1)


def next_step(data: st.DataObject, case: c.Case) -> tuple[c.Step, Actor]:
    """The ordinary next step with what it needs, by some officer of the right role."""
    if case.state == c.State.INTERVIEWED:
        step: c.Step = data.draw(STEP_STRATEGIES[c.DraftAssessment])
    elif case.state == c.State.ASSESSMENT_REVIEWED:
        step = c.Decide(outcome=data.draw(likely_outcomes), reasons="Reasons.", countries_assessed=data.draw(assessed))
    elif case.state == c.State.APPEAL_LODGED:
        step = c.DecideAppeal(
            outcome=data.draw(likely_outcomes), reasons="Reasons.", countries_assessed=data.draw(assessed)
        )
    elif case.state == c.State.APPEAL_WINDOW:
        step = data.draw(st.sampled_from([c.LodgeAppeal(late_reason="Late for a reason."), c.Finalize()]))
    elif case.state in NEXT_STEP:
        step = NEXT_STEP[case.state]
    else:
        step = data.draw(
            st.sampled_from(
                [
                    c.Finalize(),
                    c.OpenCessation(reason="1C(5)"),
                    c.Reopen(ground=c.ReopeningGround.NEW_EVIDENCE, reason="New medical report."),
                ]
            )
        )
    role = data.draw(st.sampled_from(sorted(type(step).roles)))
    return step, Actor(data.draw(st.integers(1, 4)), frozenset({role}))
